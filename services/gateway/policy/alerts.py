"""Fund-recovery alerts: this gateway process's own queue on the broker, fanned out to subscribers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field

import aio_pika

from services.common.kernel.auth import Principal
from services.common.events import Envelope, MalformedEnvelope
from services.common.events.topology import EXCHANGE, declare_exchanges
from services.contracts import ContractError, RecoveryOrdered, RecoveryOverdue, RecoverySettled

# The alerts this hub hands on, and the contract each must parse with before a subscriber sees it.
ALERT_CONTRACTS = {contract.type: contract for contract in (RecoveryOrdered, RecoverySettled, RecoveryOverdue)}

log = logging.getLogger("civic.gateway.alerts")

ALERT_EVENTS = tuple(ALERT_CONTRACTS)


@dataclass(frozen=True)
class Alert:
    """An alert as every subscriber gets it: the envelope, and its event parsed once by the hub.

    `answers` holds what subscriptions resolved for it, shared by those that may see the same
    (subscriptions.py): it lives as long as the alert, which is one district's event.
    """

    envelope: Envelope
    event: RecoveryOrdered | RecoverySettled | RecoveryOverdue
    answers: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(eq=False)
class Subscriber:
    principal: Principal
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=1000))

    def wants(self, envelope: Envelope) -> bool:
        """Its own district's alerts; a city admin's: every district of the city (codes share the prefix)."""
        if self.principal.is_city_admin:
            return envelope.district.startswith(self.principal.city)
        return envelope.district in self.principal.districts


def _subject(principal: Principal) -> tuple:
    return (principal.sub, principal.district, principal.city)


class AlertHub:
    """Consumes funding.recovery.* on an exclusive, auto-deleted queue: one per gateway process."""

    def __init__(self, amqp_url: str) -> None:
        self.amqp_url = amqp_url
        self.subscribers: set[Subscriber] = set()
        self._held: dict[tuple, int] = {}
        self.queue_name = f"gateway.alerts.{uuid.uuid4().hex[:12]}"
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self.amqp_url)
        channel = await self._connection.channel()
        await declare_exchanges(channel)
        queue = await channel.declare_queue(self.queue_name, exclusive=True, auto_delete=True)
        for key in ALERT_EVENTS:
            await queue.bind(EXCHANGE, routing_key=key)
        await queue.consume(self._on_message, no_ack=True)

    async def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()

    def subscribe(self, principal: Principal) -> Subscriber:
        subscriber = Subscriber(principal)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    # Subscriptions per subject over all its sockets in this process (subscriptions.py caps them).
    def held(self, principal: Principal) -> int:
        return self._held.get(_subject(principal), 0)

    def hold(self, principal: Principal) -> None:
        key = _subject(principal)
        self._held[key] = self._held.get(key, 0) + 1

    def release(self, principal: Principal) -> None:
        key = _subject(principal)
        left = self._held.get(key, 0) - 1
        if left > 0:
            self._held[key] = left
        else:
            self._held.pop(key, None)

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        try:
            envelope = Envelope.from_bytes(message.body)
            alert = Alert(envelope, ALERT_CONTRACTS[envelope.type].from_data(envelope.data))
        except (MalformedEnvelope, KeyError, ContractError) as exc:
            log.warning("ignoring an alert that does not parse: %s", exc)
            return
        self.publish(alert)

    def publish(self, alert: Alert) -> None:
        for subscriber in list(self.subscribers):
            if subscriber.wants(alert.envelope):
                try:
                    subscriber.queue.put_nowait(alert)
                except asyncio.QueueFull:
                    log.warning("a subscriber is not keeping up; dropping an alert for it")
