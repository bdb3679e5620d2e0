"""Funding's Query root: each field one permission, one read."""

from __future__ import annotations

import datetime as dt

import strawberry
from services.common.api.audit_api import AuditEntry, audit_trail
from services.common.kernel.auth import DISTRICT_CODE, ensure_same_district
from services.common.kernel.categories import Category
from services.common.kernel.errors import BadInput, NotFound
from services.common.api.pagination import Connection, paginate
from services.common.api.projection import projection
from services.common.data.reads import read_list
from services.common.api.permissions import Authenticated, BureauOrCity, Public
from services.common.kernel.validation import parse_uuid

from .. import models
from .. import queries as reports
from .inputs import ProjectStatus, RecoveryStatus
from .types import FundingRound, LibraryEntry, Project, RecoveryOrder
from .values import FundingStats, PublicNotice
from .webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription
from ..domain import webhooks


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Authenticated])
    async def funding_round(self, info: strawberry.Info, id: strawberry.ID) -> FundingRound | None:
        row = await info.context.loaders.round.load(id)
        return FundingRound.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated])
    async def funding_rounds(
        self, info: strawberry.Info, year: int | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[FundingRound]:
        rows = read_list(models.FundingRound)
        if year is not None:
            rows = rows.filter(year=year)
        return await paginate(rows, first=first, after=after, to_node=FundingRound.from_row,
                              projection=projection(info, FundingRound))

    @strawberry.field(permission_classes=[Authenticated])
    async def library_entry(self, info: strawberry.Info, id: strawberry.ID) -> LibraryEntry | None:
        row = await info.context.loaders.entry.load(id)
        return LibraryEntry.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated])
    async def project(self, info: strawberry.Info, id: strawberry.ID) -> Project | None:
        row = await info.context.loaders.project.load(id)
        return Project.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated])
    async def projects(
        self,
        info: strawberry.Info,
        round_id: strawberry.ID | None = None,
        status: ProjectStatus | None = None,
        category: Category | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Project]:
        rows = read_list(models.Project)
        if round_id is not None:
            rows = rows.filter(round_id=parse_uuid(round_id, "roundId", "a funding round"))
        if status is not None:
            rows = rows.filter(status=status)
        if category is not None:
            rows = rows.filter(category=category)
        return await paginate(rows, first=first, after=after, to_node=Project.from_row,
                              projection=projection(info, Project))

    @strawberry.field(permission_classes=[Authenticated])
    async def recovery_order(self, info: strawberry.Info, id: strawberry.ID) -> RecoveryOrder | None:
        row = await info.context.loaders.recovery_order.load(id)
        return RecoveryOrder.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated])
    async def recovery_orders(
        self, info: strawberry.Info, status: RecoveryStatus | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[RecoveryOrder]:
        rows = read_list(models.RecoveryOrder)
        if status is not None:
            rows = rows.filter(status=status)
        return await paginate(rows, first=first, after=after, to_node=RecoveryOrder.from_row)

    @strawberry.field(
        permission_classes=[Authenticated],
        description="The bureau's statistics, for one round or every round of the district.",
    )
    async def funding_stats(
        self, info: strawberry.Info, round_id: strawberry.ID | None = None, district: str | None = None
    ) -> FundingStats:
        principal = info.context.principal
        ensure_same_district(principal, district)
        uuid = parse_uuid(round_id, "roundId", "a funding round") if round_id is not None else None
        return FundingStats.from_stats(await reports.stats(uuid, district))

    @strawberry.field(permission_classes=[Public], description="the district's projects now on notice (立项公示).")
    async def public_notices(self, info: strawberry.Info, district: str) -> list[PublicNotice]:
        if not DISTRICT_CODE.match(district or ""):
            raise BadInput("a district is a 6-digit administrative division code", field="district")
        now = dt.datetime.now(dt.timezone.utc)
        return [PublicNotice.from_row(n, now) for n in await reports.published_notices(district)]

    funding_audit_trail: Connection[AuditEntry] = strawberry.field(
        resolver=audit_trail, permission_classes=[BureauOrCity], description="funding's audit records of the caller's district."
    )

    @strawberry.field(
        permission_classes=[BureauOrCity],
        description="the caller's webhook subscriptions (a city admin: its city's own).",
    )
    async def webhook_subscriptions(self, info: strawberry.Info) -> list[WebhookSubscription]:
        scope = await webhooks.scope_of(info.context.principal)
        rows = await webhooks.subscriptions(scope).order_by("created_at", "id")
        return [WebhookSubscription.from_row(row) for row in rows]

    @strawberry.field(permission_classes=[BureauOrCity], description="one of the caller's webhook subscriptions.")
    async def webhook_subscription(self, info: strawberry.Info, id: strawberry.ID) -> WebhookSubscription | None:
        try:
            return WebhookSubscription.from_row(await webhooks.subscription(info.context.principal, id))
        except NotFound:
            return None

    @strawberry.field(
        permission_classes=[BureauOrCity],
        description="a subscription's delivery log, oldest first: status, attempts, status codes, latency, next retry.",
    )
    async def webhook_deliveries(
        self, info: strawberry.Info, subscription_id: strawberry.ID, status: WebhookDeliveryStatus | None = None,
        first: int | None = 20, after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        rows = await webhooks.deliveries(info.context.principal, subscription_id)
        if status is not None:
            rows = rows.filter(status=status)
        return await paginate(rows, first=first, after=after, to_node=WebhookDelivery.from_row)
