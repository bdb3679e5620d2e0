"""Load: sustained events through outbox -> relay -> broker -> consumer, with end-to-end latency and 0 lost.
Target (not asserted): 2,000 events/s with p99 under 250 ms. The figures are reported, never timed assertions.

The process layout is production's: the producing service (its writers and its outbox relay) in this
process, the consuming service's consumer in a process of its own (`proof.consumer_process`), both on
uvloop as the services are. The load is offered a little above the target rate, so that keeping up with
it shows the target met rather than merely approached. CPU per event of every process is reported too:
it depends much less than the rates on what else the machine is doing (it still moved by 10-15 % from one
hour to the next on this shared machine).

Why the p99 moves from run to run (43 to 440 ms in one afternoon): at 2,100 events/s a p99 is the worst
~0.3 s worth of events, so one stall of that length anywhere in the 30 s sets it. The row reports the
worst second's p99 beside the median second's and the machine's busy, steal and iowait shares over the
run, so a run whose p99 came from one stall (a worst second far above the median) and what the machine
was doing meanwhile can be told from a steady lag.
"""

from __future__ import annotations

import asyncio
import os
import time

from services.common.kernel.tasks import cancel_and_wait
from services.registry.models import OutboxEvent

from .. import eventkit as kit
from ..cpu import CpuMeter, MachineMeter
from ..report import full, record

TARGET = 2000  # events a second
RATE = 2100  # offered: 5% above the target
SECONDS = 30 if full() else 2
# Offered first at the same rate and not counted: the consumer process, its connections and prepared
# statements start cold, and a service that runs for days does not (its first second ran ~100 ms at p50).
WARM_UP_SECONDS = 3 if full() else 1
PER_TICK = 20  # events per business transaction
WRITERS = 4


