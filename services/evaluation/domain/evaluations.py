"""The evaluation and its phases as every step finds them, and the clock the steps read."""

from __future__ import annotations

import datetime as dt

from services.common.kernel.errors import Conflict
from services.common.data.lookup import one

from ..models import Evaluation, Phase, PhaseKind, PhaseStatus


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def get_evaluation(evaluation_id: str, *, for_update: bool) -> Evaluation:
    return await one(Evaluation, evaluation_id, field="evaluationId", what="evaluation", for_update=for_update)


async def phase_of(evaluation: Evaluation, kind: PhaseKind) -> Phase:
    return await Phase.filter(evaluation_id=evaluation.id, kind=kind).select_for_update().get()


async def open_phase_of(evaluation: Evaluation, kind: PhaseKind, *, doing: str) -> Phase:
    phase = await phase_of(evaluation, kind)
    if phase.status is PhaseStatus.COMPLETED:
        raise Conflict(f"the {kind.value} phase is completed and closed; {doing} is refused", field="phase")
    if phase.status is PhaseStatus.PENDING:
        raise Conflict(f"the {kind.value} phase has not been opened yet; {doing} is refused", field="phase")
    return phase
