"""The outbox's write side: events commit with their transaction or not at all, wake the relay, and are
pruned once sent long enough ago."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from services.common.kernel.config import amqp_url, relay_database_url
from services.common.data.db import relay_connection
from services.common.events import Emitter
from services.common.events.pruning import prune_sent
from services.common.events.relay import OutboxRelay
from services.common.data.tenancy import tenant_transaction
from tests.support import DAOLI, wait_until
from services.registry.models import OutboxEvent

emitter = Emitter("registry", OutboxEvent, "registry")


class Refused(Exception):
    pass


async def test_events_emitted_together_commit_with_their_transaction(databases):
    async with tenant_transaction("registry", [DAOLI]):
        one = await emitter.emit_data("test.one", DAOLI, {"n": 0})
        many = await emitter.emit_data_many([("test.many", DAOLI, {"n": n}) for n in (1, 2, 3)])
    rows = await databases["registry"].fetch("SELECT event_id::text, type, payload FROM outbox ORDER BY id")
    assert [r["event_id"] for r in rows] == [one.id] + [e.id for e in many]
    assert [r["type"] for r in rows] == ["test.one", "test.many", "test.many", "test.many"]
    assert '"n": 2' in rows[2]["payload"] and '"producer": "registry"' in rows[2]["payload"]


async def test_events_of_a_rolled_back_transaction_are_not_written(databases):
    with pytest.raises(Refused):
        async with tenant_transaction("registry", [DAOLI]):
            await emitter.emit_data("test.one", DAOLI, {})
            await emitter.emit_data_many([("test.many", DAOLI, {"n": n}) for n in range(3)])
            raise Refused
    assert await databases["registry"].fetchval("SELECT count(*) FROM outbox") == 0


async def test_a_commit_wakes_the_relay_without_waiting_for_its_poll(databases, broker):
    # The idle poll is an hour: only the outbox trigger's NOTIFY at commit can wake the relay in time.
    relay = OutboxRelay(outbox=OutboxEvent, connection=relay_connection("registry"), amqp_url=amqp_url(),
                        listen_dsn=relay_database_url("registry"), idle_poll_seconds=3600)
    await relay.start()
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.2)  # the relay has found nothing and sleeps
        async with tenant_transaction("registry", [DAOLI]):
            await emitter.emit_data_many([("test.many", DAOLI, {"n": n}) for n in range(3)])
        await wait_until(lambda: _unsent_is(databases["registry"], 0), timeout=5)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await relay.close()
    assert relay.published == 3


async def _unsent_is(conn, n: int) -> bool:
    return await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == n


async def test_pruning_deletes_only_rows_sent_before_the_cutoff(databases):
    async with tenant_transaction("registry", [DAOLI]):
        events = await emitter.emit_data_many([("test.prune", DAOLI, {"n": n}) for n in range(12)])
    admin = databases["registry"]
    ids = [e.id for e in events]
    # 0-4 sent ten days ago, 5 never sent (stuck in the head), 6-8 sent ten days ago, 9-10 sent an hour
    # ago, 11 unsent: a chunk of 4 makes pruning walk past the stuck row over several rounds.
    await admin.execute("UPDATE outbox SET sent_at = now() - interval '10 days' WHERE event_id = ANY($1::uuid[])",
                        ids[:5] + ids[6:9])
    await admin.execute("UPDATE outbox SET sent_at = now() - interval '1 hour' WHERE event_id = ANY($1::uuid[])",
                        ids[9:11])
    assert await prune_sent(OutboxEvent, relay_connection("registry"), keep_for=dt.timedelta(days=7), chunk=4) == 8
    left = await admin.fetch("SELECT event_id::text FROM outbox ORDER BY id")
    assert [r["event_id"] for r in left] == [ids[5], ids[9], ids[10], ids[11]]
    assert await prune_sent(OutboxEvent, relay_connection("registry"), keep_for=dt.timedelta(minutes=30), chunk=4) == 2
    assert await admin.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 2
