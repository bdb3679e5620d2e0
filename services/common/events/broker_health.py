"""What the workers know of their broker connections, for /healthz and Prometheus.

Requests never need the broker (they write the outbox), so readiness does not ask it; the relay and
the consumer report their own robust connections instead, from aio-pika's public close and reconnect
callbacks: no probe opens a connection of its own.
"""

from __future__ import annotations

from typing import Any

from aio_pika.abc import AbstractRobustConnection
from prometheus_client import Gauge

BROKER_CONNECTED = Gauge(
    "civic_broker_connected",
    "1 while this worker's broker connection is up, 0 while it reconnects or is closed",
    ["service", "role"],
)

CONNECTED, RECONNECTING, CLOSED = "connected", "reconnecting", "closed"


class BrokerLink:
    """The state of one worker's robust connection (role: "relay" or "consumer")."""

    def __init__(self, service: str, role: str) -> None:
        self.service, self.role = service, role
        self.state = CLOSED
        self._gauge = BROKER_CONNECTED.labels(service, role)
        self._gauge.set(0)

    def watch(self, connection: AbstractRobustConnection) -> None:
        """Call once the connection is open; the callbacks keep the state from then on."""
        connection.close_callbacks.add(self._closed)
        connection.reconnect_callbacks.add(self._reconnected)
        self._set(CONNECTED)

    def _closed(self, connection: Any, exc: BaseException | None = None) -> None:
        # A robust connection closed by anything but our own close() is being reconnected.
        self._set(CLOSED if connection.close_called or connection.is_closed else RECONNECTING)

    def _reconnected(self, connection: Any) -> None:
        self._set(CONNECTED)

    def _set(self, state: str) -> None:
        self.state = state
        self._gauge.set(1 if state == CONNECTED else 0)
