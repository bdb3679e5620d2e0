"""Events through the real outbox -> relay -> broker -> consumer path, with an effect that is NOT idempotent
by itself (one row per event handled), so the inbox alone stands between a redelivery and a double effect.
The effect takes runs of events at once, as the platform's handler of its highest-volume event does."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import time

import asyncpg
import orjson
from aio_pika.abc import AbstractIncomingMessage
from tortoise import connections

from services.common.events.consumer import EventConsumer
from services.common.events.envelope import Envelope
from services.common.events.handlers import applies_many
from services.common.events.outbox import Emitter
from services.common.events.relay import OutboxRelay
from services.common.data.tenancy import tenant_transaction

TYPE = "proof.load.tick"
PRODUCER_DB = "registry"  # the registry's outbox and relay publish
RELAY_DB = "registry_relay"  # the relay reads the outbox as the relay role (db.relay_connection)
CONSUMER_DB = "funding"  # into a consumer that keeps its inbox in the funding database
DISTRICT = "230102"

EFFECT_TABLE = """
CREATE TABLE IF NOT EXISTS proof_effect (
  event_id uuid NOT NULL, district text NOT NULL, seq bigint NOT NULL,
  occurred_at timestamptz NOT NULL, handled_at timestamptz NOT NULL DEFAULT clock_timestamp());
GRANT SELECT, INSERT, DELETE ON proof_effect TO civic_app;
"""


async def prepare(owner_url: str) -> None:
    conn = await asyncpg.connect(owner_url)
    try:
        await conn.execute(EFFECT_TABLE)
        await conn.execute("TRUNCATE proof_effect")
    finally:
        await conn.close()


@applies_many  # as evaluation's handler of a batch mutation's service records: one INSERT per run of events
async def effect(envelopes: list[Envelope]) -> None:
    # The consumer's transaction, joined as a handler's model calls join it (no SAVEPOINT of its own).
    await connections.get(CONSUMER_DB).execute_query(
        "INSERT INTO proof_effect (event_id, district, seq, occurred_at) "
        "SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[])",
        [[e.id for e in envelopes], [e.district for e in envelopes], [e.data["seq"] for e in envelopes],
         [dt.datetime.fromisoformat(e.occurredAt) for e in envelopes]],
    )


class CountingConsumer(EventConsumer):
    """The platform's consumer, counting redeliveries as the broker flags them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.redelivered = 0
        self.received = 0

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        self.received += 1
        if message.redelivered:
            self.redelivered += 1
        await super().on_message(message)


def consumer(amqp_url: str, inbox, *, name: str = "proof", handlers=None, cls=CountingConsumer, **options):
    return cls(name=name, connection=CONSUMER_DB, inbox=inbox, handlers=handlers or {TYPE: effect},
               amqp_url=amqp_url, **options)


class ConsumerProcess:
    """`proof.consumer_process` as a child process: `async with ConsumerProcess(amqp_url) as child: ...`;
    after the block, `child.counts` holds its counters."""

    def __init__(self, amqp_url: str) -> None:
        self.amqp_url = amqp_url
        self.counts: dict = {}
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> "ConsumerProcess":
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "proof.consumer_process", env={**os.environ, "AMQP_URL": self.amqp_url},
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        line = await asyncio.wait_for(self._process.stdout.readline(), 60)
        if line.strip() != b"ready":
            raise RuntimeError(f"the consumer process did not start: {line!r}")
        return self

    @property
    def pid(self) -> int:
        return self._process.pid

    async def __aexit__(self, *exc) -> None:
        self._process.stdin.close()
        out, _ = await asyncio.wait_for(self._process.communicate(), 60)
        self.counts = orjson.loads(out.strip().splitlines()[-1]) if out.strip() else {}


def relay(amqp_url: str, outbox, listen_dsn: str | None = None, **kw) -> OutboxRelay:
    return OutboxRelay(outbox=outbox, connection=RELAY_DB, amqp_url=amqp_url, listen_dsn=listen_dsn, **kw)


async def emit(outbox, count: int, *, start: int = 0, batch: int = 500, district: str = DISTRICT) -> list[str]:
    """`count` events written to the outbox the way a service does it: inside tenant transactions, `batch`
    per transaction, in one INSERT each as a batch mutation (reportServiceRecords) emits them."""
    emitter = Emitter("registry", outbox, PRODUCER_DB)
    ids: list[str] = []
    for first in range(start, start + count, batch):
        async with tenant_transaction(PRODUCER_DB, [district]):
            envelopes = await emitter.emit_data_many(
                [(TYPE, district, {"seq": seq}) for seq in range(first, min(first + batch, start + count))])
            ids += [e.id for e in envelopes]
    return ids


async def tally(admin: asyncpg.Connection, expected: int) -> dict:
    row = await admin.fetchrow("SELECT count(*) AS rows, count(DISTINCT event_id) AS distinct_events FROM proof_effect")
    return {"applied": row["distinct_events"], "duplicated": row["rows"] - row["distinct_events"],
            "lost": expected - row["distinct_events"]}


async def latencies(admin: asyncpg.Connection, *, from_seq: int = 0) -> list[float]:
    rows = await admin.fetch("SELECT extract(epoch FROM handled_at - occurred_at) * 1000 AS ms FROM proof_effect "
                             "WHERE seq >= $1", from_seq)
    return sorted(float(r["ms"]) for r in rows)


async def worst_seconds(admin: asyncpg.Connection, *, from_seq: int = 0) -> list[tuple[float, float, int]]:
    """Per second of offer (by the events' own time): p99 latency in ms and events, worst p99 first. When
    the run's p99 is its worst second's, one stall made it, not a steady lag."""
    rows = await admin.fetch(
        "SELECT extract(epoch FROM date_trunc('second', occurred_at)) AS second, count(*) AS events, "
        "percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM handled_at - occurred_at) * 1000) AS p99 "
        "FROM proof_effect WHERE seq >= $1 GROUP BY 1 ORDER BY p99 DESC", from_seq)
    return [(float(r["second"]), float(r["p99"]), int(r["events"])) for r in rows]


async def wait_for(predicate, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        await asyncio.sleep(interval)


async def stage_latencies(producer: asyncpg.Connection, consumer: asyncpg.Connection, *,
                          from_seq: int = 0) -> dict[str, list[float]]:
    """Where the time went, per event: from the event to the relay's claim of its outbox row (`sent_at` is
    the relay transaction's start), and from that claim to the consumer's effect."""
    claimed = {r["event_id"]: r["sent_at"] for r in await producer.fetch("SELECT event_id, sent_at FROM outbox")}
    to_claim, to_applied = [], []
    for row in await consumer.fetch("SELECT event_id, occurred_at, handled_at FROM proof_effect WHERE seq >= $1",
                                    from_seq):
        sent_at = claimed.get(row["event_id"])
        if sent_at is not None:
            to_claim.append((sent_at - row["occurred_at"]).total_seconds() * 1000)
            to_applied.append((row["handled_at"] - sent_at).total_seconds() * 1000)
    return {"to the relay's claim": sorted(to_claim), "claim to applied": sorted(to_applied)}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
