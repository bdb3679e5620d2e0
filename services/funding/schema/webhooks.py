"""Webhook subscriptions and their delivery log, as the portal shows them."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry
from tortoise.functions import Count

from services.common.api.input_lists import at_most

from .. import models
from .values import node_id


@strawberry.enum(description="The alerts a webhook can subscribe to; each value stands for its AsyncAPI channel (RECOVERY_ORDERED: funding.recovery.ordered).")
class WebhookEventType(Enum):
    RECOVERY_ORDERED = "funding.recovery.ordered"
    RECOVERY_SETTLED = "funding.recovery.settled"
    RECOVERY_OVERDUE = "funding.recovery.overdue"


WebhookDeliveryStatus = strawberry.enum(models.WebhookDeliveryStatus, description=(
    "PENDING: being attempted (see nextAttemptAt); DELIVERED: the endpoint answered 2xx; "
    "FAILED: retries ran out or the subscription was disabled (replayWebhookDelivery sends it again)"))


@strawberry.input
class RegisterWebhookInput:
    url: str = strawberry.field(description="https:// endpoint; in production on a public address")
    event_types: list[WebhookEventType]
    description: str | None = None

    def __post_init__(self) -> None:
        at_most(len(WebhookEventType), "eventTypes", self.event_types)


@strawberry.type
class WebhookSubscription:
    id: strawberry.ID
    url: str
    description: str
    event_types: list[WebhookEventType]
    district: str | None = strawberry.field(description="null for a city-wide subscription")
    city: str
    active: bool
    created_at: dt.datetime
    disabled_at: dt.datetime | None
    secret_rotated_at: dt.datetime | None
    previous_secret_valid_until: dt.datetime | None = strawberry.field(
        description="until then the previous secret signs too (a second v1 signature)")

    @classmethod
    def from_row(cls, row: models.WebhookSubscription) -> "WebhookSubscription":
        return cls(
            id=node_id(row.id), url=row.url, description=row.description,
            event_types=[WebhookEventType(t) for t in row.event_types], district=row.district, city=row.city,
            active=row.active, created_at=row.created_at, disabled_at=row.disabled_at,
            secret_rotated_at=row.secret_rotated_at, previous_secret_valid_until=row.previous_secret_until,
        )

    @strawberry.field(description="how many deliveries are pending, delivered and failed (the portal's badge)")
    async def delivery_counts(self) -> "WebhookDeliveryCounts":
        rows = await models.WebhookDelivery.filter(subscription_id=self.id).group_by("status").annotate(
            n=Count("id")).values("status", "n")
        counts = {row["status"]: row["n"] for row in rows}
        return WebhookDeliveryCounts(**{s.value.lower(): counts.get(s.value, counts.get(s, 0)) for s in models.WebhookDeliveryStatus})


@strawberry.type
class WebhookDeliveryCounts:
    pending: int
    delivered: int
    failed: int


@strawberry.type(description="A subscription with its signing secret, shown this once.")
class WebhookSecret:
    subscription: WebhookSubscription
    secret: str = strawberry.field(description="whsec_<base64>: verify webhook-signature with it")


@strawberry.type
class WebhookAttempt:
    number: int
    attempted_at: dt.datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    next_retry_at: dt.datetime | None


@strawberry.type
class WebhookDelivery:
    id: strawberry.ID
    event_id: strawberry.ID = strawberry.field(description="the webhook-id header: the event's id, on every attempt")
    event_type: str
    order_id: str | None
    district: str | None
    status: WebhookDeliveryStatus
    attempt_count: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    failed_at: dt.datetime | None
    row: strawberry.Private[models.WebhookDelivery]

    @classmethod
    def from_row(cls, row: models.WebhookDelivery) -> "WebhookDelivery":
        return cls(
            id=node_id(row.id), event_id=node_id(row.event_id), event_type=row.event_type,
            order_id=None if row.event_type == "webhook.test" else row.order_key, district=row.district,
            status=row.status, attempt_count=row.attempts, last_status_code=row.last_status_code,
            last_error=row.last_error, next_attempt_at=row.next_attempt_at, created_at=row.created_at,
            delivered_at=row.delivered_at, failed_at=row.failed_at, row=row,
        )

    @strawberry.field(description="every attempt, first to last")
    async def attempts(self, info: strawberry.Info) -> list[WebhookAttempt]:
        rows = await info.context.loaders.attempts_by_delivery.load(self.row.id)
        return [WebhookAttempt(number=r.number, attempted_at=r.attempted_at, status_code=r.status_code,
                               latency_ms=r.latency_ms, error=r.error, next_retry_at=r.next_retry_at) for r in rows]
