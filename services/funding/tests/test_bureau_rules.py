"""The rules a bureau expects (issue 16): each lets no bad data in, and says which field is wrong."""

from __future__ import annotations

import datetime as dt

import orjson

from services.cli import format_alert
from services.funding.domain import check_overdue_recoveries
from services.funding.models import OutboxEvent
from services.funding.service import service
from tests.support import DAOLI, every_district, token

from .flow import (ADVANCE, AWARD, CLOSE_NOTICE, DISBURSE, EXPENSE, MERGE, NEED, OPEN, ORDER, PANEL, PROJECT, PUBLISH,
                   RECORD, SCHEDULE, SCORE, SELECT, SETTLE, TODAY, TODAY_DATE, awarded_project, grades, know_organization)
from .test_refusals import need_input, open_input

YESTERDAY = (TODAY_DATE - dt.timedelta(days=1)).isoformat()
TRAIL = "{ fundingAuditTrail(first: 100) { edges { node { action } } } }"
UPDATE = """mutation($input: UpdateRoundInput!) { updateRound(input: $input) { id name budget noticeDays phase } }"""
CANCEL = "mutation($id: ID!, $reason: String!) { cancelRound(id: $id, reason: $reason) { id phase cancelReason } }"
CLOSE = "mutation($id: ID!) { closeRound(id: $id) { id phase } }"
APPROVE = "mutation($id: ID!) { approveOverRequestGrant(projectId: $id) { id status grant approvedBy awardedAt } }"
AWARDED = """query($id: ID!) { project(id: $id) { status grant overRequestReason awardedBy approvedBy endsOn spent
  serviceRecords { edges { node { beneficiary contact } } } } }"""
ORDER_STATE = """query($id: ID!) { recoveryOrder(id: $id) { status amount settled outstanding deadline overdueAt
  settlements { amount paymentReference paidOn } } }"""
REVIEWS = """query($id: ID!) { libraryEntry(id: $id) { score reviews { score history { score grades { grade } } } } }"""


async def _actions(funding, admin) -> list[str]:
    return [e["node"]["action"] for e in (await funding.ok(TRAIL, token=admin))["fundingAuditTrail"]["edges"]]


async def _awarded_events() -> int:
    return await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.project.awarded").count()


async def _selected(funding, admin, *, requested: str = "100000.00", category: str = "ELDERLY_CARE") -> dict:
    """A round in AWARDED with one selected project of the request and category given."""
    rnd = (await funding.ok(OPEN, open_input(), token=admin))["openRound"]
    need = (await funding.ok(NEED, need_input(rnd["id"], category=category), token=admin))["recordNeed"]["id"]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    entry = (await funding.ok(MERGE, {"input": {"needIds": [need], "reason": "r", "title": "助餐", "requested": requested}},
                              token=admin))["mergeNeeds"]["id"]
    await funding.ok(PANEL, {"input": {"roundId": rnd["id"], "name": "专家", "kind": "EXPERT", "sub": "rules"}}, token=admin)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    await funding.ok(SCORE, {"input": {"entryId": entry, "grades": grades(6, 6, 6)}}, token=token(DAOLI, "reviewer", sub="rules"))
    selected = (await funding.ok(SELECT, {"roundId": rnd["id"]}, token=admin))["selectProjects"]
    await funding.ok(PUBLISH, {"roundId": rnd["id"]}, token=admin)
    await funding.ok(CLOSE_NOTICE, {"roundId": rnd["id"]}, token=admin)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "AWARDED"}, token=admin)
    return {"round": rnd["id"], "entry": entry, "project": selected["projects"]["edges"][0]["node"]["id"]}


