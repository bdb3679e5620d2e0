"""Identical subgraph queries in flight at the same moment share one HTTP call.

A portal's clients ask the same thing at once (the headline figures, the first page of a list): while
one POST to a subgraph is under way, a second caller with the very same request waits for that answer
instead of sending its own. "The very same" is the subgraph, the request body (the document and its
variables, byte for byte) and every header the gateway forwards (the Authorization header among them),
so two callers with different tokens, and so possibly different tenants, never share an answer.

Nothing outlives the flight: the entry is dropped the moment the call ends, whatever its outcome, so a
later caller always gets a fresh answer from the subgraph. This is not a cache. Only queries collapse;
the caller decides (mutations, and queries inside a mutation operation, are never handed to it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

FlightKey = tuple[str, bytes, tuple[tuple[str, str], ...]]


def flight_key(subgraph: str, body: bytes, headers: Mapping[str, str]) -> FlightKey:
    """Every forwarded header counts, by lower-cased name, in a fixed order."""
    return subgraph, body, tuple(sorted((name.lower(), value) for name, value in headers.items()))


class InFlight:
    """The calls under way, by key; each is one task whose answer (or error) every waiter receives."""

    def __init__(self) -> None:
        self._flights: dict[FlightKey, asyncio.Task] = {}
        self.calls = 0  # calls actually made (for the bench and the tests)
        self.joined = 0  # callers served by another caller's call

    def __len__(self) -> int:
        return len(self._flights)

    async def run(self, key: FlightKey, call: Callable[[], Awaitable[tuple[int, bytes]]]) -> tuple[int, bytes]:
        """`call()`'s (status, body bytes): shared with any identical call already in flight.

        The bytes are immutable; each caller parses its own copy, so no caller can change another's
        answer. The call runs as its own task: one waiter giving up (a client disconnecting) does not
        cancel it for the others.
        """
        task = self._flights.get(key)
        if task is None:
            self.calls += 1
            task = asyncio.ensure_future(call())
            self._flights[key] = task
            task.add_done_callback(lambda done: self._land(key, done))
        else:
            self.joined += 1
        return await asyncio.shield(task)

    def _land(self, key: FlightKey, task: asyncio.Task) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        if not task.cancelled():
            task.exception()  # retrieved here, so a flight whose waiters all left logs no "never retrieved"
