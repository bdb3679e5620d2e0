"""Step 9: supervision: recovery orders (by the bureau or from evaluation findings) and their settlement."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from services.common.data import audit
from services.common.kernel.calendar import local_date, today
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput, Conflict
from services.common.events.handlers import Refused
from services.common.data.lookup import one
from services.common.kernel.money import format_fen
from services.common.kernel.validation import clean_text
from services.common.data.tenancy import tenant_transaction
from services.contracts import RecoveryOrdered, RecoveryOverdue, RecoverySettled, ViolationFound

from .. import events
from ..models import (
    DistrictDirectory, KnownOrganization, Project, ProjectStatus, RecoveryOrder, RecoverySettlement, RecoverySource,
    RecoveryStatus,
)
from .common import audit_record, log, now


def recovery_days() -> int:
    """FUNDING_RECOVERY_DAYS (default 30): the deadline of an order raised from an evaluation finding."""
    days = int(os.environ.get("FUNDING_RECOVERY_DAYS", "30"))
    if not 1 <= days <= 365:
        raise ValueError(f"FUNDING_RECOVERY_DAYS={days}: a recovery deadline is 1 to 365 days away")
    return days


async def _recoverable_fen(project: Project) -> int:
    """What was disbursed and is not yet ordered back."""
    ordered = sum(o.amount_fen for o in await RecoveryOrder.filter(project_id=project.id))
    return project.disbursed_fen - ordered


async def _open_recovery(
    principal: Principal | None,
    project: Project,
    *,
    amount_fen: int,
    reason: str,
    source: RecoverySource,
    deadline: dt.date,
    finding_id: str | None = None,
    evaluation_id: str | None = None,
) -> RecoveryOrder:
    order = await RecoveryOrder.create(
        district=project.district,
        project_id=project.id,
        amount_fen=amount_fen,
        reason=reason,
        deadline=deadline,
        source=source,
        finding_id=finding_id,
        evaluation_id=evaluation_id,
        ordered_by=principal.sub if principal else "evaluation",
    )
    org = await KnownOrganization.filter(id=project.organization_id).first()
    await events.emitter.emit(
        RecoveryOrdered(
            order_id=str(order.id),
            project_id=str(project.id),
            project_title=project.title,
            organization_id=str(project.organization_id),
            organization_name=org.name if org else None,
            amount_fen=amount_fen,
            reason=reason,
            ordered_at=order.ordered_at.isoformat(),
            source=source.value,
            finding_id=finding_id,
        ),
        project.district,
    )
    await audit_record(principal, "orderRecovery", order)
    return order


async def order_recovery(
    principal: Principal, *, project_id: Any, amount_fen: int, reason: str, deadline: dt.date | None = None
) -> RecoveryOrder:
    reason = clean_text(reason, "reason", max_length=2000)
    deadline = deadline or today() + dt.timedelta(days=recovery_days())
    if deadline <= today():
        raise BadInput(f"a recovery deadline of {deadline.isoformat()} is not after today", field="deadline")
    project = await one(Project, project_id, field="projectId", what="project", for_update=True)
    if amount_fen <= 0:
        raise BadInput("a recovery order is an amount above zero", field="amount")
    recoverable = await _recoverable_fen(project)
    if amount_fen > recoverable:
        raise BadInput(
            f"only {format_fen(project.disbursed_fen)} was disbursed and {format_fen(recoverable)} is not yet "
            f"ordered back; {format_fen(amount_fen)} cannot be recovered",
            field="amount",
        )
    return await _open_recovery(principal, project, amount_fen=amount_fen, reason=reason, source=RecoverySource.BUREAU,
                                deadline=deadline)


async def order_recovery_for_finding(district: str, violation: ViolationFound) -> RecoveryOrder | None:
    """evaluation.violation.found: one order per finding, capped to what can still be recovered."""
    finding_id, amount_fen = violation.finding_id, violation.amount_fen
    if amount_fen <= 0:
        raise Refused(f"finding {finding_id}: amountFen {amount_fen} is not a positive whole number of fen")
    if await RecoveryOrder.filter(finding_id=finding_id).exists():
        log.info("finding %s already has its recovery order", finding_id)
        return None
    try:
        project_uuid = UUID(violation.project_id)
    except ValueError:
        raise Refused(f"finding {finding_id}: projectId {violation.project_id!r} is not a UUID") from None
    project = await Project.filter(id=project_uuid).select_for_update().first()
    if project is None or project.status is not ProjectStatus.AWARDED:
        log.warning("finding %s names project %s, which district %s has not awarded", finding_id, project_uuid, district)
        return None
    recoverable = await _recoverable_fen(project)
    if recoverable <= 0:
        log.warning("finding %s: nothing disbursed to project %s remains to recover", finding_id, project.id)
        return None
    reason = violation.description.strip() or "violation found by evaluation"
    if amount_fen > recoverable:
        reason += (
            f" (the finding names {format_fen(amount_fen)} yuan; capped to {format_fen(recoverable)} yuan, "
            "what was disbursed and not yet ordered back)"
        )
        amount_fen = recoverable
    return await _open_recovery(
        None, project, amount_fen=amount_fen, reason=reason, source=RecoverySource.EVALUATION,
        finding_id=finding_id, evaluation_id=violation.evaluation_id,
        deadline=today() + dt.timedelta(days=recovery_days()),
    )


async def settle_recovery(
    principal: Principal, order_id: Any, *, payment_reference: str, amount_fen: int | None = None,
    paid_on: dt.date | None = None,
) -> RecoveryOrder:
    """A payment against the order (all that is outstanding when no amount is given); SETTLED when complete."""
    reference = clean_text(payment_reference, "paymentReference", max_length=100)
    order = await one(RecoveryOrder, order_id, field="id", what="recovery order", for_update=True)
    if order.status is RecoveryStatus.SETTLED:
        raise Conflict(f"the order was already settled at {order.settled_at.isoformat()}", field="id")
    outstanding = order.amount_fen - order.settled_fen
    amount_fen = outstanding if amount_fen is None else amount_fen
    if amount_fen <= 0:
        raise BadInput("a settlement is an amount above zero", field="amount")
    if amount_fen > outstanding:
        raise BadInput(f"{format_fen(amount_fen)} is more than the {format_fen(outstanding)} outstanding on the order",
                       field="amount")
    paid_on = paid_on or today()
    if paid_on > today() or paid_on < local_date(order.ordered_at):
        raise BadInput(f"a payment on {paid_on.isoformat()} is not between the order and today", field="paidOn")
    if await RecoverySettlement.filter(order_id=order.id, payment_reference=reference).exists():
        raise Conflict(f"payment {reference} is already recorded against this order", field="paymentReference")
    project = await Project.get(id=order.project_id)
    before = audit.snapshot(order)
    settlement = await RecoverySettlement.create(
        district=order.district, order_id=order.id, amount_fen=amount_fen, payment_reference=reference,
        paid_on=paid_on, recorded_by=principal.sub,
    )
    await audit_record(principal, "settleRecovery", settlement)
    order.settled_fen += amount_fen
    if order.settled_fen == order.amount_fen:
        order.status = RecoveryStatus.SETTLED
        order.settled_at = now()
    await order.save(update_fields=["settled_fen", "status", "settled_at"])
    if order.status is RecoveryStatus.SETTLED:
        await events.emitter.emit(
            RecoverySettled(
                order_id=str(order.id),
                project_id=str(project.id),
                organization_id=str(project.organization_id),
                amount_fen=order.amount_fen,
                settled_at=order.settled_at.isoformat(),
            ),
            order.district,
        )
    await audit_record(principal, "settleRecovery", order, before)
    return order


async def mark_overdue_recoveries(at: dt.datetime) -> list[RecoveryOrder]:
    """In the current tenant transaction: OPEN orders past their deadline raise funding.recovery.overdue once
    (overdue_at is set with the event, and rows another check holds are skipped)."""
    due = (
        await RecoveryOrder.filter(status=RecoveryStatus.OPEN, overdue_at__isnull=True, deadline__lt=local_date(at))
        .order_by("deadline", "id")
        .select_for_update(skip_locked=True)
    )
    for order in due:
        project = await Project.get(id=order.project_id)
        org = await KnownOrganization.filter(id=project.organization_id).first()
        before = audit.snapshot(order)
        order.overdue_at = at
        await order.save(update_fields=["overdue_at"])
        await events.emitter.emit(
            RecoveryOverdue(
                order_id=str(order.id),
                project_id=str(project.id),
                project_title=project.title,
                organization_id=str(project.organization_id),
                organization_name=org.name if org else None,
                outstanding_fen=order.amount_fen - order.settled_fen,
                deadline=order.deadline.isoformat(),
                detected_at=at.isoformat(),
            ),
            order.district,
        )
        await audit_record(None, "recoveryOverdue", order, before)
    return due


async def check_overdue_recoveries(
    at: dt.datetime | None = None, districts: Sequence[str] | None = None
) -> list[RecoveryOrder]:
    """The workers' periodic check: every district of the directory, one tenant transaction each."""
    at = at or now()
    if districts is None:
        districts = await DistrictDirectory.all().order_by("code").values_list("code", flat=True)
    overdue: list[RecoveryOrder] = []
    for district in districts:
        async with tenant_transaction("funding", [district]):
            overdue += await mark_overdue_recoveries(at)
    return overdue
