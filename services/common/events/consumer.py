"""The idempotent consumer: each event's effect and its inbox row commit together; ack after commit."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from ..models import InboxBase
from ..tenancy import tenant_transaction
from .envelope import Envelope, MalformedEnvelope
from .topology import declare_consumer_queue

log = logging.getLogger("civic.consumer")

Handler = Callable[[Envelope], Awaitable[None]]


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        connection: str,
        inbox: type[InboxBase],
        handlers: Mapping[str, Handler],
        amqp_url: str,
        prefetch: int = 64,
    ) -> None:
        self.name = name
        self.connection = connection
        self.inbox = inbox
        self.handlers = dict(handlers)
        self.amqp_url = amqp_url
        self.prefetch = prefetch
        self.handled = 0
        self.duplicates = 0
        self.dead_lettered = 0
        self._amqp: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._amqp = await aio_pika.connect_robust(self.amqp_url)
        channel = await self._amqp.channel()
        await channel.set_qos(prefetch_count=self.prefetch)
        queue = await declare_consumer_queue(channel, self.name, self.handlers.keys())
        await queue.consume(self.on_message)

    async def close(self) -> None:
        if self._amqp is not None:
            await self._amqp.close()

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            envelope = Envelope.from_bytes(message.body)
        except MalformedEnvelope as exc:
            log.error("%s: dead-lettering a malformed message: %s", self.name, exc)
            self.dead_lettered += 1
            await message.reject(requeue=False)
            return
        if envelope.type not in self.handlers:
            log.error("%s: dead-lettering an event of unknown type %s", self.name, envelope.type)
            self.dead_lettered += 1
            await message.reject(requeue=False)
            return
        try:
            await self.handle(envelope)
        except Exception:
            # Back to the queue; the quorum queue's delivery limit dead-letters a handler that always fails.
            log.exception("%s: handling %s %s failed", self.name, envelope.type, envelope.id)
            await message.nack(requeue=True)
            return
        await message.ack()

    async def handle(self, envelope: Envelope) -> bool:
        """Apply the event once. Returns False when the inbox shows it was handled before."""
        table = self.inbox._meta.db_table
        async with tenant_transaction(self.connection, [envelope.district]) as conn:
            rows = await conn.execute_query_dict(
                f'INSERT INTO "{table}" (consumer, event_id, type, district, handled_at) '
                "VALUES ($1, $2, $3, $4, now()) ON CONFLICT (consumer, event_id) DO NOTHING RETURNING id",
                [self.name, envelope.id, envelope.type, envelope.district],
            )
            if not rows:
                self.duplicates += 1
                return False
            await self.handlers[envelope.type](envelope)
        self.handled += 1
        return True
