"""Webhook subscriptions for fund-recovery alerts: register, rotate the secret, disable, test, replay.

A bureau admin's subscription is its district's; a city admin's is its city's (alerts of every district
of the city). A city admin's operation sees its city's subscription through `app.city` and its city's
deliveries through its districts, both from its verified token (tenancy.admit_city); nothing else of a
district is written by a city-wide token.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from tortoise import connections

from services.common.data import audit
from services.common.data.reads import read_list
from services.common.data.tenancy import admit_city
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput, Conflict, NotFound
from services.common.kernel.validation import clean_text

from ..models import AuditRecord, WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription
from ..webhooks import signing
from ..webhooks.endpoints import check_endpoint
from ..webhooks.intake import ALERT_TYPES
from ..webhooks.settings import WebhookSettings
from .common import now

TEST_EVENT = "webhook.test"
MAX_SUBSCRIPTIONS = 20  # per district or city


@dataclass(frozen=True)
class Scope:
    district: str | None  # None: the city's own subscription
    city: str


async def scope_of(principal: Principal) -> Scope:
    """The caller's webhook scope; a city admin's transaction is given its city (and its districts)."""
    if principal.is_city_admin:
        await admit_city("funding", principal.city, principal.districts)
        return Scope(district=None, city=principal.city)
    return Scope(district=principal.home_district, city=principal.city)


async def _audit(principal: Principal, scope: Scope, action: str, row: WebhookSubscription) -> None:
    if scope.district is None:  # the audit trail is per district; a city's subscription has none
        return
    await audit.record(AuditRecord, principal, district=scope.district, action=action, entity_type="WebhookSubscription",
                       entity_id=row.id, after={"url": row.url, "eventTypes": row.event_types, "active": row.active})


def _event_types(types: list[str]) -> list[str]:
    chosen = list(dict.fromkeys(types))
    if not chosen:
        raise BadInput("choose at least one event type", field="eventTypes")
    unknown = [t for t in chosen if t not in ALERT_TYPES]
    if unknown:
        raise BadInput(f"{unknown[0]} is not an alert event type", field="eventTypes")
    return chosen


def _owned(scope: Scope):
    return WebhookSubscription.filter(district=scope.district, city=scope.city)


async def subscription(principal: Principal, subscription_id: Any, *, for_update: bool = False) -> WebhookSubscription:
    scope = await scope_of(principal)
    try:
        key = uuid.UUID(str(subscription_id))
    except ValueError:
        raise NotFound("no such webhook subscription", field="subscriptionId") from None
    query = _owned(scope).filter(id=key)
    row = await (query.select_for_update().first() if for_update else query.first())
    if row is None:
        raise NotFound("no such webhook subscription", field="subscriptionId")
    return row


async def register(principal: Principal, *, url: str, event_types: list[str], description: str) -> tuple[WebhookSubscription, str]:
    scope = await scope_of(principal)
    url = await check_endpoint(url)
    types = _event_types(event_types)
    description = clean_text(description, "description", required=False, max_length=200) or ""
    if await _owned(scope).filter(active=True).count() >= MAX_SUBSCRIPTIONS:
        raise Conflict(f"at most {MAX_SUBSCRIPTIONS} active webhook subscriptions", field="url")
    secret = signing.new_secret()
    row = await WebhookSubscription.create(
        id=uuid.uuid4(), district=scope.district, city=scope.city, url=url, description=description,
        event_types=types, secret=secret, created_by=principal.sub,
    )
    await _audit(principal, scope, "registerWebhook", row)
    return row, secret


async def rotate_secret(principal: Principal, subscription_id: Any, settings: WebhookSettings | None = None) -> tuple[WebhookSubscription, str]:
    """A new secret signs from now on; the old one signs beside it for the grace period."""
    settings = settings or WebhookSettings.from_env()
    row = await subscription(principal, subscription_id, for_update=True)
    if not row.active:
        raise Conflict("the subscription is disabled", field="subscriptionId")
    secret, at = signing.new_secret(), now()
    row.previous_secret, row.previous_secret_until = row.secret, at + dt.timedelta(seconds=settings.secret_grace_seconds)
    row.secret, row.secret_rotated_at = secret, at
    await row.save(update_fields=["previous_secret", "previous_secret_until", "secret", "secret_rotated_at"])
    await _audit(principal, await scope_of(principal), "rotateWebhookSecret", row)
    return row, secret


async def disable(principal: Principal, subscription_id: Any) -> WebhookSubscription:
    """No further deliveries; what was still pending is marked FAILED, so the log says it was not sent."""
    row = await subscription(principal, subscription_id, for_update=True)
    if row.active:
        row.active, row.disabled_at = False, now()
        await row.save(update_fields=["active", "disabled_at"])
        await WebhookDelivery.filter(subscription_id=row.id, status=WebhookDeliveryStatus.PENDING).update(
            status=WebhookDeliveryStatus.FAILED, failed_at=now(), next_attempt_at=None,
            last_error="the subscription was disabled")
        await _audit(principal, await scope_of(principal), "disableWebhook", row)
    return row


async def send_test_event(principal: Principal, subscription_id: Any) -> WebhookDelivery:
    """A `webhook.test` event, signed and retried like an alert, in its own order."""
    row = await subscription(principal, subscription_id)
    if not row.active:
        raise Conflict("the subscription is disabled", field="subscriptionId")
    event_id, at = uuid.uuid4(), now()
    body = orjson.dumps({
        "id": str(event_id), "type": TEST_EVENT, "district": row.district or row.city, "occurredAt": at.isoformat(),
        "producer": "funding", "data": {"subscriptionId": str(row.id), "message": "a test event from the platform"},
    }).decode()
    rows = await connections.get("funding").execute_query_dict(
        "INSERT INTO webhook_delivery (district, city, id, subscription_id, event_id, event_type, order_key, body, "
        "next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), clock_timestamp()) RETURNING id",
        [row.district, row.city, uuid.uuid4(), row.id, event_id, TEST_EVENT, str(event_id), body],
    )
    return await WebhookDelivery.get(id=rows[0]["id"])


async def replay(principal: Principal, delivery_id: Any) -> WebhookDelivery:
    """Sends a finished delivery again: the same body under the same webhook-id, with a new retry window."""
    scope = await scope_of(principal)
    try:
        key = uuid.UUID(str(delivery_id))
    except ValueError:
        raise NotFound("no such webhook delivery", field="deliveryId") from None
    delivery = await WebhookDelivery.filter(id=key).select_for_update().first()
    owner = delivery and await _owned(scope).filter(id=delivery.subscription_id).first()
    if delivery is None or owner is None:
        raise NotFound("no such webhook delivery", field="deliveryId")
    if not owner.active:
        raise Conflict("the subscription is disabled", field="deliveryId")
    if delivery.status is WebhookDeliveryStatus.PENDING:
        raise Conflict("the delivery is still being attempted", field="deliveryId")
    delivery.status, delivery.next_attempt_at, delivery.first_attempt_at = WebhookDeliveryStatus.PENDING, now(), None
    delivery.failed_at = delivery.lease_until = None
    await delivery.save(update_fields=["status", "next_attempt_at", "first_attempt_at", "failed_at", "lease_until"])
    return delivery


def subscriptions(principal_scope: Scope):
    return _owned(principal_scope).all()


async def deliveries(principal: Principal, subscription_id: Any):
    row = await subscription(principal, subscription_id)
    return read_list(WebhookDelivery).filter(subscription_id=row.id)
