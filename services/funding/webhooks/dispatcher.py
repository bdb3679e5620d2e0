"""Sends pending webhook deliveries: every district's, as the relay role, from the database alone.

A delivery is due when it is PENDING, its next attempt time has come, no other dispatcher holds its
lease, and no earlier delivery of the same subscription and recovery order is still PENDING: a later
event for an order waits until the earlier one is delivered or has failed. A 2xx answer is DELIVERED;
anything else (status, timeout, refused address) is retried with backoff until the retry window since
the first attempt ends, then FAILED. Each attempt is a row of its own (the delivery log).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

import httpx
from tortoise import connections
from tortoise.transactions import in_transaction

from services.common.data.db import relay_connection
from services.common.kernel.config import development

from . import signing
from .endpoints import EndpointRefused, pinned
from .settings import WebhookSettings

log = logging.getLogger("civic.webhooks")

CLAIM = """
UPDATE webhook_delivery SET lease_until = now() + make_interval(secs => $2)
 WHERE id IN (
    SELECT d.id FROM webhook_delivery d
     WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()
       AND (d.lease_until IS NULL OR d.lease_until < now())
       AND NOT EXISTS (
           SELECT 1 FROM webhook_delivery e
            WHERE e.district IS NOT DISTINCT FROM d.district AND e.subscription_id = d.subscription_id
              AND e.order_key = d.order_key AND e.status = 'PENDING' AND e.seq < d.seq)
     ORDER BY d.next_attempt_at, d.seq
     LIMIT $1
     FOR UPDATE OF d SKIP LOCKED)
RETURNING id, district, city, subscription_id, event_id, body, attempts, first_attempt_at
"""
SUBSCRIPTIONS = (
    "SELECT id, url, active, secret, previous_secret, previous_secret_until FROM webhook_subscription "
    "WHERE id = ANY($1::uuid[])"
)
RECORD_ATTEMPT = (
    "INSERT INTO webhook_attempt (district, city, delivery_id, number, attempted_at, status_code, error, "
    "latency_ms, next_retry_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
)
DELIVERED = (
    "UPDATE webhook_delivery SET status = 'DELIVERED', attempts = $2, first_attempt_at = coalesce(first_attempt_at, $3), "
    "delivered_at = now(), next_attempt_at = NULL, lease_until = NULL, last_status_code = $4, last_error = NULL "
    "WHERE id = $1"
)
RETRY = (
    "UPDATE webhook_delivery SET attempts = $2, first_attempt_at = coalesce(first_attempt_at, $3), "
    "next_attempt_at = $4, lease_until = NULL, last_status_code = $5, last_error = $6 WHERE id = $1"
)
FAILED = (
    "UPDATE webhook_delivery SET status = 'FAILED', attempts = $2, first_attempt_at = coalesce(first_attempt_at, $3), "
    "failed_at = now(), next_attempt_at = NULL, lease_until = NULL, last_status_code = $4, last_error = $5 "
    "WHERE id = $1"
)


def signing_secrets(subscription: dict[str, Any], now: dt.datetime) -> list[str]:
    """The current secret, and the previous one while its grace period lasts."""
    secrets = [subscription["secret"]]
    until = subscription["previous_secret_until"]
    if subscription["previous_secret"] and until is not None and until > now:
        secrets.append(subscription["previous_secret"])
    return secrets


class WebhookDispatcher:
    def __init__(self, settings: WebhookSettings | None = None, *, connection: str | None = None,
                 client: httpx.AsyncClient | None = None, production: bool | None = None) -> None:
        self.settings = settings or WebhookSettings.from_env()
        self.connection = connection or relay_connection("funding")
        self.production = (not development()) if production is None else production
        self.client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(self.settings.timeout_seconds, connect=min(5.0, self.settings.timeout_seconds)),
            follow_redirects=False,  # a redirect could lead anywhere, past the address check
            limits=httpx.Limits(max_connections=self.settings.concurrency * 2),
        )
        self.sent = 0
        self.wake = asyncio.Event()

    async def run(self) -> None:
        while True:
            try:
                sent = await self.dispatch_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook dispatch failed; trying again")
                sent = 0
            if not sent:
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), self.settings.poll_seconds)
                except TimeoutError:
                    pass

    async def dispatch_once(self) -> int:
        """Claims due deliveries and attempts each once; returns how many were attempted."""
        db = connections.get(self.connection)
        claimed = await db.execute_query_dict(CLAIM, [self.settings.concurrency * 4, self.settings.lease_seconds])
        if not claimed:
            return 0
        subscriptions = {
            row["id"]: row for row in await db.execute_query_dict(
                SUBSCRIPTIONS, [list({row["subscription_id"] for row in claimed})])
        }
        gate = asyncio.Semaphore(self.settings.concurrency)

        async def attempt(delivery: dict[str, Any]) -> None:
            async with gate:
                await self._attempt(delivery, subscriptions.get(delivery["subscription_id"]))

        await asyncio.gather(*(attempt(row) for row in claimed))
        return len(claimed)

    async def _attempt(self, delivery: dict[str, Any], subscription: dict[str, Any] | None) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        number = delivery["attempts"] + 1
        first = delivery["first_attempt_at"] or now
        status_code: int | None = None
        error: str | None = None
        started = time.perf_counter()
        if subscription is None or not subscription["active"]:
            error = "the subscription is disabled"
        else:
            try:
                body = delivery["body"]
                headers = signing.headers(str(delivery["event_id"]), now, body, signing_secrets(subscription, now))
                url, extensions = subscription["url"], None
                if self.production:  # checked again now, and connected to the very address checked
                    target = await pinned(url)
                    url, extensions = target.url, {"sni_hostname": target.sni_hostname}
                    headers["host"] = target.host_header
                response = await self.client.post(url, content=body.encode(), headers=headers, extensions=extensions)
                status_code = response.status_code
                if not 200 <= status_code < 300:
                    error = f"HTTP {status_code}"
            except EndpointRefused as refused:
                error = f"refused: {refused}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
        latency_ms = round((time.perf_counter() - started) * 1000)
        give_up = (subscription is None or not subscription["active"]
                   or (now - first).total_seconds() >= self.settings.give_up_after_seconds)
        next_retry = None if error is None or give_up else now + self.settings.retry_delay(number)
        async with in_transaction(self.connection) as conn:
            await conn.execute_query(RECORD_ATTEMPT, [
                delivery["district"], delivery["city"], delivery["id"], number, now, status_code, error,
                latency_ms, next_retry])
            if error is None:
                await conn.execute_query(DELIVERED, [delivery["id"], number, first, status_code])
                self.sent += 1
            elif give_up:
                await conn.execute_query(FAILED, [delivery["id"], number, first, status_code, error])
                log.warning("webhook delivery %s failed for good: %s", delivery["id"], error)
            else:
                await conn.execute_query(RETRY, [delivery["id"], number, first, next_retry, status_code, error])

    async def close(self) -> None:
        await self.client.aclose()