async def test_a_grant_above_the_request_needs_a_reason_and_a_second_bureau_admin(funding, consumer, bureau):
    admin = bureau[DAOLI]
    org = await know_organization(consumer, DAOLI)
    ids = await _selected(funding, admin, requested="120000.00")
    award = {"projectId": ids["project"], "organizationId": org, "grant": "125000.00",
             "tranches": [{"amount": "125000.00", "dueOn": TODAY}]}
    bare = await funding.error(AWARD, {"input": award}, token=admin)
    assert bare["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.grant"} and "120000.00" in bare["message"]
    assert (await funding.ok(AWARDED, {"id": ids["project"]}, token=admin))["project"]["status"] == "SELECTED"

    pending = (await funding.ok(AWARD, {"input": {**award, "overRequestReason": "物价上涨, 食材成本增加"}},
                                token=admin))["awardProject"]
    assert pending["status"] == "AWAITING_APPROVAL"
    assert await _awarded_events() == 0
    refused = await funding.error(DISBURSE, {"id": pending["tranches"][0]["id"]}, token=admin)
    assert refused["extensions"]["code"] == "CONFLICT"
    same = await funding.error(APPROVE, {"id": ids["project"]}, token=admin)
    assert same["extensions"] == {"code": "FORBIDDEN", "field": "projectId"}

    second = token(DAOLI, "bureau_admin", sub="second-admin")
    approved = (await funding.ok(APPROVE, {"id": ids["project"]}, token=second))["approveOverRequestGrant"]
    assert approved["status"] == "AWARDED" and approved["approvedBy"] == "second-admin" and approved["awardedAt"]
    state = (await funding.ok(AWARDED, {"id": ids["project"]}, token=admin))["project"]
    assert state["overRequestReason"] == "物价上涨, 食材成本增加" and state["awardedBy"] != "second-admin"
    assert await _awarded_events() == 1
    assert "approveOverRequestGrant" in await _actions(funding, admin)


async def test_a_grant_within_the_request_needs_no_reason_and_an_organization_of_another_field_is_refused(
    funding, consumer, bureau
):
    admin = bureau[DAOLI]
    elderly = await know_organization(consumer, DAOLI)
    youth = await know_organization(consumer, DAOLI, name="新华青少年服务社", category="YOUTH")
    ids = await _selected(funding, admin)
    award = {"projectId": ids["project"], "organizationId": youth, "grant": "100000.00",
             "tranches": [{"amount": "100000.00", "dueOn": TODAY}]}
    unfit = await funding.error(AWARD, {"input": award}, token=admin)
    assert unfit["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.organizationId"}
    assert "YOUTH" in unfit["message"] and "ELDERLY_CARE" in unfit["message"]
    needless = await funding.error(AWARD, {"input": {**award, "organizationId": elderly, "overRequestReason": "x"}},
                                   token=admin)
    assert needless["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.overRequestReason"}
    done = (await funding.ok(AWARD, {"input": {**award, "organizationId": elderly}}, token=admin))["awardProject"]
    assert done["status"] == "AWARDED"


async def test_a_notice_period_below_the_minimum_is_refused(funding, bureau, monkeypatch):
    for days in (0, 6):
        error = await funding.error(OPEN, open_input(noticeDays=days), token=bureau[DAOLI])
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.noticeDays"}
        assert "from 7 to 90 days" in error["message"]
    monkeypatch.setenv("FUNDING_MIN_NOTICE_DAYS", "10")
    error = await funding.error(OPEN, open_input(noticeDays=7), token=bureau[DAOLI])
    assert "from 10 to 90 days" in error["message"]
    assert (await funding.ok("{ fundingRounds { totalCount } }", token=bureau[DAOLI]))["fundingRounds"]["totalCount"] == 0


async def test_tranches_fall_due_within_the_project_life(funding, consumer, bureau):
    admin = bureau[DAOLI]
    org = await know_organization(consumer, DAOLI)
    ids = await _selected(funding, admin)
    ends = (TODAY_DATE + dt.timedelta(days=90)).isoformat()
    later = (TODAY_DATE + dt.timedelta(days=91)).isoformat()
    base = {"projectId": ids["project"], "organizationId": org, "grant": "100000.00", "endsOn": ends}
    cases = [
        ([{"amount": "100000.00", "dueOn": "2001-01-01"}], "input.tranches.0.dueOn", "in the past"),
        ([{"amount": "50000.00", "dueOn": TODAY}, {"amount": "50000.00", "dueOn": later}], "input.tranches.1.dueOn", ends),
    ]
    for tranches, field, words in cases:
        error = await funding.error(AWARD, {"input": {**base, "tranches": tranches}}, token=admin)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
        assert words in error["message"]
    ended = await funding.error(AWARD, {"input": {**base, "endsOn": TODAY, "tranches": [{"amount": "1.00", "dueOn": TODAY}]}},
                                token=admin)
    assert ended["extensions"]["field"] == "input.endsOn"
    await funding.ok(AWARD, {"input": {**base, "tranches": [{"amount": "60000.00", "dueOn": TODAY}]}}, token=admin)
    past = await funding.error(SCHEDULE, {"input": {"projectId": ids["project"], "amount": "1.00", "dueOn": "2001-01-01"}},
                               token=admin)
    beyond = await funding.error(SCHEDULE, {"input": {"projectId": ids["project"], "amount": "1.00", "dueOn": later}},
                                 token=admin)
    assert past["extensions"] == beyond["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.dueOn"}
    assert (await funding.ok(AWARDED, {"id": ids["project"]}, token=admin))["project"]["endsOn"] == ends


