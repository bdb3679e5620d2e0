"""What a service declares about itself; the shared plumbing builds the rest from this."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import strawberry

from services.common.events.handlers import BatchHandler, Handler
from services.common.events.outbox import Emitter
from services.common.data.models import PlatformModels
from services.common.api.permissions import public_root_fields


@dataclass(frozen=True)
class PeriodicJob:
    """Work a service's workers repeat on a timer (e.g. finding overdue rectifications)."""

    name: str
    every_seconds: float
    run: Callable[[], Awaitable[Any]]


@dataclass
class ServiceDefinition:
    name: str
    schema: strawberry.federation.Schema
    models: PlatformModels
    emitter: Emitter
    make_loaders: Callable[[], Any]
    handlers: Mapping[str, Handler | BatchHandler] = field(default_factory=dict)
    periodic: tuple[PeriodicJob, ...] = ()
    # HTTP routes beside /graphql that only the platform calls (the registry's sign-in lookup).
    routes: tuple[Any, ...] = ()
    # Background workers of the service's own beyond relay and consumer (funding: webhooks), each built
    # from the service's AMQP URL: `name`, `routing_keys` it binds, `start()`, `stop()`, `amqp`.
    companions: tuple[Callable[[str], Any], ...] = ()

    @cached_property
    def public_root_fields(self) -> frozenset[str]:
        """Root fields anyone may read without a token: those whose declared permission is Public."""
        return public_root_fields(self.schema)

    async def city_districts(self, city: str) -> tuple[str, ...]:
        """A city admin's tenants, from the district directory that registry.district.onboarded fills."""
        codes = await self.models.directory.filter(city_code=city).values_list("code", flat=True)
        return tuple(codes)
