"""Events leave the registry through the outbox: one per change, none for a refused change."""

from __future__ import annotations

import asyncio

import aio_pika
import orjson

from services.common.kernel.config import amqp_url
from services.common.events.topology import EXCHANGE, declare_exchanges
from services.common.data.tenancy import tenant_transaction
from tests.support import DAOLI, collect, wait_until, every_district
from services.registry.models import OutboxEvent
from services.common.runtime.workers import ServiceWorkers
from services.registry.service import service

from .test_organizations import REGISTER, registered


async def _listen(routing_key: str):
    connection = await aio_pika.connect(amqp_url())
    channel = await connection.channel()
    await declare_exchanges(channel)
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(EXCHANGE, routing_key=routing_key)
    return connection, queue


async def _all_sent() -> bool:
    async with tenant_transaction("registry", [DAOLI]):
        return await OutboxEvent.all(using_db=every_district("registry")).filter(sent_at__isnull=True).count() == 0 and await OutboxEvent.all(using_db=every_district("registry")).count() > 0


async def test_a_registration_publishes_exactly_one_event_with_the_envelope(registry, districts):
    connection, queue = await _listen("registry.organization.*")
    workers = ServiceWorkers(service)
    await workers.start()
    try:
        org = (await registry.ok(REGISTER, registered(1), token=districts[DAOLI]))["registerOrganization"]
        bad = registered(2)
        bad["input"]["name"] = ""
        await registry.error(REGISTER, bad, token=districts[DAOLI])
        await wait_until(_all_sent)
        messages = await collect(queue)
    finally:
        await workers.stop()
        await connection.close()
    assert len(messages) == 1
    message = messages[0]
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    envelope = orjson.loads(message.body)
    assert set(envelope) == {"id", "type", "district", "occurredAt", "producer", "data"}
    assert envelope["type"] == "registry.organization.registered" == message.routing_key
    assert envelope["district"] == DAOLI
    assert envelope["producer"] == "registry"
    assert envelope["data"]["id"] == org["id"]
    assert envelope["data"]["creditCode"] == org["creditCode"]
    assert message.message_id == envelope["id"]