async def test_delivery_is_dated_within_the_project_and_a_suspended_organization_reports_nothing(funding, consumer, bureau):
    admin = bureau[DAOLI]
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, admin, DAOLI, org)
    member = token(DAOLI, "org_member", org=org)
    record = {"projectId": ids["project"], "community": "共乐社区", "serviceDate": TODAY, "beneficiary": "GL-1",
              "personTimes": 2, "contact": "13812345678"}
    early = await funding.error(RECORD, {"input": {**record, "serviceDate": YESTERDAY}}, token=member)
    assert early["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.serviceDate"} and "before" in early["message"]
    bad_phone = await funding.error(RECORD, {"input": {**record, "contact": "call me"}}, token=member)
    assert bad_phone["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.contact"}
    await funding.ok(RECORD, {"input": record}, token=member)
    spent_early = await funding.error(EXPENSE, {"input": {"projectId": ids["project"], "amount": "10.00", "spentOn": YESTERDAY,
                                                          "description": "物料"}}, token=member)
    assert spent_early["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.spentOn"}
    for amount in ("1200.50", "300.25"):
        await funding.ok(EXPENSE, {"input": {"projectId": ids["project"], "amount": amount, "spentOn": TODAY,
                                             "description": "物料"}}, token=member)
    state = (await funding.ok(AWARDED, {"id": ids["project"]}, token=admin))["project"]
    assert state["spent"] == "1500.75"
    assert state["serviceRecords"]["edges"] == [{"node": {"beneficiary": "GL-1", "contact": "138****5678"}}]

    await know_organization(consumer, DAOLI, org_id=org, status="SUSPENDED", event="registry.organization.status_changed")
    suspended = await funding.error(RECORD, {"input": record}, token=member)
    assert suspended["extensions"] == {"code": "CONFLICT", "field": "input.projectId"} and "SUSPENDED" in suspended["message"]
    assert (await funding.ok(PROJECT, {"id": ids["project"]}, token=admin))["project"]["serviceRecords"]["totalCount"] == 1


