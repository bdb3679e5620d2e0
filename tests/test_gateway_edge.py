"""The gateway's edge: tokens, tenancy and limits, in front of the three real subgraphs."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from services.common.kernel.credit_code import make_credit_code
from tests.places import seed_gazetteer
from tests.support import DAOLI, HARBIN, NANGANG, token

ONBOARD = "mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code } }"
REGISTER = """mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id name creditCode } }"""


async def onboard(gateway) -> dict[str, str]:
    city = token(None, "city_admin", city=HARBIN)
    for code, name in ((DAOLI, "道里区"), (NANGANG, "南岗区")):
        await gateway.ok(ONBOARD, {"input": {"code": code, "name": name, "cityCode": HARBIN}}, token=city)
        await seed_gazetteer(gateway, token(code, "bureau_admin"), code)
    return {DAOLI: token(DAOLI, "bureau_admin"), NANGANG: token(NANGANG, "bureau_admin")}


def organization(n: int) -> dict:
    return {"input": {"name": f"道里为老服务中心{n}", "registration": "REGISTERED", "category": "ELDERLY_CARE",
                      "creditCode": make_credit_code(DAOLI, n), "subdistrict": "新阳路街道"}}


async def test_a_mutation_and_a_query_pass_through_the_gateway(gateway):
    tokens = await onboard(gateway)
    created = (await gateway.ok(REGISTER, organization(1), token=tokens[DAOLI]))["registerOrganization"]
    read = await gateway.ok("query($id: ID!) { organization(id: $id) { name creditCode } }", {"id": created["id"]},
                            token=tokens[DAOLI])
    assert read["organization"] == {"name": "道里为老服务中心1", "creditCode": created["creditCode"]}


async def test_without_a_token_the_gateway_answers_401_before_any_subgraph(gateway):
    response = await gateway.post("{ organizations { totalCount } }")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    forged = await gateway.post("{ organizations { totalCount } }", token="not.a.token")
    assert forged.status_code == 401


async def test_public_notices_need_no_token(gateway):
    await onboard(gateway)
    response = await gateway.post('{ publicNotices(district: "230102") { __typename } }')
    assert response.status_code == 200
    assert response.json() == {"data": {"publicNotices": []}}


async def test_a_token_of_another_district_sees_nothing_of_this_one(gateway):
    tokens = await onboard(gateway)
    created = (await gateway.ok(REGISTER, organization(2), token=tokens[DAOLI]))["registerOrganization"]
    seen = await gateway.ok("query($id: ID!) { organization(id: $id) { id } organizations { totalCount } }",
                            {"id": created["id"]}, token=tokens[NANGANG])
    assert seen == {"organization": None, "organizations": {"totalCount": 0}}


async def test_abusive_queries_are_refused_at_the_edge(gateway):
    tokens = await onboard(gateway)
    deep = "{ organizations { edges { node { projects { organization { projects { organization { projects { organization { projects { organization { projects { organization { projects { organization { id } } } } } } } } } } } } } } } }"
    refused = await gateway.post(deep, token=tokens[DAOLI])
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "MAX_DEPTH_EXCEEDED"
    aliases = "{ " + " ".join(f"a{i}: organizations {{ totalCount }}" for i in range(40)) + " }"
    assert (await gateway.post(aliases, token=tokens[DAOLI])).json()["errors"][0]["extensions"]["code"] == "MAX_ALIASES_EXCEEDED"
    get_mutation = await gateway.http.get("/graphql", params={"query": "mutation { __typename }"},
                                          headers={"Authorization": f"Bearer {tokens[DAOLI]}"})
    assert get_mutation.status_code == 405
    batch = await gateway.http.post("/graphql", json=[{"query": "{ __typename }"}],
                                    headers={"Authorization": f"Bearer {tokens[DAOLI]}"})
    assert batch.json()["errors"][0]["extensions"]["code"] == "BATCHING_NOT_ENABLED"


async def test_probes_and_metrics_report_the_gateway_and_its_subgraph_fetches(gateway):
    tokens = await onboard(gateway)
    await gateway.ok("{ organizations { totalCount } }", token=tokens[DAOLI])
    assert (await gateway.http.get("/healthz")).json()["status"] == "ok"
    ready = await gateway.http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"ready": True, "openCircuits": []}
    metrics = (await gateway.http.get("/metrics")).text
    assert 'gateway_subgraph_fetches_total{outcome="ok",subgraph="registry"}' in metrics
    assert "civic_gateway_request_seconds_bucket" in metrics


async def test_graphiql_is_served_to_browsers_in_development(gateway):
    page = await gateway.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


async def test_a_token_mixing_the_city_role_with_a_district_role_is_refused_with_401(gateway):
    """The city role would widen what the district role may touch: such a token is no token at all."""
    for refused in (token(NANGANG, "city_admin", "bureau_admin"), token(NANGANG, "city_admin"),
                    token(None, "city_admin", "bureau_admin", city=HARBIN)):
        response = await gateway.post("{ organizations { totalCount } }", token=refused)
        assert response.status_code == 401
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAUTHENTICATED" and "city_admin token" in error["message"]


async def test_malformed_claims_are_401_in_plain_words_never_500(gateway):
    from services.common.tests.test_credentials import claims, hs256

    for odd in ({"roles": [["bureau_admin"]]}, {"sub": 7}, {"district": 230102}, {"exp": "9999999999"},
                {"iat": None}):
        response = await gateway.post("{ organizations { totalCount } }", token=hs256(claims(**odd)))
        assert response.status_code == 401, odd
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    garbled = await gateway.post("{ organizations { totalCount } }", token="eyJhbGciOiJIUzI1NiJ9.e30.x")
    assert garbled.status_code == 401
    assert garbled.json()["errors"][0]["message"] == "the token is not a valid JWT"


async def test_a_subscription_closes_with_4403_when_its_token_expires(gateway, monkeypatch):
    monkeypatch.setenv("AUTH_JWT_LEEWAY_SECONDS", "0")
    await onboard(gateway)
    short = token(DAOLI, "bureau_admin", ttl_seconds=2)
    ws_url = gateway.base.replace("http", "ws") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {short}"}}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription { fundRecoveryAlerts { kind } }"}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4403
    # The expired token opens no new socket either.
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {short}"}}))
        with pytest.raises(websockets.ConnectionClosed) as refused:
            await asyncio.wait_for(ws.recv(), 10)
    assert refused.value.rcvd.code == 4403


async def test_the_gateway_serves_the_asyncapi_contract_without_a_token(gateway):
    from services.contracts.asyncapi import DEFAULT_OUT

    response = await gateway.http.get("/asyncapi.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert response.text == DEFAULT_OUT.read_text()
    assert "funding.recovery.overdue" in response.json()["channels"]
