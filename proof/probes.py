"""Instruments for "before any database query" and "before any resolver/subgraph call"."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import asyncpg
from asyncpg.connection import Connection


# The names the workers give their long-running tasks (relay.py, funding/webhooks/worker.py).
BACKGROUND_TASKS = ("-relay", "-webhook-dispatcher")


class QueryCounter:
    """Counts every statement sent by asyncpg in this process (simple and extended protocol).

    Background workers (the outbox relay, funding's webhook dispatcher) are left out by task name, so the
    count is what requests caused. Each counted statement's text is kept for the report.
    """

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.full: list[tuple[str, tuple]] = []  # (query, args) of each statement, for EXPLAIN
        self.enabled = False

    @property
    def count(self) -> int:
        return len(self.statements)

    def _note(self, query: str, args: tuple = ()) -> None:
        if not self.enabled:
            return
        task = asyncio.current_task()
        name = task.get_name() if task else ""
        if name.endswith(BACKGROUND_TASKS):
            return
        if str(query).startswith("SELECT pg_advisory_unlock_all()"):
            return  # the pool resetting a connection released by an earlier request: housekeeping, not a query
        self.statements.append(" ".join(str(query).split())[:120])
        self.full.append((str(query), tuple(args)))

    @contextlib.contextmanager
    def installed(self) -> Iterator["QueryCounter"]:
        counter = self
        originals = {name: getattr(Connection, name) for name in ("execute", "_execute", "_executemany")}

        async def execute(self, query, *args, **kwargs):
            if not args:  # with arguments it goes through _execute, counted there
                counter._note(query)
            return await originals["execute"](self, query, *args, **kwargs)

        async def _execute(self, query, *args, **kwargs):
            counter._note(query, args[0] if args and isinstance(args[0], (list, tuple)) else ())
            return await originals["_execute"](self, query, *args, **kwargs)

        async def _executemany(self, query, *args, **kwargs):
            counter._note(query)
            return await originals["_executemany"](self, query, *args, **kwargs)

        Connection.execute = execute
        Connection._execute = _execute
        Connection._executemany = _executemany
        try:
            yield self
        finally:
            for name, fn in originals.items():
                setattr(Connection, name, fn)

    @contextlib.contextmanager
    def window(self) -> Iterator[list[str]]:
        """Statements issued while the block runs."""
        self.statements = []
        self.full = []
        self.enabled = True
        try:
            yield self.statements
        finally:
            self.enabled = False


def subgraph_requests() -> int:
    """Requests the subgraphs of this process have served on /graphql (their own Prometheus counter):
    counts gateway -> subgraph calls whatever HTTP client the gateway uses."""
    from services.common.runtime.metrics import REQUESTS

    total = 0.0
    for metric in REQUESTS.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total") and sample.labels.get("path") == "/graphql":
                total += sample.value
    return int(total)
