"""Every bad input is refused with a clear error, the field it concerns, and no change."""

from __future__ import annotations

from tests.support import DAOLI, token, every_district
from services.funding.models import OutboxEvent

from .flow import (ADVANCE, AWARD, CONFLICT, CRITERIA, DISBURSE, EXPENSE, MERGE, NEED, OPEN, ORDER, PANEL, PROJECT,
                   RECORD, ROUND, SCHEDULE, SCORE, TODAY, UNMERGE, awarded_project, grades, know_organization)

TRAIL = "{ fundingAuditTrail { totalCount } }"


def open_input(**overrides) -> dict:
    return {"input": {"name": "2024创投", "year": 2024, "budget": "200000.00", "criteria": CRITERIA,
                      "minReviews": 1, "noticeDays": 7, **overrides}}


def need_input(round_id: str, **overrides) -> dict:
    return {"input": {"roundId": round_id, "subdistrict": "新阳路街道", "community": "共乐社区", "category": "ELDERLY_CARE",
                      "method": "QUESTIONNAIRE", "description": "独居老人助餐", **overrides}}


async def test_a_round_with_bad_terms_is_refused_field_by_field(funding, bureau):
    cases = [
        ({"name": "  "}, "input.name"),
        ({"year": 1900}, "input.year"),
        ({"budget": "0.00"}, "input.budget"),
        ({"criteria": []}, "input.criteria"),
        ({"criteria": [{"name": "可行性", "weight": 50}, {"name": "可行性", "weight": 50}]}, "input.criteria.1.name"),
        ({"criteria": [{"name": "可行性", "weight": 0}]}, "input.criteria.0.weight"),
        ({"minReviews": 0}, "input.minReviews"),
        ({"noticeDays": -1}, "input.noticeDays"),
    ]
    for overrides, field in cases:
        error = await funding.error(OPEN, open_input(**overrides), token=bureau[DAOLI])
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (overrides, error)
    money = await funding.error(OPEN, open_input(budget="12.345"), token=bureau[DAOLI])
    assert money["extensions"]["code"] == "BAD_USER_INPUT" and "12.345" in money["message"]
    assert (await funding.ok("{ fundingRounds { totalCount } }", token=bureau[DAOLI]))["fundingRounds"]["totalCount"] == 0


