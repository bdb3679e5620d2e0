"""The fault proofs run against their own PostgreSQL and RabbitMQ (see proof/infra.py), in a pytest
process of their own: `pytest proof/faults` (the Makefile does so). They never touch the shared servers."""

from __future__ import annotations

import os

import asyncpg
import pytest
from tortoise import Tortoise

from services.common.data.db import SERVICES, start_database, stop_database

from ..faultproxy import FaultProxy
from ..infra import ThrowawayPostgres, ThrowawayRabbit, provision


@pytest.fixture(scope="session")
async def pg():
    if Tortoise._inited:
        pytest.fail("run the fault proofs in a pytest process of their own: pytest proof/faults")
    server = ThrowawayPostgres().init()
    server.start()
    env = await provision(server)
    os.environ.update(env)  # every service now reads its database URL from here
    yield server
    server.close()


@pytest.fixture(scope="session")
async def rabbit():
    server = ThrowawayRabbit()
    server.start()
    os.environ["AMQP_URL"] = server.url()
    # The throwaway broker has only its guest user: every service uses it (the test vhost's per-service
    # users, set by tests.support, live on the shared broker).
    for s in (*SERVICES, "gateway"):
        os.environ[f"{s.upper()}_AMQP_URL"] = server.url()
    yield server
    server.close()


@pytest.fixture(scope="session")
async def stack(pg, rabbit):
    # The services reach PostgreSQL through a fault proxy (passing bytes unless a proof says otherwise).
    db_proxy = await FaultProxy("127.0.0.1", pg.port).start()
    for s in SERVICES:
        for var, role in (("DATABASE_URL", "civic_app"), ("RELAY_DATABASE_URL", "civic_relay")):
            os.environ[f"{s.upper()}_{var}"] = pg.url(role, role, f"civic_{s}").replace(
                f":{pg.port}/", f":{db_proxy.port}/")
    await start_database(SERVICES, pool_max=20)
    admins = {s: await asyncpg.connect(pg.url(database=f"civic_{s}")) for s in SERVICES}
    yield {"pg": pg, "rabbit": rabbit, "admin": admins, "db_proxy": db_proxy}
    for conn in admins.values():
        await conn.close()
    await stop_database()
    await db_proxy.close()
