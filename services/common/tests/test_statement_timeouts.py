"""Every database role has its own statement_timeout: a runaway query is cancelled by PostgreSQL,
not left holding a pooled connection (the bootstrap sets them, services/common/data/db.py)."""

from __future__ import annotations

import asyncpg
import pytest

from services.common.data.db import APP_ROLE, NOTICE_READER_ROLE, STATEMENT_TIMEOUTS
from services.common.data.rls import RELAY_ROLE
from services.common.kernel.config import database_url, relay_database_url


@pytest.mark.parametrize("url_of", [database_url, relay_database_url], ids=["civic_app", "civic_relay"])
async def test_a_login_role_runs_with_its_statement_timeout(databases, url_of):
    conn = await asyncpg.connect(url_of("funding"))
    try:
        role = await conn.fetchval("SELECT current_user")
        shown = await conn.fetchval("SHOW statement_timeout")
    finally:
        await conn.close()
    assert role in (APP_ROLE, RELAY_ROLE)
    assert shown == STATEMENT_TIMEOUTS[role] and shown not in ("0", "")


async def test_every_role_has_a_statement_timeout_in_the_catalog(databases):
    rows = await databases["funding"].fetch(
        "SELECT rolname, rolconfig FROM pg_roles WHERE rolname = ANY($1::text[])",
        [APP_ROLE, RELAY_ROLE, NOTICE_READER_ROLE])
    config = {row["rolname"]: set(row["rolconfig"] or ()) for row in rows}
    assert set(config) == {APP_ROLE, RELAY_ROLE, NOTICE_READER_ROLE}
    for role, settings in config.items():
        assert f"statement_timeout={STATEMENT_TIMEOUTS[role]}" in settings, (role, settings)

