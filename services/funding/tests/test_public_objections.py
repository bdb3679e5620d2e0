"""A resident objects to a project on notice without an account; the bureau finds it among the objections."""

from __future__ import annotations

from tests.support import DAOLI, NANGANG, token

from .flow import ADVANCE, CRITERIA, MERGE, NEED, OPEN, PANEL, PUBLISH, SCORE, SELECT, grades

LODGE = """mutation($d: String!, $p: ID!, $c: String!, $t: String!) {
  lodgePublicObjection(district: $d, projectId: $p, contact: $c, text: $t) { received lodgedAt } }"""
OBJECTIONS = """query($id: ID!) { project(id: $id) { objections { reason status public contact } } }"""
NOTICES = "query($d: String!) { publicNotices(district: $d) { projectId title } }"


async def project_on_notice(funding, admin: str) -> tuple[str, str]:
    rnd = (await funding.ok(OPEN, {"input": {"name": "道里创投", "year": 2024, "budget": "100000.00", "criteria": CRITERIA,
                                             "minReviews": 1, "noticeDays": 7}}, token=admin))["openRound"]
    need = (await funding.ok(NEED, {"input": {"roundId": rnd["id"], "subdistrict": "新阳路街道", "community": "共乐社区",
                                              "category": "YOUTH", "method": "QUESTIONNAIRE", "description": "托管"}},
                             token=admin))["recordNeed"]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    await funding.ok(MERGE, {"input": {"needIds": [need["id"]], "reason": "r", "title": "课后托管", "requested": "30000.00"}},
                     token=admin)
    entry = (await funding.ok("query($id: ID!) { fundingRound(id: $id) { libraryEntries { edges { node { id } } } } }",
                              {"id": rnd["id"]}, token=admin))["fundingRound"]["libraryEntries"]["edges"][0]["node"]
    await funding.ok(PANEL, {"input": {"roundId": rnd["id"], "name": "专家", "kind": "EXPERT", "sub": "p1"}}, token=admin)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    await funding.ok(SCORE, {"input": {"entryId": entry["id"], "grades": grades(7, 7, 7)}}, token=token(DAOLI, "reviewer", sub="p1"))
    await funding.ok(SELECT, {"roundId": rnd["id"]}, token=admin)
    await funding.ok(PUBLISH, {"roundId": rnd["id"]}, token=admin)
    project = (await funding.ok(NOTICES, {"d": DAOLI}))["publicNotices"][0]["projectId"]
    return rnd["id"], project


async def test_a_resident_lodges_an_objection_without_a_token_and_the_bureau_sees_it(funding, consumer, bureau):
    admin = bureau[DAOLI]
    round_id, project = await project_on_notice(funding, admin)
    lodged = (await funding.ok(LODGE, {"d": DAOLI, "p": project, "c": "13800000000", "t": "该项目与已有服务重复"}))
    assert lodged["lodgePublicObjection"]["received"] is True
    seen = (await funding.ok(OBJECTIONS, {"id": project}, token=admin))["project"]["objections"]
    assert seen == [{"reason": "该项目与已有服务重复", "status": "OPEN", "public": True, "contact": "13800000000"}]
    objection_id = (await funding.ok("query($id: ID!) { project(id: $id) { objections { id } } }", {"id": project},
                                     token=admin))["project"]["objections"][0]["id"]
    resolved = await funding.ok("""mutation($id: ID!) { resolveObjection(id: $id, outcome: DISMISSED, resolution: "已核实不重复") {
        status } }""", {"id": objection_id}, token=admin)
    assert resolved["resolveObjection"]["status"] == "DISMISSED"


async def test_a_public_objection_is_refused_beside_its_field_and_changes_nothing(funding, consumer, bureau):
    admin = bureau[DAOLI]
    round_id, project = await project_on_notice(funding, admin)
    for variables, code, field in [
        ({"d": DAOLI, "p": project, "c": "  ", "t": "意见"}, "BAD_USER_INPUT", "contact"),
        ({"d": DAOLI, "p": project, "c": "x" * 121, "t": "意见"}, "BAD_USER_INPUT", "contact"),
        ({"d": DAOLI, "p": project, "c": "13800000000", "t": ""}, "BAD_USER_INPUT", "text"),
        ({"d": "2301", "p": project, "c": "13800000000", "t": "意见"}, "BAD_USER_INPUT", "district"),
        ({"d": DAOLI, "p": "not-an-id", "c": "13800000000", "t": "意见"}, "BAD_USER_INPUT", "projectId"),
        # Another district's name does not reach Daoli's project.
        ({"d": NANGANG, "p": project, "c": "13800000000", "t": "意见"}, "NOT_FOUND", "projectId"),
    ]:
        error = await funding.error(LODGE, variables)
        assert (error["extensions"]["code"], error["extensions"].get("field")) == (code, field), variables
    assert (await funding.ok(OBJECTIONS, {"id": project}, token=admin))["project"]["objections"] == []
    # Once the notice period is over, nothing is open for objections.
    await funding.ok("mutation($id: ID!) { closeNoticePeriod(roundId: $id) { id } }", {"id": round_id}, token=admin)
    error = await funding.error(LODGE, {"d": DAOLI, "p": project, "c": "13800000000", "t": "意见"})
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("NOT_FOUND", "projectId")
    assert (await funding.ok(OBJECTIONS, {"id": project}, token=admin))["project"]["objections"] == []
