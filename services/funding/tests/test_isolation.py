"""A Nangang token sees and changes nothing of Daoli's funding."""

from __future__ import annotations

from tests.support import DAOLI, NANGANG, token

from .flow import (ADVANCE, DISBURSE, NEED, ORDER, PROJECT, ROUND, SETTLE, awarded_project, know_organization)

ENTITIES = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on FundingRound { id name } ... on Project { id title } ... on RecoveryOrder { id amount }
  ... on SocialOrganization { id projects { id } } } }"""


async def test_another_district_reads_nothing_of_daoli(funding, consumer, bureau):
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org)
    await funding.ok(DISBURSE, {"id": ids["tranches"][0]}, token=bureau[DAOLI])
    order = (await funding.ok(ORDER, {"input": {"projectId": ids["project"], "amount": "100.00", "reason": "违规"}},
                              token=bureau[DAOLI]))["orderRecovery"]
    nangang = bureau[NANGANG]
    assert (await funding.ok(ROUND, {"id": ids["round"]}, token=nangang))["fundingRound"] is None
    assert (await funding.ok(PROJECT, {"id": ids["project"]}, token=nangang))["project"] is None
    lists = await funding.ok("""{ fundingRounds { totalCount } projects { totalCount } recoveryOrders { totalCount }
        fundingStats { projects committed disbursed } fundingAuditTrail { totalCount } }""", token=nangang)
    assert lists == {"fundingRounds": {"totalCount": 0}, "projects": {"totalCount": 0},
                     "recoveryOrders": {"totalCount": 0},
                     "fundingStats": {"projects": 0, "committed": "0.00", "disbursed": "0.00"},
                     "fundingAuditTrail": {"totalCount": 0}}
    reps = [{"__typename": "FundingRound", "id": ids["round"]}, {"__typename": "Project", "id": ids["project"]},
            {"__typename": "RecoveryOrder", "id": order["id"]}, {"__typename": "SocialOrganization", "id": org}]
    seen = (await funding.ok(ENTITIES, {"reps": reps}, token=nangang))["_entities"]
    assert seen == [None, None, None, {"id": org, "projects": []}]
    mine = (await funding.ok(ENTITIES, {"reps": reps}, token=bureau[DAOLI]))["_entities"]
    assert mine[1] == {"id": ids["project"], "title": "助老食堂"}
    assert mine[3] == {"id": org, "projects": [{"id": ids["project"]}]}
    # Without a token, entities are refused outright.
    anonymous = await funding.error(ENTITIES, {"reps": reps[:1]})
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"


async def test_another_district_changes_nothing_of_daoli(funding, consumer, bureau):
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org)
    nangang = bureau[NANGANG]
    attempts = [
        (DISBURSE, {"id": ids["tranches"][0]}),
        (ADVANCE, {"id": ids["round"], "to": "CLOSED"}),
        (ORDER, {"input": {"projectId": ids["project"], "amount": "1.00", "reason": "x"}}),
        (NEED, {"input": {"roundId": ids["round"], "subdistrict": "新阳路街道", "community": "共乐社区",
                          "category": "YOUTH", "method": "QUESTIONNAIRE", "description": "x"}}),
        (SETTLE, {"id": ids["tranches"][0]}),
    ]
    for query, variables in attempts:
        error = await funding.error(query, variables, token=nangang)
        assert error["extensions"]["code"] == "NOT_FOUND", error
    # Nangang's organization member cannot report on Daoli's project even naming its organization.
    member = token(NANGANG, "org_member", org=org)
    error = await funding.error("""mutation($input: ServiceRecordInput!) { reportServiceRecord(input: $input) { id } }""",
                                {"input": {"projectId": ids["project"], "community": "共乐社区", "serviceDate": "2024-05-01",
                                           "beneficiary": "X", "personTimes": 1}}, token=member)
    assert error["extensions"]["code"] == "NOT_FOUND"
    project = (await funding.ok(PROJECT, {"id": ids["project"]}, token=bureau[DAOLI]))["project"]
    assert project["disbursed"] == "0.00" and project["recoveryOrders"] == [] and project["serviceRecords"]["totalCount"] == 0
    assert (await funding.ok(ROUND, {"id": ids["round"]}, token=bureau[DAOLI]))["fundingRound"]["phase"] == "AWARDED"


async def test_public_notices_show_only_the_named_district_and_need_no_token(funding, consumer, bureau):
    from .flow import CRITERIA, MERGE, OPEN, PANEL, PUBLISH, SCORE, SELECT, grades

    admin = bureau[DAOLI]
    rnd = (await funding.ok(OPEN, {"input": {"name": "道里创投", "year": 2024, "budget": "100000.00", "criteria": CRITERIA,
                                             "minReviews": 1, "noticeDays": 7}}, token=admin))["openRound"]
    need = (await funding.ok(NEED, {"input": {"roundId": rnd["id"], "subdistrict": "新阳路街道", "community": "共乐社区",
                                              "category": "YOUTH", "method": "QUESTIONNAIRE", "description": "托管"}},
                             token=admin))["recordNeed"]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    entry = (await funding.ok(MERGE, {"input": {"needIds": [need["id"]], "reason": "r", "title": "课后托管",
                                                "requested": "30000.00"}}, token=admin))["mergeNeeds"]
    await funding.ok(PANEL, {"input": {"roundId": rnd["id"], "name": "专家", "kind": "EXPERT", "sub": "p1"}}, token=admin)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    await funding.ok(SCORE, {"input": {"entryId": entry["id"], "grades": grades(7, 7, 7)}}, token=token(DAOLI, "reviewer", sub="p1"))
    await funding.ok(SELECT, {"roundId": rnd["id"]}, token=admin)
    await funding.ok(PUBLISH, {"roundId": rnd["id"]}, token=admin)
    query = "query($d: String!) { publicNotices(district: $d) { title requested roundName openForObjections } }"
    assert (await funding.ok(query, {"d": DAOLI}))["publicNotices"] == [
        {"title": "课后托管", "requested": "30000.00", "roundName": "道里创投", "openForObjections": True}]
    assert (await funding.ok(query, {"d": NANGANG}))["publicNotices"] == []
    # Notices are public: a Nangang token reads Daoli's as anyone would, and nothing more of Daoli.
    assert (await funding.ok(query, {"d": DAOLI}, token=bureau[NANGANG]))["publicNotices"] == [
        {"title": "课后托管", "requested": "30000.00", "roundName": "道里创投", "openForObjections": True}]
    widened = await funding.ok("query($d: String!) { publicNotices(district: $d) { title } fundingRounds { totalCount } }",
                               {"d": DAOLI}, token=bureau[NANGANG])
    assert widened["fundingRounds"] == {"totalCount": 0}
    bad = await funding.error(query, {"d": f"{DAOLI},{NANGANG}"})
    assert bad["extensions"]["code"] == "BAD_USER_INPUT"
    # The public field does not open the rest of the schema: mixing it with a private field sees nothing.
    mixed = await funding.post("query($d: String!) { publicNotices(district: $d) { title } fundingRounds { totalCount } }",
                               {"d": DAOLI})
    assert mixed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_public_field_never_chooses_the_tenant_of_the_rest_of_the_operation(funding, consumer, bureau):
    """Finding 1: `publicNotices(district:)` skipped by a directive, the private fields in a fragment."""
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org)
    attack = """query($d: String!) { publicNotices(district: $d) @include(if: false) { title }
      ... on Query { fundingRounds { edges { node { name budget } } } projects { edges { node { id title } } }
                     fundingAuditTrail { edges { node { district action } } } } }"""
    named = """query($d: String!) { ...Private publicNotices(district: $d) @skip(if: true) { title } }
      fragment Private on Query { fundingRounds { totalCount } projects { totalCount } }"""
    for district in (DAOLI, f"{DAOLI},{NANGANG}", f"{NANGANG},{DAOLI}"):
        for caller in (bureau[NANGANG], None):
            body = await funding.post(attack, {"d": district}, token=caller)
            data = body.get("data") or {}
            assert not (data.get("fundingRounds") or {}).get("edges"), body
            assert not (data.get("projects") or {}).get("edges"), body
            assert not (data.get("fundingAuditTrail") or {}).get("edges"), body
            body = await funding.post(named, {"d": district}, token=caller)
            data = body.get("data") or {}
            assert (data.get("fundingRounds") or {}).get("totalCount", 0) == 0, body
            assert (data.get("projects") or {}).get("totalCount", 0) == 0, body
    # Daoli itself still sees its own round through the same operation.
    own = await funding.ok(attack, {"d": DAOLI}, token=bureau[DAOLI])
    assert [e["node"]["name"] for e in own["fundingRounds"]["edges"]] == ["测试创投"]
    assert ids["project"] in [e["node"]["id"] for e in own["projects"]["edges"]]
