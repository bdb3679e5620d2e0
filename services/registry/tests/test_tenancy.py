"""One district never sees or changes another's organizations: through GraphQL, _entities, or raw SQL."""

from __future__ import annotations

import asyncpg

from services.common.kernel.config import database_url
from tests.support import DAOLI, HARBIN, NANGANG, token
from services.registry.models import SocialOrganization

from .test_organizations import REGISTER, STATUS, filed, registered

ENTITIES = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on SocialOrganization { id name } ... on ServiceStation { id community } ... on District { code name } } }"""


async def _daoli_org(registry, districts) -> str:
    return (await registry.ok(REGISTER, registered(1), token=districts[DAOLI]))["registerOrganization"]["id"]


async def test_another_districts_token_cannot_read_list_or_count_organizations(registry, districts):
    org_id = await _daoli_org(registry, districts)
    nangang = districts[NANGANG]
    seen = await registry.ok("""query($id: ID!) { organization(id: $id) { id }
        organizations { totalCount edges { node { id } } } registryStats { organizations registered } }""",
                             {"id": org_id}, token=nangang)
    assert seen == {"organization": None, "organizations": {"totalCount": 0, "edges": []},
                    "registryStats": {"organizations": 0, "registered": 0}}


async def test_another_districts_token_cannot_change_an_organization(registry, districts):
    org_id = await _daoli_org(registry, districts)
    error = await registry.error(STATUS, {"id": org_id, "status": "SUSPENDED", "reason": "越权"}, token=districts[NANGANG])
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await registry.ok('query($id: ID!) { organization(id: $id) { status } }', {"id": org_id},
                              token=districts[DAOLI]))["organization"]["status"] == "ACTIVE"


async def test_a_district_argument_that_disagrees_with_the_token_is_refused(registry, districts):
    await _daoli_org(registry, districts)
    error = await registry.error('{ organizations(district: "230102") { totalCount } }', token=districts[NANGANG])
    assert error["extensions"] == {"code": "FORBIDDEN", "field": "district"}


async def test_entities_resolve_only_the_callers_districts_rows(registry, districts):
    org_id = await _daoli_org(registry, districts)
    station = await registry.ok("""mutation { upsertServiceStation(input: {subdistrict: "新阳路街道", community: "共乐社区",
        hasStaffAtWindow: true}) { id } }""", token=districts[DAOLI])
    reps = [{"__typename": "SocialOrganization", "id": org_id},
            {"__typename": "ServiceStation", "id": station["upsertServiceStation"]["id"]},
            {"__typename": "District", "code": DAOLI}]
    own = await registry.ok(ENTITIES, {"reps": reps}, token=districts[DAOLI])
    assert own["_entities"] == [{"id": org_id, "name": "道里社会组织1"},
                                {"id": station["upsertServiceStation"]["id"], "community": "共乐社区"},
                                {"code": DAOLI, "name": "道里区"}]
    other = await registry.ok(ENTITIES, {"reps": reps}, token=districts[NANGANG])
    assert other["_entities"] == [None, None, None]
    anonymous = await registry.post(ENTITIES, {"reps": reps})
    assert anonymous["data"]["_entities"] == [None, None, None]
    assert {e["extensions"]["code"] for e in anonymous["errors"]} == {"UNAUTHENTICATED"}


async def test_a_city_admin_reads_every_district_of_the_city_but_changes_none(registry, districts):
    await _daoli_org(registry, districts)
    await registry.ok(REGISTER, filed(1), token=districts[NANGANG])
    city = token(None, "city_admin", city=HARBIN)
    seen = await registry.ok("{ organizations { totalCount } districts { code } }", token=city)
    assert seen == {"organizations": {"totalCount": 2}, "districts": [{"code": DAOLI}, {"code": NANGANG}]}
    error = await registry.error(REGISTER, registered(3), token=city)
    assert error["extensions"]["code"] == "FORBIDDEN"
    other_city = token(None, "city_admin", city="2302")
    assert (await registry.ok("{ organizations { totalCount } }", token=other_city))["organizations"]["totalCount"] == 0


async def test_raw_sql_as_the_service_role_sees_only_the_district_it_sets(registry, districts):
    await _daoli_org(registry, districts)
    await registry.ok(REGISTER, filed(1), token=districts[NANGANG])
    assert await SocialOrganization.all().count() == 0  # outside any tenant transaction: nothing
    conn = await asyncpg.connect(database_url("registry"))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.districts', $1, true)", DAOLI)
            rows = await conn.fetch("SELECT district FROM social_organization")
            assert [r["district"] for r in rows] == [DAOLI]
            forged = conn.execute(
                "INSERT INTO social_organization (id, district, name, registration, category, subdistrict, "
                "party_organization, status, created_at, updated_at) VALUES (gen_random_uuid(), $1, 'x', 'FILED', "
                "'OTHER', 's', 'NONE', 'ACTIVE', now(), now())", NANGANG)
            try:
                await forged
                raise AssertionError("a row of another district was written")
            except asyncpg.InsufficientPrivilegeError:
                pass
        assert await conn.fetchval("SELECT count(*) FROM social_organization") == 0
        assert await conn.fetchval("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user") is False
    finally:
        await conn.close()


async def test_a_token_mixing_city_and_district_roles_changes_nothing_of_another_district(registry, districts):
    """Finding 2: [city_admin, bureau_admin] of Nangang suspended a Daoli organization."""
    org_id = await _daoli_org(registry, districts)
    mixed = token(NANGANG, "city_admin", "bureau_admin", city=HARBIN)
    body = await registry.post(STATUS, {"id": org_id, "status": "SUSPENDED", "reason": "越权"}, token=mixed)
    assert body.get("errors") and body["errors"][0]["extensions"]["code"] in {"UNAUTHENTICATED", "NOT_FOUND"}, body
    assert (await registry.ok('query($id: ID!) { organization(id: $id) { status } }', {"id": org_id},
                              token=districts[DAOLI]))["organization"]["status"] == "ACTIVE"


def test_a_mutation_runs_in_the_home_district_alone_whatever_the_principal_may_read():
    from graphql import parse

    from services.common.kernel.auth import Principal
    from services.common.api.context import RequestContext, tenant_districts

    def operation(text: str):
        return parse(text).definitions[0]

    wide = Principal(sub="s", roles=frozenset({"bureau_admin"}), city=HARBIN, district=NANGANG,
                     districts=(DAOLI, NANGANG))
    city = Principal(sub="c", roles=frozenset({"city_admin"}), city=HARBIN, districts=(DAOLI, NANGANG))
    for principal, query_sees, mutation_sees in ((wide, (DAOLI, NANGANG), (NANGANG,)), (city, (DAOLI, NANGANG), ())):
        context = RequestContext(service=None, principal=principal)
        assert tenant_districts(context, operation("{ a }")) == query_sees
        assert tenant_districts(context, operation("mutation { a }")) == mutation_sees
    assert tenant_districts(RequestContext(service=None, principal=None), operation("{ a }")) == ()
