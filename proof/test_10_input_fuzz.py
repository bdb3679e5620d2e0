"""Item 10. Property-based fuzzing of every mutation's input, straight at each subgraph.

For every mutation of every subgraph, hypothesis draws arguments from the mutation's own input types
(strings with control characters and NULs, huge and negative numbers, malformed money and dates, IDs of
this district, of another district, and garbage) and a caller (each role). Each response must be:
applied with the invariants holding, or refused with a labelled code and the service's tables unchanged.
Never HTTP 500, never INTERNAL_SERVER_ERROR, never an error without extensions.code.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from graphql import (GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType,
                     get_named_type)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.kernel.config import amqp_url
from services.common.kernel.credit_code import make_credit_code
from services.common.events.consumer import EventConsumer
from services.common.runtime.subgraph import create_app
from tests.places import seed_funding_copy, seed_gazetteer
from tests.support import DAOLI, HARBIN, NANGANG, GraphQLClient, token
from services.evaluation.tests import operations as ev
from services.funding.tests import flow

from .report import full, record

SERVICES = ("registry", "funding", "evaluation")
LABELLED = {"BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "SERVICE_UNAVAILABLE",
            "GRAPHQL_VALIDATION_FAILED"}
EXAMPLES = 120 if full() else 8
PHASES = ["NEEDS_INTAKE", "LIBRARY", "REVIEW", "NOTICE", "AWARDED", "CLOSED", "CANCELLED"]  # CANCELLED: terminal
STAGES = [None, "STARTUP", "GROWTH", "HUB", "GRADUATED"]
REVIEWER = "proof-reviewer"
_totals: dict[str, dict[str, int]] = {}


def service_definition(name: str):
    return __import__(f"services.{name}.service", fromlist=["service"]).service


def mutations(name: str) -> list[str]:
    schema = service_definition(name).schema._schema
    return sorted(schema.mutation_type.fields)


CASES = [(s, m) for s in SERVICES for m in mutations(s)]

# -- strategies from the GraphQL input types ---------------------------------------------------------------
def mix(sane, hostile):
    """Mostly sane values, so that inputs get applied and invariants are exercised; one in eight hostile."""
    return st.integers(0, 7).flatmap(lambda i: hostile if i == 7 else sane)


texts = mix(
    st.sampled_from(["新阳路街道", "共乐社区", "道里为老服务中心", "需求契合度", "可行性", "社会效益", "服务成效", "财务规范",
                     "张三", "理由", "单一需求"]),
    st.one_of(st.sampled_from(["", " ", "x" * 300, "a\x00b", "\u202e反转", "😀", "'; DROP TABLE project; --", "230103",
                               "NaN", "-1"]),
              st.text(max_size=40), st.text(min_size=1000, max_size=3000)),
)
money = mix(
    st.one_of(st.sampled_from(["0.01", "1.00", "100.00", "20000.00", "40000.00", "60000.00", "100000.00", "200000.00"]),
              st.integers(min_value=1, max_value=30_000_000).map(lambda f: f"{f // 100}.{f % 100:02d}")),
    st.one_of(st.sampled_from(["0.00", "-1.00", "1.005", "1e5", "abc", "", "99999999999999.99", "999999999999999999999.00",
                               " 5.00 ", "5,00", "0x10", "١٠٠.٠٠"]), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.none()),
)
dates = mix(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)).map(str),
            st.one_of(st.dates().map(str), st.sampled_from(["2026-02-30", "yesterday", "", "9999-12-31", "0001-01-01"]),
                      st.integers()))
datetimes = mix(st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31))
                .map(lambda d: d.isoformat() + "+08:00"),
                st.sampled_from(["2026-13-01T00:00:00Z", "now", "", "2026-01-01"]))
ints = mix(st.integers(min_value=0, max_value=10),
           st.one_of(st.integers(min_value=-2**31, max_value=2**31 - 1), st.sampled_from([-1, 2**31, -2**31 - 1, 10**20])))


def value_for(type_, ids: dict, depth: int = 0, name: str = "", hint: str = ""):
    nullable = not isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if not nullable else type_
    if isinstance(inner, GraphQLList):
        strategy = st.lists(value_for(inner.of_type, ids, depth + 1, name, hint), min_size=0, max_size=4)
    else:
        named = get_named_type(inner)
        if isinstance(named, GraphQLEnumType):
            strategy = mix(st.sampled_from(list(named.values)), st.just("NOT_A_VALUE"))
        elif isinstance(named, GraphQLInputObjectType):
            fields = {n: value_for(f.type, ids, depth + 1, n, hint) for n, f in named.fields.items()}
            strategy = st.fixed_dictionaries({}, optional=fields) if depth > 2 else st.fixed_dictionaries(
                {n: s for n, s in fields.items() if isinstance(named.fields[n].type, GraphQLNonNull)},
                optional={n: s for n, s in fields.items() if not isinstance(named.fields[n].type, GraphQLNonNull)})
        elif isinstance(named, GraphQLScalarType):
            strategy = {
                "String": texts, "Int": ints, "Boolean": st.booleans(), "Float": st.floats(allow_nan=False, allow_infinity=False),
                "ID": mix(st.integers(0, 999).map(lambda k, n=name: IdRef(n, hint, k)), st.one_of(st.uuids().map(str), st.sampled_from(["", "1", "-1", "x", "9" * 30]))),
                "Money": money, "Date": dates, "DateTime": datetimes, "JSON": st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
            }.get(named.name, texts)
        else:
            strategy = texts
    return mix(strategy, st.none()) if nullable else strategy


class IdRef:
    """An existing ID, chosen when the request is sent: the pool grows as inputs are applied, and
    hypothesis needs the same draws to give the same values."""

    def __init__(self, name: str, hint: str, k: int) -> None:
        self.name, self.hint, self.k = name, hint, k

    def __repr__(self) -> str:
        return f"IdRef({self.name!r}, {self.k})"


def resolve(value, ids: dict):
    if isinstance(value, IdRef):
        pool = ids_for(ids, value.name, value.hint)
        return pool[value.k % len(pool)]
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    return value


def words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z]+", text) if w.lower() not in ("id", "ids")]


def ids_for(ids: dict, name: str, hint: str) -> list[str]:
    """IDs of the table the argument names (`trancheId` -> tranche; `id` of `settleRecovery` -> recovery_order)."""
    for source in (name, hint):
        for word in reversed(words(source)):
            found = [i for table, values in ids.items() if word in table.split("_") for i in values]
            if found:
                return found
    return [i for values in ids.values() for i in values] or ["1"]


def description(service: str, name: str) -> str | None:
    return service_definition(service).schema._schema.mutation_type.fields[name].description


def operation(service: str, name: str) -> tuple[str, dict]:
    schema = service_definition(service).schema._schema
    field = schema.mutation_type.fields[name]
    params = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
    args = ", ".join(f"{a}: ${a}" for a in field.args)
    text = f"mutation{f'({params})' if params else ''} {{ {name}{f'({args})' if args else ''} {{ __typename }} }}"
    return text, field.args


# -- the world each mutation is fuzzed against ---------------------------------------------------------------
async def seed(clients: dict[str, GraphQLClient]) -> dict:
    bureau = token(DAOLI, "bureau_admin")
    city = token(None, "city_admin", city=HARBIN)
    reg = clients["registry"]
    for code in (DAOLI, NANGANG):
        await reg.ok("mutation($i: OnboardDistrictInput!) { onboardDistrict(input: $i) { code } }",
                     {"i": {"code": code, "name": code, "cityCode": HARBIN}}, token=city)
        await seed_gazetteer(reg, token(code, "bureau_admin"), code, wait_for_funding=False)
    org = (await reg.ok("mutation($i: RegisterOrganizationInput!) { registerOrganization(input: $i) { id } }",
                        {"i": {"name": "道里为老服务中心", "registration": "REGISTERED", "category": "ELDERLY_CARE",
                               "creditCode": make_credit_code(DAOLI, 1), "subdistrict": "新阳路街道"}},
                        token=bureau))["registerOrganization"]["id"]
    fconsumer = EventConsumer(name="funding", connection="funding", inbox=service_definition("funding").models.inbox,
                              handlers=service_definition("funding").handlers, amqp_url=amqp_url())
    econsumer = EventConsumer(name="evaluation", connection="evaluation",
                              inbox=service_definition("evaluation").models.inbox,
                              handlers=service_definition("evaluation").handlers, amqp_url=amqp_url())
    for code in (DAOLI, NANGANG):
        for consumer in (fconsumer, econsumer):
            await consumer.handle(ev.onboarded(code, code))
        await seed_funding_copy(fconsumer, code)  # no relay runs here: funding's copy from the same events
    funding_org = await flow.know_organization(fconsumer, DAOLI)
    fund = clients["funding"]
    awarded = await flow.awarded_project(fund, bureau, DAOLI, funding_org)
    second = (await fund.ok(flow.OPEN, {"input": {"name": "第二轮", "year": 2025, "budget": "500000.00",
                                                  "criteria": flow.CRITERIA, "minReviews": 1, "noticeDays": 7}},
                            token=bureau))["openRound"]["id"]
    for n in range(2):
        await fund.ok(flow.NEED, {"input": {"roundId": second, "subdistrict": "新阳路街道", "community": "共乐社区",
                                           "category": "ELDERLY_CARE", "method": "DOOR_TO_DOOR", "description": f"需求{n}"}},
                      token=bureau)
    await fund.ok(flow.PANEL, {"input": {"roundId": second, "name": "专家乙", "kind": "EXPERT", "sub": REVIEWER}}, token=bureau)
    evaluation = clients["evaluation"]
    agency = (await evaluation.ok(ev.REGISTER_AGENCY, {"input": {"name": "评估公司甲", "creditCode": ev.credit(1)}},
                                  token=bureau))["registerEvaluationAgency"]["id"]
    await econsumer.handle(ev.round_opened(round_id=awarded["round"], name="测试创投"))
    await evaluation.ok(ev.OPEN_TENDER, {"input": {"roundId": awarded["round"], "roundName": "测试创投"}}, token=bureau)
    await econsumer.handle(ev.awarded(awarded["project"], round_id=awarded["round"]))
    await econsumer.handle(ev.service_record(awarded["project"], "张三"))
    return {
        "callers": {
            "bureau_admin": bureau, "reviewer": token(DAOLI, "reviewer", sub=REVIEWER),
            "org_member": token(DAOLI, "org_member", org=funding_org), "org_member_registry": token(DAOLI, "org_member", org=org),
            "evaluator": token(DAOLI, "evaluator", agency=agency),
            "subdistrict_officer": token(DAOLI, "subdistrict_officer", subdistrict="新阳路街道"),
            "city_admin": city, "another district": token(NANGANG, "bureau_admin"),
        },
    }


async def all_ids(conn) -> dict[str, list[str]]:
    tables = await conn.fetch("SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
                              "AND column_name = 'id' AND table_name NOT IN ('tortoise_migrations', 'outbox', 'inbox', "
                              "'audit_entry', 'audit_log')")
    ids: dict[str, list[str]] = {}
    for t in tables:
        values = [str(r["id"]) for r in await conn.fetch(f'SELECT id FROM "{t["table_name"]}" LIMIT 50')]
        if values:
            ids[t["table_name"]] = values
    return ids


async def snapshot(conn) -> str:
    tables = [r["tablename"] for r in await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations' ORDER BY 1")]
    sql = " || ".join(f"coalesce((SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM \"{t}\" t), '-')"
                      for t in tables)
    return await conn.fetchval(f"SELECT {sql}")


async def invariants(service: str, conn, seen: dict) -> list[str]:
    broken: list[str] = []
    fen_columns = await conn.fetch("SELECT table_name, column_name FROM information_schema.columns WHERE "
                                   "table_schema = 'public' AND column_name LIKE '%\\_fen'")
    for c in fen_columns:
        negative = await conn.fetchval(f'SELECT count(*) FROM "{c["table_name"]}" WHERE "{c["column_name"]}" < 0')
        if negative:
            broken.append(f"{negative} negative {c['table_name']}.{c['column_name']}")
    if service == "funding":
        for r in await conn.fetch(
                "SELECT r.id, r.budget_fen, coalesce(sum(p.grant_fen) FILTER (WHERE p.status = 'AWARDED'), 0) AS granted "
                "FROM funding_round r LEFT JOIN project p ON p.round_id = r.id GROUP BY r.id"):
            if r["granted"] > r["budget_fen"]:
                broken.append(f"round {r['id']} overdrawn: {r['granted']} > {r['budget_fen']}")
        for r in await conn.fetch(
                "SELECT p.id, p.grant_fen, p.disbursed_fen, coalesce(sum(t.amount_fen), 0) AS scheduled, "
                "coalesce(sum(t.amount_fen) FILTER (WHERE t.status = 'DISBURSED'), 0) AS paid "
                "FROM project p LEFT JOIN tranche t ON t.project_id = p.id GROUP BY p.id"):
            if r["paid"] != r["disbursed_fen"] or r["disbursed_fen"] > r["grant_fen"] or r["scheduled"] > r["grant_fen"] and r["grant_fen"]:
                broken.append(f"project {r['id']}: grant {r['grant_fen']} scheduled {r['scheduled']} paid {r['paid']} "
                              f"disbursed {r['disbursed_fen']}")
        for r in await conn.fetch("SELECT p.id, p.disbursed_fen, coalesce(sum(o.amount_fen), 0) AS ordered "
                                  "FROM project p JOIN recovery_order o ON o.project_id = p.id GROUP BY p.id"):
            if r["ordered"] > r["disbursed_fen"]:
                broken.append(f"project {r['id']}: recovery {r['ordered']} > disbursed {r['disbursed_fen']}")
        for r in await conn.fetch("SELECT id, phase FROM funding_round"):
            before = seen.get(("round", r["id"]))
            now = PHASES.index(r["phase"])
            if before is not None and now < before:
                broken.append(f"round {r['id']} went back from {PHASES[before]} to {r['phase']}")
            seen[("round", r["id"])] = now
    if service == "registry":
        for r in await conn.fetch("SELECT id, incubation_stage FROM social_organization"):
            before = seen.get(("org", r["id"]))
            now = STAGES.index(r["incubation_stage"])
            if before is not None and now < before:
                broken.append(f"organization {r['id']} stage went back to {r['incubation_stage']}")
            seen[("org", r["id"])] = now
    return broken


@pytest.mark.parametrize("service,mutation", CASES, ids=[f"{s}.{m}" for s, m in CASES])
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_every_mutation_input(service, mutation, data, databases, broker):
    state = _state.get((service, mutation))
    if state is None:  # first example of this mutation: a fresh world
        from tests.support import truncate_all
        await truncate_all(databases)
        clients = {s: GraphQLClient(create_app(service_definition(s), manage_database=False, workers=False))
                   for s in SERVICES}
        world = await seed(clients)
        state = _state[(service, mutation)] = {"clients": clients, "world": world, "seen": {},
                                               "ids": await all_ids(databases[service])}
        await invariants(service, databases[service], state["seen"])
    conn = databases[service]
    text, args = operation(service, mutation)
    ids = state["ids"]
    drawn = {name: data.draw(value_for(arg.type, ids, 0, name, mutation), label=name) for name, arg in args.items()}
    variables = resolve(drawn, ids)
    callers = state["world"]["callers"]
    # Mostly a caller of a role the mutation names (its description says which), sometimes anyone.
    named = [r for r in callers if r.split("_registry")[0] in (description(service, mutation) or "")] or list(callers)
    who = data.draw(mix(st.sampled_from(sorted(named)), st.sampled_from(sorted(callers))), label="caller")
    caller = callers[who]
    before = await snapshot(conn)
    response = await state["clients"][service].http.post("/graphql", json={"query": text, "variables": variables},
                                                         headers={"Authorization": f"Bearer {caller}"})
    totals = _totals.setdefault(f"{service}.{mutation}", {"tried": 0, "applied": 0, "refused": 0, "bad": 0})
    totals["tried"] += 1
    assert response.status_code != 500, response.text
    body = response.json()
    errors = body.get("errors") or []
    codes = [(e.get("extensions") or {}).get("code") for e in errors]
    unlabelled = [e for e, c in zip(errors, codes) if c not in LABELLED]
    if unlabelled:
        totals["bad"] += 1
    assert not unlabelled, (variables, unlabelled)
    after = await snapshot(conn)
    if errors:
        totals["refused"] += 1
        for e in errors:
            key = f'{(e.get("extensions") or {}).get("code")}: {e.get("message", "")[:70]}'
            _messages[key] = _messages.get(key, 0) + 1
        assert before == after, f"refused with {codes} but the tables changed: {variables}"
    else:
        totals["applied"] += 1
        state["ids"] = await all_ids(conn)
    broken = await invariants(service, conn, state["seen"])
    assert not broken, (variables, broken)


_state: dict = {}
_messages: dict = {}


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    for key in list(_state):
        _state.pop(key)
    if not _totals:
        return
    tried = sum(t["tried"] for t in _totals.values())
    applied = sum(t["applied"] for t in _totals.values())
    refused = sum(t["refused"] for t in _totals.values())
    bad = sum(t["bad"] for t in _totals.values())
    never_applied = sorted(k for k, t in _totals.items() if not t["applied"])
    record("10", f"hypothesis: {len(_totals)} mutations x {EXAMPLES} drawn inputs and callers = {tried} requests "
                 "(strings with NUL/control chars, huge/negative ints, malformed Money/Date, IDs of this/another district/garbage)",
           "applied with invariants (budget never overdrawn, disbursed = paid tranches <= grant, recovery <= disbursed, "
           "no negative fen, phases/stages only forward) or refused with a labelled code and no table changed; never 500",
           f"{applied} applied, {refused} refused (tables unchanged), {bad} unlabelled/500; "
           f"{len(never_applied)} mutations never applied by a random input", bad == 0)
    _totals.clear()


def test_zz_refusal_mix():
    """Not a check: prints what refused the drawn inputs most often (run with -s)."""
    for key, n in sorted(_messages.items(), key=lambda kv: -kv[1])[:25]:
        print(n, key)
