"""Steps 6 and 7, findings and supervision: findings on an open phase, violations reported for fund
recovery, rectification orders, and the overdue check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.common.data import audit
from services.common.kernel.auth import BUREAU_ADMIN, Principal
from services.common.kernel.errors import BadInput, Conflict
from services.common.data.lookup import one
from services.common.data.tenancy import tenant_transaction
from services.common.kernel.validation import clean_text
from services.contracts import RectificationOverdue, ViolationFound

from .. import events
from ..models import AuditRecord, DistrictDirectory, Evaluation, Finding, PhaseKind, Rectification, RectificationStatus, Severity
from .agencies import require_round_evaluator
from .evaluations import get_evaluation, open_phase_of, utcnow


@dataclass
class FindingCommand:
    severity: Severity
    description: str
    amount_fen: int | None = None
    rectification_deadline: dt.datetime | None = None


def _check_deadline(deadline: dt.datetime, now: dt.datetime, field: str) -> dt.datetime:
    if deadline.tzinfo is None:
        raise BadInput("a deadline needs its UTC offset, e.g. 2026-06-30T17:00:00+08:00", field=field)
    if deadline <= now:
        raise BadInput(f"the deadline {deadline.isoformat()} is in the past", field=field)
    return deadline


async def record_finding(
    principal: Principal, evaluation_id: str, kind: PhaseKind, data: FindingCommand, *, now: dt.datetime | None = None
) -> Finding:
    now = now or utcnow()
    evaluation = await get_evaluation(evaluation_id, for_update=True)
    await require_round_evaluator(principal, evaluation)
    phase = await open_phase_of(evaluation, kind, doing="a new finding")
    description = clean_text(data.description, "description", max_length=8000)
    amount = data.amount_fen
    if amount is not None:
        if data.severity is not Severity.VIOLATION:
            raise BadInput("an amount at issue belongs to a VIOLATION finding only", field="amountAtIssue")
        if amount <= 0:
            raise BadInput("the amount at issue must be more than zero", field="amountAtIssue")
        if amount > evaluation.grant_fen:
            raise BadInput("the amount at issue cannot exceed the project's grant", field="amountAtIssue")
    deadline = data.rectification_deadline
    if data.severity is Severity.MAJOR and deadline is None:
        raise BadInput("a MAJOR finding opens a rectification order: give its deadline", field="rectificationDeadline")
    if data.severity is Severity.INFO and deadline is not None:
        raise BadInput("an INFO finding orders no rectification", field="rectificationDeadline")
    if deadline is not None:
        _check_deadline(deadline, now, "rectificationDeadline")
    finding = await Finding.create(
        district=evaluation.district,
        evaluation=evaluation,
        phase=phase,
        severity=data.severity,
        description=description,
        amount_fen=amount,
    )
    if deadline is not None:
        await Rectification.create(district=evaluation.district, evaluation=evaluation, finding=finding, deadline=deadline)
    if data.severity is Severity.VIOLATION and amount is not None:
        await events.emitter.emit(
            ViolationFound(
                evaluation_id=str(evaluation.id),
                project_id=evaluation.project_id,
                finding_id=str(finding.id),
                amount_fen=amount,
                description=description,
            ),
            evaluation.district,
        )
    await audit.record(AuditRecord, principal, district=evaluation.district, action="recordFinding", entity=finding)
    return finding


async def order_rectification(principal: Principal, finding_id: str, deadline: dt.datetime, *, now: dt.datetime | None = None) -> Rectification:
    """The bureau orders rectification of a MINOR or VIOLATION finding (MAJOR ones come with one)."""
    finding = await one(Finding, finding_id, field="findingId", what="finding", for_update=True)
    if finding.severity is Severity.INFO:
        raise BadInput("an INFO finding needs no rectification", field="findingId")
    if finding.resolved:
        raise Conflict("the finding is already resolved", field="findingId")
    if await Rectification.exists(finding_id=finding.id):
        raise Conflict("the finding already has a rectification order", field="findingId")
    _check_deadline(deadline, now or utcnow(), "deadline")
    rectification = await Rectification.create(
        district=finding.district, evaluation_id=finding.evaluation_id, finding=finding, deadline=deadline
    )
    await audit.record(AuditRecord, principal, district=finding.district, action="orderRectification", entity=rectification)
    return rectification


async def complete_rectification(principal: Principal, rectification_id: str, note: str) -> Rectification:
    rectification = await one(Rectification, rectification_id, field="id", what="rectification", for_update=True)
    if BUREAU_ADMIN not in principal.roles:
        await require_round_evaluator(principal, await get_evaluation(str(rectification.evaluation_id), for_update=False))
    note = clean_text(note, "note", max_length=4000)
    if rectification.status is RectificationStatus.COMPLETED:
        raise Conflict("the rectification is already completed", field="id")
    before = audit.snapshot(rectification)
    rectification.status = RectificationStatus.COMPLETED
    rectification.completion_note = note
    rectification.completed_at = utcnow()
    await rectification.save()
    finding = await Finding.filter(id=rectification.finding_id).select_for_update().get()
    # A violation stays open until the bureau resolves it (money may still have to come back).
    if finding.severity is not Severity.VIOLATION:
        finding.resolved = True
        finding.resolution = note
        finding.resolved_at = rectification.completed_at
        await finding.save()
    await audit.record(AuditRecord, principal, district=rectification.district, action="completeRectification", entity=rectification, before=before)
    return rectification


async def resolve_finding(principal: Principal, finding_id: str, resolution: str) -> Finding:
    finding = await one(Finding, finding_id, field="id", what="finding", for_update=True)
    resolution = clean_text(resolution, "resolution", max_length=4000)
    if finding.resolved:
        raise Conflict("the finding is already resolved", field="id")
    if await Rectification.exists(
        finding_id=finding.id, status__in=[RectificationStatus.OPEN, RectificationStatus.OVERDUE]
    ):
        raise Conflict("the finding's rectification is still open: complete it first", field="id")
    before = audit.snapshot(finding)
    finding.resolved = True
    finding.resolution = resolution
    finding.resolved_at = utcnow()
    await finding.save()
    await audit.record(AuditRecord, principal, district=finding.district, action="resolveFinding", entity=finding, before=before)
    return finding


async def mark_overdue_rectifications(principal: Principal | None, at: dt.datetime) -> list[Rectification]:
    """In the current tenant transaction: OPEN rectifications past their deadline become OVERDUE,
    each emitting evaluation.rectification.overdue once (the status change is what makes it once)."""
    due = (
        await Rectification.filter(status=RectificationStatus.OPEN, deadline__lt=at)
        .order_by("deadline", "id")
        .select_for_update(skip_locked=True)
    )
    for rectification in due:
        evaluation = await Evaluation.get(id=rectification.evaluation_id)
        before = audit.snapshot(rectification)
        rectification.status = RectificationStatus.OVERDUE
        rectification.overdue_at = at
        await rectification.save(update_fields=["status", "overdue_at"])
        await events.emitter.emit(
            RectificationOverdue(
                evaluation_id=str(evaluation.id),
                project_id=evaluation.project_id,
                rectification_id=str(rectification.id),
                finding_id=str(rectification.finding_id),
                deadline=rectification.deadline.isoformat(),
            ),
            rectification.district,
        )
        await audit.record(
            AuditRecord, principal, district=rectification.district, action="rectificationOverdue", entity=rectification, before=before
        )
    return due


async def check_overdue_rectifications(now: dt.datetime | None = None, districts: Sequence[str] | None = None) -> list[Rectification]:
    """The periodic check (`python -m services.evaluation check-overdue`), one transaction per district."""
    now = now or utcnow()
    if districts is None:
        districts = await DistrictDirectory.all().order_by("code").values_list("code", flat=True)
    overdue: list[Rectification] = []
    for district in districts:
        async with tenant_transaction("evaluation", [district]):
            overdue += await mark_overdue_rectifications(None, now)
    return overdue
