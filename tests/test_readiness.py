"""Readiness asks only what serving needs (the database); the workers report the broker on /healthz and
in `civic_broker_connected`, from their robust connections' own state."""

from __future__ import annotations

import httpx
import pytest
from tortoise import connections
from yarl import URL

from proof.faultproxy import FaultProxy
from services.common.kernel.config import amqp_url
from services.common.runtime.subgraph import create_app
from services.funding.service import service
from tests.support import wait_until


@pytest.fixture
async def broker_proxy(broker, monkeypatch):
    """The funding service's broker behind a proxy this test can close: the workers connect through it."""
    url = URL(amqp_url("funding"))
    proxy = await FaultProxy(url.host, url.port or 5672).start()
    monkeypatch.setenv("FUNDING_AMQP_URL", str(url.with_port(proxy.port)))
    yield proxy
    await proxy.close()


@pytest.fixture
async def app_with_workers(databases, broker_proxy):
    app = create_app(service, manage_database=False, workers=True)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            yield http


def _gauge(metrics: str, role: str) -> str:
    line = next(l for l in metrics.splitlines() if l.startswith(f'civic_broker_connected{{role="{role}",service="funding"}}'))
    return line.rsplit(" ", 1)[1]


async def test_a_broker_outage_leaves_the_service_ready_and_shows_on_healthz(app_with_workers, broker_proxy):
    http = app_with_workers
    health = (await http.get("/healthz")).json()
    assert health == {"status": "ok", "service": "funding", "broker": {"relay": "connected", "consumer": "connected", "webhooks": "connected"}}
    metrics = (await http.get("/metrics")).text
    assert _gauge(metrics, "relay") == "1.0" and _gauge(metrics, "consumer") == "1.0"

    broker_proxy.set("reset")  # open connections reset, new ones refused: the broker is unreachable

    async def both_reconnecting():
        broker = (await http.get("/healthz")).json()["broker"]
        return broker == {"relay": "reconnecting", "consumer": "reconnecting", "webhooks": "reconnecting"}

    await wait_until(both_reconnecting, timeout=10)
    health = await http.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    ready = await http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"ready": True, "database": True}
    metrics = (await http.get("/metrics")).text
    assert _gauge(metrics, "relay") == "0.0" and _gauge(metrics, "consumer") == "0.0"

    broker_proxy.set("pass")

    async def both_connected():
        broker = (await http.get("/healthz")).json()["broker"]
        return broker == {"relay": "connected", "consumer": "connected", "webhooks": "connected"}

    await wait_until(both_connected, timeout=30)  # aio-pika retries every 5 s
    assert _gauge((await http.get("/metrics")).text, "relay") == "1.0"


async def test_without_the_database_the_service_is_not_ready(databases, monkeypatch):
    app = create_app(service, manage_database=False, workers=False)

    async def refused(*args, **kwargs):
        raise ConnectionRefusedError("the database is down")

    monkeypatch.setattr(connections.get("funding"), "execute_query", refused)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 503 and ready.json() == {"ready": False, "database": False}
        assert (await http.get("/healthz")).status_code == 200
