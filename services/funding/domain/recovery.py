"""Step 9: supervision: recovery orders (by the bureau or from evaluation findings) and their settlement."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.common.data import audit
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput, Conflict
from services.common.events.handlers import Refused
from services.common.data.lookup import one
from services.common.kernel.money import format_fen
from services.common.kernel.validation import clean_text
from services.contracts import RecoverySettled, RecoveryOrdered, ViolationFound

from .. import events
from ..models import KnownOrganization, Project, ProjectStatus, RecoveryOrder, RecoverySource, RecoveryStatus
from .common import audit_record, log, now


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
    finding_id: str | None = None,
    evaluation_id: str | None = None,
) -> RecoveryOrder:
    order = await RecoveryOrder.create(
        district=project.district,
        project_id=project.id,
        amount_fen=amount_fen,
        reason=reason,
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


async def order_recovery(principal: Principal, *, project_id: Any, amount_fen: int, reason: str) -> RecoveryOrder:
    reason = clean_text(reason, "reason", max_length=2000)
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
    return await _open_recovery(principal, project, amount_fen=amount_fen, reason=reason, source=RecoverySource.BUREAU)


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
    )


async def settle_recovery(principal: Principal, order_id: Any) -> RecoveryOrder:
    order = await one(RecoveryOrder, order_id, field="id", what="recovery order", for_update=True)
    if order.status is RecoveryStatus.SETTLED:
        raise Conflict(f"the order was already settled at {order.settled_at.isoformat()}", field="id")
    project = await Project.get(id=order.project_id)
    before = audit.snapshot(order)
    order.status = RecoveryStatus.SETTLED
    order.settled_at = now()
    await order.save(update_fields=["status", "settled_at"])
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
