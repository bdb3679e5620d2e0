"""Registering organizations and moving them through the incubator, as a district bureau does."""

from __future__ import annotations

from services.common.kernel.credit_code import make_credit_code
from tests.support import DAOLI, token, every_district
from services.registry.models import OutboxEvent, SocialOrganization

REGISTER = """
mutation($input: RegisterOrganizationInput!) {
  registerOrganization(input: $input) {
    id name registration creditCode filingNumber category subdistrict community
    incubationStage partyOrganization status createdAt
  }
}"""
STAGE = "mutation($id: ID!, $stage: IncubationStage!) { changeIncubationStage(id: $id, stage: $stage) { id incubationStage } }"
PARTY = "mutation($id: ID!, $kind: PartyOrganization!) { setPartyOrganization(id: $id, kind: $kind) { partyOrganization } }"
STATUS = """mutation($id: ID!, $status: OrganizationStatus!, $reason: String!) {
  changeOrganizationStatus(id: $id, status: $status, reason: $reason) { status statusReason } }"""


def credit(n: int, kind: str = "1", division: str = DAOLI) -> str:
    """A code valid in full, registered by Daoli's bureau unless `division` says otherwise."""
    return make_credit_code(division, n, kind=kind)


def registered(n: int, **extra) -> dict:
    return {"input": {"name": f"道里社会组织{n}", "registration": "REGISTERED", "creditCode": credit(n),
                      "category": "ELDERLY_CARE", "subdistrict": "新阳路街道", "community": "共乐社区", **extra}}


def filed(n: int, **extra) -> dict:
    return {"input": {"name": f"邻里互助队{n}", "registration": "FILED", "category": "NEIGHBOR_MUTUAL_AID",
                      "subdistrict": "抚顺街道", **extra}}


async def test_a_registered_organization_keeps_its_verified_credit_code(registry, districts):
    org = (await registry.ok(REGISTER, registered(1, incubationStage="STARTUP"), token=districts[DAOLI]))["registerOrganization"]
    assert org["creditCode"] == credit(1)
    assert org["registration"] == "REGISTERED"
    assert org["filingNumber"] is None
    assert org["status"] == "ACTIVE"
    assert org["incubationStage"] == "STARTUP"
    assert org["partyOrganization"] == "NONE"
    assert org["createdAt"].endswith("+00:00")
    fetched = await registry.ok("query($id: ID!) { organization(id: $id) { name creditCode } }", {"id": org["id"]},
                                token=districts[DAOLI])
    assert fetched["organization"] == {"name": "道里社会组织1", "creditCode": credit(1)}


async def test_filed_organizations_get_consecutive_filing_numbers_in_their_district(registry, districts):
    numbers = [
        (await registry.ok(REGISTER, filed(n), token=districts[DAOLI]))["registerOrganization"]["filingNumber"]
        for n in range(3)
    ]
    assert numbers == ["230102-BA-00001", "230102-BA-00002", "230102-BA-00003"]
    other = await registry.ok(REGISTER, filed(9), token=districts["230103"])
    assert other["registerOrganization"]["filingNumber"] == "230103-BA-00001"


async def test_incubation_moves_forward_and_a_backward_move_is_refused_and_changes_nothing(registry, districts):
    org = (await registry.ok(REGISTER, filed(1, incubationStage="STARTUP"), token=districts[DAOLI]))["registerOrganization"]
    moved = await registry.ok(STAGE, {"id": org["id"], "stage": "HUB"}, token=districts[DAOLI])
    assert moved["changeIncubationStage"]["incubationStage"] == "HUB"
    error = await registry.error(STAGE, {"id": org["id"], "stage": "GROWTH"}, token=districts[DAOLI])
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "stage"
    assert "HUB" in error["message"]
    row = await registry.ok("query($id: ID!) { organization(id: $id) { incubationStage } }", {"id": org["id"]},
                            token=districts[DAOLI])
    assert row["organization"]["incubationStage"] == "HUB"
    graduated = await registry.ok(STAGE, {"id": org["id"], "stage": "GRADUATED"}, token=districts[DAOLI])
    assert graduated["changeIncubationStage"]["incubationStage"] == "GRADUATED"


