"""Idempotency keys, lost commits and the mutation time limit, at one subgraph against the real database:
what a valid key is, the store under row-level security (and pruned by the relay role only), a COMMIT whose
answer never came, and a mutation that outlives its limit."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from services.common.api.idempotency import parse_key, request_hash
from services.common.data import idempotency
from services.common.data.db import SERVICES, relay_connection
from services.common.data.tenancy import tenant_transaction
from services.common.kernel import limits
from services.common.kernel.errors import BadInput
from services.common.runtime.subgraph import create_app
from services.gateway.policy.app import platform_options
from services.registry.service import service as registry
from tests.places import seed_gazetteer
from tests.support import DAOLI, HARBIN, NANGANG, GraphQLClient, token

ONBOARD = "mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code } }"
REGISTER = "mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }"
FILED = {"input": {"name": "邻里互助队", "registration": "FILED", "category": "NEIGHBOR_MUTUAL_AID", "subdistrict": "抚顺街道"}}
HASH = "0" * 64

# At COMMIT (a deferred constraint trigger runs there) the server ends the connection: the client's
# COMMIT gets no answer, exactly as when the database restarts under it.
LOSE_COMMIT = [
    "CREATE FUNCTION lose_commit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS "
    "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$",
    "CREATE CONSTRAINT TRIGGER lose_commit AFTER INSERT ON social_organization "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lose_commit()",
]
KEEP_COMMIT = ["DROP TRIGGER IF EXISTS lose_commit ON social_organization", "DROP FUNCTION IF EXISTS lose_commit()"]
SLOW_INSERT = [
    "CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$",
    "CREATE TRIGGER slow_insert BEFORE INSERT ON social_organization FOR EACH ROW EXECUTE FUNCTION slow_insert()",
]
FAST_INSERT = ["DROP TRIGGER IF EXISTS slow_insert ON social_organization", "DROP FUNCTION IF EXISTS slow_insert()"]


@pytest.mark.parametrize("value, key", [("abc-123", "abc-123"), ('"8e03978e-40d5"', "8e03978e-40d5"),
                                         ("a key with spaces", "a key with spaces"), (None, None)])
def test_a_valid_key_is_taken_as_sent_or_as_a_structured_field_string(value, key):
    assert parse_key(value) == key


@pytest.mark.parametrize("value", ["", '""', "x" * 256, "tab\there", "nul\x00", "键", 'a"b', "back\\slash"])
def test_a_bad_key_is_bad_user_input_on_the_header(value):
    with pytest.raises(BadInput) as refused:
        parse_key(value)
    assert refused.value.field == "Idempotency-Key"


def test_the_same_request_is_the_same_operation_and_variables_in_any_key_order():
    same = request_hash("mutation { x }", None, {"a": 1, "b": {"c": 2, "d": 3}})
    assert request_hash("mutation { x }", None, {"b": {"d": 3, "c": 2}, "a": 1}) == same
    assert request_hash("mutation { x }", None, {"a": 2, "b": {"c": 2, "d": 3}}) != same
    assert request_hash("mutation { x }", "Named", {"a": 1, "b": {"c": 2, "d": 3}}) != same
    assert request_hash("mutation { y }", None, {"a": 1, "b": {"c": 2, "d": 3}}) != same


@pytest.mark.parametrize("service", SERVICES)
async def test_a_stored_key_is_seen_only_by_its_own_district(databases, service):
    async with tenant_transaction(service, [DAOLI]) as conn:
        await idempotency.record(conn, DAOLI, "officer", "k", HASH, '{"x": 1}')
    async with tenant_transaction(service, [DAOLI]) as conn:
        assert await idempotency.claim(conn, DAOLI, "officer", "k", HASH) == idempotency.Claim(stored='{"x": 1}', same_request=True)
    async with tenant_transaction(service, [NANGANG]) as conn:
        assert await idempotency.claim(conn, DAOLI, "officer", "k", HASH) == idempotency.Claim(fresh=True)
        with pytest.raises(Exception, match="row-level security"):
            await idempotency.record(conn, DAOLI, "officer", "k2", HASH, "{}")


async def test_one_key_commits_once_whatever_gets_past_the_lock(databases):
    async with tenant_transaction("registry", [DAOLI]) as conn:
        await idempotency.record(conn, DAOLI, "officer", "k", HASH, '{"first": true}')
    with pytest.raises(idempotency.KeyTaken):
        async with tenant_transaction("registry", [DAOLI]) as conn:
            await idempotency.record(conn, DAOLI, "officer", "k", HASH, '{"second": true}')
    assert await databases["registry"].fetchval("SELECT response FROM idempotency_key") == '{"first": true}'


@pytest.mark.parametrize("service", SERVICES)
async def test_the_request_role_cannot_rewrite_or_erase_a_key(databases, service):
    async with tenant_transaction(service, [DAOLI]) as conn:
        await idempotency.record(conn, DAOLI, "officer", "k", HASH, "{}")
    for statement in ("UPDATE idempotency_key SET response = 'forged'", "DELETE FROM idempotency_key"):
        with pytest.raises(Exception, match="permission denied"):
            async with tenant_transaction(service, [DAOLI]) as conn:
                await conn.execute_query(statement)
    assert await databases[service].fetchval("SELECT response FROM idempotency_key") == "{}"


@pytest.mark.parametrize("service", SERVICES)
async def test_keys_older_than_a_day_are_pruned_by_the_relay_role_and_younger_ones_kept(databases, service):
    for district, key in ((DAOLI, "old"), (NANGANG, "old"), (DAOLI, "young")):
        async with tenant_transaction(service, [district]) as conn:
            await idempotency.record(conn, district, "officer", key, HASH, "{}")
    await databases[service].execute("UPDATE idempotency_key SET created_at = now() - interval '25 hours' WHERE key = 'old'")
    assert await idempotency.prune_keys(relay_connection(service)) == 2
    assert [r["key"] for r in await databases[service].fetch("SELECT key FROM idempotency_key")] == ["young"]
    assert idempotency.KEEP_FOR == dt.timedelta(hours=24)


@pytest.fixture
async def subgraph(databases, broker):
    app = create_app(registry, manage_database=False, workers=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        city = token(None, "city_admin", city=HARBIN)
        await http.post("/graphql", json={"query": ONBOARD, "variables": {"input": {
            "code": DAOLI, "name": "道里区", "cityCode": HARBIN}}}, headers={"Authorization": f"Bearer {city}"})
        seeding = GraphQLClient(app)
        await seed_gazetteer(seeding, token(DAOLI, "bureau_admin"), DAOLI, wait_for_funding=False)
        await seeding.close()
        yield http


async def _register(http: httpx.AsyncClient, key: str | None = None) -> httpx.Response:
    # One officer (one `sub`): a key is the caller's own.
    headers = {"Authorization": f"Bearer {token(DAOLI, 'bureau_admin', sub='officer-1')}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await http.post("/graphql", json={"query": REGISTER, "variables": FILED}, headers=headers)


async def _with(databases, statements: list[str]) -> None:
    for statement in statements:
        await databases["registry"].execute(statement)


async def test_a_lost_commit_without_a_key_says_its_outcome_is_unknown_and_not_to_retry_blindly(databases, subgraph):
    await _with(databases, LOSE_COMMIT)
    try:
        error = (await _register(subgraph)).json()["errors"][0]
    finally:
        await _with(databases, KEEP_COMMIT)
    assert error["extensions"]["code"] == "COMMIT_OUTCOME_UNKNOWN"
    assert error["extensions"]["retryable"] is False
    assert "Idempotency-Key" in error["message"]


async def test_a_lost_commit_with_a_key_may_be_retried_and_the_retry_acts_once(databases, subgraph):
    await _with(databases, LOSE_COMMIT)
    try:
        error = (await _register(subgraph, "k-lost")).json()["errors"][0]
    finally:
        await _with(databases, KEEP_COMMIT)
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["extensions"]["retryable"] is True
    first, again = await _register(subgraph, "k-lost"), await _register(subgraph, "k-lost")
    assert "errors" not in first.json() and again.json()["data"] == first.json()["data"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await databases["registry"].fetchval("SELECT count(*) FROM social_organization") == 1


def test_the_gateway_waits_for_a_mutation_a_little_longer_than_the_subgraph_lets_it_run():
    options = platform_options()
    assert options.mutation_timeout == limits.OPERATION_TIME_LIMIT_SECONDS
    assert 0 < limits.subgraph_operation_limit() < options.mutation_timeout
    assert options.mutation_timeout - limits.subgraph_operation_limit() <= 2


async def test_a_mutation_that_outlives_its_limit_is_ended_by_the_subgraph_and_changes_nothing(databases, subgraph,
                                                                                              monkeypatch):
    monkeypatch.setattr(limits, "OPERATION_TIME_LIMIT_SECONDS", 1.5)  # the insert below sleeps 5 s
    await _with(databases, SLOW_INSERT)
    try:
        error = (await _register(subgraph)).json()["errors"][0]
    finally:
        await _with(databases, FAST_INSERT)
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["extensions"]["retryable"] is True
    assert await databases["registry"].fetchval("SELECT count(*) FROM social_organization") == 0


@pytest.mark.parametrize("service", SERVICES)
async def test_the_workers_prune_the_keys_as_the_relay_role(databases, service):
    from services.common.runtime.workers import ServiceWorkers

    definition = __import__(f"services.{service}.service", fromlist=["service"]).service
    job = ServiceWorkers(definition, amqp="amqp://unused/")._key_pruning()
    async with tenant_transaction(service, [DAOLI]) as conn:
        await idempotency.record(conn, DAOLI, "officer", "old", HASH, "{}")
    await databases[service].execute("UPDATE idempotency_key SET created_at = now() - interval '25 hours'")
    assert (job.name, job.every_seconds) == ("idempotency-key-pruning", idempotency.PRUNE_EVERY_SECONDS)
    assert await job.run() == 1
    assert await databases[service].fetchval("SELECT count(*) FROM idempotency_key") == 0
