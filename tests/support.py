"""Test plumbing shared by every service's tests, the proof and the bench: real PostgreSQL and RabbitMQ,
one database per session.

Importing this module points the services at the test databases and the test vhost, so the pytest plugin
(`tests/plugin.py`, named by the root conftest) imports it before any service module reads its settings.
It lives under tests/, not in the installed services package: nothing a service imports rewrites the
environment.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterable
from typing import Any

import aio_pika
import asyncpg
import httpx

# Separate namespaces let several test runs share one machine without cleaning each other's tables.
NAMESPACE = os.environ.get("CIVIC_TEST_NAMESPACE", "test")
TEST_VHOST = os.environ.setdefault("CIVIC_TEST_VHOST", f"civic_{NAMESPACE}")
for _service in ("registry", "funding", "evaluation"):
    _db = f"civic_{_service}_{NAMESPACE}"
    os.environ.setdefault(f"{_service.upper()}_DATABASE_URL", f"postgres://civic_app:civic_app@127.0.0.1:5432/{_db}")
    os.environ.setdefault(f"{_service.upper()}_OWNER_DATABASE_URL", f"postgres://civic_owner:civic_owner@127.0.0.1:5432/{_db}")
    os.environ.setdefault(f"{_service.upper()}_RELAY_DATABASE_URL", f"postgres://civic_relay:civic_relay@127.0.0.1:5432/{_db}")
os.environ.setdefault("AMQP_URL", f"amqp://guest:guest@127.0.0.1:5672/{TEST_VHOST}")  # tests' own publishing
# The services run as their own broker users, with the permissions they have in production.
for _service in ("registry", "funding", "evaluation", "gateway"):
    os.environ.setdefault(f"{_service.upper()}_AMQP_URL", f"amqp://civic_{_service}:civic_{_service}@127.0.0.1:5672/{TEST_VHOST}")
os.environ.setdefault("CIVIC_ENV", "development")
# Tests and the proof drive the gateway far faster than any portal does; the rate-limit tests and the
# proof's rate-limit row give their gateway a limiter of their own (policy/rate_limits.py).
os.environ.setdefault("RATE_LIMITS", "0")
# The platform's own webhook worker (funding's workers run it) retries on a test-sized schedule: where a
# test or the proof runs a worker of its own beside the platform's, whichever holds the intake queue (a
# single active consumer) delivers after an outage in seconds, not after production's 10 s doubling.
os.environ.setdefault("WEBHOOK_RETRY_BASE_SECONDS", "0.05")
os.environ.setdefault("WEBHOOK_RETRY_MAX_SECONDS", "0.5")
os.environ.setdefault("WEBHOOK_POLL_SECONDS", "0.1")

from services.common.kernel.auth import mint_token  # noqa: E402
from services.common.kernel.config import admin_database_url, amqp_url, database_url  # noqa: E402
from services.common.data.db import SERVICES, database_name  # noqa: E402
from services.common.events.broker_users import ensure_users  # noqa: E402

DAOLI = "230102"
NANGANG = "230103"
HARBIN = "2301"


def ensure_infrastructure() -> None:
    """Create the test vhost and the test databases, migrated once per session."""
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", TEST_VHOST], capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", TEST_VHOST, "guest", ".*", ".*", ".*"], capture_output=True)
    ensure_users()
    subprocess.run([sys.executable, "-m", "services.common.data.db", "bootstrap", *SERVICES], check=True)


async def admin_connections() -> dict[str, asyncpg.Connection]:
    """Superuser connections to each test database, for cleaning between tests and for raw checks."""
    base = admin_database_url().rsplit("/", 1)[0]
    return {s: await asyncpg.connect(f"{base}/{database_name(database_url(s))}") for s in SERVICES}


async def truncate_all(conns: dict[str, asyncpg.Connection]) -> None:
    for conn in conns.values():
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'"
        )
        if tables:
            await conn.execute("TRUNCATE " + ", ".join(f'"{t["tablename"]}"' for t in tables) + " RESTART IDENTITY")


async def purge_queues(names: Iterable[str]) -> None:
    connection = await aio_pika.connect(amqp_url())
    async with connection:
        channel = await connection.channel()
        for name in names:
            try:
                queue = await channel.declare_queue(name, passive=True)
                await queue.purge()
            except aio_pika.exceptions.ChannelClosed:
                channel = await connection.channel()


def token(district: str | None = DAOLI, *roles: str, city: str | None = None, **claims: Any) -> str:
    return mint_token(district=district, roles=list(roles) or ["bureau_admin"], city=city or (district or HARBIN)[:4], **claims)


class GraphQLClient:
    """Posts operations to one ASGI app in-process, as a portal would over HTTP."""

    def __init__(self, app: Any, base_url: str = "http://test") -> None:
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)

    async def post(self, query: str, variables: dict | None = None, *, token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        return response.json()

    async def ok(self, query: str, variables: dict | None = None, *, token: str | None = None) -> dict:
        """The data of an operation that must succeed."""
        body = await self.post(query, variables, token=token)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def error(self, query: str, variables: dict | None = None, *, token: str | None = None) -> dict:
        """The first error of an operation that must fail."""
        body = await self.post(query, variables, token=token)
        assert body.get("errors"), f"expected an error, got {body}"
        return body["errors"][0]

    async def close(self) -> None:
        await self.http.aclose()


async def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Polls an async predicate until it returns something truthy: events cross a real broker."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await predicate()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def collect(queue: Any, *, settle: float = 0.5) -> list:
    """Every message on a queue, once nothing more has arrived for `settle` seconds."""
    received = []
    while True:
        message = await queue.get(no_ack=True, fail=False)
        if message is not None:
            received.append(message)
            continue
        await asyncio.sleep(settle)
        message = await queue.get(no_ack=True, fail=False)
        if message is None:
            return received
        received.append(message)


def every_district(service: str):
    """The relay role's connection: tests count every district's outbox rows through it, as the relay
    sees them (the request role sees only its transaction's districts there)."""
    from tortoise import connections

    from services.common.data.db import relay_connection

    return connections.get(relay_connection(service))