async def test_status_change_needs_a_reason_and_records_it(registry, districts):
    org = (await registry.ok(REGISTER, registered(2), token=districts[DAOLI]))["registerOrganization"]
    error = await registry.error(STATUS, {"id": org["id"], "status": "SUSPENDED", "reason": "  "}, token=districts[DAOLI])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "reason"}
    done = await registry.ok(STATUS, {"id": org["id"], "status": "SUSPENDED", "reason": "年检不合格"}, token=districts[DAOLI])
    assert done["changeOrganizationStatus"] == {"status": "SUSPENDED", "statusReason": "年检不合格"}
    again = await registry.error(STATUS, {"id": org["id"], "status": "SUSPENDED", "reason": "再次"}, token=districts[DAOLI])
    assert again["extensions"]["code"] == "BAD_USER_INPUT"


async def test_organizations_are_filtered_and_paged_by_cursor(registry, districts):
    for n in range(5):
        await registry.ok(REGISTER, registered(10 + n), token=districts[DAOLI])
    for n in range(3):
        await registry.ok(REGISTER, filed(n), token=districts[DAOLI])
    page_query = """query($first: Int, $after: String, $filter: OrganizationFilter) {
      organizations(first: $first, after: $after, filter: $filter) {
        totalCount edges { cursor node { name registration } } pageInfo { hasNextPage endCursor } } }"""
    seen = []
    after = None
    while True:
        page = (await registry.ok(page_query, {"first": 2, "after": after, "filter": {"registration": "REGISTERED"}},
                                  token=districts[DAOLI]))["organizations"]
        assert page["totalCount"] == 5
        seen += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"道里社会组织{10 + n}" for n in range(5)]
    named = await registry.ok(page_query, {"first": 10, "filter": {"nameContains": "互助"}}, token=districts[DAOLI])
    assert named["organizations"]["totalCount"] == 3


async def test_registry_stats_count_registrations_stages_and_party_coverage(registry, districts):
    ids = [(await registry.ok(REGISTER, registered(20 + n, incubationStage="GROWTH"), token=districts[DAOLI]))
           ["registerOrganization"]["id"] for n in range(4)]
    await registry.ok(REGISTER, filed(1, incubationStage="STARTUP"), token=districts[DAOLI])
    for org_id, kind in zip(ids, ["INDEPENDENT", "JOINT", "JOINT"]):
        await registry.ok(PARTY, {"id": org_id, "kind": kind}, token=districts[DAOLI])
    stats = (await registry.ok("""{ registryStats { organizations registered filed
        byIncubationStage { key count } partyOrganizations { independent joint total registeredOrganizations
        registeredCovered coveragePercent } } }""", token=districts[DAOLI]))["registryStats"]
    assert stats["organizations"] == 5 and stats["registered"] == 4 and stats["filed"] == 1
    assert stats["byIncubationStage"] == [{"key": "GROWTH", "count": 4}, {"key": "STARTUP", "count": 1}]
    assert stats["partyOrganizations"] == {"independent": 1, "joint": 2, "total": 3, "registeredOrganizations": 4,
                                           "registeredCovered": 3, "coveragePercent": 75.0}


async def test_every_mutation_leaves_an_audit_record_with_before_and_after(registry, districts):
    org = (await registry.ok(REGISTER, filed(1, incubationStage="STARTUP"), token=districts[DAOLI]))["registerOrganization"]
    await registry.ok(STAGE, {"id": org["id"], "stage": "GROWTH"}, token=districts[DAOLI])
    trail = (await registry.ok("""query($id: String) { registryAuditTrail(entityId: $id) {
        edges { node { action actor before after } } } }""", {"id": org["id"]}, token=districts[DAOLI]))
    actions = [edge["node"] for edge in trail["registryAuditTrail"]["edges"]]
    assert [a["action"] for a in actions] == ["registerOrganization", "changeIncubationStage"]
    assert actions[0]["before"] is None
    assert actions[1]["before"]["incubation_stage"] == "STARTUP"
    assert actions[1]["after"]["incubation_stage"] == "GROWTH"
    assert actions[1]["actor"].startswith("dev-")


async def test_roles_are_checked_before_anything_changes(registry, districts):
    member = token(DAOLI, "org_member")
    error = await registry.error(REGISTER, registered(1), token=member)
    assert error["extensions"]["code"] == "FORBIDDEN"
    anonymous = await registry.error(REGISTER, registered(1))
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"
    assert await OutboxEvent.all(using_db=every_district("registry")).filter(type="registry.organization.registered").count() == 0
