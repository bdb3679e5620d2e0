"""Evaluation's GraphQL input types (they keep their GraphQL names; the domain takes commands)."""

from __future__ import annotations

import datetime as dt

import strawberry

from services.common.api.input_lists import at_most

from services.common.kernel.categories import Category
from services.common.api.scalars import Money

from .types import EvaluationRating, FindingSeverity, InspectionMethod


@strawberry.input
class EvaluationFilter:
    round_id: strawberry.ID | None = None
    project_id: strawberry.ID | None = None
    category: Category | None = None
    subdistrict: str | None = None
    rating: EvaluationRating | None = None
    rated: bool | None = None


@strawberry.input
class RegisterEvaluationAgencyInput:
    name: str
    credit_code: str
    contact: str | None = None


@strawberry.input
class OpenEvaluationTenderInput:
    round_id: strawberry.ID
    round_name: str
    description: str | None = None


@strawberry.input
class TenderBidInput:
    agency_id: strawberry.ID
    price: Money
    proposal: str | None = None


@strawberry.input
class EvaluationCriterionInput:
    name: str
    max_points: int


@strawberry.input
class EvaluationScoreInput:
    criterion: str
    points: int


# The most items each input list may hold (services/common/api/input_lists.py).
MAX_EVIDENCE = 50
MAX_PHASE_CRITERIA = 20
MAX_SCORES = MAX_PHASE_CRITERIA


@strawberry.input
class EvidenceInput:
    file_name: str
    checksum: str
    location: str


@strawberry.input
class InspectionInput:
    method: InspectionMethod
    inspected_on: dt.date
    inspector: str
    notes: str | None = None
    evidence: list[EvidenceInput] = strawberry.field(default_factory=list)

    def __post_init__(self) -> None:
        at_most(MAX_EVIDENCE, "evidence", self.evidence)


@strawberry.input
class FindingInput:
    severity: FindingSeverity
    description: str
    amount_at_issue: Money | None = None
    rectification_deadline: dt.datetime | None = strawberry.field(
        default=None, description="Required for MAJOR (it opens a rectification order); must be in the future"
    )
