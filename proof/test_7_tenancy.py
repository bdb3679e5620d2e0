"""Item 7. Tenancy fuzz: concurrent requests from random districts and city admins, through the gateway
and straight at each subgraph and its `_entities`: never a row of another district; no district set, no rows."""

from __future__ import annotations

import asyncio
import random

import asyncpg
import httpx

from services.common.kernel.config import database_url
from services.common.data.db import SERVICES
from tests.support import token

from . import world
from .report import full, record

GATEWAY_QUERIES = [
    "{ organizations(first: 50) { totalCount edges { node { id district name projects { id district title } } } } }",
    "{ projects(first: 50) { edges { node { id district grant organization { id district name } evaluations { id district } } } } }",
    "{ fundingRounds(first: 50) { edges { node { id district projects(first: 50) { edges { node { id district } } } } } } }",
    "{ evaluations(first: 50) { edges { node { id district project { id district } } } } agencies { id district } }",
    "{ serviceStations(first: 50) { edges { node { id district } } } registryAuditTrail(first: 50) { edges { node { district } } } }",
    "{ recoveryOrders(first: 50) { edges { node { id district } } } fundingAuditTrail(first: 50) { edges { node { district } } } }",
]
SUBGRAPH_QUERIES = {
    "registry": ["{ organizations(first: 50) { edges { node { id district } } } serviceStations(first: 50) { edges { node { id district } } } }",
                 "{ registryAuditTrail(first: 50) { edges { node { district } } } }"],
    "funding": ["{ fundingRounds(first: 50) { edges { node { id district } } } projects(first: 50) { edges { node { id district } } } }",
                "{ fundingAuditTrail(first: 50) { edges { node { district } } } recoveryOrders(first: 50) { edges { node { id district } } } }"],
    "evaluation": ["{ agencies { id district } evaluations(first: 50) { edges { node { id district } } } }",
                   "{ evaluationAuditTrail(first: 50) { edges { node { district } } } }"],
}
ENTITIES = {
    "registry": ("SocialOrganization", "orgs"),
    "funding": ("Project", "projects"),
    "evaluation": ("EvaluationAgency", "agencies"),
}
# A role that may not read a field (an audit trail, say) is refused; that is a refusal, not a failure.
EXPECTED_REFUSALS = {"FORBIDDEN", "UNAUTHENTICATED"}
# Under the full run's load (500 in flight on one process) the gateway sheds with its own labelled codes.
SHED = {"SUBGRAPH_TIMEOUT", "SUBGRAPH_UNAVAILABLE", "SERVICE_UNAVAILABLE"}
# A refused non-null root field nulls its whole subgraph response; the gateway says so, labelled.
NULL_BUBBLE = "Cannot return null for non-nullable field"
ROLES = ["bureau_admin", "subdistrict_officer", "org_member", "evaluator", "reviewer"]