async def test_sustained_event_throughput(stack):
    rabbit, admin = stack["rabbit"], stack["admin"]
    await _reset(stack)
    warm, total = RATE * WARM_UP_SECONDS, RATE * SECONDS
    async with kit.ConsumerProcess(rabbit.url()) as consumer:
        relay = kit.relay(rabbit.url(), OutboxEvent, listen_dsn=os.environ["REGISTRY_RELAY_DATABASE_URL"], batch_size=500)
        await relay.start()
        relay_task = asyncio.create_task(relay.run(), name="proof-relay")
        meter = _meter(stack, consumer)
        machine = MachineMeter().start()
        offered_for, done, finished = await _offer_and_wait(admin, warm, total)
        cpu = meter.seconds()
        shares = machine.shares()
        await cancel_and_wait([relay_task])
        await relay.close()
    counts = await kit.tally(admin["funding"], warm + total)
    lat = await kit.latencies(admin["funding"], from_seq=warm)
    throughput = total / finished
    p50, p99 = kit.percentile(lat, 50), kit.percentile(lat, 99)
    stages = await kit.stage_latencies(admin["registry"], admin["funding"], from_seq=warm)
    stage_text = "; ".join(f"{name} p50 {kit.percentile(v, 50):.0f} / p99 {kit.percentile(v, 99):.0f} ms"
                           for name, v in stages.items())
    seconds = await kit.worst_seconds(admin["funding"], from_seq=warm)
    steady = sorted(p for _, p, _ in seconds)[len(seconds) // 2] if seconds else 0.0
    tail_text = (f"worst second p99 {seconds[0][1]:.0f} ms, median second p99 {steady:.0f} ms; machine "
                 f"{shares['busy']:.0%} busy, steal {shares['steal']:.1%}, iowait {shares['iowait']:.1%}"
                 if seconds else "no second measured")
    per_commit = consumer.counts["handled"] / max(1, consumer.counts["transactions"])
    record("L1", f"{total:,} events offered at {RATE:,}/s for {SECONDS} s ({PER_TICK} per business transaction, "
                 f"{WRITERS} writers) through outbox -> relay -> RabbitMQ -> consumer (inbox + effect), "
                 f"the consumer in its own process; after {warm:,} events in a {WARM_UP_SECONDS} s warm-up at the "
                 "same rate (counted for loss and CPU, not for rate and latency)",
           "0 lost; target 2,000 events/s with p99 under 250 ms (figures, not asserted)",
           f"{throughput:,.0f} events/s end to end (offered over {offered_for:.1f} s, all applied after {finished:.1f} s); "
           f"latency p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {lat[-1]:.0f} ms ({stage_text}; {tail_text}); lost {counts['lost']}, "
           f"applied twice {counts['duplicated']}; {per_commit:.1f} events per consumer commit; "
           f"CPU per event: {_cpu_text(cpu, warm + total)}",
           counts["lost"] == 0 and counts["duplicated"] == 0 and bool(done),
           events_per_s=round(throughput), p50_ms=round(p50, 1), p99_ms=round(p99, 1),
           cpu_us_per_event={k: round(v / (warm + total) * 1e6) for k, v in cpu.items()})
    record("L1", "the same run against the target", "2,000 events/s end to end with p99 under 250 ms",
           f"{throughput / TARGET:.2f}x the target rate; p99 {p99:.0f} ms", throughput >= TARGET and p99 < 250,
           figure=True)
    assert counts["lost"] == 0 and counts["duplicated"] == 0


async def test_drain_throughput_of_a_full_outbox(stack):
    """The capacity of the publish/consume side: an outbox already holding the events, drained."""
    rabbit, admin = stack["rabbit"], stack["admin"]
    total = 20_000 if full() else 3_000
    await _reset(stack)
    await kit.emit(OutboxEvent, total)
    async with kit.ConsumerProcess(rabbit.url()) as consumer:
        relay = kit.relay(rabbit.url(), OutboxEvent, batch_size=500)
        await relay.start()
        meter = _meter(stack, consumer)
        started = time.monotonic()
        relay_task = asyncio.create_task(relay.run(), name="proof-relay")
        published = await kit.wait_for(lambda: _all_sent(admin["registry"]), timeout=300, interval=0.05)
        publish_s = time.monotonic() - started
        done = await kit.wait_for(lambda: _applied(admin["funding"], total), timeout=300, interval=0.05)
        finished = time.monotonic() - started
        cpu = meter.seconds()
        await cancel_and_wait([relay_task])
        await relay.close()
    counts = await kit.tally(admin["funding"], total)
    record("L1", f"an outbox holding {total:,} events drained: relay (confirms) -> RabbitMQ -> consumer (inbox + effect)",
           "0 lost (the publish and consume rates are figures: the capacity behind the sustained rate)",
           f"relay published {total / publish_s:,.0f} events/s; consumer applied {total / finished:,.0f} events/s; "
           f"lost {counts['lost']}, applied twice {counts['duplicated']}; CPU per event: {_cpu_text(cpu, total)}",
           counts["lost"] == 0 and counts["duplicated"] == 0 and bool(published) and bool(done))
    assert counts["lost"] == 0 and counts["duplicated"] == 0


async def _reset(stack) -> None:
    await kit.prepare(stack["pg"].url(database="civic_funding"))
    await stack["admin"]["funding"].execute("TRUNCATE inbox")
    await stack["admin"]["registry"].execute("TRUNCATE outbox")
    # Start from a settled server: a checkpoint writing out what ran before (another proof's bulk load, the
    # previous run's events) must not land in the middle of the run and stall the commits measured.
    await stack["admin"]["registry"].execute("CHECKPOINT")


def _meter(stack, consumer: kit.ConsumerProcess) -> CpuMeter:
    return CpuMeter(processes={"producer + relay": os.getpid(), "consumer": consumer.pid},
                    trees={"PostgreSQL": stack["pg"].process.pid, "RabbitMQ": stack["rabbit"].process.pid}).start()


def _cpu_text(cpu: dict[str, float], events: int) -> str:
    parts = [f"{name} {seconds / events * 1e6:.0f} µs" for name, seconds in cpu.items()]
    return ", ".join(parts) + f" (all {sum(cpu.values()) / events * 1e6:.0f} µs)"


async def _offer_and_wait(admin, warm: int, total: int) -> tuple[float, bool, float]:
    """WRITERS writers (as concurrent requests would) emit PER_TICK events per transaction, at RATE in all:
    `warm` events, then the `total` measured. Returns how long the measured events took to offer, whether
    every event was applied, and the measured window: from the first measured event's due time to the last
    effect, both on the database clock, so that noticing the end does not count against the rate."""
    interval = PER_TICK / RATE
    started = time.monotonic()
    started_on_db = await admin["funding"].fetchval("SELECT clock_timestamp()")

    async def writer(offset: int) -> None:
        tick = offset
        while tick * PER_TICK < warm + total:
            delay = started + tick * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await kit.emit(OutboxEvent, PER_TICK, start=tick * PER_TICK, batch=PER_TICK)
            tick += WRITERS

    await asyncio.gather(*(writer(i) for i in range(WRITERS)))
    offered_for = time.monotonic() - started - warm / RATE
    done = await kit.wait_for(lambda: _applied(admin["funding"], warm + total), timeout=120, interval=0.1)
    last_on_db = await admin["funding"].fetchval("SELECT max(handled_at) FROM proof_effect")
    return offered_for, bool(done), (last_on_db - started_on_db).total_seconds() - warm / RATE


async def _applied(conn, n: int) -> bool:
    return (await conn.fetchval("SELECT count(DISTINCT event_id) FROM proof_effect")) >= n


async def _all_sent(conn) -> bool:
    return await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0
