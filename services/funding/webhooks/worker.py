"""The webhook worker funding's workers run: the intake consumer and the dispatcher."""

from __future__ import annotations

import asyncio

from services.common.events.consumer import EventConsumer
from services.common.kernel.tasks import cancel_and_wait

from ..models import InboxEvent
from .dispatcher import WebhookDispatcher
from .intake import ALERT_TYPES, CONSUMER, handlers
from .settings import WebhookSettings


class WebhookWorker:
    name = "webhooks"
    routing_keys = ALERT_TYPES  # what its queue binds on civic.events (broker_users.ROUTES["funding"])

    def __init__(self, amqp_url: str, settings: WebhookSettings | None = None, *, production: bool | None = None) -> None:
        # One applier in one process at a time (a single active consumer: other replicas stand by), so
        # batches commit in the order they arrived and the deliveries' `seq` (the order the dispatcher
        # keeps per subscription and recovery order) is the alerts' arrival order. Two appliers let a
        # later batch commit first: the proof (row 12) saw 6 of 450 orders' alerts swapped.
        self.intake = EventConsumer(name=CONSUMER, connection="funding", inbox=InboxEvent, handlers=handlers,
                                    amqp_url=amqp_url, concurrency=1, single_active_consumer=True)
        self.dispatcher = WebhookDispatcher(settings, production=production)
        self._task: asyncio.Task | None = None

    @property
    def amqp(self):
        return self.intake.amqp

    async def start(self) -> None:
        await self.intake.start()
        self._task = asyncio.create_task(self.dispatcher.run(), name="funding-webhook-dispatcher")

    async def stop(self) -> None:
        await cancel_and_wait([self._task] if self._task else [])
        await self.intake.close()
        await self.dispatcher.close()
