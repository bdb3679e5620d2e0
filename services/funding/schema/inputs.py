"""Funding's GraphQL enums and input types (they keep their GraphQL names; the domain takes commands)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry
from services.common.kernel.categories import Category
from services.common.api.scalars import Money

from .. import models


Phase = strawberry.enum(models.Phase, description="NEEDS_INTAKE -> LIBRARY -> REVIEW -> NOTICE -> AWARDED -> CLOSED")
CollectionMethod = strawberry.enum(models.CollectionMethod, description="问卷 / 入户 / 实地调研")
MemberKind = strawberry.enum(models.MemberKind, description="Experts, resident representatives, officials, organization representatives")
ProjectStatus = strawberry.enum(models.ProjectStatus)
ObjectionStatus = strawberry.enum(models.ObjectionStatus)
TrancheStatus = strawberry.enum(models.TrancheStatus)
RecoveryStatus = strawberry.enum(models.RecoveryStatus)
RecoverySource = strawberry.enum(models.RecoverySource)


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
    notice_days: int = 7


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


@strawberry.input
class PanelMemberInput:
    round_id: strawberry.ID
    name: str
    kind: MemberKind
    sub: str = strawberry.field(description="The reviewer account's `subject` (pick it from `accounts(role: REVIEWER)`)")


@strawberry.input
class GradeInput:
    criterion: str
    grade: int


@strawberry.input
class ScoreEntryInput:
    entry_id: strawberry.ID
    grades: list[GradeInput]
    comment: str | None = None


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


@strawberry.enum(description="How an objection is resolved")
class ObjectionOutcome(Enum):
    UPHELD = "UPHELD"
    DISMISSED = "DISMISSED"
