"""Events evaluation emits."""

from __future__ import annotations

from dataclasses import dataclass

from .base import EventContract
from .values import PhaseName, RatingName


@dataclass(frozen=True)
class PhaseCompleted(EventContract):
    type = "evaluation.phase.completed"
    evaluation_id: str
    project_id: str
    phase: PhaseName
    score: float | None
    rating: RatingName | None


@dataclass(frozen=True)
class ViolationFound(EventContract):
    """A finding of misused funds: funding opens a recovery order for it."""

    type = "evaluation.violation.found"
    evaluation_id: str
    project_id: str
    finding_id: str
    amount_fen: int
    description: str


@dataclass(frozen=True)
class RectificationOverdue(EventContract):
    type = "evaluation.rectification.overdue"
    evaluation_id: str
    project_id: str
    rectification_id: str
    finding_id: str
    deadline: str