def districts_in(value, found: list[str]) -> list[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "district" and isinstance(item, str):
                found.append(item)
            else:
                districts_in(item, found)
    elif isinstance(value, list):
        for item in value:
            districts_in(item, found)
    return found


async def test_tenancy_fuzz(gateway, subgraphs, databases):
    made = await world.build(gateway, databases)
    rng = random.Random(7)
    total = 500 if not full() else 2000
    http = httpx.AsyncClient(timeout=httpx.Timeout(120, pool=None), limits=httpx.Limits(max_connections=100))
    in_flight = asyncio.Semaphore(500)  # 500 at once; the full run sends more, 500 at a time
    stats = {"requests": 0, "rows": 0, "foreign": 0, "errors": 0, "unknown_district_rows": 0}
    foreign_examples: list = []
    error_examples: list = []
    codes: dict = {}

    def caller():
        kind = rng.random()
        if kind < 0.15:  # a city admin of a random city: every district of that city
            city = rng.choice(list(world.CITIES))
            return token(None, "city_admin", city=city), set(world.CITIES[city]), f"city {city}"
        if kind < 0.22:  # a district that was never onboarded: nothing at all
            return token("230199", "bureau_admin"), set(), "unknown 230199"
        district = rng.choice(world.DISTRICTS)
        return token(district, rng.choice(ROLES)), {district}, district

    def entity_request(service: str):
        typename, key = ENTITIES[service]
        reps = [{"__typename": typename, "id": i} for d in world.DISTRICTS for i in made[d][key]]
        rng.shuffle(reps)
        query = ("query($r: [_Any!]!) { _entities(representations: $r) { ... on %s { id district } } }" % typename)
        return {"query": query, "variables": {"r": reps}}

    async def one(i: int) -> None:
        tok, allowed, who = caller()
        target = rng.random()
        if target < 0.4:
            url, body = f"{gateway.base}/graphql", {"query": rng.choice(GATEWAY_QUERIES)}
        elif target < 0.7:
            service = rng.choice(SERVICES)
            url, body = subgraphs[service], {"query": rng.choice(SUBGRAPH_QUERIES[service])}
        else:
            service = rng.choice(SERVICES)
            url, body = subgraphs[service], entity_request(service)
        async with in_flight:
            response = await http.post(url, json=body, headers={"Authorization": f"Bearer {tok}"})
        payload = response.json()
        stats["requests"] += 1
        for error in payload.get("errors") or ():
            code = (error.get("extensions") or {}).get("code")
            codes[code] = codes.get(code, 0) + 1
            if code is None or (code not in EXPECTED_REFUSALS | SHED and not error.get("message", "").startswith(NULL_BUBBLE)):
                stats["errors"] += 1
                error_examples.append((who, body.get("query", "")[:50], error.get("message", "")[:200]))
        seen = districts_in(payload.get("data"), [])
        stats["rows"] += len(seen)
        bad = [d for d in seen if d not in allowed]
        if not allowed:
            stats["unknown_district_rows"] += len(seen)
        if bad:
            stats["foreign"] += len(bad)
            foreign_examples.append((who, url, body.get("query", "")[:60], bad[:3]))

    # all at once: far more requests than the subgraphs' connection pools (10 each) hold
    await asyncio.gather(*(one(i) for i in range(total)))
    await http.aclose()
    record("7", f"{total} requests, 500 at a time, random district/role/city-admin tokens, gateway + each subgraph + _entities "
           f"(pool of 10 connections a subgraph)",
           "0 rows of another district",
           f"{stats['rows']} rows returned, {stats['foreign']} foreign; labelled errors {codes or 0} (FORBIDDEN: a role "
           f"refused a field; INTERNAL_SERVER_ERROR: the null of that refusal bubbling up; SUBGRAPH_*: shed under "
           f"load); {stats['errors']} unlabelled or unexpected",
           stats["foreign"] == 0 and stats["rows"] > 0 and stats["errors"] == 0, **stats)
    record("7", "token of a district never onboarded (230199), same mix", "0 rows",
           f"{stats['unknown_district_rows']} rows", stats["unknown_district_rows"] == 0)
    assert not foreign_examples, foreign_examples[:5]
    assert stats["errors"] == 0, error_examples[:5]

    # As the application role with no district set (and with an empty one): nothing in any tenant table
    # (each table with the tenant policy, the outbox and inbox among them; the district directory is under
    # row-level security too, but readable by all: rls.guard_directory).
    leaked, tables, owned = 0, 0, 0
    for service in SERVICES:
        conn = await asyncpg.connect(database_url(service))
        admin = databases[service]
        try:
            names = [r["relname"] for r in await admin.fetch(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity AND relforcerowsecurity "
                "AND relnamespace = 'public'::regnamespace "
                "AND EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = pg_class.oid AND polname = 'tenant_isolation')")]
            for name in names:
                tables += 1
                owned += await admin.fetchval(f'SELECT count(*) FROM "{name}"')
                leaked += await conn.fetchval(f'SELECT count(*) FROM "{name}"')
                async with conn.transaction():
                    await conn.execute("SELECT set_config('app.districts', '', true)")
                    leaked += await conn.fetchval(f'SELECT count(*) FROM "{name}"')
        finally:
            await conn.close()
    record("7", f"civic_app with no district set / an empty one, SELECT count(*) on all {tables} RLS tables",
           "0 rows", f"{leaked} rows (the tables hold {owned} rows in all)", leaked == 0 and owned > 0 and tables >= 15)
    assert leaked == 0 and owned > 0


async def test_a_unique_value_taken_in_another_district(gateway, databases):
    """A credit code is unique within a district only: registering one that another district of the city
    holds must succeed like any other registration (a refusal would tell the bureau that some district holds
    it), show nothing of the other district's row, and appear in the city admin's duplicateCreditCodes."""
    from services.common.kernel.credit_code import make_credit_code

    await world.onboard(gateway, ["230102", "230103"])
    code = make_credit_code("2301", 77777777)  # registered by the city's bureau: valid in both districts
    variables = {"input": {"name": "甲", "registration": "REGISTERED", "category": "ELDERLY_CARE", "creditCode": code,
                           "subdistrict": "新阳路街道"}}
    first = (await gateway.ok(world.REGISTER, variables, token=token("230102", "bureau_admin")))["registerOrganization"]
    body = (await gateway.post(world.REGISTER, variables, token=token("230103", "bureau_admin"))).json()
    second = (body.get("data") or {}).get("registerOrganization") or {}
    seen = (await gateway.ok("{ organizations { edges { node { id district } } } }",
                             token=token("230103", "bureau_admin")))["organizations"]["edges"]
    report = (await gateway.ok("{ duplicateCreditCodes { creditCode districts } }",
                               token=token(None, "city_admin", city="2301")))["duplicateCreditCodes"]
    ok = (not body.get("errors") and second.get("district") == "230103" and second.get("id") != first["id"]
          and [e["node"]["district"] for e in seen] == ["230103"]
          and report == [{"creditCode": code, "districts": ["230102", "230103"]}])
    record("7", "district 230103 registers a credit code that district 230102 already holds",
           "registered like any other code (no oracle), no row of 230102 shown; the city admin's "
           "duplicateCreditCodes lists the code with both districts",
           f"errors {[(e.get('extensions') or {}).get('code') for e in body.get('errors') or []]}; 230103 sees "
           f"{len(seen)} row(s) of {sorted({e['node']['district'] for e in seen})}; report {report}", ok)
    assert ok, (body, seen, report)
