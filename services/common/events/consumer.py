"""The idempotent consumer: each event's effect and its inbox row commit together; ack after commit.

Messages are applied in batches: what has arrived (up to `batch_size`) is grouped by district, and each
group is one transaction (one inbox INSERT for the group, then the new events' handlers, then COMMIT).
That is a few round trips per batch instead of five per event; a handler that takes lists (`handlers.py`)
writes a run of its events in one statement too. When anything in a group fails, the group
rolls back and each of its events is applied alone, so one bad event never holds back the others and
the broker's delivery limit still counts that one event's failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from services.common.data.models import InboxBase
from services.common.kernel.tasks import cancel_and_wait
from services.common.data.tenancy import tenant_transaction
from services.common.events.acks import AckLedger
from services.common.events.envelope import Envelope, MalformedEnvelope
from services.common.events.handlers import BatchHandler, Handler, Refused, apply
from services.common.events.topology import DEAD_LETTER_EXCHANGE, declare_topology, queue_name

log = logging.getLogger("civic.consumer")

# Why this consumer dead-lettered a message itself (the broker's x-death only says "rejected").
REFUSED_HEADER = "x-civic-refused"


@dataclass(slots=True)
class Delivery:
    message: AbstractIncomingMessage
    envelope: Envelope


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        connection: str,
        inbox: type[InboxBase],
        handlers: Mapping[str, Handler | BatchHandler],
        amqp_url: str,
        prefetch: int = 256,
        batch_size: int = 100,
        concurrency: int = 2,
        watch_seconds: float = 2.0,
        single_active_consumer: bool = False,
    ) -> None:
        self.name = name
        self.connection = connection
        self.inbox = inbox
        self.handlers = dict(handlers)
        self.amqp_url = amqp_url
        self.prefetch = prefetch
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.watch_seconds = watch_seconds
        self.single_active_consumer = single_active_consumer  # topology.declare_consumer_queue
        self.handled = 0
        self.duplicates = 0
        self.dead_lettered = 0
        self.transactions = 0  # batches and single events applied: handled / transactions = events per commit
        self._amqp: aio_pika.abc.AbstractRobustConnection | None = None
        self._arrived: asyncio.Queue[Delivery] = asyncio.Queue()
        self._tasks: list[asyncio.Task] = []  # the appliers and the consumer watch
        self._channel: aio_pika.abc.AbstractRobustChannel | None = None
        self._refusals: aio_pika.abc.AbstractRobustChannel | None = None  # publishes refused messages to the DLQ
        self._queue: aio_pika.abc.AbstractRobustQueue | None = None
        self._consumer_tag: str | None = None
        self._ledgers: dict = {}  # channel -> AckLedger
        table = inbox._meta.db_table
        self._insert_one = (
            f'INSERT INTO "{table}" (consumer, event_id, type, district, handled_at) '
            "VALUES ($1, $2, $3, $4, now()) ON CONFLICT (consumer, event_id) DO NOTHING RETURNING id"
        )
        # Duplicates inside one statement are fine with DO NOTHING: the second row meets the first.
        self._insert_many = (
            f'INSERT INTO "{table}" (consumer, event_id, type, district, handled_at) '
            "SELECT $1, e.id, e.type, $4, now() FROM unnest($2::uuid[], $3::text[]) AS e(id, type) "
            "ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id"
        )

    async def start(self) -> None:
        self._amqp = await aio_pika.connect_robust(self.amqp_url)
        self._channel = await self._amqp.channel()
        await self._channel.set_qos(prefetch_count=self.prefetch)
        await declare_topology(self._amqp, self.name, self.handlers.keys(),
                               single_active_consumer=self.single_active_consumer)
        self._refusals = await self._amqp.channel(publisher_confirms=True)
        self._queue = await self._channel.get_queue(queue_name(self.name))
        self._tasks = [
            asyncio.create_task(self._apply_forever(), name=f"{self.name}-consumer-{i}") for i in range(self.concurrency)
        ]
        self._consumer_tag = await self._queue.consume(self.on_message)
        self._tasks.append(asyncio.create_task(self._keep_consuming(), name=f"{self.name}-consumer-watch"))

    async def _keep_consuming(self) -> None:
        """aio-pika restores the consumer after a reconnect, but a reconnect that fails half-way (a broker
        still starting answers INTERNAL_ERROR to the restored Basic.Consume) can leave an open channel
        with no consumer on it: the queue would fill while this process idles. Check, and consume again."""
        while True:
            await asyncio.sleep(self.watch_seconds)
            try:
                channel = self._channel.channel  # the current underlying channel; raises while reconnecting
            except Exception:
                continue
            if channel.is_closed or self._consumer_tag in channel.consumers:
                continue
            log.warning("%s: the channel came back without its consumer; consuming again", self.name)
            with contextlib.suppress(Exception):  # the next round tries again
                # The same tag: aio-pika keeps one consumer to restore, not two.
                await self._queue.consume(self.on_message, consumer_tag=self._consumer_tag, timeout=5)

    @property
    def amqp(self) -> aio_pika.abc.AbstractRobustConnection:
        """The robust broker connection (after start()), for whoever reports its state."""
        assert self._amqp is not None, "start() first"
        return self._amqp

    async def close(self) -> None:
        await cancel_and_wait(self._tasks)
        if self._amqp is not None:
            await self._amqp.close()

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        """Sorts out what can never succeed at once; the rest waits for an applier.

        Each delivery costs two tasks, aiormq's and aio-pika's (it runs every callback in a task, and
        wraps a plain function in a coroutine to do so). Only consuming through aiormq's channel would
        spare aio-pika's, and that gives up the robust queue's restoring of the consumer after a
        reconnect; at a few microseconds a task, it is not worth that. The work happens in batches."""
        ledger = self._ledger(message.channel)
        ledger.received(message.delivery_tag)  # until settled, no `multiple` ack may cover it
        try:
            envelope = Envelope.from_bytes(message.body)
        except MalformedEnvelope as exc:
            await self._dead_letter(message, ledger, f"malformed: {exc}")
            return
        if envelope.type not in self.handlers:
            await self._dead_letter(message, ledger, f"no handler for {envelope.type}")
            return
        self._arrived.put_nowait(Delivery(message, envelope))

    async def _dead_letter(self, message: AbstractIncomingMessage, ledger: AckLedger, reason: str) -> None:
        """To this consumer's DLQ with the reason in a header: a confirmed copy through the dead-letter
        exchange, then the original acked. Should the copy fail, a plain reject still dead-letters it."""
        log.error("%s: dead-lettering a message: %s", self.name, reason)
        self.dead_lettered += 1
        try:
            copy = aio_pika.Message(
                message.body,
                headers={**(message.headers or {}), REFUSED_HEADER: reason[:500]},
                content_type=message.content_type,
                message_id=message.message_id,
                type=message.type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            exchange = await self._refusals.get_exchange(DEAD_LETTER_EXCHANGE, ensure=False)
            await exchange.publish(copy, routing_key=queue_name(self.name), mandatory=True, timeout=10)
            await message.ack()
        except Exception:
            log.warning("%s: the reasoned dead letter failed; rejecting the message instead", self.name, exc_info=True)
            with contextlib.suppress(Exception):
                await message.reject(requeue=False)
        ledger.settled_alone(message.delivery_tag)

    def _ledger(self, channel) -> AckLedger:
        ledger = self._ledgers.get(channel)
        if ledger is None:
            # A new channel (after a reconnect): the old ones' deliveries come again on it.
            self._ledgers = {c: l for c, l in self._ledgers.items() if not c.is_closed}
            ledger = self._ledgers[channel] = AckLedger()
        return ledger

    async def _apply_forever(self) -> None:
        while True:
            batch = [await self._arrived.get()]
            while len(batch) < self.batch_size and not self._arrived.empty():
                batch.append(self._arrived.get_nowait())
            by_district: dict[str, list[Delivery]] = {}
            for delivery in batch:
                by_district.setdefault(delivery.envelope.district, []).append(delivery)
            for group in by_district.values():
                await self._apply_group(group)

    async def _apply_group(self, group: list[Delivery]) -> None:
        if len(group) > 1:
            try:
                await self.handle_many([d.envelope for d in group])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("%s: a batch of %d failed; applying its events one by one", self.name, len(group),
                            exc_info=True)
            else:
                await self._settle(group, ok=True)
                return
        for delivery in group:
            try:
                await self.handle(delivery.envelope)
            except asyncio.CancelledError:
                raise
            except Refused as refused:  # rolled back; no retry can make it acceptable
                try:
                    channel = delivery.message.channel
                except Exception:  # closed: the broker redelivers it, and it is refused again
                    continue
                ledger = self._ledger(channel)
                await self._dead_letter(delivery.message, ledger, str(refused))
                with contextlib.suppress(Exception):  # it may have been all that held back a `multiple` ack
                    if (upto := ledger.ackable()) is not None:
                        await channel.basic_ack(delivery_tag=upto, multiple=True)
            except Exception:
                # Back to the queue; the quorum queue's delivery limit dead-letters a handler that always fails.
                log.exception("%s: handling %s %s failed", self.name, delivery.envelope.type, delivery.envelope.id)
                await self._settle([delivery], ok=False)
            else:
                await self._settle([delivery], ok=True)

    async def _settle(self, deliveries: list[Delivery], *, ok: bool) -> None:
        """Acks applied deliveries (one `multiple` ack per channel when it is safe); nacks failed ones.

        A lost channel loses these acks too; the broker then redelivers and the inbox absorbs it.
        """
        by_channel: dict = {}
        for delivery in deliveries:
            try:
                channel = delivery.message.channel
            except Exception:  # closed: the broker redelivers on the next channel
                continue
            by_channel.setdefault(channel, []).append(delivery.message.delivery_tag)
        for channel, tags in by_channel.items():
            ledger = self._ledger(channel)
            with contextlib.suppress(Exception):
                if ok:
                    upto = ledger.applied_now(tags)
                else:
                    # The nack goes out before any `multiple` ack that would otherwise cover it.
                    for tag in tags:
                        await channel.basic_nack(delivery_tag=tag, multiple=False, requeue=True)
                        ledger.settled_alone(tag)
                    upto = ledger.ackable()
                if upto is not None:
                    await channel.basic_ack(delivery_tag=upto, multiple=True)

    async def handle(self, envelope: Envelope) -> bool:
        """Apply one event once. Returns False when the inbox shows it was handled before."""
        async with tenant_transaction(self.connection, [envelope.district]) as conn:
            rows = await conn.execute_query_dict(
                self._insert_one, [self.name, envelope.id, envelope.type, envelope.district]
            )
            if not rows:
                self.duplicates += 1
                return False
            await apply(self.handlers, [envelope])
        self.handled += 1
        self.transactions += 1
        return True

    async def handle_many(self, envelopes: list[Envelope]) -> int:
        """Apply events of one district in one transaction, each once. Returns how many were new."""
        district = envelopes[0].district
        if any(e.district != district for e in envelopes):
            raise ValueError("a transaction applies one district's events: group them by district")
        async with tenant_transaction(self.connection, [district]) as conn:
            rows = await conn.execute_query_dict(
                self._insert_many,
                [self.name, [e.id for e in envelopes], [e.type for e in envelopes], district],
            )
            new = {row["event_id"] for row in rows}  # uuid.UUID: compared whatever the id's spelling
            fresh = []
            for envelope in envelopes:
                event_id = uuid.UUID(envelope.id)
                if event_id in new:
                    new.discard(event_id)  # the same event twice in one batch acts once
                    fresh.append(envelope)
            await apply(self.handlers, fresh)
            applied = len(fresh)
        self.handled += applied
        self.duplicates += len(envelopes) - applied
        self.transactions += 1
        return applied
