"""Events funding emits. Money is integer fen (`…Fen`); instants are ISO 8601 strings."""

from __future__ import annotations

from dataclasses import dataclass

from .base import EventContract
from .values import CategoryName, RecoverySourceName


@dataclass(frozen=True)
class RoundOpened(EventContract):
    """A venture round opened: evaluation keeps a copy, so a tender names a round that exists."""

    type = "funding.round.opened"
    round_id: str
    name: str
    year: int
    opened_at: str


@dataclass(frozen=True)
class RoundChanged(EventContract):
    """A round edited before intake closed, moved a phase on (closed at its end), or cancelled with its reason."""

    type = "funding.round.changed"
    round_id: str
    name: str
    year: int
    phase: str
    cancel_reason: str | None
    changed_at: str


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
    contact: str | None  # how the organization reaches the beneficiary; evaluation's follow-up calls use it


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
    """An OPEN recovery order past its deadline, raised once per order by the workers' periodic check."""

    type = "funding.recovery.overdue"
    order_id: str
    project_id: str
    project_title: str
    organization_id: str
    organization_name: str | None
    outstanding_fen: int
    deadline: str  # ISO date
    detected_at: str  # ISO timestamp
