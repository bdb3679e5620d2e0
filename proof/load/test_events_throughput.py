"""Load: sustained events through outbox -> relay -> broker -> consumer, with end-to-end latency and 0 lost.
Target (not asserted): 2,000 events/s with p99 under 250 ms. The figures are reported, never timed assertions."""

from __future__ import annotations

import asyncio
import os
import time

from services.funding.models import InboxEvent
from services.registry.models import OutboxEvent

from .. import eventkit as kit
from ..report import full, record

RATE = 2000  # events a second, offered
SECONDS = 30 if full() else 2
PER_TICK = 20  # events per business transaction


async def test_sustained_event_throughput(stack):
    rabbit, admin = stack["rabbit"], stack["admin"]
    await kit.prepare(stack["pg"].url(database="civic_funding"))
    await admin["funding"].execute("TRUNCATE inbox")
    await admin["registry"].execute("TRUNCATE outbox")
    consumer = kit.consumer(rabbit.url(), InboxEvent, prefetch=256)
    await consumer.start()
    relay = kit.relay(rabbit.url(), OutboxEvent, listen_dsn=os.environ["REGISTRY_DATABASE_URL"], batch_size=500)
    await relay.start()
    relay_task = asyncio.create_task(relay.run(), name="proof-relay")
    total = RATE * SECONDS
    interval = PER_TICK / RATE
    started = time.monotonic()
    emitted = 0
    # several writers, as several requests would be
    async def writer(offset: int, step: int) -> None:
        nonlocal emitted
        tick = offset
        while tick * PER_TICK < total:
            due = started + tick * interval
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await kit.emit(OutboxEvent, PER_TICK, start=tick * PER_TICK, batch=PER_TICK)
            emitted += PER_TICK
            tick += step
    await asyncio.gather(*(writer(i, 4) for i in range(4)))
    offered_for = time.monotonic() - started
    done = await kit.wait_for(lambda: _applied(admin["funding"], total), timeout=120, interval=0.1)
    finished = time.monotonic() - started
    counts = await kit.tally(admin["funding"], total)
    lat = await kit.latencies(admin["funding"])
    relay_task.cancel()
    await asyncio.gather(relay_task, return_exceptions=True)
    await relay.close()
    await consumer.close()
    throughput = total / finished
    p50, p99 = kit.percentile(lat, 50), kit.percentile(lat, 99)
    record("L1", f"{total:,} events offered at {RATE:,}/s for {SECONDS} s ({PER_TICK} per business transaction, "
                 "4 writers) through outbox -> relay -> RabbitMQ -> consumer (inbox + effect)",
           "0 lost; target 2,000 events/s with p99 under 250 ms (figures, not asserted)",
           f"{throughput:,.0f} events/s end to end (offered over {offered_for:.1f} s, all applied after {finished:.1f} s); "
           f"latency p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {lat[-1]:.0f} ms; lost {counts['lost']}, "
           f"applied twice {counts['duplicated']}", counts["lost"] == 0 and counts["duplicated"] == 0 and bool(done),
           events_per_s=round(throughput), p50_ms=round(p50, 1), p99_ms=round(p99, 1))
    record("L1", "the same run against the target", "2,000 events/s end to end with p99 under 250 ms",
           f"{throughput / 2000:.2f}x the target rate; p99 {p99:.0f} ms", throughput >= 2000 and p99 < 250, figure=True)
    assert counts["lost"] == 0 and counts["duplicated"] == 0


async def _applied(conn, n: int) -> bool:
    return (await conn.fetchval("SELECT count(DISTINCT event_id) FROM proof_effect")) >= n


async def test_drain_throughput_of_a_full_outbox(stack):
    """The publish/consume side alone: an outbox already holding the events, drained through the broker."""
    rabbit, admin = stack["rabbit"], stack["admin"]
    total = 20_000 if full() else 3_000
    await kit.prepare(stack["pg"].url(database="civic_funding"))
    await admin["funding"].execute("TRUNCATE inbox")
    await admin["registry"].execute("TRUNCATE outbox")
    await kit.emit(OutboxEvent, total)
    consumer = kit.consumer(rabbit.url(), InboxEvent, prefetch=256)
    await consumer.start()
    relay = kit.relay(rabbit.url(), OutboxEvent, batch_size=500)
    await relay.start()
    started = time.monotonic()
    relay_task = asyncio.create_task(relay.run(), name="proof-relay")
    published = await kit.wait_for(lambda: _all_sent(admin["registry"]), timeout=300, interval=0.05)
    publish_s = time.monotonic() - started
    done = await kit.wait_for(lambda: _applied(admin["funding"], total), timeout=300, interval=0.05)
    finished = time.monotonic() - started
    counts = await kit.tally(admin["funding"], total)
    relay_task.cancel()
    await asyncio.gather(relay_task, return_exceptions=True)
    await relay.close()
    await consumer.close()
    record("L1", f"an outbox holding {total:,} events drained: relay (confirms) -> RabbitMQ -> consumer (inbox + effect)",
           "0 lost (the publish and consume rates are figures)",
           f"relay published {total / publish_s:,.0f} events/s; consumer applied {total / finished:,.0f} events/s; "
           f"lost {counts['lost']}, applied twice {counts['duplicated']}",
           counts["lost"] == 0 and counts["duplicated"] == 0 and bool(published) and bool(done))
    assert counts["lost"] == 0 and counts["duplicated"] == 0


async def _all_sent(conn) -> bool:
    return await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0
