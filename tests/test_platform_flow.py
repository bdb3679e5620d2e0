"""One project's life across all three services, seen through the gateway as a district portal sees it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import websockets

from services.common.data.tenancy import tenant_transaction
from tests.support import DAOLI, HARBIN, token, wait_until
from services.evaluation.tests.operations import BID, DECIDE, FINDING, INSPECT, OPEN_PHASE, OPEN_TENDER, REGISTER_AGENCY, CRITERIA, credit, inspection
from services.funding.domain import check_overdue_recoveries
from services.funding.models import KnownOrganization
from services.funding.tests.flow import DISBURSE, TODAY_DATE, awarded_project

from .platform import running_gateway
from .test_gateway_edge import REGISTER, onboard, organization

ALERTS = """subscription { fundRecoveryAlerts { kind district amount reason
  order { id status amount } project { title } organization { name } } }"""


async def _known_to_funding(org_id: str) -> bool:
    async with tenant_transaction("funding", [DAOLI]):
        return await KnownOrganization.filter(id=org_id).exists()


async def _evaluation_of(gateway, bureau: str, project_id: str) -> str | None:
    data = await gateway.ok("{ evaluations { edges { node { id projectId } } } }", token=bureau)
    found = [e["node"]["id"] for e in data["evaluations"]["edges"] if e["node"]["projectId"] == project_id]
    return found[0] if found else None


async def _tender(gateway, bureau: str, round_id: str) -> str | None:
    """Evaluation hears of the round from funding.round.opened, a moment after it opened: NOT_FOUND until then."""
    body = (await gateway.post(OPEN_TENDER, {"input": {"roundId": round_id, "roundName": "测试创投"}}, token=bureau)).json()
    errors = body.get("errors")
    if errors and errors[0]["extensions"]["code"] == "NOT_FOUND":
        return None
    assert not errors, errors
    return body["data"]["openEvaluationTender"]["id"]


async def _awarded_and_evaluated(gateway) -> dict:
    """A registered organization, awarded a project, paid a tranche, with an agency evaluating it."""
    tokens = await onboard(gateway)
    bureau = tokens[DAOLI]
    org = (await gateway.ok(REGISTER, organization(1), token=bureau))["registerOrganization"]
    await wait_until(lambda: _known_to_funding(org["id"]))
    ids = await awarded_project(gateway, bureau, DAOLI, org["id"])
    await gateway.ok(DISBURSE, {"id": ids["tranches"][0]}, token=bureau)
    agency = (await gateway.ok(REGISTER_AGENCY, {"input": {"name": "哈尔滨评估公司", "creditCode": credit(1)}},
                               token=bureau))["registerEvaluationAgency"]["id"]
    tender = await wait_until(lambda: _tender(gateway, bureau, ids["round"]))
    await gateway.ok(BID, {"tenderId": tender, "input": {"agencyId": agency, "price": "50000.00"}}, token=bureau)
    await gateway.ok(DECIDE, {"tenderId": tender, "agencyId": agency, "reason": "唯一合格投标"}, token=bureau)
    evaluation_id = await wait_until(lambda: _evaluation_of(gateway, bureau, ids["project"]))
    return {"bureau": bureau, "org": org, "evaluation": evaluation_id,
            "evaluator": token(DAOLI, "evaluator", agency=agency), **ids}


async def _find_violation(gateway, flow: dict, amount: str) -> None:
    ev, evaluator = flow["evaluation"], flow["evaluator"]
    await gateway.ok(OPEN_PHASE, {"id": ev, "phase": "INITIAL", "criteria": CRITERIA}, token=evaluator)
    await gateway.ok(INSPECT, {"id": ev, "phase": "INITIAL", "input": inspection("SITE_VISIT")}, token=evaluator)
    await gateway.ok(FINDING, {"id": ev, "phase": "INITIAL", "input": {
        "severity": "VIOLATION", "description": "虚列劳务费", "amountAtIssue": amount}}, token=evaluator)


async def test_a_violation_found_in_evaluation_reaches_funding_and_the_subscribers(gateway, subgraphs):
    flow = await _awarded_and_evaluated(gateway)
    ws_url = gateway.base.replace("http", "ws") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {flow['bureau']}"}}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ALERTS}}))
        await asyncio.sleep(0.2)
        await _find_violation(gateway, flow, "5000.00")
        message = json.loads(await asyncio.wait_for(ws.recv(), 20))
    assert message["type"] == "next" and message["id"] == "1"
    alert = message["payload"]["data"]["fundRecoveryAlerts"]
    assert alert["kind"] == "ORDERED" and alert["district"] == DAOLI and alert["amount"] == "5000.00"
    assert alert["order"]["status"] == "OPEN" and alert["order"]["amount"] == "5000.00"
    assert alert["project"] == {"title": "助老食堂"}
    assert alert["organization"] == {"name": "道里为老服务中心1"}


OVERDUE_ALERTS = "subscription { fundRecoveryAlerts { kind amount deadline order { id status outstanding } } }"
ORDER = """mutation($input: OrderRecoveryInput!) { orderRecovery(input: $input) { id } }"""
SETTLE_PART = """mutation($id: ID!) { settleRecovery(id: $id, input: {paymentReference: "PAY-7", amount: "400.00"}) { id } }"""


async def test_a_recovery_past_its_deadline_raises_one_overdue_alert_on_the_same_subscription(gateway, subgraphs):
    flow = await _awarded_and_evaluated(gateway)
    deadline = (TODAY_DATE + dt.timedelta(days=10)).isoformat()
    ws_url = gateway.base.replace("http", "ws") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {flow['bureau']}"}}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": OVERDUE_ALERTS}}))
        await asyncio.sleep(0.2)
        order = (await gateway.ok(ORDER, {"input": {"projectId": flow["project"], "amount": "1000.00", "reason": "违规",
                                                    "deadline": deadline}}, token=flow["bureau"]))["orderRecovery"]["id"]
        await gateway.ok(SETTLE_PART, {"id": order}, token=flow["bureau"])
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=11)
        assert len(await check_overdue_recoveries(later, [DAOLI])) == 1
        assert await check_overdue_recoveries(later, [DAOLI]) == []
        kinds = [json.loads(await asyncio.wait_for(ws.recv(), 20))["payload"]["data"]["fundRecoveryAlerts"]
                 for _ in range(2)]
    assert [k["kind"] for k in kinds] == ["ORDERED", "OVERDUE"]
    overdue = kinds[1]
    assert (overdue["amount"], overdue["deadline"]) == ("600.00", deadline)
    assert overdue["order"] == {"id": order, "status": "OPEN", "outstanding": "600.00"}


async def test_queries_cross_all_three_subgraphs_both_ways(gateway):
    flow = await _awarded_and_evaluated(gateway)
    await _find_violation(gateway, flow, "3000.00")

    async def recovery_ordered():
        data = await gateway.ok("query($id: ID!) { project(id: $id) { recoveryOrders { id } } }",
                                {"id": flow["project"]}, token=flow["bureau"])
        return data["project"]["recoveryOrders"]

    await wait_until(recovery_ordered)
    down = await gateway.ok("""query($id: ID!) { organization(id: $id) { name projects { title grant
        recoveryOrders { amount status source } evaluations { findings { severity } } } } }""",
                            {"id": flow["org"]["id"]}, token=flow["bureau"])
    assert down["organization"] == {"name": "道里为老服务中心1", "projects": [{
        "title": "助老食堂", "grant": "100000.00",
        "recoveryOrders": [{"amount": "3000.00", "status": "OPEN", "source": "EVALUATION"}],
        "evaluations": [{"findings": [{"severity": "VIOLATION"}]}]}]}
    up = await gateway.ok("query($id: ID!) { evaluation(id: $id) { project { title organization { name status } } } }",
                          {"id": flow["evaluation"]}, token=flow["bureau"])
    assert up["evaluation"]["project"] == {"title": "助老食堂", "organization": {"name": "道里为老服务中心1", "status": "ACTIVE"}}
    nangang = await gateway.ok("query($id: ID!) { evaluation(id: $id) { id } project(id: $p) { id } }".replace(
        "query($id: ID!)", "query($id: ID!, $p: ID!)"), {"id": flow["evaluation"], "p": flow["project"]},
        token=token("230103", "bureau_admin"))
    assert nangang == {"evaluation": None, "project": None}


async def test_the_city_overview_has_one_row_per_district(gateway):
    flow = await _awarded_and_evaluated(gateway)
    city = token(None, "city_admin", city=HARBIN)
    rows = (await gateway.ok("""query($c: String!) { cityOverview(cityCode: $c) { districtCode districtName
        organizations projects committed disbursed openRecoveryOrders } }""", {"c": HARBIN}, token=city))["cityOverview"]
    assert rows == [
        {"districtCode": DAOLI, "districtName": "道里区", "organizations": 1, "projects": 1, "committed": "100000.00",
         "disbursed": "60000.00", "openRecoveryOrders": 0},
        {"districtCode": "230103", "districtName": "南岗区", "organizations": 0, "projects": 0, "committed": "0.00",
         "disbursed": "0.00", "openRecoveryOrders": 0},
    ]
    refused = (await gateway.post('{ cityOverview(cityCode: "2301") { districtCode } }', token=flow["bureau"])).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_with_one_subgraph_down_the_rest_still_answers_with_errors_at_the_right_paths(gateway, subgraphs):
    flow = await _awarded_and_evaluated(gateway)
    dead = dict(subgraphs, evaluation="http://127.0.0.1:9/graphql")
    async with running_gateway(dead, alerts=False) as base:
        from .conftest import Portal

        partial = Portal(base)
        body = (await partial.post("query($o: ID!, $e: ID!) { organization(id: $o) { name } evaluation(id: $e) { id } }",
                                   {"o": flow["org"]["id"], "e": flow["evaluation"]}, token=flow["bureau"])).json()
        await partial.http.aclose()
    assert body["data"] == {"organization": {"name": "道里为老服务中心1"}, "evaluation": None}
    assert [error["path"] for error in body["errors"]] == [["evaluation"]]


async def test_the_city_overview_answers_for_a_city_of_40_districts(gateway):
    from .test_gateway_edge import ONBOARD

    city = token(None, "city_admin", city=HARBIN)
    codes = [f"2301{n:02d}" for n in range(40, 80)]
    for code in codes:
        await gateway.ok(ONBOARD, {"input": {"code": code, "name": f"区{code}", "cityCode": HARBIN}}, token=city)

    async def overview():
        body = (await gateway.post('{ cityOverview(cityCode: "2301") { districtCode organizations projects } }',
                                   token=city)).json()
        rows = (body.get("data") or {}).get("cityOverview") or []
        # every service must have heard of every district before the overview can cover them all
        return rows if not body.get("errors") and len(rows) == len(codes) else None

    rows = await wait_until(overview, timeout=30)
    assert sorted(r["districtCode"] for r in rows) == codes
    assert all(r["organizations"] == 0 and r["projects"] == 0 for r in rows)
