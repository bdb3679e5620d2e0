"""Load and scale proofs: like the fault proofs, on their own PostgreSQL and RabbitMQ, in their own process.

Unlike the fault proofs, the services reach PostgreSQL directly: the fault proxy is a Python process in
the middle of every round trip, and the load proofs measure the platform, not the proxy."""

from __future__ import annotations

import asyncpg
import pytest
import uvloop

from services.common.data.db import SERVICES, start_database, stop_database

from ..faults.conftest import pg, rabbit  # noqa: F401  (fixtures)


def pytest_asyncio_loop_factories(config, item):
    # The services run on uvloop (uvicorn picks it), and their relay and consumer with them.
    return {"uvloop": uvloop.new_event_loop}


@pytest.fixture(scope="session")
async def stack(pg, rabbit):  # noqa: F811
    await start_database(SERVICES, pool_max=20)
    admins = {s: await asyncpg.connect(pg.url(database=f"civic_{s}")) for s in SERVICES}
    yield {"pg": pg, "rabbit": rabbit, "admin": admins}
    for conn in admins.values():
        await conn.close()
    await stop_database()
