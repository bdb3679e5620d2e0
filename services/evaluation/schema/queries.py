"""Evaluation's root query fields: reads over `queries`, open to any verified caller of the district."""

from __future__ import annotations

import strawberry

from services.common.api.audit_api import AuditEntry, audit_trail
from services.common.api.pagination import Connection, paginate
from services.common.api.projection import projection
from services.common.api.permissions import Authenticated, BureauOrCity

from .. import queries
from .inputs import EvaluationFilter
from .types import Evaluation, EvaluationAgency, Tender


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Authenticated])
    async def evaluation(self, info: strawberry.Info, id: strawberry.ID) -> Evaluation | None:
        row = await info.context.loaders.evaluation.load(id)
        return Evaluation.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated], description="The district's evaluations, oldest award first.")
    async def evaluations(
        self, info: strawberry.Info, filter: EvaluationFilter | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[Evaluation]:
        principal = info.context.principal
        rows = queries.evaluations(list(principal.districts), filter)
        return await paginate(rows, first=first, after=after, to_node=Evaluation.from_row,
                              projection=projection(info, Evaluation))

    @strawberry.field(permission_classes=[Authenticated], description="The district's registered evaluation agencies.")
    async def agencies(self, info: strawberry.Info) -> list[EvaluationAgency]:
        principal = info.context.principal
        return [EvaluationAgency.from_row(r) for r in await queries.agencies(list(principal.districts))]

    @strawberry.field(
        permission_classes=[Authenticated],
        description="The district's evaluation tenders, one per funding round.",
    )
    async def tenders(self, info: strawberry.Info, round_id: strawberry.ID | None = None) -> list[Tender]:
        principal = info.context.principal
        return [Tender.from_row(r) for r in await queries.tenders(list(principal.districts), round_id)]

    evaluation_audit_trail: Connection[AuditEntry] = strawberry.field(
        resolver=audit_trail, permission_classes=[BureauOrCity], description="evaluation's audit records of the caller's district."
    )
