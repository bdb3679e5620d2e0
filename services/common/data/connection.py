"""The asyncpg connection every pool hands out, and what a connection keeps between transactions.

Two round trips of every operation are spared here, through asyncpg's public extension points (the
pool's `connection_class` and `reset`), never by reaching into Tortoise's transactions:

- a tenant transaction's BEGIN carries its `set_config('app.districts', ...)` in the same message
  (`BEGIN; SELECT set_config(...)`, one simple query), when the transaction asked for it (`prelude`);
- a connection going back to the pool is not reset with `RESET ALL; UNLISTEN *; CLOSE ALL; ...`,
  because nothing the services run leaves session state behind: every setting is transaction-local
  (`set_config(..., true)`), every advisory lock transaction-level, and the relay LISTENs on a
  connection of its own. asyncpg still rolls back an open transaction before our reset runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import asyncpg

# Only what can be written as a literal without quoting: district codes are six digits.
_LITERAL_DISTRICTS = re.compile(r"^[0-9]{6}(,[0-9]{6})*$")


class BeginPrelude:
    """The statement a transaction wants sent with its BEGIN, and whether it was."""

    __slots__ = ("sql", "sent")

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.sent = False


_pending: ContextVar[BeginPrelude | None] = ContextVar("civic_begin_prelude", default=None)


def districts_prelude(districts: Sequence[str]) -> BeginPrelude | None:
    """set_config for these districts as a literal statement, or None where they are not plain codes
    (the caller then sends its parameterised set_config on its own)."""
    joined = ",".join(districts)
    if not _LITERAL_DISTRICTS.match(joined):
        return None
    return BeginPrelude(f"SELECT set_config('app.districts', '{joined}', true)")


@contextmanager
def prelude(statement: BeginPrelude | None) -> Iterator[None]:
    """Within this block, the next top-level BEGIN of this task carries `statement`."""
    token = _pending.set(statement)
    try:
        yield
    finally:
        _pending.reset(token)


def sent_with_begin(statement: BeginPrelude | None) -> bool:
    """Whether the BEGIN carried the statement; either way no later BEGIN of this block takes it."""
    if statement is None:
        return False
    sent, statement.sent = statement.sent, True
    return sent


class TenantConnection(asyncpg.Connection):
    """asyncpg's connection, sending a pending prelude with the BEGIN of a transaction."""

    async def execute(self, query: str, *args, timeout: float | None = None) -> str:
        pending = _pending.get()
        if pending is not None and not pending.sent and not args and query.rstrip("; ") == "BEGIN":
            pending.sent = True
            query = f"BEGIN; {pending.sql};"
        return await super().execute(query, *args, timeout=timeout)


async def keep_session(connection: asyncpg.Connection) -> None:
    """The pool's reset: nothing to undo (see the module's docstring)."""
