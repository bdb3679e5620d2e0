"""The tenant transaction's round trips: its BEGIN carries the district setting in the same message, and a
connection goes back to the pool without a reset query, because nothing it ran outlives its transaction."""

from __future__ import annotations

import asyncpg
import pytest
from tortoise import connections

from services.common.data.connection import TenantConnection, districts_prelude, keep_session, prelude
from services.common.data.tenancy import tenant_transaction
from services.common.kernel.config import database_url
from tests.support import DAOLI, NANGANG


@pytest.fixture
async def logged_pool(databases):
    """A one-connection pool configured as the services' (db.py), with every statement it sends logged."""
    pool = await asyncpg.create_pool(database_url("registry"), min_size=1, max_size=1,
                                     connection_class=TenantConnection, reset=keep_session)
    sent: list[str] = []
    async with pool.acquire() as conn:
        conn.add_query_logger(lambda record: sent.append(record.query))
    yield pool, sent
    await pool.close()


async def test_the_begin_carries_the_district_setting(logged_pool):
    pool, sent = logged_pool
    async with pool.acquire() as conn:
        with prelude(districts_prelude([DAOLI, NANGANG])):
            async with conn.transaction():
                seen = await conn.fetchval("SELECT current_setting('app.districts')")
    assert seen == f"{DAOLI},{NANGANG}"
    assert sent[0] == f"BEGIN; SELECT set_config('app.districts', '{DAOLI},{NANGANG}', true);"
    assert sent[1:] == ["SELECT current_setting('app.districts')", "COMMIT;"]  # and no reset on release


async def test_only_the_first_begin_takes_the_prelude(logged_pool):
    pool, sent = logged_pool
    async with pool.acquire() as conn:
        with prelude(districts_prelude([DAOLI])):
            async with conn.transaction():
                pass
            async with conn.transaction():
                seen = await conn.fetchval("SELECT current_setting('app.districts', true)")
    assert seen in (None, "")
    assert [q for q in sent if q.startswith("BEGIN")] == [
        f"BEGIN; SELECT set_config('app.districts', '{DAOLI}', true);", "BEGIN;"]


@pytest.mark.parametrize("districts", [["23O102"], ["230102'); SELECT 1; --"], [""]])
def test_what_is_not_a_plain_district_code_is_never_written_into_sql(districts):
    assert districts_prelude(districts) is None


async def test_a_district_that_is_not_a_code_is_still_set_as_a_parameter(databases):
    odd = "230102'); SELECT 1; --"
    async with tenant_transaction("registry", [odd]) as conn:
        _, rows = await conn.execute_query("SELECT current_setting('app.districts') AS seen")
    assert rows[0]["seen"] == odd


async def test_a_pooled_connection_keeps_nothing_from_the_last_transaction(databases):
    async with tenant_transaction("registry", [DAOLI]) as conn:
        _, rows = await conn.execute_query("SELECT current_setting('app.districts') AS seen")
        assert rows[0]["seen"] == DAOLI
    for _ in range(3):  # the pool's connections in turn: none carries the district on
        _, rows = await connections.get("registry").execute_query(
            "SELECT current_setting('app.districts', true) AS seen, pg_backend_pid() AS pid")
        assert rows[0]["seen"] in (None, "")
