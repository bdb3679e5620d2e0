"""Every event type, as its producer really writes it, read by its consumer's parser.

One project's life through the gateway makes each of the platform's events; the payloads are then taken
from the producers' outboxes (what the relay publishes) and parsed by the contract each consuming
service's handler table declares. A producer and a consumer that drift apart fail here, not in the DLQ.
"""

from __future__ import annotations

import datetime as dt
import importlib

import orjson

from tests.support import DAOLI, HARBIN, token, wait_until
from services.contracts import CONTRACTS
from services.evaluation.domain import check_overdue_rectifications
from services.evaluation.tests.operations import COMPLETE, FINDING, OPEN_PHASE, CRITERIA, INSPECT, inspection, scores
from services.common.data.tenancy import tenant_transaction
from services.funding.domain import check_overdue_recoveries
from services.funding.models import KnownOrganization, OrganizationStatus
from services.funding.tests.flow import OPEN, RECORD, SETTLE, TODAY
from services.funding.tests.test_bureau_rules import CANCEL
from services.funding.tests.test_refusals import open_input

from .test_platform_flow import _awarded_and_evaluated, _find_violation

CONSUMERS = ("funding", "evaluation")  # registry consumes nothing; the gateway's alerts read funding.recovery.*


async def _every_event(gateway) -> None:
    flow = await _awarded_and_evaluated(gateway)
    bureau, evaluator, ev = flow["bureau"], flow["evaluator"], flow["evaluation"]
    await gateway.ok("""mutation($id: ID!) { changeOrganizationStatus(id: $id, status: SUSPENDED, reason: "年检") { id } }""",
                     {"id": flow["org"]["id"]}, token=bureau)
    await gateway.ok("""mutation($id: ID!) { changeOrganizationStatus(id: $id, status: ACTIVE, reason: "整改完成") { id } }""",
                     {"id": flow["org"]["id"]}, token=bureau)
    await wait_until(lambda: _active_to_funding(flow["org"]["id"]))  # the two status events cross the broker
    member = token(DAOLI, "org_member", org=flow["org"]["id"])
    await gateway.ok(RECORD, {"input": {"projectId": flow["project"], "community": "共乐社区", "beneficiary": "B-1",
                                        "serviceDate": TODAY, "personTimes": 2}}, token=member)
    await _find_violation(gateway, flow, "1000.00")
    await gateway.ok(FINDING, {"id": ev, "phase": "INITIAL", "input": {
        "severity": "MAJOR", "description": "档案不全",
        "rectificationDeadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()}},
        token=evaluator)
    await gateway.ok(COMPLETE, {"id": ev, "phase": "INITIAL", "scores": scores(50, 35)}, token=evaluator)

    async def ordered():
        data = await gateway.ok("{ recoveryOrders { edges { node { id } } } }", token=bureau)
        return [e["node"]["id"] for e in data["recoveryOrders"]["edges"]]

    [order] = await wait_until(ordered)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=40)  # past the order's default 30-day deadline
    assert len(await check_overdue_recoveries(later, [DAOLI])) == 1
    await gateway.ok(SETTLE, {"id": order}, token=bureau)
    await check_overdue_rectifications(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3), [DAOLI])
    # A second round, edited while intake is open: funding.round.changed.
    second = (await gateway.ok(OPEN, open_input(name="第二期创投"), token=bureau))["openRound"]["id"]
    await gateway.ok(CANCEL, {"id": second, "reason": "与首期重复"}, token=bureau)

    # registry.gazetteer.changed was produced by the seeding (tests/places.py); one more, added now.
    await gateway.ok("""mutation { addGazetteerEntry(input: {kind: SUBDISTRICT, name: "群力街道", code: "230102009000"}) { id } }""",
                     token=bureau)
    await gateway.ok("""mutation { updateDistrict(input: {code: "230102", name: "道里区"}) { code } }""",
                     token=token(None, "city_admin", city=HARBIN))


async def _active_to_funding(org_id: str) -> bool:
    async with tenant_transaction("funding", [DAOLI]):
        return await KnownOrganization.filter(id=org_id, status=OrganizationStatus.ACTIVE).exists()


async def test_each_event_as_produced_parses_with_the_contract_its_consumers_declare(gateway, databases):
    await _every_event(gateway)
    produced: dict[str, list[dict]] = {}
    for service, conn in databases.items():
        for row in await conn.fetch("SELECT type, payload FROM outbox ORDER BY id"):
            envelope = orjson.loads(row["payload"])
            assert envelope["producer"] == service and envelope["type"] == row["type"]
            produced.setdefault(row["type"], []).append(envelope["data"])
    assert set(produced) == set(CONTRACTS), f"not produced: {sorted(set(CONTRACTS) - set(produced))}"
    for event_type, payloads in produced.items():
        readers = {CONTRACTS[event_type]}
        for name in CONSUMERS:
            handler = importlib.import_module(f"services.{name}.service").service.handlers.get(event_type)
            if handler is not None:
                readers.add(handler.contract)
        for contract in readers:
            for data in payloads:
                assert contract.from_data(data).to_data() == data, (event_type, contract)
