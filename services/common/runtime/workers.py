"""A service's background work: the outbox relay, the event consumer, outbox pruning and periodic jobs."""

from __future__ import annotations

import asyncio
import logging

from services.common.kernel.config import amqp_url, outbox_keep_sent, relay_database_url
from services.common.data.db import relay_connection
from services.common.events.broker_health import BrokerLink
from services.common.events.consumer import EventConsumer
from services.common.data import idempotency
from services.common.events.pruning import PRUNE_EVERY_SECONDS, prune_sent
from services.common.events.relay import OutboxRelay
from services.common.runtime.service import PeriodicJob, ServiceDefinition
from services.common.kernel.tasks import cancel_and_wait

log = logging.getLogger("civic.workers")


async def _repeat(job: PeriodicJob) -> None:
    """Runs the job now and then every `every_seconds`; a failed run is logged and tried next time."""
    while True:
        try:
            await job.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("periodic job %s failed", job.name)
        await asyncio.sleep(job.every_seconds)


class ServiceWorkers:
    def __init__(self, service: ServiceDefinition, *, amqp: str | None = None) -> None:
        self.service = service
        url = amqp or amqp_url(service.name)
        # The relay reads every district's outbox rows, so it connects as the relay role, never as the
        # request role (which sees only its transaction's districts there).
        self.relay = OutboxRelay(
            outbox=service.models.outbox,
            connection=relay_connection(service.name),
            amqp_url=url,
            listen_dsn=relay_database_url(service.name),
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
        self.companions = [make(url) for make in service.companions]
        self._tasks: list[asyncio.Task] = []
        # Broker health is the workers' to report (/healthz, civic_broker_connected), not readiness's.
        self.links = {"relay": BrokerLink(service.name, "relay")}
        if self.consumer is not None:
            self.links["consumer"] = BrokerLink(service.name, "consumer")
        for companion in self.companions:
            self.links[companion.name] = BrokerLink(service.name, companion.name)

    def broker_states(self) -> dict[str, str]:
        return {role: link.state for role, link in self.links.items()}

    async def start(self) -> None:
        # The consumer declares its queues first: the topology exists before anything is consumed.
        if self.consumer is not None:
            await self.consumer.start()
            self.links["consumer"].watch(self.consumer.amqp)
        for companion in self.companions:
            await companion.start()
            self.links[companion.name].watch(companion.amqp)
        await self.relay.start()
        self.links["relay"].watch(self.relay.amqp)
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.service.name}-relay"))
        for job in (*self.service.periodic, self._outbox_pruning(), self._key_pruning()):
            self._tasks.append(asyncio.create_task(_repeat(job), name=f"{self.service.name}-{job.name}"))

    def _outbox_pruning(self) -> PeriodicJob:
        outbox, connection, keep_for = self.service.models.outbox, relay_connection(self.service.name), outbox_keep_sent()
        return PeriodicJob("outbox-pruning", PRUNE_EVERY_SECONDS,
                           lambda: prune_sent(outbox, connection, keep_for=keep_for))

    def _key_pruning(self) -> PeriodicJob:
        connection = relay_connection(self.service.name)
        return PeriodicJob("idempotency-key-pruning", idempotency.PRUNE_EVERY_SECONDS,
                           lambda: idempotency.prune_keys(connection))

    async def stop(self) -> None:
        await cancel_and_wait(self._tasks)
        await self.relay.close()
        if self.consumer is not None:
            await self.consumer.close()
        for companion in self.companions:
            await companion.stop()


