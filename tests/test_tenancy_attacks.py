"""Attacks on tenancy, generated from the composed supergraph: every root field, every entity type and
every mutation, as tokens of another district, of another city, of each role and of mixed roles, sent
straight to each subgraph and through the gateway. Daoli (230102) is the victim; the attackers' district,
Daowai (230104) of the same city, holds nothing at all, so anything an attacker reads that is not empty
(an id, a code, a count, a sum) is a leak.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from graphql import is_required_argument

from tests.support import DAOLI, token, wait_until
from services.gateway.policy.subgraphs import platform_supergraph

from .attacks import Supergraph, entity_attacks, mutation_attacks, query_attacks, typed_ids, walk
from .test_platform_flow import _awarded_and_evaluated, _find_violation

DAOWAI = "230104"  # a district of Harbin with a token but no data (never onboarded)

# Tables whose rows the platform's own machinery rewrites (the relay marks outbox rows sent): counted, not hashed.
COUNTED_ONLY = {"outbox", "inbox"}


def attackers(victim: dict) -> dict[str, str | None]:
    """Every kind of caller that is not Daoli's, including one that claims Daoli's own org and agency."""
    org, agency = victim["org"]["id"], victim["agency"]
    everything = ("bureau_admin", "subdistrict_officer", "org_member", "evaluator", "reviewer")
    return {
        "bureau admin": token(DAOWAI, "bureau_admin"),
        "subdistrict officer": token(DAOWAI, "subdistrict_officer", subdistrict="新阳路街道"),
        "org member claiming Daoli's organization": token(DAOWAI, "org_member", org=org),
        "evaluator claiming Daoli's agency": token(DAOWAI, "evaluator", agency=agency),
        "every district role at once": token(DAOWAI, *everything, org=org, agency=agency),
        "city admin of another city": token(None, "city_admin", city="2302"),
        "city admin mixed with a bureau admin": token(DAOWAI, "city_admin", "bureau_admin"),
        "anonymous": None,
    }


def leaks(data, victim_ids: set[str], *, counts: bool = True) -> list:
    """Leaves of an attacker's answer that belong to Daoli: its ids, its code, or (`counts`) figures above zero."""
    found = []
    for path, leaf in walk(data):
        if "publicNotices" in path:  # public by design, and skipped in every attack anyway
            continue
        if len(path) == 3 and path[0] == "_entities" and path[2] in ("id", "code"):
            continue  # a stub entity repeats the key the caller sent; what it resolves beside it counts
        if isinstance(leaf, str) and (leaf in victim_ids or DAOLI in leaf):
            found.append((path, leaf))
        elif not counts:
            continue
        elif isinstance(leaf, (int, float)) and not isinstance(leaf, bool) and leaf != 0:
            found.append((path, leaf))
        elif isinstance(leaf, str) and leaf != "0.00" and leaf.replace(".", "").isdigit() and leaf != DAOWAI:
            found.append((path, leaf))  # Money
    return found


async def _victim(gateway) -> dict:
    flow = await _awarded_and_evaluated(gateway)
    await _find_violation(gateway, flow, "3000.00")

    async def recovery_ordered():
        data = await gateway.ok("{ recoveryOrders { totalCount } }", token=flow["bureau"])
        return data["recoveryOrders"]["totalCount"]

    await wait_until(recovery_ordered)
    await gateway.ok("""mutation { upsertServiceStation(input: {subdistrict: "新阳路街道", community: "共乐社区",
        hasStaffAtWindow: true}) { id } }""", token=flow["bureau"])
    agencies = await gateway.ok("{ agencies { id } }", token=flow["bureau"])
    flow["agency"] = agencies["agencies"][0]["id"]
    await gateway.ok("""mutation { createAccount(input: {subject: "daoli-reviewer", name: "道里评审",
        roles: [REVIEWER]}) { id } }""", token=flow["bureau"])
    return flow


async def _victim_ids(gateway, supergraph: Supergraph, flow: dict) -> dict[str, list[str]]:
    """Daoli's ids by type, read by Daoli itself through every list field of the supergraph."""
    ids: dict[str, list[str]] = {}
    for name, field, _ in supergraph.root_fields("Query"):
        if name == "publicNotices" or any(is_required_argument(a) for a in field.args.values()):
            continue
        body = (await gateway.post(f"{{ {name} {supergraph.selection(field.type, None)} }}", token=flow["bureau"])).json()
        for type_name, values in typed_ids(body.get("data")).items():
            ids.setdefault(type_name, [])
            ids[type_name] += [v for v in values if v not in ids[type_name]]
    assert {"SocialOrganization", "Project", "FundingRound", "Evaluation", "RecoveryOrder", "Account"} <= set(ids), ids
    return ids


