"""A service's background work: the outbox relay and the event consumer."""

from __future__ import annotations

import asyncio
import contextlib

from .config import amqp_url, database_url
from .events.consumer import EventConsumer
from .events.relay import OutboxRelay
from .service import ServiceDefinition


class ServiceWorkers:
    def __init__(self, service: ServiceDefinition, *, amqp: str | None = None) -> None:
        self.service = service
        url = amqp or amqp_url()
        self.relay = OutboxRelay(
            outbox=service.models.outbox,
            connection=service.name,
            amqp_url=url,
            listen_dsn=database_url(service.name),
        )
        self.consumer = (
            EventConsumer(
                name=service.name,
                connection=service.name,
                inbox=service.models.inbox,
                handlers=service.handlers,
                amqp_url=url,
            )
            if service.handlers
            else None
        )
        self._relay_task: asyncio.Task | None = None

    async def start(self) -> None:
        # The consumer declares its queues first: the topology exists before anything is consumed.
        if self.consumer is not None:
            await self.consumer.start()
        await self.relay.start()
        self._relay_task = asyncio.create_task(self.relay.run(), name=f"{self.service.name}-relay")

    async def stop(self) -> None:
        if self._relay_task is not None:
            self._relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._relay_task
        await self.relay.close()
        if self.consumer is not None:
            await self.consumer.close()


