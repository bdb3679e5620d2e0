"""The consumer base: a redelivered event acts once; poison messages reach the dead-letter queue."""

from __future__ import annotations

import aio_pika
import pytest

from services.common.kernel.config import amqp_url
from services.common.events import Envelope
from services.common.events.consumer import EventConsumer
from services.common.events.topology import dead_letter_queue_name, declare_consumer_queue, declare_exchanges
from services.common.data.tenancy import tenant_transaction
from tests.support import DAOLI, NANGANG, wait_until
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
    async with tenant_transaction("registry", [DAOLI]):  # the inbox is under row-level security
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


async def test_a_batch_applies_each_new_event_once(databases):
    calls: list = []
    consumer = _consumer(calls)
    seen = Envelope(type="test.recorded", district=DAOLI, producer="test", data={"n": "0"})
    assert await consumer.handle(seen)
    fresh = [Envelope(type="test.recorded", district=DAOLI, producer="test", data={"n": str(i)}) for i in (1, 2)]
    # One handled before, one twice in the same batch: each acts once.
    assert await consumer.handle_many([seen, fresh[0], fresh[1], fresh[0]]) == 2
    assert calls == [seen.id, fresh[0].id, fresh[1].id]
    assert await _effects() == 3
    assert consumer.duplicates == 2


async def test_a_batch_is_refused_mixed_districts(databases):
    consumer = _consumer([])
    events = [Envelope(type="test.recorded", district=d, producer="test", data={"n": d}) for d in (DAOLI, NANGANG)]
    with pytest.raises(ValueError, match="one district"):
        await consumer.handle_many(events)
    assert await databases["registry"].fetchval("SELECT count(*) FROM inbox") == 0  # every district's rows


async def test_events_waiting_in_the_queue_are_applied_in_batches_and_all_acked(databases, broker):
    """Fifty events and one that always fails wait in the queue when the consumer starts: the fifty act once,
    in fewer transactions than events; the failing one reaches the dead-letter queue; nothing stays unacked."""
    calls: list = []
    consumer = _consumer(calls)
    connection = await aio_pika.connect(amqp_url())
    try:
        channel = await connection.channel()
        exchange = await declare_exchanges(channel)
        queue = await declare_consumer_queue(channel, CONSUMER, ["test.recorded", "test.broken"])
        good = [Envelope(type="test.recorded", district=DAOLI, producer="test", data={"n": str(i)}) for i in range(50)]
        for envelope in good[:25]:
            await exchange.publish(aio_pika.Message(envelope.to_bytes()), routing_key="test.recorded")
        broken = Envelope(type="test.broken", district=DAOLI, producer="test", data={})
        await exchange.publish(aio_pika.Message(broken.to_bytes()), routing_key="test.broken")
        for envelope in good[25:]:
            await exchange.publish(aio_pika.Message(envelope.to_bytes()), routing_key="test.recorded")
        await consumer.start()
        dlq = await channel.declare_queue(dead_letter_queue_name(CONSUMER), passive=True)
        await wait_until(lambda: _effects_equal(50), timeout=20)
        await wait_until(lambda: _dead_letters(dlq, 1), timeout=20)
        await consumer.close()
        left = await channel.declare_queue(queue.name, passive=True)  # unacked ones return to the queue on close
    finally:
        await connection.close()
    # A batch that held the failing event rolled back and was applied again one by one: calls repeat,
    # effects do not.
    assert set(calls) == {e.id for e in good}
    assert await _effects() == 50
    assert consumer.transactions < consumer.handled
    assert left.declaration_result.message_count == 0
