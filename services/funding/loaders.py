"""Funding's DataLoaders, created per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader
from tortoise.functions import Sum

from services.common.api.loaders import by_key, grouped_by

from .models import (
    Expense,
    FundingRound,
    KnownOrganization,
    LibraryEntry,
    Need,
    Objection,
    PanelMember,
    Project,
    RecoveryOrder,
    Review,
    ServiceRecord,
    Tranche,
    WebhookAttempt,
)


async def _spent(project_ids: list) -> list[int]:
    """The sum of each project's expenses, in one GROUP BY."""
    rows = await Expense.filter(project_id__in=project_ids).group_by("project_id").annotate(
        fen=Sum("amount_fen")).values("project_id", "fen")
    spent = {str(r["project_id"]): int(r["fen"] or 0) for r in rows}
    return [spent.get(str(key), 0) for key in project_ids]


@dataclass
class FundingLoaders:
    round: DataLoader = field(default_factory=lambda: by_key(FundingRound))
    project: DataLoader = field(default_factory=lambda: by_key(Project))
    entry: DataLoader = field(default_factory=lambda: by_key(LibraryEntry))
    recovery_order: DataLoader = field(default_factory=lambda: by_key(RecoveryOrder))
    organization: DataLoader = field(default_factory=lambda: by_key(KnownOrganization))
    panel_member: DataLoader = field(default_factory=lambda: by_key(PanelMember))
    needs_by_entry: DataLoader = field(default_factory=lambda: grouped_by(Need, "library_entry_id"))
    reviews_by_entry: DataLoader = field(default_factory=lambda: grouped_by(Review, "entry_id"))
    projects_by_organization: DataLoader = field(default_factory=lambda: grouped_by(Project, "organization_id"))
    tranches_by_project: DataLoader = field(default_factory=lambda: grouped_by(Tranche, "project_id", order_by="sequence"))
    orders_by_project: DataLoader = field(default_factory=lambda: grouped_by(RecoveryOrder, "project_id"))
    objections_by_project: DataLoader = field(default_factory=lambda: grouped_by(Objection, "project_id"))
    records_by_project: DataLoader = field(default_factory=lambda: grouped_by(ServiceRecord, "project_id"))
    expenses_by_project: DataLoader = field(default_factory=lambda: grouped_by(Expense, "project_id"))
    spent_by_project: DataLoader = field(default_factory=lambda: DataLoader(load_fn=_spent))
    attempts_by_delivery: DataLoader = field(
        default_factory=lambda: grouped_by(WebhookAttempt, "delivery_id", order_by="number"))
