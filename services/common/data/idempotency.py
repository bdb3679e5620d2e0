"""The idempotency-key store: one row per (district, subject, key), written in the mutation's own tenant
transaction, beside its effect and its outbox row, so the key exists exactly when the change does.

A request with a key first takes a transaction-level advisory lock on it (`pg_try_advisory_xact_lock`):
a second request with the same key while the first still runs does not get it and is refused at once
(CONFLICT) instead of waiting. Holding the lock it reads the row: found, the stored response is replayed
(or, for another request, refused); not found, the mutation runs and its response is inserted. The
primary key is the backstop: two transactions can never both commit one key.

`create_table_sql` is called by migrations with a literal table name: applied migrations run it again on
every fresh database, so what it builds must not change (a different table needs a new helper).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from services.common.data.rls import RELAY_ROLE, enable_tenant_isolation

TABLE = "idempotency_key"
KEEP_FOR = dt.timedelta(hours=24)
PRUNE_EVERY_SECONDS = 600


def create_table_sql(table: str) -> list[str]:
    """SQL for a migration: the table under the tenant policy (district first in its primary key); the
    relay role, which prunes, has a policy of its own that shows it every row."""
    return [
        f'CREATE TABLE "{table}" ('
        "district VARCHAR(6) NOT NULL, subject VARCHAR(255) NOT NULL, key VARCHAR(255) NOT NULL, "
        "request_hash CHAR(64) NOT NULL, response TEXT NOT NULL, "
        "created_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
        f"CONSTRAINT {table}_pkey PRIMARY KEY (district, subject, key))",
        *enable_tenant_isolation(table),
        f'CREATE POLICY relay_prunes ON "{table}" TO {RELAY_ROLE} USING (true)',
    ]


def drop_table_sql(table: str) -> list[str]:
    return [f'DROP TABLE IF EXISTS "{table}"']


@dataclass(frozen=True)
class Claim:
    """What a keyed request found: `fresh` (run it), `busy` (the key is held by a request still running),
    `stored` (the response of the request that used the key; `same_request` says whether it was this one)."""

    fresh: bool = False
    busy: bool = False
    stored: str | None = None
    same_request: bool = False


async def claim(conn: BaseDBAsyncClient, district: str, subject: str, key: str, request_hash: str) -> Claim:
    locked = await conn.execute_query_dict(
        "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || '/' || $2 || '/' || $3, 0)) AS locked",
        [district, subject, key],
    )
    if not locked[0]["locked"]:
        return Claim(busy=True)
    rows = await conn.execute_query_dict(
        f'SELECT request_hash, response FROM "{TABLE}" WHERE district = $1 AND subject = $2 AND key = $3',
        [district, subject, key],
    )
    if not rows:
        return Claim(fresh=True)
    return Claim(stored=rows[0]["response"], same_request=rows[0]["request_hash"] == request_hash)


class KeyTaken(Exception):
    """Another transaction committed this key first (the primary key refused ours): ours must roll back."""


async def record(conn: BaseDBAsyncClient, district: str, subject: str, key: str, request_hash: str,
                 response: str) -> None:
    try:
        await conn.execute_query(
            f'INSERT INTO "{TABLE}" (district, subject, key, request_hash, response) VALUES ($1, $2, $3, $4, $5)',
            [district, subject, key, request_hash, response],
        )
    except IntegrityError as error:
        raise KeyTaken(key) from error


async def prune_keys(connection: str, *, keep_for: dt.timedelta = KEEP_FOR) -> int:
    """Deletes keys older than `keep_for` (24 h: a client retries within minutes, not days); `connection`
    is the relay role's. One plain DELETE: the table holds one day of mutations, and on Citus (where it is
    distributed by district beside the rows its keys guard) it runs on every shard at once."""
    async with in_transaction(connection) as conn:
        rows = await conn.execute_query_dict(
            f'DELETE FROM "{TABLE}" WHERE created_at < now() - $1::interval RETURNING 1', [keep_for])
    return len(rows)
