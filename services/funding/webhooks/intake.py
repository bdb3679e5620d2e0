"""The webhook intake: alerts from its own queue become delivery rows, once per event and subscription.

It runs as an EventConsumer of its own (`funding.webhooks`, queue funding.webhooks.events), so the inbox
row (consumer `funding.webhooks`, the event id) and the deliveries commit together: an alert that arrives
twice creates its deliveries once, and the unique (district, subscription_id, event_id) says so again.
"""

from __future__ import annotations

import uuid

import orjson
from tortoise import connections
from tortoise.expressions import Q

from services.common.data.tenancy import admit_city
from services.common.events import Envelope
from services.common.events.handlers import consumes, handler_table
from services.contracts import RecoveryOrdered, RecoveryOverdue, RecoverySettled

from ..models import DistrictDirectory, WebhookSubscription

CONSUMER = "funding.webhooks"
ALERTS = (RecoveryOrdered, RecoverySettled, RecoveryOverdue)
ALERT_TYPES = tuple(contract.type for contract in ALERTS)

# created_at is the row's own instant (not the transaction's), so the log lists a batch in arrival order.
INSERT = (
    "INSERT INTO webhook_delivery (district, city, id, subscription_id, event_id, event_type, order_key, body, "
    "next_attempt_at, created_at) SELECT $1, $2, gen_random_uuid(), s.id, $3, $4, $5, $6, now(), clock_timestamp() "
    "FROM unnest($7::uuid[]) AS s(id) "
    "ON CONFLICT (district, subscription_id, event_id) DO NOTHING"
)


async def city_of(district: str) -> str:
    """The district's city from the directory; a district code starts with its city's anyway."""
    row = await DistrictDirectory.filter(code=district).first()
    return row.city_code if row else district[:4]


async def create_deliveries(envelope: Envelope, order_id: str) -> int:
    """One PENDING delivery per active subscription of the alert's district, or of its city, that wants it."""
    city = await city_of(envelope.district)
    await admit_city("funding", city)  # the city's subscriptions are seen for this district's alert only
    subscriptions = await WebhookSubscription.filter(
        Q(district=envelope.district) | Q(district=None, city=city), active=True
    ).values("id", "event_types")
    wanted = [s["id"] for s in subscriptions if envelope.type in s["event_types"]]
    if not wanted:
        return 0
    body = orjson.dumps(envelope.to_dict()).decode()
    await connections.get("funding").execute_query(
        INSERT, [envelope.district, city, uuid.UUID(envelope.id), envelope.type, order_id, body, wanted]
    )
    return len(wanted)


def _handler(contract):
    @consumes(contract)
    async def on_alert(event, envelope: Envelope) -> None:
        await create_deliveries(envelope, event.order_id)

    on_alert.__name__ = f"on_{contract.type.rsplit('.', 1)[1]}"
    return on_alert


handlers = handler_table(*(_handler(contract) for contract in ALERTS))
