"""The test session's fixtures (real PostgreSQL and RabbitMQ, migrated once, cleaned between tests), as a
pytest plugin: the root conftest names it in `pytest_plugins`."""

from __future__ import annotations

import os

import pytest

from tests import support as testing  # first: points settings at the test databases and vhost
from services.common.data.db import SERVICES, start_database, stop_database
from services.common.events.topology import dead_letter_queue_name, queue_name


def _unreachable(what: str, exc: BaseException) -> None:
    # Under CI a missing PostgreSQL or RabbitMQ is a failure, never a skip.
    message = f"{what} is not reachable: {exc}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
async def databases():
    try:
        testing.ensure_infrastructure()
        conns = await testing.admin_connections()
    except Exception as exc:  # noqa: BLE001
        _unreachable("PostgreSQL", exc)
    await start_database(SERVICES)
    yield conns
    await stop_database()
    for conn in conns.values():
        await conn.close()


@pytest.fixture(scope="session")
async def broker(databases):  # the databases fixture makes the test vhost, and `clean` empties both
    try:
        await testing.purge_queues([])
    except Exception as exc:  # noqa: BLE001
        _unreachable("RabbitMQ", exc)
    return True


@pytest.fixture(autouse=True)
async def clean(request):
    """Every test starts from empty tables and empty queues."""
    if "databases" in request.fixturenames or "broker" in request.fixturenames:
        conns = request.getfixturevalue("databases")
        await testing.truncate_all(conns)
        await testing.purge_queues([n for s in SERVICES for n in (queue_name(s), dead_letter_queue_name(s))] + ["civic.unrouted"])
    yield
