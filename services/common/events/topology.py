"""Exchanges and queues, declared by a topology step before any consumer starts.

civic.events   topic exchange, routing key = event type; unroutable events go to civic.unrouted
civic.dlx      dead-letter exchange; each consumer's quorum queue dead-letters to its own DLQ
"""

from __future__ import annotations

from collections.abc import Iterable

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

EXCHANGE = "civic.events"
UNROUTED_EXCHANGE = "civic.unrouted"
UNROUTED_QUEUE = "civic.unrouted"
DEAD_LETTER_EXCHANGE = "civic.dlx"
DELIVERY_LIMIT = 5
UNROUTED_MAX_LENGTH = 100_000


def queue_name(consumer: str) -> str:
    return f"{consumer}.events"


def dead_letter_queue_name(consumer: str) -> str:
    return f"{consumer}.events.dlq"


async def declare_exchanges(channel: AbstractChannel) -> AbstractExchange:
    # Publishes are mandatory; the alternate exchange keeps an event no one consumes yet from failing them.
    unrouted = await channel.declare_exchange(UNROUTED_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True)
    unrouted_queue = await channel.declare_queue(
        UNROUTED_QUEUE,
        durable=True,
        arguments={"x-queue-type": "quorum", "x-max-length": UNROUTED_MAX_LENGTH},
    )
    await unrouted_queue.bind(unrouted)
    await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
    return await channel.declare_exchange(
        EXCHANGE,
        aio_pika.ExchangeType.TOPIC,
        durable=True,
        arguments={"alternate-exchange": UNROUTED_EXCHANGE},
    )


async def declare_consumer_queue(
    channel: AbstractChannel, consumer: str, routing_keys: Iterable[str], *, delivery_limit: int = DELIVERY_LIMIT,
    single_active_consumer: bool = False,
) -> AbstractQueue:
    """A durable quorum queue with a delivery limit, dead-lettering to a quorum DLQ of its own.

    `single_active_consumer`: of all the processes consuming it, one at a time receives (the others stand
    by), for a consumer whose effects must keep the queue's order (the webhook intake)."""
    exchange = await declare_exchanges(channel)
    dlq = await channel.declare_queue(
        dead_letter_queue_name(consumer), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dlq.bind(DEAD_LETTER_EXCHANGE, routing_key=queue_name(consumer))
    queue = await channel.declare_queue(
        queue_name(consumer),
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": queue_name(consumer),
            **({"x-single-active-consumer": True} if single_active_consumer else {}),
        },
    )
    for key in routing_keys:
        await queue.bind(exchange, routing_key=key)
    return queue


async def declare_topology(
    connection: aio_pika.abc.AbstractConnection, consumer: str | None = None, routing_keys: Iterable[str] = (),
    *, single_active_consumer: bool = False,
) -> None:
    """Declares the exchanges (and a consumer's queues) on a channel of its own, closed afterwards.

    The long-lived robust channels then only look the queue up (a passive declare). Were they to declare
    it, aio-pika would declare it again on every reconnect, and a quorum queue declared while a restarted
    broker is still recovering it can come back as a second, leaderless copy that never serves again.
    """
    channel = await connection.channel()
    try:
        if consumer is None:
            await declare_exchanges(channel)
        else:  # declares the exchanges too, before binding the queue to them
            await declare_consumer_queue(channel, consumer, routing_keys, single_active_consumer=single_active_consumer)
    finally:
        await channel.close()
