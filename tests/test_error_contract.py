"""One error contract through the gateway, in development and in production: input errors carry their
full field path and come alone; production hides the details of INTERNAL errors only."""

from __future__ import annotations

import json

import jwt
import pytest

from services.common.tests.test_credentials import JWKS, RSA_KEY, claims
from services.funding.domain import round as rounds
from tests.platform import running_gateway, running_subgraphs
from tests.support import DAOLI, HARBIN

from .test_gateway_edge import onboard

OPEN = "mutation($input: OpenRoundInput!) { openRound(input: $input) { id } }"
ROUND = {"name": "测试创投", "year": 2024, "budget": "200000.00", "criteria": [{"name": "可行性", "weight": 100}]}
ADVANCE = "mutation($id: ID!, $to: Phase!) { advanceRound(id: $id, to: $to) { id } }"


def errors_of(body: dict) -> list[tuple[str, str | None]]:
    return [(e["extensions"]["code"], e["extensions"].get("field")) for e in body["errors"]]


@pytest.mark.parametrize(("query", "variables", "field"), [
    (OPEN, {"input": {**ROUND, "budget": "100"}}, "input.budget"),
    ('mutation { openRound(input: {name: "x", year: 2024, budget: "1.234", criteria: []}) { id } }', None, "input.budget"),
    ('mutation { scheduleTranche(input: {projectId: "x", amount: "1.00", dueOn: "2024-13-01"}) { id } }', None,
     "input.dueOn"),
    ("mutation($input: RecordNeedInput!) { recordNeed(input: $input) { id } }",
     {"input": {"roundId": "x", "subdistrict": "a", "community": "b", "category": "ASTRONAUTS",
                "method": "QUESTIONNAIRE", "description": "d"}}, "input.category"),
    ("{ organizations(filter: {status: SLEEPING}) { totalCount } }", None, "filter.status"),
    ("query($c: String) { organizations(filter: {community: $c}) { totalCount } }", {"c": "共乐\x00社区"},
     "c"),
    (OPEN, {"input": {**ROUND, "criteria": [{"name": "可行\x00性", "weight": 100}]}}, "input.criteria.0.name"),
])
async def test_a_bad_value_through_the_gateway_is_one_bad_user_input_with_its_path(gateway, query, variables, field):
    tokens = await onboard(gateway)
    body = (await gateway.post(query, variables, token=tokens[DAOLI])).json()
    assert errors_of(body) == [("BAD_USER_INPUT", field)], body


def rs256(**overrides) -> str:
    return jwt.encode(claims(**overrides), RSA_KEY, algorithm="RS256", headers={"kid": "city-rsa-1"})


@pytest.fixture
async def production(databases, broker, monkeypatch, tmp_path):
    """The three subgraphs and the gateway as production runs them: CIVIC_ENV=production, the IdP's keys."""
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(JWKS))
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.setenv("AUTH_JWKS_FILE", str(jwks))
    from tests.conftest import Portal

    async with running_subgraphs(workers=False) as urls, running_gateway(urls) as base:
        portal = Portal(base)
        city = rs256(roles=["city_admin"], district=None, city=HARBIN)
        await portal.ok("mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code } }",
                        {"input": {"code": DAOLI, "name": "道里区", "cityCode": HARBIN}}, token=city)
        yield portal
        await portal.http.aclose()


async def test_production_keeps_message_and_field_of_refusals_and_hides_internal_details(production, monkeypatch):
    admin = rs256()
    bad = (await production.post(OPEN, {"input": {**ROUND, "budget": "100"}}, token=admin)).json()
    assert errors_of(bad) == [("BAD_USER_INPUT", "input.budget")]
    assert "exactly two decimals" in bad["errors"][0]["message"]
    literal = (await production.post("{ organizations(filter: {status: SLEEPING}) { totalCount } }", token=admin)).json()
    assert errors_of(literal) == [("BAD_USER_INPUT", "filter.status")] and "SLEEPING" in literal["errors"][0]["message"]
    round_id = (await production.ok(OPEN, {"input": ROUND}, token=admin))["openRound"]["id"]
    conflict = (await production.post(ADVANCE, {"id": round_id, "to": "AWARDED"}, token=admin)).json()
    assert conflict["errors"][0]["extensions"] == {"code": "CONFLICT", "field": "to", "phase": "NEEDS_INTAKE",
                                                   "serviceName": "funding"}
    assert "next phase is LIBRARY" in conflict["errors"][0]["message"]
    missing = (await production.post(ADVANCE, {"id": "00000000-0000-0000-0000-000000000000", "to": "LIBRARY"},
                                     token=admin)).json()
    assert errors_of(missing) == [("NOT_FOUND", "id")] and "funding round" in missing["errors"][0]["message"]
    garbage = await production.post("{ fundingRounds { totalCount } }", token="garbage")
    assert garbage.status_code == 401 and garbage.json()["errors"][0]["message"] == "the token is not a valid JWT"

    async def defect(*args, **kwargs):
        raise RuntimeError("password=hunter2 at 10.0.0.7")
    monkeypatch.setattr(rounds, "open_round", defect)
    internal = (await production.post(OPEN, {"input": ROUND}, token=admin)).json()
    assert errors_of(internal) == [("INTERNAL_SERVER_ERROR", None)]
    assert "hunter2" not in json.dumps(internal) and "10.0.0.7" not in json.dumps(internal)
