"""The per-operation transaction that tells PostgreSQL which districts this request may touch."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise import connections
from tortoise.transactions import in_transaction

from services.common.data.connection import districts_prelude, prelude, sent_with_begin


@asynccontextmanager
async def tenant_transaction(connection: str, districts: Sequence[str]) -> AsyncIterator[BaseDBAsyncClient]:
    """One transaction; `app.districts` is transaction-local, so a pooled connection carries nothing on."""
    statement = districts_prelude(districts)
    with prelude(statement):
        async with in_transaction(connection) as conn:
            if not sent_with_begin(statement):
                await conn.execute_query("SELECT set_config('app.districts', $1, true)", [",".join(districts)])
            yield conn


async def admit_district(connection: str, district: str) -> None:
    """Adds a district to this transaction's tenants: only for onboarding a new district into its city."""
    conn = connections.get(connection)
    await conn.execute_query(
        "SELECT set_config('app.districts', "
        "concat_ws(',', NULLIF(current_setting('app.districts', true), ''), $1::text), true)",
        [district],
    )


async def admit_city(connection: str, city: str, districts: Sequence[str] = ()) -> None:
    """Sets this transaction's city (`app.city`, read only by policies of city-wide rows such as a city's
    webhook subscription) and adds its districts: only from a city admin's verified token, or for an
    event of one of the city's districts."""
    conn = connections.get(connection)
    await conn.execute_query("SELECT set_config('app.city', $1, true)", [city])
    if districts:
        await conn.execute_query(
            "SELECT set_config('app.districts', "
            "concat_ws(',', NULLIF(current_setting('app.districts', true), ''), $1::text), true)",
            [",".join(districts)],
        )
