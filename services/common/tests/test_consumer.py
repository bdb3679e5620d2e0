"""The consumer base: a redelivered event acts once; poison messages reach the dead-letter queue."""

from __future__ import annotations

import aio_pika

from services.common.config import amqp_url
from services.common.events import Envelope
from services.common.events.consumer import EventConsumer
from services.common.events.topology import dead_letter_queue_name, declare_exchanges
from services.common.tenancy import tenant_transaction
from services.common.testing import DAOLI, wait_until
from services.registry.models import AuditRecord, InboxEvent

CONSUMER = "registry"  # borrows the registry database's inbox; the handlers below are the test's own


def _consumer(calls: list) -> EventConsumer:
    async def record(envelope: Envelope) -> None:
        calls.append(envelope.id)
        await AuditRecord.create(district=envelope.district, actor="test", action=envelope.type,
                                 entity_type="Test", entity_id=envelope.data["n"])

    async def always_fails(envelope: Envelope) -> None:
        raise RuntimeError("this handler never succeeds")

    return EventConsumer(name=CONSUMER, connection="registry", inbox=InboxEvent, amqp_url=amqp_url(),
                         handlers={"test.recorded": record, "test.broken": always_fails})


async def _effects() -> int:
    async with tenant_transaction("registry", [DAOLI]):
        return await AuditRecord.filter(actor="test").count()


async def test_the_same_event_handled_twice_acts_once(databases):
    calls: list = []
    consumer = _consumer(calls)
    envelope = Envelope(type="test.recorded", district=DAOLI, producer="test", data={"n": "1"})
    assert await consumer.handle(envelope) is True
    assert await consumer.handle(envelope) is False
    assert calls == [envelope.id]
    assert await _effects() == 1
    assert await InboxEvent.filter(event_id=envelope.id).count() == 1


async def test_a_message_published_twice_acts_once_and_poison_goes_to_the_dead_letter_queue(databases, broker):
    calls: list = []
    consumer = _consumer(calls)
    await consumer.start()
    connection = await aio_pika.connect(amqp_url())
    try:
        channel = await connection.channel()
        exchange = await declare_exchanges(channel)
        good = Envelope(type="test.recorded", district=DAOLI, producer="test", data={"n": "1"})
        for body, key in [(good.to_bytes(), "test.recorded"), (good.to_bytes(), "test.recorded"),
                          (b"{not json", "test.recorded"),
                          (Envelope(type="test.broken", district=DAOLI, producer="test", data={}).to_bytes(), "test.broken")]:
            await exchange.publish(aio_pika.Message(body), routing_key=key)
        dlq = await channel.declare_queue(dead_letter_queue_name(CONSUMER), passive=True)
        await wait_until(lambda: _dead_letters(dlq, 2), timeout=20)
        after = Envelope(type="test.recorded", district=DAOLI, producer="test", data={"n": "2"})
        await exchange.publish(aio_pika.Message(after.to_bytes()), routing_key="test.recorded")
        await wait_until(lambda: _effects_equal(2))
    finally:
        await consumer.close()
        await connection.close()
    assert calls.count(good.id) == 1
    assert consumer.duplicates == 1


async def _dead_letters(queue, expected: int) -> bool:
    declared = await queue.declare()
    return declared.message_count >= expected


async def _effects_equal(expected: int) -> bool:
    return await _effects() == expected
