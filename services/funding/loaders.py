"""Funding's DataLoaders, created per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

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
    attempts_by_delivery: DataLoader = field(
        default_factory=lambda: grouped_by(WebhookAttempt, "delivery_id", order_by="number"))
