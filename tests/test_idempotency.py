"""Idempotency-Key through the gateway: a retried mutation acts once, answers the same, and never crosses a
district (IETF httpapi idempotency-key draft, Stripe's semantics)."""

from __future__ import annotations

import asyncio

from tests.support import DAOLI, NANGANG, token, wait_until

from .test_gateway_edge import onboard

REGISTER = """mutation($input: RegisterOrganizationInput!) {
  registerOrganization(input: $input) { id name filingNumber } }"""
ORGS = "{ organizations { totalCount } }"


def filed(n: int = 1) -> dict:
    return {"input": {"name": f"邻里互助队{n}", "registration": "FILED", "category": "NEIGHBOR_MUTUAL_AID",
                      "subdistrict": "抚顺街道"}}


async def post(gateway, variables: dict, bearer: str, key: str | None, query: str = REGISTER):
    headers = {"Authorization": f"Bearer {bearer}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await gateway.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def organizations(databases, district: str) -> int:
    return await databases["registry"].fetchval("SELECT count(*) FROM social_organization WHERE district = $1", district)


async def test_a_filed_organization_registered_twice_with_one_key_exists_once_and_answers_the_same(gateway, databases):
    tokens = await onboard(gateway)
    first = await post(gateway, filed(), tokens[DAOLI], "register-邻里-1".encode().hex())
    again = await post(gateway, filed(), tokens[DAOLI], "register-邻里-1".encode().hex())
    assert "errors" not in first.json(), first.json()
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert first.headers.get("idempotent-replayed") is None
    assert await organizations(databases, DAOLI) == 1


async def test_without_a_key_each_request_acts(gateway, databases):
    tokens = await onboard(gateway)
    for _ in range(2):
        assert "errors" not in (await post(gateway, filed(), tokens[DAOLI], None)).json()
    assert await organizations(databases, DAOLI) == 2


async def test_the_same_key_with_another_request_is_refused_and_changes_nothing(gateway, databases):
    tokens = await onboard(gateway)
    await post(gateway, filed(1), tokens[DAOLI], "k-1")
    body = (await post(gateway, filed(2), tokens[DAOLI], "k-1")).json()
    assert body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert body["errors"][0]["extensions"]["field"] == "Idempotency-Key"
    assert await organizations(databases, DAOLI) == 1


async def test_a_duplicate_while_the_first_is_running_is_refused_with_conflict_and_acts_once(gateway, databases):
    tokens = await onboard(gateway)
    admin = databases["registry"]
    hold = admin.transaction()
    await hold.start()
    # The first request stops at its INSERT, inside its transaction, holding its key.
    await admin.execute("LOCK TABLE social_organization IN EXCLUSIVE MODE")
    try:
        first = asyncio.create_task(post(gateway, filed(), tokens[DAOLI], "k-running"))
        await wait_until(lambda: _key_held(databases))
        duplicate = (await post(gateway, filed(), tokens[DAOLI], "k-running")).json()
    finally:
        await hold.rollback()
    assert duplicate["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert duplicate["errors"][0]["extensions"]["field"] == "Idempotency-Key"
    assert "errors" not in (await first).json()
    assert await organizations(databases, DAOLI) == 1


async def _key_held(databases) -> bool:
    """The first request holds its key's advisory lock (pg_locks is the cluster's: only this database)."""
    return bool(await databases["registry"].fetchval(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))


async def test_another_district_with_the_same_key_is_independent_and_never_sees_the_first_answer(gateway, databases):
    tokens = await onboard(gateway)
    daoli = (await post(gateway, filed(), tokens[DAOLI], "shared-key")).json()["data"]["registerOrganization"]
    nangang = (await post(gateway, filed(), tokens[NANGANG], "shared-key"))
    assert nangang.headers.get("idempotent-replayed") is None
    created = nangang.json()["data"]["registerOrganization"]
    assert created["id"] != daoli["id"]
    assert await organizations(databases, DAOLI) == 1
    assert await organizations(databases, NANGANG) == 1
    read = await gateway.ok("query($id: ID!) { organization(id: $id) { id } }", {"id": created["id"]}, token=tokens[NANGANG])
    assert read["organization"] == {"id": created["id"]}


async def test_another_caller_in_the_same_district_with_the_same_key_is_independent(gateway, databases):
    tokens = await onboard(gateway)
    await post(gateway, filed(), tokens[DAOLI], "k-caller")
    other = token(DAOLI, "bureau_admin", sub="another-officer")
    answer = await post(gateway, filed(), other, "k-caller")
    assert answer.headers.get("idempotent-replayed") is None
    assert await organizations(databases, DAOLI) == 2


async def test_a_bad_key_is_refused_and_changes_nothing(gateway, databases):
    tokens = await onboard(gateway)
    for key in ("x" * 256, "tab\tkey", ""):
        body = (await post(gateway, filed(), tokens[DAOLI], key)).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (key, body)
        assert body["errors"][0]["extensions"]["field"] == "Idempotency-Key"
    assert await organizations(databases, DAOLI) == 0


async def test_queries_ignore_the_key(gateway, databases):
    tokens = await onboard(gateway)
    await post(gateway, filed(), tokens[DAOLI], None)
    for _ in range(2):
        answer = await post(gateway, {}, tokens[DAOLI], "k-query", query=ORGS)
        assert answer.json() == {"data": {"organizations": {"totalCount": 1}}}
        assert answer.headers.get("idempotent-replayed") is None