async def test_each_step_is_accepted_only_in_its_phase_and_the_error_names_the_phase(funding, bureau):
    admin = bureau[DAOLI]
    rnd = (await funding.ok(OPEN, open_input(), token=admin))["openRound"]
    need = (await funding.ok(NEED, need_input(rnd["id"]), token=admin))["recordNeed"]
    early = await funding.error(MERGE, {"input": {"needIds": [need["id"]], "reason": "r", "title": "t",
                                                  "requested": "1000.00"}}, token=admin)
    assert early["extensions"] == {"code": "CONFLICT", "field": "phase", "phase": "NEEDS_INTAKE"}
    assert "NEEDS_INTAKE" in early["message"] and "LIBRARY" in early["message"]
    skip = await funding.error(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    assert skip["extensions"] == {"code": "CONFLICT", "field": "to", "phase": "NEEDS_INTAKE"}
    assert "next phase is LIBRARY" in skip["message"]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    late = await funding.error(NEED, need_input(rnd["id"]), token=admin)
    assert late["extensions"]["phase"] == "LIBRARY"
    backward = await funding.error(ADVANCE, {"id": rnd["id"], "to": "NEEDS_INTAKE"}, token=admin)
    assert backward["extensions"]["code"] == "CONFLICT" and "only forward" in backward["message"]
    empty = await funding.error(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    assert empty["extensions"]["code"] == "CONFLICT" and "merged" in empty["message"]
    assert (await funding.ok(ROUND, {"id": rnd["id"]}, token=admin))["fundingRound"]["phase"] == "LIBRARY"


async def test_needs_are_recorded_by_officers_of_their_own_subdistrict_only(funding, bureau):
    rnd = (await funding.ok(OPEN, open_input(), token=bureau[DAOLI]))["openRound"]
    before = (await funding.ok(TRAIL, token=bureau[DAOLI]))["fundingAuditTrail"]["totalCount"]
    officer = token(DAOLI, "subdistrict_officer", subdistrict="抚顺街道")
    other = await funding.error(NEED, need_input(rnd["id"]), token=officer)
    assert other["extensions"] == {"code": "FORBIDDEN", "field": "input.subdistrict"}
    member = await funding.error(NEED, need_input(rnd["id"]), token=token(DAOLI, "org_member", org="x"))
    assert member["extensions"]["code"] == "FORBIDDEN"
    blank = await funding.error(NEED, need_input(rnd["id"], description=" "), token=bureau[DAOLI])
    assert blank["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.description"}
    mine = await funding.ok(NEED, need_input(rnd["id"], subdistrict="抚顺街道", community="新华社区"), token=officer)
    assert mine["recordNeed"]["subdistrict"] == "抚顺街道"
    assert (await funding.ok(TRAIL, token=bureau[DAOLI]))["fundingAuditTrail"]["totalCount"] == before + 1


async def test_the_library_refuses_unlike_or_already_merged_needs(funding, bureau):
    admin = bureau[DAOLI]
    rnd = (await funding.ok(OPEN, open_input(), token=admin))["openRound"]
    elderly = (await funding.ok(NEED, need_input(rnd["id"]), token=admin))["recordNeed"]["id"]
    youth = (await funding.ok(NEED, need_input(rnd["id"], category="YOUTH"), token=admin))["recordNeed"]["id"]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    merge = {"needIds": [elderly, youth], "reason": "合并", "title": "综合", "requested": "1000.00"}
    unlike = await funding.error(MERGE, {"input": merge}, token=admin)
    assert unlike["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.needIds"} and "like needs" in unlike["message"]
    over = await funding.error(MERGE, {"input": {**merge, "needIds": [elderly], "requested": "300000.00"}}, token=admin)
    assert over["extensions"]["field"] == "input.requested"
    no_reason = await funding.error(MERGE, {"input": {**merge, "needIds": [elderly], "reason": ""}}, token=admin)
    assert no_reason["extensions"]["field"] == "input.reason"
    entry = (await funding.ok(MERGE, {"input": {**merge, "needIds": [elderly]}}, token=admin))["mergeNeeds"]
    twice = await funding.error(MERGE, {"input": {**merge, "needIds": [elderly]}}, token=admin)
    assert twice["extensions"] == {"code": "CONFLICT", "field": "input.needIds"}
    into_unlike = await funding.error(MERGE, {"input": {"needIds": [youth], "entryId": entry["id"], "reason": "r"}}, token=admin)
    assert into_unlike["extensions"]["field"] == "input.needIds"
    lonely = await funding.error(UNMERGE, {"needId": youth, "reason": "r"}, token=admin)
    assert lonely["extensions"] == {"code": "BAD_USER_INPUT", "field": "needId"}
    kept = (await funding.ok("query($id: ID!) { libraryEntry(id: $id) { needs { id } } }", {"id": entry["id"]},
                             token=admin))["libraryEntry"]
    assert kept["needs"] == [{"id": elderly}]


async def test_scoring_is_by_panel_members_on_every_published_criterion_from_0_to_10(funding, bureau):
    admin = bureau[DAOLI]
    rnd = (await funding.ok(OPEN, open_input(minReviews=2), token=admin))["openRound"]
    need = (await funding.ok(NEED, need_input(rnd["id"]), token=admin))["recordNeed"]["id"]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    entry = (await funding.ok(MERGE, {"input": {"needIds": [need], "reason": "r", "title": "助餐", "requested": "1000.00"}},
                              token=admin))["mergeNeeds"]["id"]
    await funding.ok(PANEL, {"input": {"roundId": rnd["id"], "name": "专家", "kind": "EXPERT", "sub": "m1"}}, token=admin)
    dup = await funding.error(PANEL, {"input": {"roundId": rnd["id"], "name": "又一位", "kind": "OFFICIAL", "sub": "m1"}}, token=admin)
    assert dup["extensions"] == {"code": "CONFLICT", "field": "input.sub"}
    member = token(DAOLI, "reviewer", sub="m1")
    before_review = await funding.error(SCORE, {"input": {"entryId": entry, "grades": grades(5, 5, 5)}}, token=member)
    assert before_review["extensions"]["phase"] == "LIBRARY"
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    outsider = await funding.error(SCORE, {"input": {"entryId": entry, "grades": grades(5, 5, 5)}},
                                   token=token(DAOLI, "reviewer", sub="nobody"))
    assert outsider["extensions"]["code"] == "FORBIDDEN"
    for bad in (grades(11, 5, 5), grades(5, 5), grades(5, 5, -1),
                grades(5, 5, 5) + [{"criterion": "颜值", "grade": 5}], grades(5, 5, 5) + grades(5)):
        error = await funding.error(SCORE, {"input": {"entryId": entry, "grades": bad}}, token=member)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.grades"}, (bad, error)
    one = (await funding.ok(SCORE, {"input": {"entryId": entry, "grades": grades(10, 5, 0)}}, token=member))["scoreEntry"]
    # 10*40 + 5*30 + 0*30 = 550 / 100 = 5.5 for the review; the entry has 1 of the 2 reviews it needs.
    assert one["reviews"] == [{"score": 5.5}] and one["score"] is None
    await funding.ok(CONFLICT, {"entryId": entry, "reason": "亲属"}, token=member)
    after = (await funding.ok("query($id: ID!) { libraryEntry(id: $id) { score reviews { conflicted } } }",
                              {"id": entry}, token=admin))["libraryEntry"]
    assert after == {"score": None, "reviews": [{"conflicted": True}]}
    nothing = await funding.error("mutation($id: ID!) { selectProjects(roundId: $id) { id } }", {"id": rnd["id"]}, token=admin)
    assert "minimum of 2 review" in nothing["message"]


async def test_a_project_is_awarded_once_and_later_tranches_stay_within_its_grant(funding, consumer, bureau):
    admin = bureau[DAOLI]
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, admin, DAOLI, org, grant="150000.00", tranches=["150000.00"])
    again = await funding.error(AWARD, {"input": {"projectId": ids["project"], "organizationId": org, "grant": "1.00",
                                                  "tranches": [{"amount": "1.00", "dueOn": TODAY}]}}, token=admin)
    assert again["extensions"] == {"code": "CONFLICT", "field": "input.projectId"}
    over = await funding.error(SCHEDULE, {"input": {"projectId": ids["project"], "amount": "0.01", "dueOn": TODAY}}, token=admin)
    assert over["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.amount"} and "0.00" in over["message"]


async def test_an_award_over_budget_or_to_an_unfit_organization_is_refused(funding, consumer, bureau):
    admin = bureau[DAOLI]
    active = await know_organization(consumer, DAOLI)
    suspended = await know_organization(consumer, DAOLI, name="停业机构", status="SUSPENDED",
                                        event="registry.organization.status_changed")
    third = await _selected_project(funding, admin)
    base = {"projectId": third, "organizationId": active, "grant": "100000.00",
            "tranches": [{"amount": "60000.00", "dueOn": TODAY}, {"amount": "40000.00", "dueOn": TODAY}]}
    cases = [
        ({"organizationId": suspended}, "BAD_USER_INPUT", "input.organizationId", "SUSPENDED"),
        ({"organizationId": "2f1c7a4e-1111-4111-8111-111111111111"}, "NOT_FOUND", "input.organizationId", "knows no organization"),
        ({"grant": "200000.01"}, "BAD_USER_INPUT", "input.grant", "remains of the budget"),
        ({"grant": "0.00"}, "BAD_USER_INPUT", "input.grant", "above zero"),
        ({"tranches": []}, "BAD_USER_INPUT", "input.tranches", "schedule"),
        ({"tranches": [{"amount": "60000.00", "dueOn": TODAY}, {"amount": "40000.01", "dueOn": TODAY}]},
         "BAD_USER_INPUT", "input.tranches.1.amount", "40000.00"),
    ]
    for overrides, code, field, words in cases:
        error = await funding.error(AWARD, {"input": {**base, **overrides}}, token=admin)
        assert error["extensions"] == {"code": code, "field": field}, (overrides, error)
        assert words in error["message"], error["message"]
    state = (await funding.ok(PROJECT, {"id": third}, token=admin))["project"]
    assert state["status"] == "SELECTED" and state["grant"] == "0.00" and state["tranches"] == []
    assert await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.project.awarded").count() == 0


async def _selected_project(funding, admin) -> str:
    from .flow import CLOSE_NOTICE, PUBLISH, SELECT

    rnd = (await funding.ok(OPEN, open_input(), token=admin))["openRound"]
    need = (await funding.ok(NEED, need_input(rnd["id"]), token=admin))["recordNeed"]["id"]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    entry = (await funding.ok(MERGE, {"input": {"needIds": [need], "reason": "r", "title": "助餐", "requested": "100000.00"}},
                              token=admin))["mergeNeeds"]["id"]
    await funding.ok(PANEL, {"input": {"roundId": rnd["id"], "name": "专家", "kind": "EXPERT", "sub": "sel"}}, token=admin)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    await funding.ok(SCORE, {"input": {"entryId": entry, "grades": grades(6, 6, 6)}}, token=token(DAOLI, "reviewer", sub="sel"))
    project = (await funding.ok(SELECT, {"roundId": rnd["id"]}, token=admin))["selectProjects"]["projects"]["edges"][0]["node"]["id"]
    await funding.ok(PUBLISH, {"roundId": rnd["id"]}, token=admin)
    await funding.ok(CLOSE_NOTICE, {"roundId": rnd["id"]}, token=admin)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "AWARDED"}, token=admin)
    return project


