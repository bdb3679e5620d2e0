"""Events in and out: redelivery acts once; a violation reaches the broker once; overdue is reported once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import aio_pika

from services.common.kernel.config import amqp_url
from services.common.events.topology import declare_exchanges
from tests.support import DAOLI, token, wait_until
from services.common.runtime.workers import ServiceWorkers
from services.evaluation.domain import check_overdue_rectifications
from services.evaluation.service import service

from .operations import CRITERIA, EVALUATION, FINDING, OPEN_PHASE, awarded, in_days, onboarded

LIST = "{ evaluations { totalCount edges { node { projectId phases { phase } } } } }"


async def test_the_same_award_envelope_handled_twice_creates_one_evaluation(evaluation, consumer):
    envelope = awarded(str(uuid.uuid4()))
    assert await consumer.handle(envelope) is True
    assert await consumer.handle(envelope) is False
    # Funding re-announcing the award under a new event id still gives the project one evaluation.
    assert await consumer.handle(awarded(envelope.data["projectId"])) is True
    listed = (await evaluation.ok(LIST, token=token(DAOLI, "bureau_admin")))["evaluations"]
    assert listed["totalCount"] == 1
    assert [p["phase"] for p in listed["edges"][0]["node"]["phases"]] == ["INITIAL", "MIDTERM", "FINAL"]


async def test_the_same_message_published_twice_is_handled_once_by_the_running_workers(evaluation, databases):
    workers = ServiceWorkers(service)
    await workers.start()
    try:
        envelope = awarded(str(uuid.uuid4()))
        connection = await aio_pika.connect(amqp_url())
        async with connection:
            channel = await connection.channel()
            exchange = await declare_exchanges(channel)
            for _ in range(2):
                await exchange.publish(aio_pika.Message(body=envelope.to_bytes(), message_id=envelope.id),
                                       routing_key=envelope.type)
        await wait_until(lambda: _settled(workers, 2))
    finally:
        await workers.stop()
    assert (workers.consumer.handled, workers.consumer.duplicates) == (1, 1)
    listed = (await evaluation.ok(LIST, token=token(DAOLI, "bureau_admin")))["evaluations"]
    assert listed["totalCount"] == 1
    assert await databases["evaluation"].fetchval("SELECT count(*) FROM evaluation_phase") == 3


async def _settled(workers: ServiceWorkers, deliveries: int) -> bool:
    return workers.consumer.handled + workers.consumer.duplicates >= deliveries


async def test_a_violation_finding_puts_exactly_one_violation_message_on_the_broker(evaluation, tendered):
    r = tendered
    connection = await aio_pika.connect(amqp_url())
    async with connection:
        channel = await connection.channel()
        exchange = await declare_exchanges(channel)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, routing_key="evaluation.violation.found")
        workers = ServiceWorkers(service)
        await workers.start()
        try:
            await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA},
                                token=r.evaluator)
            made = await evaluation.ok(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
                "severity": "VIOLATION", "description": "挪用项目资金购买办公设备", "amountAtIssue": "8000.00"}},
                token=r.evaluator)
            message = await wait_until(lambda: queue.get(fail=False), timeout=10)
            await message.ack()
            await asyncio.sleep(0.5)  # give a duplicate publish time to arrive
            assert await queue.get(fail=False) is None
        finally:
            await workers.stop()
    body = json.loads(message.body)
    assert message.routing_key == "evaluation.violation.found" and body["producer"] == "evaluation"
    assert body["district"] == DAOLI
    assert body["data"] == {"evaluationId": r.evaluation_id, "projectId": r.project_id,
                            "findingId": made["recordFinding"]["id"], "amountFen": 800000,
                            "description": "挪用项目资金购买办公设备"}


async def test_an_overdue_rectification_is_reported_once_by_the_periodic_check(evaluation, consumer, tendered, databases):
    r = tendered
    await consumer.handle(onboarded(DAOLI, "道里区"))
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA}, token=r.evaluator)
    made = await evaluation.ok(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
        "severity": "MAJOR", "description": "财务凭证缺失", "rectificationDeadline": in_days(10)}}, token=r.evaluator)
    rectification = made["recordFinding"]["rectification"]
    assert await check_overdue_rectifications(dt.datetime.now(dt.timezone.utc)) == []
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=11)
    assert [str(x.id) for x in await check_overdue_rectifications(later)] == [rectification["id"]]
    assert await check_overdue_rectifications(later + dt.timedelta(days=1)) == []
    rows = await databases["evaluation"].fetch("SELECT payload FROM outbox WHERE type = 'evaluation.rectification.overdue'")
    assert len(rows) == 1
    data = json.loads(rows[0]["payload"])["data"]
    assert data == {"evaluationId": r.evaluation_id, "projectId": r.project_id, "rectificationId": rectification["id"],
                    "findingId": made["recordFinding"]["id"],
                    "deadline": dt.datetime.fromisoformat(rectification["deadline"]).isoformat()}
    seen = (await evaluation.ok(EVALUATION, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]
    assert seen["rectifications"] == [{"status": "OVERDUE"}]


async def test_the_bureau_can_run_the_overdue_check_for_its_district(evaluation, tendered, databases):
    r = tendered
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA}, token=r.evaluator)
    await evaluation.ok(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
        "severity": "MAJOR", "description": "活动记录造假", "rectificationDeadline": in_days(3)}}, token=r.evaluator)
    check = "mutation { checkOverdueRectifications { id status } }"
    assert (await evaluation.ok(check, token=r.bureau))["checkOverdueRectifications"] == []
    # Time passes: the deadline is now behind us.
    await databases["evaluation"].execute("UPDATE rectification SET deadline = now() - interval '1 hour'")
    first = (await evaluation.ok(check, token=r.bureau))["checkOverdueRectifications"]
    assert [x["status"] for x in first] == ["OVERDUE"]
    assert (await evaluation.ok(check, token=r.bureau))["checkOverdueRectifications"] == []
    assert await databases["evaluation"].fetchval(
        "SELECT count(*) FROM outbox WHERE type = 'evaluation.rectification.overdue'") == 1
    refused = await evaluation.error(check, token=r.evaluator)
    assert refused["extensions"]["code"] == "FORBIDDEN"
