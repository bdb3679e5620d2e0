"""What evaluation emits: its outbox emitter. The event contracts live in services.contracts.evaluation."""

from __future__ import annotations

from services.common.events import Emitter

from .models import OutboxEvent

emitter = Emitter(producer="evaluation", outbox=OutboxEvent, connection="evaluation")
