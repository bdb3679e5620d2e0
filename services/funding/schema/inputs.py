"""Funding's GraphQL enums and input types (they keep their GraphQL names; the domain takes commands)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry
from services.common.kernel.categories import Category
from services.common.api.input_lists import at_most
from services.common.api.scalars import Money

from .. import models


Phase = strawberry.enum(models.Phase, description="NEEDS_INTAKE -> LIBRARY -> REVIEW -> NOTICE -> AWARDED -> CLOSED; or CANCELLED before any award")
CollectionMethod = strawberry.enum(models.CollectionMethod, description="问卷 / 入户 / 实地调研")
MemberKind = strawberry.enum(models.MemberKind, description="Experts, resident representatives, officials, organization representatives")
ProjectStatus = strawberry.enum(models.ProjectStatus)
ObjectionStatus = strawberry.enum(models.ObjectionStatus)
TrancheStatus = strawberry.enum(models.TrancheStatus)
RecoveryStatus = strawberry.enum(models.RecoveryStatus)
RecoverySource = strawberry.enum(models.RecoverySource)

# The most items each input list may hold (services/common/api/input_lists.py).
MAX_CRITERIA = 20
MAX_MERGED_NEEDS = 200
MAX_GRADES = MAX_CRITERIA
MAX_TRANCHES = 24


@strawberry.input
class CriterionInput:
    name: str
    weight: int


@strawberry.input
class OpenRoundInput:
    name: str
    year: int
    budget: Money
    criteria: list[CriterionInput]
    min_reviews: int = 3
    notice_days: int = strawberry.field(default=7, description="At least FUNDING_MIN_NOTICE_DAYS (7 unless configured)")


@strawberry.input(description="A round's new terms, while needs intake is open")
class UpdateRoundInput:
    id: strawberry.ID
    name: str
    year: int
    budget: Money
    criteria: list[CriterionInput]
    min_reviews: int = 3
    notice_days: int = 7

    def __post_init__(self) -> None:
        at_most(MAX_CRITERIA, "criteria", self.criteria)


@strawberry.input
class RecordNeedInput:
    round_id: strawberry.ID
    subdistrict: str
    community: str
    category: Category
    method: CollectionMethod
    description: str


@strawberry.input(description="Merge needs into a new entry (title, requested) or into an existing one (entryId).")
class MergeNeedsInput:
    need_ids: list[strawberry.ID]
    reason: str
    entry_id: strawberry.ID | None = None
    title: str | None = None
    requested: Money | None = None

    def __post_init__(self) -> None:
        at_most(MAX_MERGED_NEEDS, "needIds", self.need_ids)


@strawberry.input
class PanelMemberInput:
    round_id: strawberry.ID
    name: str
    kind: MemberKind
    sub: str = strawberry.field(description="The `sub` of the member's reviewer token")


@strawberry.input
class GradeInput:
    criterion: str
    grade: int


@strawberry.input
class ScoreEntryInput:
    entry_id: strawberry.ID
    grades: list[GradeInput]
    comment: str | None = None

    def __post_init__(self) -> None:
        at_most(MAX_GRADES, "grades", self.grades)


@strawberry.input
class TrancheInput:
    amount: Money
    due_on: dt.date


@strawberry.input
class AwardProjectInput:
    project_id: strawberry.ID
    organization_id: strawberry.ID
    grant: Money
    tranches: list[TrancheInput]
    ends_on: dt.date | None = strawberry.field(default=None, description="The project's last day (default: a year on)")
    over_request_reason: str | None = strawberry.field(
        default=None, description="Why the grant is above the reviewed request; a second bureau admin then approves it")

    def __post_init__(self) -> None:
        at_most(MAX_TRANCHES, "tranches", self.tranches)


@strawberry.input
class ScheduleTrancheInput:
    project_id: strawberry.ID
    amount: Money
    due_on: dt.date


@strawberry.input
class ServiceRecordInput:
    project_id: strawberry.ID
    community: str
    service_date: dt.date
    beneficiary: str = strawberry.field(description="A beneficiary reference the organization keeps, not a name")
    person_times: int
    subdistrict: str | None = None
    contact: str | None = strawberry.field(default=None, description="The beneficiary's phone, for follow-up calls")


@strawberry.input
class ExpenseInput:
    project_id: strawberry.ID
    amount: Money
    spent_on: dt.date
    description: str


@strawberry.input
class OrderRecoveryInput:
    project_id: strawberry.ID
    amount: Money
    reason: str
    deadline: dt.date | None = strawberry.field(default=None, description="Default: FUNDING_RECOVERY_DAYS (30) on")


@strawberry.input(description="Money returned against a recovery order")
class SettleRecoveryInput:
    payment_reference: str
    amount: Money | None = strawberry.field(default=None, description="Default: all that is outstanding")
    paid_on: dt.date | None = strawberry.field(default=None, description="Default: today")


@strawberry.enum(description="How an objection is resolved")
class ObjectionOutcome(Enum):
    UPHELD = "UPHELD"
    DISMISSED = "DISMISSED"
