"""The publish side of the outbox: claim unsent rows, publish with confirms, mark sent after the acks."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aio_pika
import asyncpg
from pamqp.commands import Basic
from tortoise.transactions import in_transaction

from services.common.data.models import OutboxBase
from services.common.events.outbox import NOTIFY_CHANNEL
from services.common.events.publisher import OutgoingMessage, check_channel_internals, publish_batch
from services.common.events.topology import EXCHANGE, declare_topology

log = logging.getLogger("civic.relay")


class OutboxRelay:
    def __init__(
        self,
        *,
        outbox: type[OutboxBase],
        connection: str,
        amqp_url: str,
        listen_dsn: str | None = None,
        batch_size: int = 500,
        idle_poll_seconds: float = 1.0,
        publish_timeout: float = 10.0,
    ) -> None:
        self.outbox = outbox
        self.connection = connection
        self.amqp_url = amqp_url
        self.listen_dsn = listen_dsn
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self.publish_timeout = publish_timeout
        self.published = 0
        self._wake = asyncio.Event()
        self._amqp: aio_pika.abc.AbstractRobustConnection | None = None
        self._channel: aio_pika.abc.AbstractRobustChannel | None = None
        self._listener: asyncpg.Connection | None = None

    async def start(self) -> None:
        self._amqp = await aio_pika.connect_robust(self.amqp_url)
        await declare_topology(self._amqp)
        self._channel = await self._amqp.channel(publisher_confirms=True)
        await self._channel.get_exchange(EXCHANGE)  # a passive declare: fail now if the topology is missing
        # publish_batch uses aiormq internals: fail the start naming one an upgrade removed.
        check_channel_internals(await self._channel.get_underlay_channel())
        if self.listen_dsn:
            self._listener = await asyncpg.connect(self.listen_dsn)
            await self._listener.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())

    @property
    def amqp(self) -> aio_pika.abc.AbstractRobustConnection:
        """The robust broker connection (after start()), for whoever reports its state."""
        assert self._amqp is not None, "start() first"
        return self._amqp

    async def close(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
        if self._amqp is not None:
            await self._amqp.close()

    async def run(self) -> None:
        """Forever: relay what is waiting, then sleep until a NOTIFY or the idle poll."""
        while True:
            # Cleared before the claim, not after: a NOTIFY for rows committed while a batch is being
            # published must wake the next round at once, not wait for the idle poll.
            self._wake.clear()
            try:
                sent = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # broker or database away: the rows stay unsent and are retried
                log.exception("outbox relay failed; retrying")
                await asyncio.sleep(self.idle_poll_seconds)
                continue
            if sent < self.batch_size:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)

    async def relay_once(self) -> int:
        """Publish one batch. Rows are marked sent in the same transaction that claimed them."""
        assert self._channel is not None, "start() first"
        table = self.outbox._meta.db_table
        async with in_transaction(self.connection) as conn:
            rows = await conn.execute_query_dict(
                f"SELECT id, event_id::text AS event_id, type, district, payload->>'producer' AS producer, "
                f'payload::text AS body FROM "{table}" WHERE sent_at IS NULL '
                "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
                [self.batch_size],
            )
            if not rows:
                return 0
            async with asyncio.timeout(self.publish_timeout):  # also bounds waiting for a reconnect
                channel = await self._channel.get_underlay_channel()  # the current one, new after a reconnect
                await publish_batch(channel, EXCHANGE, [_message(row) for row in rows])
            # Only after every broker ack; a failure above rolls back and the rows are claimed again.
            await conn.execute_query(
                f'UPDATE "{table}" SET sent_at = now() WHERE id = ANY($1::bigint[])', [[r["id"] for r in rows]]
            )
        self.published += len(rows)
        return len(rows)


def _message(row: dict) -> OutgoingMessage:
    properties = Basic.Properties(
        content_type="application/json",
        delivery_mode=2,  # persistent
        message_id=row["event_id"],
        message_type=row["type"],
        headers={"district": row["district"], "producer": row["producer"]},
    )
    return OutgoingMessage(routing_key=row["type"], body=row["body"].encode(), properties=properties)
