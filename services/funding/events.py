"""What funding emits: its outbox emitter. The event contracts live in services.contracts.funding."""

from __future__ import annotations

from services.common.events import Emitter

from .models import OutboxEvent

emitter = Emitter(producer="funding", outbox=OutboxEvent, connection="funding")
