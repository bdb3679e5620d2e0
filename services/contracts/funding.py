"""Events funding emits. Money is integer fen (`…Fen`); instants are ISO 8601 strings."""

from __future__ import annotations

from dataclasses import dataclass

from .base import EventContract
from .values import CategoryName, RecoverySourceName


@dataclass(frozen=True)
class ProjectAwarded(EventContract):
    """A project awarded to an organization: evaluation opens its evaluation from this."""

    type = "funding.project.awarded"
    project_id: str
    round_id: str
    round_name: str
    year: int
    title: str
    category: CategoryName
    organization_id: str
    organization_name: str
    grant_fen: int
    subdistrict: str | None
    community: str | None
    awarded_at: str


@dataclass(frozen=True)
class TrancheDisbursed(EventContract):
    type = "funding.tranche.disbursed"
    project_id: str
    tranche_id: str
    amount_fen: int
    disbursed_fen: int  # the project's disbursed total after this tranche


@dataclass(frozen=True)
class ServiceRecordReported(EventContract):
    """A service delivered; evaluation keeps the beneficiary for its follow-up samples."""

    type = "funding.service_record.reported"
    project_id: str
    record_id: str
    beneficiary: str
    community: str
    service_date: str
    person_times: int


@dataclass(frozen=True)
class RecoveryOrdered(EventContract):
    """追回违规项目资金: the fund-recovery alert finance and audit systems subscribe to."""

    type = "funding.recovery.ordered"
    order_id: str
    project_id: str
    project_title: str
    organization_id: str
    organization_name: str | None
    amount_fen: int
    reason: str
    ordered_at: str
    source: RecoverySourceName
    finding_id: str | None


@dataclass(frozen=True)
class RecoverySettled(EventContract):
    type = "funding.recovery.settled"
    order_id: str
    project_id: str
    organization_id: str
    amount_fen: int
    settled_at: str


@dataclass(frozen=True)
class RecoveryOverdue(EventContract):
    """A recovery order past its deadline with money still outstanding: the overdue-recovery alert."""

    type = "funding.recovery.overdue"
    order_id: str
    project_id: str
    project_title: str
    organization_id: str
    organization_name: str | None
    outstanding_fen: int
    deadline: str  # ISO date
    detected_at: str  # ISO timestamp