async def test_a_round_is_edited_during_intake_cancelled_with_a_reason_and_closed_at_its_end(funding, consumer, bureau):
    admin = bureau[DAOLI]
    rnd = (await funding.ok(OPEN, open_input(), token=admin))["openRound"]
    terms = {"id": rnd["id"], "name": "2024年公益创投(更正)", "year": 2024, "budget": "300000.00",
             "criteria": [{"name": "可行性", "weight": 100}], "minReviews": 1, "noticeDays": 10}
    edited = (await funding.ok(UPDATE, {"input": terms}, token=admin))["updateRound"]
    assert (edited["name"], edited["budget"], edited["noticeDays"]) == ("2024年公益创投(更正)", "300000.00", 10)
    short = await funding.error(UPDATE, {"input": {**terms, "noticeDays": 0}}, token=admin)
    assert short["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.noticeDays"}
    await funding.ok(NEED, need_input(rnd["id"]), token=admin)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    late = await funding.error(UPDATE, {"input": terms}, token=admin)
    assert late["extensions"] == {"code": "CONFLICT", "field": "phase", "phase": "LIBRARY"}
    blank = await funding.error(CANCEL, {"id": rnd["id"], "reason": " "}, token=admin)
    assert blank["extensions"] == {"code": "BAD_USER_INPUT", "field": "reason"}
    cancelled = (await funding.ok(CANCEL, {"id": rnd["id"], "reason": "预算科目有误, 重新立项"}, token=admin))["cancelRound"]
    assert cancelled == {"id": rnd["id"], "phase": "CANCELLED", "cancelReason": "预算科目有误, 重新立项"}
    after = await funding.error(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    assert after["extensions"]["code"] == "CONFLICT" and "cancelled" in after["message"]

    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, admin, DAOLI, org, grant="100000.00", tranches=["60000.00", "40000.00"])
    no_cancel = await funding.error(CANCEL, {"id": ids["round"], "reason": "r"}, token=admin)
    assert no_cancel["extensions"]["code"] == "CONFLICT"
    await funding.ok(DISBURSE, {"id": ids["tranches"][0]}, token=admin)
    unpaid = await funding.error(CLOSE, {"id": ids["round"]}, token=admin)
    assert unpaid["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"} and "1 tranche(s)" in unpaid["message"]
    await funding.ok(DISBURSE, {"id": ids["tranches"][1]}, token=admin)
    assert (await funding.ok(CLOSE, {"id": ids["round"]}, token=admin))["closeRound"]["phase"] == "CLOSED"
    actions = await _actions(funding, admin)
    assert {"updateRound", "cancelRound", "advanceRound"} <= set(actions)
    payloads = await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.round.changed").order_by(
        "id").values_list("payload", flat=True)
    changes = [(p if isinstance(p, dict) else orjson.loads(p))["data"] for p in payloads]
    assert [(c["name"], c["phase"]) for c in changes if c["roundId"] == rnd["id"]] == [
        ("2024年公益创投(更正)", "NEEDS_INTAKE"), ("2024年公益创投(更正)", "LIBRARY"), ("2024年公益创投(更正)", "CANCELLED")]
    assert [c["phase"] for c in changes if c["roundId"] == ids["round"]][-2:] == ["AWARDED", "CLOSED"]


async def test_a_re_score_is_kept_as_history_and_the_latest_counts(funding, bureau):
    admin = bureau[DAOLI]
    rnd = (await funding.ok(OPEN, open_input(), token=admin))["openRound"]
    need = (await funding.ok(NEED, need_input(rnd["id"]), token=admin))["recordNeed"]["id"]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    entry = (await funding.ok(MERGE, {"input": {"needIds": [need], "reason": "r", "title": "助餐", "requested": "1000.00"}},
                              token=admin))["mergeNeeds"]["id"]
    await funding.ok(PANEL, {"input": {"roundId": rnd["id"], "name": "专家", "kind": "EXPERT", "sub": "again"}}, token=admin)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    reviewer = token(DAOLI, "reviewer", sub="again")
    await funding.ok(SCORE, {"input": {"entryId": entry, "grades": grades(4, 4, 4)}}, token=reviewer)
    await funding.ok(SCORE, {"input": {"entryId": entry, "grades": grades(9, 9, 9)}}, token=reviewer)
    data = (await funding.ok(REVIEWS, {"id": entry}, token=admin))["libraryEntry"]
    assert data["score"] == 9.0
    [review] = data["reviews"]
    assert [h["score"] for h in review["history"]] == [4.0, 9.0]


