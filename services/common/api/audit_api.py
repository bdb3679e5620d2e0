"""The audit trail as GraphQL: every service exposes the same `auditTrail` query to its bureau."""

from __future__ import annotations

import datetime as dt

import strawberry
import strawberry.federation
from strawberry.scalars import JSON

from services.common.api.pagination import Connection, paginate
from services.common.data.reads import read_list


@strawberry.federation.type(shareable=True, description="Who changed what, when: one row per mutation, kept per district.")
class AuditEntry:
    id: strawberry.ID
    district: str
    at: dt.datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: JSON | None
    after: JSON | None

    @classmethod
    def from_row(cls, row) -> "AuditEntry":
        return cls(
            id=strawberry.ID(str(row.id)),
            district=row.district,
            at=row.at,
            actor=row.actor,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            before=row.before,
            after=row.after,
        )


async def audit_trail(
    info: strawberry.Info,
    entity_type: str | None = None,
    entity_id: str | None = None,
    first: int | None = 50,
    after: str | None = None,
) -> Connection[AuditEntry]:
    """The district's audit records, oldest first; filter by entity type and id.

    Each subgraph's field declares who may read it (bureau and city admins: BureauOrCity).
    """
    rows = read_list(info.context.service.models.audit)
    if entity_type:
        rows = rows.filter(entity_type=entity_type)
    if entity_id:
        rows = rows.filter(entity_id=entity_id)
    return await paginate(rows, first=first, after=after, to_node=AuditEntry.from_row, time_field="at")
