"""The write side of the outbox: an event row inserted in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tortoise.transactions import in_transaction

from ..models import OutboxBase
from .envelope import Envelope

NOTIFY_CHANNEL = "civic_outbox"


class Emitter:
    """What a service uses to emit events. Call `emit` inside the business transaction."""

    def __init__(self, producer: str, outbox: type[OutboxBase], connection: str) -> None:
        self.producer = producer
        self.outbox = outbox
        self.connection = connection

    async def emit(self, event_type: str, district: str, data: dict[str, Any]) -> Envelope:
        envelope = Envelope(type=event_type, district=district, producer=self.producer, data=data)
        # Joins the caller's transaction when there is one (Tortoise keeps it in a context variable).
        async with in_transaction(self.connection) as conn:
            await self.outbox.create(
                event_id=uuid.UUID(envelope.id),
                type=event_type,
                district=district,
                occurred_at=dt.datetime.fromisoformat(envelope.occurredAt),
                payload=envelope.to_dict(),
                using_db=conn,
            )
            # Delivered at commit only, so the relay wakes for committed rows and never for rolled-back ones.
            await conn.execute_query(f"NOTIFY {NOTIFY_CHANNEL}")
        return envelope