async def test_delivery_is_reported_only_by_the_implementing_organization_and_checked(funding, consumer, bureau):
    admin = bureau[DAOLI]
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, admin, DAOLI, org)
    base = {"projectId": ids["project"], "community": "共乐社区", "serviceDate": TODAY, "beneficiary": "GL-1", "personTimes": 3}
    stranger = await funding.error(RECORD, {"input": base}, token=token(DAOLI, "org_member", org="someone-else"))
    assert stranger["extensions"] == {"code": "FORBIDDEN", "field": "input.projectId"}
    member = token(DAOLI, "org_member", org=org)
    for overrides, field in (({"personTimes": 0}, "input.personTimes"), ({"beneficiary": " "}, "input.beneficiary"),
                             ({"community": ""}, "input.community"), ({"serviceDate": "2999-01-01"}, "input.serviceDate")):
        error = await funding.error(RECORD, {"input": {**base, **overrides}}, token=member)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (overrides, error)
    expense = await funding.error(EXPENSE, {"input": {"projectId": ids["project"], "amount": "100000.01",
                                                      "spentOn": TODAY, "description": "x"}}, token=member)
    assert expense["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.amount"}
    project = (await funding.ok(PROJECT, {"id": ids["project"]}, token=admin))["project"]
    assert project["serviceRecords"]["totalCount"] == 0 and project["expenses"]["totalCount"] == 0
    assert await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.service_record.reported").count() == 0