async def _snapshot(databases) -> dict:
    """Daoli's rows in every table of every service: a hash of their contents (a count for machinery)."""
    state = {}
    for service, conn in databases.items():
        tables = await conn.fetch("""SELECT table_name FROM information_schema.columns
            WHERE table_schema = 'public' AND column_name = 'district' ORDER BY table_name""")
        for row in tables:
            table = row["table_name"]
            if table in COUNTED_ONLY:
                sql = f'SELECT count(*)::text FROM "{table}" WHERE district = $1'
            else:
                sql = f'SELECT count(*) || md5(coalesce(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) FROM "{table}" t WHERE district = $1'
            state[(service, table)] = await conn.fetchval(sql, DAOLI)
    return state


async def _settled(databases) -> dict:
    """Waits until the events of building the victim have all been applied."""
    previous = await _snapshot(databases)
    for _ in range(40):
        await asyncio.sleep(0.5)
        current = await _snapshot(databases)
        if current == previous:
            return current
        previous = current
    raise AssertionError("Daoli's data never settled")


@pytest.fixture
async def supergraph(subgraphs) -> Supergraph:
    return Supergraph(platform_supergraph(subgraphs))


async def _send(client: httpx.AsyncClient, url: str, attack, bearer: str | None) -> dict:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    response = await client.post(url, json={"query": attack.query, "variables": attack.variables}, headers=headers)
    return response.json()


async def test_no_read_of_any_root_field_or_entity_reaches_another_district(gateway, subgraphs, supergraph):
    victim = await _victim(gateway)
    ids = await _victim_ids(gateway, supergraph, victim)
    victim_ids = {v for values in ids.values() for v in values}
    attacks = (query_attacks(supergraph, ids, DAOLI, direct=False) + query_attacks(supergraph, ids, DAOLI, direct=True)
               + entity_attacks(supergraph, ids, DAOLI))
    urls = {**subgraphs, "gateway": f"{gateway.base}/graphql"}
    found, answered = [], 0
    async with httpx.AsyncClient(timeout=30) as client:
        # The attacks can find data: Daoli itself gets its own rows through the same operations.
        seen_by_victim = 0
        for attack in attacks:
            body = await _send(client, urls[attack.graph], attack, victim["bureau"])
            seen_by_victim += bool(leaks(body.get("data"), victim_ids))
        assert seen_by_victim > len(attacks) // 2, f"only {seen_by_victim} of {len(attacks)} attacks find Daoli's own data"
        for who, bearer in attackers(victim).items():
            for attack in attacks:
                body = await _send(client, urls[attack.graph], attack, bearer)
                answered += body.get("data") is not None
                if leaked := leaks(body.get("data"), victim_ids):
                    found.append((who, attack.graph, attack.name, leaked[:3]))
    assert not found, f"{len(found)} leaks:\n" + "\n".join(map(str, found[:20]))
    assert answered, "every attack was refused outright: the suite proves nothing"


async def test_no_mutation_by_any_other_caller_changes_a_row_of_another_district(gateway, subgraphs, supergraph, databases):
    victim = await _victim(gateway)
    ids = await _victim_ids(gateway, supergraph, victim)
    victim_ids = {v for values in ids.values() for v in values}
    before = await _settled(databases)
    attacks = mutation_attacks(supergraph, ids, DAOLI)
    assert len({a.name for a in attacks}) >= 40, "the supergraph's mutations were not all generated"
    urls = {**subgraphs, "gateway": f"{gateway.base}/graphql"}
    found = []
    async with httpx.AsyncClient(timeout=30) as client:
        for who, bearer in attackers(victim).items():
            for attack in attacks:
                for target in (attack.graph, "gateway"):
                    body = await _send(client, urls[target], attack, bearer)
                    if leaked := leaks(body.get("data"), victim_ids, counts=False):
                        found.append((who, target, attack.name, leaked[:3]))
    assert not found, "\n".join(map(str, found[:20]))
    await asyncio.sleep(1.0)  # let any event an attack emitted reach its consumer
    after = await _snapshot(databases)
    changed = sorted(key for key in before if before[key] != after.get(key))
    assert not changed, f"Daoli's rows changed in {changed}"
    # The same operations do write when Daoli's own bureau sends them: the attacks aim at real rows.
    async with httpx.AsyncClient(timeout=30) as client:
        for attack in attacks:
            await _send(client, urls[attack.graph], attack, victim["bureau"])
    await asyncio.sleep(1.0)
    written = await _snapshot(databases)
    assert len([key for key in before if before[key] != written.get(key)]) >= 5
