"""Step 3, the phases: criteria published when a phase opens, scores when it completes, and the rating
the FINAL phase sets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.common.data import audit
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput
from services.common.kernel.validation import clean_text
from services.contracts import PhaseCompleted

from .. import events
from ..models import (
    PHASE_ORDER,
    AuditRecord,
    Evaluation,
    Finding,
    Inspection,
    KnownRecoveryOrder,
    Phase,
    PhaseKind,
    PhaseStatus,
    Rating,
    Rectification,
    RectificationStatus,
    Severity,
)
from .agencies import require_round_evaluator
from .evaluations import get_evaluation, open_phase_of, phase_of, utcnow

SCORE_TOTAL = 100
# Final score at or above the threshold earns the rating; below the last one is FAIL.
RATING_THRESHOLDS = ((90, Rating.EXCELLENT), (80, Rating.GOOD), (60, Rating.PASS))


@dataclass
class CriterionSpec:
    name: str
    max_points: int


@dataclass
class CriterionScore:
    criterion: str
    points: int


async def open_phase(principal: Principal, evaluation_id: str, kind: PhaseKind, criteria: Sequence[CriterionSpec]) -> Phase:
    evaluation = await get_evaluation(evaluation_id, for_update=True)
    await require_round_evaluator(principal, evaluation)
    phase = await phase_of(evaluation, kind)
    if phase.status is not PhaseStatus.PENDING:
        raise BadInput(f"the {kind.value} phase is already {phase.status.value}", field="phase")
    if phase.position > 0:
        previous = await phase_of(evaluation, PHASE_ORDER[phase.position - 1])
        if previous.status is not PhaseStatus.COMPLETED:
            raise BadInput(
                f"phases run INITIAL -> MIDTERM -> FINAL: {kind.value} cannot open before "
                f"{previous.kind.value} is completed (it is {previous.status.value})",
                field="phase",
            )
    published = _check_criteria(criteria)
    before = audit.snapshot(phase)
    phase.status = PhaseStatus.OPEN
    phase.criteria = published
    phase.opened_at = utcnow()
    await phase.save()
    await audit.record(AuditRecord, principal, district=phase.district, action="openEvaluationPhase", entity=phase, before=before)
    return phase


def _check_criteria(criteria: Sequence[CriterionSpec]) -> list[dict[str, Any]]:
    if not criteria:
        raise BadInput("a phase is scored against published criteria: give at least one", field="criteria")
    names: set[str] = set()
    published = []
    for n, criterion in enumerate(criteria):
        name = clean_text(criterion.name, f"criteria[{n}].name")
        if name in names:
            raise BadInput(f"criterion '{name}' is listed twice", field=f"criteria[{n}].name")
        if criterion.max_points <= 0:
            raise BadInput(f"criterion '{name}' must be worth more than zero points", field=f"criteria[{n}].maxPoints")
        names.add(name)
        published.append({"name": name, "maxPoints": criterion.max_points, "points": None})
    total = sum(c["maxPoints"] for c in published)
    if total != SCORE_TOTAL:
        raise BadInput(f"the criteria's points must add up to {SCORE_TOTAL}; they add up to {total}", field="criteria")
    return published


async def complete_phase(
    principal: Principal, evaluation_id: str, kind: PhaseKind, scores: Sequence[CriterionScore], summary: str | None
) -> Phase:
    evaluation = await get_evaluation(evaluation_id, for_update=True)
    await require_round_evaluator(principal, evaluation)
    phase = await open_phase_of(evaluation, kind, doing="completing it")
    if not await Inspection.exists(phase_id=phase.id):
        raise BadInput(
            f"the {kind.value} phase has no inspection yet; record at least one before completing it", field="phase"
        )
    summary = clean_text(summary, "summary", required=False, max_length=8000)
    scored = _score(phase.criteria, scores)
    before = audit.snapshot(phase)
    phase.criteria = scored
    phase.score = sum(c["points"] for c in scored)
    phase.summary = summary
    phase.status = PhaseStatus.COMPLETED
    phase.completed_at = utcnow()
    await phase.save()
    rating = None
    if kind is PhaseKind.FINAL:
        rating = await _rate(evaluation, phase.score)
        evaluation.rating = rating
        evaluation.rated_at = phase.completed_at
        await evaluation.save(update_fields=["rating", "rated_at"])
    await events.emitter.emit(
        PhaseCompleted(
            evaluation_id=str(evaluation.id),
            project_id=evaluation.project_id,
            phase=kind.value,
            score=phase.score,
            rating=rating.value if rating else None,
        ),
        evaluation.district,
    )
    await audit.record(AuditRecord, principal, district=phase.district, action="completeEvaluationPhase", entity=phase, before=before)
    return phase


def _score(criteria: list[dict[str, Any]], scores: Sequence[CriterionScore]) -> list[dict[str, Any]]:
    published = {c["name"]: c for c in criteria}
    given: dict[str, int] = {}
    for n, item in enumerate(scores):
        name = (item.criterion or "").strip()
        if name not in published:
            raise BadInput(f"'{name}' is not one of the phase's published criteria", field=f"scores[{n}].criterion")
        if name in given:
            raise BadInput(f"criterion '{name}' is scored twice", field=f"scores[{n}].criterion")
        if not 0 <= item.points <= published[name]["maxPoints"]:
            raise BadInput(
                f"criterion '{name}' takes 0 to {published[name]['maxPoints']} points, not {item.points}",
                field=f"scores[{n}].points",
            )
        given[name] = item.points
    missing = [name for name in published if name not in given]
    if missing:
        raise BadInput(f"every published criterion needs a score; missing: {', '.join(missing)}", field="scores")
    return [{**c, "points": given[c["name"]]} for c in criteria]


def rating_for(final_score: int, *, unresolved_violation: bool, rectification_pending: bool) -> Rating:
    """The project's rating: by final score; FAIL with an unresolved violation; at most PASS while
    a rectification is still open or overdue."""
    if unresolved_violation:
        return Rating.FAIL
    rating = next((r for threshold, r in RATING_THRESHOLDS if final_score >= threshold), Rating.FAIL)
    if rectification_pending and rating in (Rating.EXCELLENT, Rating.GOOD):
        return Rating.PASS
    return rating


async def _rate(evaluation: Evaluation, final_score: int) -> Rating:
    rating = rating_for(
        final_score,
        unresolved_violation=await Finding.exists(
            evaluation_id=evaluation.id, severity=Severity.VIOLATION, resolved=False
        ),
        rectification_pending=await Rectification.exists(
            evaluation_id=evaluation.id, status__in=[RectificationStatus.OPEN, RectificationStatus.OVERDUE]
        ),
    )
    if rating is not Rating.FAIL and await _all_recovered(evaluation):
        return Rating.PASS_AFTER_RECOVERY
    return rating


async def _all_recovered(evaluation: Evaluation) -> bool:
    """The project had money ordered back, and every such order is settled."""
    settled = await KnownRecoveryOrder.filter(project_id=evaluation.project_id).values_list("settled", flat=True)
    return bool(settled) and all(settled)


async def rating_after_recovery(evaluation: Evaluation, final_score: int | None) -> Rating:
    """A FAIL once every recovery order of the project is settled: rated again by the same rules, which now
    give PASS_AFTER_RECOVERY unless the score alone fails (README, Rating)."""
    if final_score is None:
        return Rating.FAIL
    return await _rate(evaluation, final_score)