async def test_a_recovery_order_cannot_exceed_what_was_disbursed(funding, consumer, bureau):
    admin = bureau[DAOLI]
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, admin, DAOLI, org, grant="100000.00", tranches=["60000.00", "40000.00"])
    nothing_yet = await funding.error(ORDER, {"input": {"projectId": ids["project"], "amount": "0.01", "reason": "违规"}},
                                      token=admin)
    assert nothing_yet["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.amount"}
    await funding.ok(DISBURSE, {"id": ids["tranches"][0]}, token=admin)
    await funding.ok(ORDER, {"input": {"projectId": ids["project"], "amount": "50000.00", "reason": "违规"}}, token=admin)
    beyond = await funding.error(ORDER, {"input": {"projectId": ids["project"], "amount": "10000.01", "reason": "违规"}},
                                 token=admin)
    assert beyond["extensions"]["field"] == "input.amount" and "10000.00 is not yet ordered back" in beyond["message"]
    no_reason = await funding.error(ORDER, {"input": {"projectId": ids["project"], "amount": "1.00", "reason": " "}}, token=admin)
    assert no_reason["extensions"]["field"] == "input.reason"
    member = await funding.error(ORDER, {"input": {"projectId": ids["project"], "amount": "1.00", "reason": "x"}},
                                 token=token(DAOLI, "org_member", org=org))
    assert member["extensions"]["code"] == "FORBIDDEN"
    orders = (await funding.ok(PROJECT, {"id": ids["project"]}, token=admin))["project"]["recoveryOrders"]
    assert [o["amount"] for o in orders] == ["50000.00"]
    assert await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.recovery.ordered").count() == 1


def _many(n: int, item) -> list:
    return [item(i) for i in range(n)]


LIST_CAPS = [  # (operation, variables with one item too many, the field named)
    (OPEN, open_input(criteria=_many(21, lambda i: {"name": f"c{i}", "weight": 1})), "input.criteria"),
    # needIds has no maximum of its own: the ceiling every input list has (100, input_errors.py) names its path.
    (MERGE, {"input": {"needIds": _many(101, str), "reason": "同类", "title": "t", "requested": "1.00"}}, "input.needIds"),
    (SCORE, {"input": {"entryId": "1", "grades": _many(21, lambda i: {"criterion": f"c{i}", "grade": 1})}}, "input.grades"),
    (AWARD, {"input": {"projectId": "1", "organizationId": "1", "grant": "100.00",
                       "tranches": _many(25, lambda i: {"amount": "1.00", "dueOn": TODAY})}}, "input.tranches"),
]


async def test_every_input_list_has_a_maximum_and_one_more_is_refused_naming_the_list(funding, bureau):
    for operation, variables, field in LIST_CAPS:
        error = await funding.error(operation, variables, token=bureau[DAOLI])
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["field"] == field, error
    assert (await funding.ok(TRAIL, token=bureau[DAOLI]))["fundingAuditTrail"]["totalCount"] == 0
