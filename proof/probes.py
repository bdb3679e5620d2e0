"""Instruments for "before any database query" and "before any resolver/subgraph call"."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import asyncpg
import httpx
from asyncpg.connection import Connection


class QueryCounter:
    """Counts every statement sent by asyncpg in this process (simple and extended protocol).

    Background workers (the outbox relay task) are left out by task name, so the count is what
    requests caused. Each counted statement's text is kept for the report.
    """

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.enabled = False

    @property
    def count(self) -> int:
        return len(self.statements)

    def _note(self, query: str) -> None:
        if not self.enabled:
            return
        task = asyncio.current_task()
        name = task.get_name() if task else ""
        if name.endswith("-relay"):
            return
        self.statements.append(" ".join(str(query).split())[:120])

    @contextlib.contextmanager
    def installed(self) -> Iterator["QueryCounter"]:
        counter = self
        originals = {name: getattr(Connection, name) for name in ("execute", "_execute", "_executemany")}

        async def execute(self, query, *args, **kwargs):
            if not args:  # with arguments it goes through _execute, counted there
                counter._note(query)
            return await originals["execute"](self, query, *args, **kwargs)

        async def _execute(self, query, *args, **kwargs):
            counter._note(query)
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
        self.enabled = True
        try:
            yield self.statements
        finally:
            self.enabled = False


class CountingTransport(httpx.AsyncBaseTransport):
    """The gateway's transport to its subgraphs, counting every subgraph call."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.calls: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(str(request.url))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
