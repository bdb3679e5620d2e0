"""What evaluation keeps of funding's rounds and recovery orders (from funding's events, never its tables):
a tender names a round that exists, and a FAIL is re-rated once the project's money is returned."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from services.common.data import audit
from services.contracts import RecoveryOrdered, RecoverySettled, RoundChanged, RoundOpened

from ..models import AuditRecord, Evaluation, Finding, KnownRecoveryOrder, KnownRound, Phase, PhaseKind, Rating, Severity
from .evaluations import utcnow
from .phases import rating_after_recovery


def _uuid(value: str | None) -> UUID | None:
    """A finding id as evaluation wrote it (a UUID); anything else names no finding of ours."""
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


async def keep_round(district: str, event: RoundOpened | RoundChanged) -> None:
    """funding.round.opened / .changed: the round's name and phase; an older change never wins."""
    changed_at = dt.datetime.fromisoformat(event.changed_at if isinstance(event, RoundChanged) else event.opened_at)
    phase = event.phase if isinstance(event, RoundChanged) else "NEEDS_INTAKE"
    cancel_reason = event.cancel_reason if isinstance(event, RoundChanged) else None
    known = await KnownRound.filter(round_id=event.round_id).select_for_update().first()
    if known is None:
        await KnownRound.create(district=district, round_id=event.round_id, name=event.name, year=event.year,
                                phase=phase, cancel_reason=cancel_reason, changed_at=changed_at)
    elif known.changed_at < changed_at:
        known.name, known.year, known.phase, known.cancel_reason = event.name, event.year, phase, cancel_reason
        known.changed_at = changed_at
        await known.save()


async def keep_recovery_order(district: str, event: RecoveryOrdered) -> None:
    """funding.recovery.ordered: the order, and the finding it came from (if evaluation's)."""
    await KnownRecoveryOrder.get_or_create(
        order_id=event.order_id,
        defaults={"district": district, "project_id": event.project_id, "finding_id": event.finding_id},
    )


async def recovery_settled(district: str, event: RecoverySettled) -> None:
    """funding.recovery.settled: the violation behind the order is resolved, and when every order of the
    project is settled a FAIL is re-rated (rating_after_recovery)."""
    order, _ = await KnownRecoveryOrder.get_or_create(
        order_id=event.order_id, defaults={"district": district, "project_id": event.project_id}
    )
    order.settled = True
    await order.save(update_fields=["settled"])
    finding_id = _uuid(order.finding_id)
    if finding_id is not None:
        finding = await Finding.filter(id=finding_id, severity=Severity.VIOLATION, resolved=False).select_for_update().first()
        if finding is not None:
            before = audit.snapshot(finding)
            finding.resolved = True
            finding.resolved_at = utcnow()
            await finding.save(update_fields=["resolved", "resolved_at"])
            await audit.record(AuditRecord, None, district=district, action="recoverySettled", entity=finding, before=before)
    evaluation = await Evaluation.filter(project_id=event.project_id).select_for_update().first()
    if evaluation is None or evaluation.rating is not Rating.FAIL:
        return
    if await KnownRecoveryOrder.exists(project_id=event.project_id, settled=False):
        return
    final = await Phase.get(evaluation_id=evaluation.id, kind=PhaseKind.FINAL)
    rating = await rating_after_recovery(evaluation, final.score)
    if rating is not evaluation.rating:
        before = audit.snapshot(evaluation)
        evaluation.rating = rating
        evaluation.rated_at = utcnow()
        await evaluation.save(update_fields=["rating", "rated_at"])
        await audit.record(AuditRecord, None, district=district, action="reRateAfterRecovery", entity=evaluation, before=before)
