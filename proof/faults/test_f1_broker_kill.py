"""Fault 1. SIGKILL RabbitMQ while events are in flight from the outbox, restart it: 0 lost, each effect once.
Fault 2. A consumer dies after its database commit and before its ack: the event comes again and acts once.
Fault 4. Poison messages reach the dead-letter queue after the delivery limit; the rest keep flowing."""

from __future__ import annotations

import asyncio
import time

import aio_pika
import orjson

from services.common.events.consumer import REFUSED_HEADER
from services.common.events.envelope import Envelope
from services.common.events.topology import dead_letter_queue_name, queue_name
from services.common.kernel.tasks import cancel_and_wait
from services.funding.models import InboxEvent
from services.registry.models import OutboxEvent

from .. import eventkit as kit
from ..report import full, record


QUEUE_SETTLE_SECONDS = 2


async def _reset(stack) -> None:
    await kit.prepare(stack["pg"].url(database=f"civic_{kit.CONSUMER_DB}"))
    await stack["admin"]["funding"].execute("TRUNCATE inbox")
    await stack["admin"]["registry"].execute("TRUNCATE outbox")


async def test_kill_the_broker_while_events_are_in_flight(stack):
    total = 10_000 if full() else 1_000
    rabbit = stack["rabbit"]
    await _reset(stack)
    admin = stack["admin"]["funding"]
    consumer = kit.consumer(rabbit.url(), InboxEvent)
    await consumer.start()
    relay = kit.relay(rabbit.url(), OutboxEvent, batch_size=200)
    await relay.start()
    await kit.emit(OutboxEvent, total)
    # The queues were declared a moment ago. RabbitMQ 3.10 can fail to recover a quorum queue SIGKILLed
    # within its first second or so (it comes back with a second, leaderless copy and never serves): a
    # broker fault, not the one this proof is about. A deployed platform's queues are long established.
    await asyncio.sleep(QUEUE_SETTLE_SECONDS)
    relay_task = asyncio.create_task(relay.run(), name="proof-relay")
    # Kill once a third has been applied: the rest is in the outbox, in flight to the broker, or queued.
    assert await kit.wait_for(lambda: _applied(admin, total // 3), timeout=120, interval=0.01)
    at_kill = (await kit.tally(admin, total))["applied"]
    rabbit.kill()
    await asyncio.sleep(2)
    restart_took = rabbit.start()
    restarted_at = time.monotonic()
    # recovery: the first effect applied after the restart, and the last
    resumed = True
    done = await kit.wait_for(lambda: _applied(admin, total), timeout=300, interval=0.1)
    all_done = time.monotonic() - restarted_at
    await asyncio.sleep(1)  # let any straggling redelivery arrive
    counts = await kit.tally(admin, total)
    unsent = await stack["admin"]["registry"].fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
    await cancel_and_wait([relay_task])
    await relay.close()
    await consumer.close()
    ok = counts["lost"] == 0 and counts["duplicated"] == 0 and unsent == 0 and bool(done)
    record("F1", f"SIGKILL RabbitMQ with {total:,} events emitted ({at_kill:,} applied at the kill); restart after 2 s",
           "0 lost, 0 effects applied twice (inbox absorbs redeliveries), outbox drained",
           f"lost {counts['lost']}, applied twice {counts['duplicated']}, duplicates absorbed by the inbox "
           f"{consumer.duplicates} (re-published: the relay's batch in flight at the kill was not marked sent), "
           f"flagged redelivered {consumer.redelivered}; broker back in {restart_took:.1f} s, "
           f"all applied {all_done:.1f} s after restart; unsent {unsent}",
           ok, lost=counts["lost"], duplicated=counts["duplicated"], redelivered=consumer.redelivered,
           all_applied_s=round(all_done, 2))
    assert resumed and done, counts
    assert ok, counts


async def _applied(admin, n: int) -> bool:
    return (await admin.fetchval("SELECT count(DISTINCT event_id) FROM proof_effect")) >= n


class DiesBeforeAck(kit.CountingConsumer):
    """Commits the effect and its inbox row, then never acks: the test then drops its connection (the crash)."""

    committed: asyncio.Event

    async def on_message(self, message) -> None:
        await self.handle(Envelope.from_bytes(message.body))
        self.committed.set()


async def test_a_consumer_that_dies_after_commit_before_ack(stack):
    rabbit = stack["rabbit"]
    await _reset(stack)
    admin = stack["admin"]["funding"]
    dying = kit.consumer(rabbit.url(), InboxEvent, cls=DiesBeforeAck, prefetch=1)
    dying.committed = asyncio.Event()
    await dying.start()
    relay = kit.relay(rabbit.url(), OutboxEvent)
    await relay.start()
    [event_id] = await kit.emit(OutboxEvent, 1)
    await relay.relay_once()
    await asyncio.wait_for(dying.committed.wait(), 20)
    await dying.close()  # the consumer process dies: its delivery was never acked
    survivor = kit.consumer(rabbit.url(), InboxEvent)
    await survivor.start()
    await kit.wait_for(lambda: _value(lambda: survivor.duplicates), timeout=20)
    await asyncio.sleep(0.5)
    counts = await kit.tally(admin, 1)
    inbox = await admin.fetchval("SELECT count(*) FROM inbox WHERE consumer = 'proof'")
    await survivor.close()
    await relay.close()
    ok = counts["applied"] == 1 and counts["duplicated"] == 0 and survivor.redelivered == 1 and survivor.duplicates == 1
    record("F2", "consumer commits the effect and its inbox row, then its connection dies before the ack",
           "the event is delivered again (redelivered) and acts once",
           f"redelivered {survivor.redelivered}, absorbed by the inbox {survivor.duplicates}, effect rows "
           f"{counts['applied'] + counts['duplicated']}, inbox rows {inbox}", ok)
    assert ok, (counts, survivor.redelivered, survivor.duplicates)


async def _value(fn):
    return fn()


async def test_poison_messages_go_to_the_dead_letter_queue(stack):
    rabbit = stack["rabbit"]
    await _reset(stack)
    admin = stack["admin"]["funding"]

    async def always_fails(envelope: Envelope) -> None:
        if envelope.data.get("poison"):
            raise RuntimeError("this handler always fails for this event")
        await kit.effect([envelope])

    consumer = kit.consumer(rabbit.url(), InboxEvent, handlers={kit.TYPE: always_fails, "proof.other": always_fails})
    await consumer.start()
    good = 200
    connection = await aio_pika.connect(rabbit.url())
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange("civic.events")

    async def publish(body: bytes, key: str = kit.TYPE) -> None:
        await exchange.publish(aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=key)

    started = time.monotonic()
    poison = {
        "malformed JSON": b"{not json",
        "envelope without id": orjson.dumps({"type": kit.TYPE, "district": "230102", "data": {}}),
        "unknown type on a bound key": Envelope(type="proof.unknown", district="230102", producer="proof",
                                                data={"seq": -1}).to_bytes(),
        "handler always fails": Envelope(type=kit.TYPE, district="230102", producer="proof",
                                         data={"seq": -2, "poison": True}).to_bytes(),
    }
    for n in range(good):
        await publish(Envelope(type=kit.TYPE, district="230102", producer="proof", data={"seq": n}).to_bytes())
        if n % 50 == 0:
            for body in poison.values():
                if n == 0:
                    await publish(body)
    await kit.wait_for(lambda: _applied(admin, good), timeout=60)
    flowed = time.monotonic() - started
    dlq = await channel.declare_queue(dead_letter_queue_name("proof"), passive=True)
    dead = []
    deadline = time.monotonic() + 60
    while len(dead) < len(poison) and time.monotonic() < deadline:
        message = await dlq.get(no_ack=True, fail=False)
        if message is None:
            await asyncio.sleep(0.2)
            continue
        dead.append(message)
    queue = await channel.declare_queue(queue_name("proof"), passive=True)
    left = queue.declaration_result.message_count
    await connection.close()
    await consumer.close()
    counts = await kit.tally(admin, good)
    # The consumer's own refusals carry their reason (x-civic-refused); the broker's dead letters x-death's.
    reasons = sorted(str(m.headers.get(REFUSED_HEADER) or ((m.headers.get("x-death") or [{}])[0]).get("reason"))
                     for m in dead)
    ok = len(dead) == len(poison) and counts["applied"] == good and counts["lost"] == 0 and left == 0
    record("F4", f"poison messages ({', '.join(poison)}) among {good} good ones",
           "each poison message in proof.events.dlq (malformed/unknown at once, failing handler after the "
           "delivery limit of 5); the good ones all applied",
           f"{len(dead)}/{len(poison)} in the DLQ (reasons: {', '.join(reasons)}); "
           f"{counts['applied']}/{good} good applied in {flowed:.1f} s; {left} left in the queue", ok)
    assert ok, (len(dead), counts, left)