async def test_recovery_has_a_deadline_partial_settlements_and_an_overdue_alert_raised_once(funding, consumer, bureau):
    admin = bureau[DAOLI]
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, admin, DAOLI, org, grant="100000.00", tranches=["60000.00", "40000.00"])
    await funding.ok(DISBURSE, {"id": ids["tranches"][0]}, token=admin)
    past = await funding.error(ORDER, {"input": {"projectId": ids["project"], "amount": "1000.00", "reason": "违规",
                                                 "deadline": TODAY}}, token=admin)
    assert past["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.deadline"}
    deadline = (TODAY_DATE + dt.timedelta(days=14)).isoformat()
    order = (await funding.ok(ORDER, {"input": {"projectId": ids["project"], "amount": "1000.00", "reason": "违规",
                                                "deadline": deadline}}, token=admin))["orderRecovery"]
    part = (await funding.ok(SETTLE, {"id": order["id"], "input": {"paymentReference": "PAY-1", "amount": "400.00"}},
                             token=admin))["settleRecovery"]
    assert (part["status"], part["settled"], part["outstanding"]) == ("OPEN", "400.00", "600.00")
    too_much = await funding.error(SETTLE, {"id": order["id"], "input": {"paymentReference": "PAY-2", "amount": "600.01"}},
                                   token=admin)
    assert too_much["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.amount"}
    twice = await funding.error(SETTLE, {"id": order["id"], "input": {"paymentReference": "PAY-1", "amount": "1.00"}},
                                token=admin)
    assert twice["extensions"] == {"code": "CONFLICT", "field": "input.paymentReference"}

    outbox = OutboxEvent.all(using_db=every_district("funding"))
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=20)
    assert len(await check_overdue_recoveries(later, [DAOLI])) == 1
    assert await check_overdue_recoveries(later, [DAOLI]) == []
    [payload] = await outbox.filter(type="funding.recovery.overdue").values_list("payload", flat=True)
    alert = (payload if isinstance(payload, dict) else orjson.loads(payload))["data"]
    assert (alert["orderId"], alert["outstandingFen"], alert["deadline"]) == (order["id"], 60_000, deadline)

    rest = (await funding.ok(SETTLE, {"id": order["id"], "input": {"paymentReference": "PAY-2"}}, token=admin))["settleRecovery"]
    assert (rest["status"], rest["settled"], rest["outstanding"]) == ("SETTLED", "1000.00", "0.00")
    state = (await funding.ok(ORDER_STATE, {"id": order["id"]}, token=admin))["recoveryOrder"]
    assert [s["paymentReference"] for s in state["settlements"]] == ["PAY-1", "PAY-2"]
    assert state["deadline"] == deadline and state["overdueAt"]
    assert await outbox.filter(type="funding.recovery.settled").count() == 1


def test_the_workers_schedule_the_overdue_recovery_check():
    [job] = service.periodic
    assert (job.name, job.run) == ("recovery-overdue", check_overdue_recoveries)
    assert 0 < job.every_seconds <= 900


def test_civic_alerts_prints_an_overdue_recovery_with_what_is_outstanding_and_the_deadline():
    line = format_alert({"type": "funding.recovery.overdue", "district": DAOLI, "occurredAt": "2026-12-02T08:00:00+00:00",
                         "data": {"orderId": "o-1", "projectId": "p-1", "projectTitle": "助老食堂", "organizationId": "g-1",
                                  "organizationName": "共乐为老服务中心", "outstandingFen": 60_000,
                                  "deadline": "2026-11-30", "detectedAt": "2026-12-02T08:00:00+00:00"}})
    assert "recovery OVERDUE" in line and "600.00" in line and "deadline 2026-11-30" in line and "order o-1" in line


async def test_a_notice_cannot_be_ended_early_in_production(funding, bureau, monkeypatch):
    from services.funding.domain import notice

    admin = bureau[DAOLI]
    rnd = (await funding.ok(OPEN, open_input(), token=admin))["openRound"]
    need = (await funding.ok(NEED, need_input(rnd["id"]), token=admin))["recordNeed"]["id"]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    entry = (await funding.ok(MERGE, {"input": {"needIds": [need], "reason": "r", "title": "助餐", "requested": "1000.00"}},
                              token=admin))["mergeNeeds"]["id"]
    await funding.ok(PANEL, {"input": {"roundId": rnd["id"], "name": "专家", "kind": "EXPERT", "sub": "early"}}, token=admin)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    await funding.ok(SCORE, {"input": {"entryId": entry, "grades": grades(6, 6, 6)}}, token=token(DAOLI, "reviewer", sub="early"))
    await funding.ok(SELECT, {"roundId": rnd["id"]}, token=admin)
    await funding.ok(PUBLISH, {"roundId": rnd["id"]}, token=admin)
    monkeypatch.setattr(notice, "development", lambda: False)  # the rule as production runs it
    early = await funding.error(CLOSE_NOTICE, {"roundId": rnd["id"]}, token=admin)
    assert early["extensions"] == {"code": "CONFLICT", "field": "roundId"} and "full period" in early["message"]
    refused = await funding.error(ADVANCE, {"id": rnd["id"], "to": "AWARDED"}, token=admin)
    assert refused["extensions"]["code"] == "CONFLICT"
