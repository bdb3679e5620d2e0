"""The outbox's write side: events commit with their transaction or not at all, and wake the relay."""

from __future__ import annotations

import asyncio

import pytest

from services.common.config import amqp_url, database_url
from services.common.events import Emitter
from services.common.events.relay import OutboxRelay
from services.common.tenancy import tenant_transaction
from services.common.testing import DAOLI, wait_until
from services.registry.models import OutboxEvent

emitter = Emitter("registry", OutboxEvent, "registry")


class Refused(Exception):
    pass


async def test_events_emitted_together_commit_with_their_transaction(databases):
    async with tenant_transaction("registry", [DAOLI]):
        one = await emitter.emit("test.one", DAOLI, {"n": 0})
        many = await emitter.emit_many([("test.many", DAOLI, {"n": n}) for n in (1, 2, 3)])
    rows = await databases["registry"].fetch("SELECT event_id::text, type, payload FROM outbox ORDER BY id")
    assert [r["event_id"] for r in rows] == [one.id] + [e.id for e in many]
    assert [r["type"] for r in rows] == ["test.one", "test.many", "test.many", "test.many"]
    assert '"n": 2' in rows[2]["payload"] and '"producer": "registry"' in rows[2]["payload"]


async def test_events_of_a_rolled_back_transaction_are_not_written(databases):
    with pytest.raises(Refused):
        async with tenant_transaction("registry", [DAOLI]):
            await emitter.emit("test.one", DAOLI, {})
            await emitter.emit_many([("test.many", DAOLI, {"n": n}) for n in range(3)])
            raise Refused
    assert await databases["registry"].fetchval("SELECT count(*) FROM outbox") == 0


async def test_a_commit_wakes_the_relay_without_waiting_for_its_poll(databases, broker):
    # The idle poll is an hour: only the outbox trigger's NOTIFY at commit can wake the relay in time.
    relay = OutboxRelay(outbox=OutboxEvent, connection="registry", amqp_url=amqp_url(),
                        listen_dsn=database_url("registry"), idle_poll_seconds=3600)
    await relay.start()
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.2)  # the relay has found nothing and sleeps
        async with tenant_transaction("registry", [DAOLI]):
            await emitter.emit_many([("test.many", DAOLI, {"n": n}) for n in range(3)])
        await wait_until(lambda: _unsent_is(databases["registry"], 0), timeout=5)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await relay.close()
    assert relay.published == 3


async def _unsent_is(conn, n: int) -> bool:
    return await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == n
