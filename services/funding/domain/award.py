"""Step 6: awards to ACTIVE organizations within the budget, tranche schedules and disbursement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.common.data import audit
from services.common.kernel.calendar import today
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput, Conflict, Forbidden, NotFound
from services.common.data.lookup import one
from services.common.kernel.money import format_fen
from services.common.kernel.validation import clean_text, parse_uuid
from services.contracts import ProjectAwarded, TrancheDisbursed

from .. import events
from ..models import (
    KnownOrganization,
    OrganizationStatus,
    Phase,
    Project,
    ProjectStatus,
    Tranche,
    TrancheStatus,
)
from .common import audit_record, awarded_project, funding_round, now, require_phase
from ..queries import committed_fen


@dataclass
class TrancheSpec:
    amount_fen: int
    due_on: dt.date


@dataclass
class AwardCommand:
    """Award a selected project to an organization: its grant and the grant's tranche schedule."""

    project_id: Any
    organization_id: Any
    grant_fen: int
    tranches: list[TrancheSpec]
    ends_on: dt.date | None = None  # the project's last day; a year after the award when not given
    over_request_reason: str | None = None  # required for a grant above the reviewed request


PROJECT_YEAR = dt.timedelta(days=365)


def _check_due(due_on: dt.date, ends_on: dt.date | None, *, field: str) -> None:
    """A tranche falls due within the project's life: not before today, not after its end."""
    if due_on < today():
        raise BadInput(f"a tranche due on {due_on.isoformat()} is due in the past", field=field)
    if ends_on is not None and due_on > ends_on:
        raise BadInput(f"a tranche due on {due_on.isoformat()} is due after the project ends on {ends_on.isoformat()}",
                       field=field)


def _check_schedule(tranches: list[TrancheSpec], remaining: int, *, field: str) -> None:
    for index, tranche in enumerate(tranches):
        if tranche.amount_fen <= 0:
            raise BadInput("a tranche is an amount above zero", field=f"{field}[{index}].amount")
        if tranche.amount_fen > remaining:
            raise BadInput(
                f"tranche {index + 1} of {format_fen(tranche.amount_fen)} exceeds the {format_fen(remaining)} "
                "that remains of the grant",
                field=f"{field}[{index}].amount",
            )
        remaining -= tranche.amount_fen


async def _organization(organization_id: Any, *, field: str) -> KnownOrganization:
    org = await KnownOrganization.filter(id=parse_uuid(organization_id, field, "an organization")).first()
    if org is None:
        raise NotFound(f"funding knows no organization {organization_id} in this district", field=field)
    return org


async def award_project(principal: Principal, command: AwardCommand) -> Project:
    project_id, organization_id = command.project_id, command.organization_id
    grant_fen, tranches = command.grant_fen, command.tranches
    project = await one(Project, project_id, field="projectId", what="project", for_update=False)
    # The round's row lock serializes awards, so total grants never exceed the budget.
    round_ = await funding_round(project.round_id, for_update=True)
    project = await Project.filter(id=project.id).select_for_update().get()
    require_phase(round_, Phase.AWARDED, doing="awarding projects")
    if project.status is ProjectStatus.WITHDRAWN:
        raise BadInput("the project was withdrawn after an upheld objection", field="projectId")
    if project.status in (ProjectStatus.AWARDED, ProjectStatus.AWAITING_APPROVAL):
        raise Conflict(f"the project is already {project.status.value}", field="projectId")
    org = await _organization(organization_id, field="organizationId")
    if org.status is not OrganizationStatus.ACTIVE:
        raise BadInput(f"organization '{org.name}' is {org.status.value}; only an ACTIVE one can implement a project",
                       field="organizationId")
    if grant_fen <= 0:
        raise BadInput("a grant is an amount above zero", field="grant")
    committed = await committed_fen(round_.id)
    if committed + grant_fen > round_.budget_fen:
        raise BadInput(
            f"a grant of {format_fen(grant_fen)} exceeds what remains of the budget: "
            f"{format_fen(round_.budget_fen - committed)} of {format_fen(round_.budget_fen)}",
            field="grant",
        )
    reason = clean_text(command.over_request_reason, "overRequestReason", required=False, max_length=2000)
    if grant_fen > project.requested_fen and not reason:
        raise BadInput(
            f"a grant of {format_fen(grant_fen)} is above the reviewed request of {format_fen(project.requested_fen)}: "
            "give the reason (overRequestReason), and a second bureau admin approves it",
            field="grant",
        )
    if grant_fen <= project.requested_fen and reason:
        raise BadInput("the grant is within the request; there is nothing to justify", field="overRequestReason")
    if org.category != project.category.value:
        raise BadInput(
            f"organization '{org.name}' works in {org.category}; the project is {project.category.value}",
            field="organizationId",
        )
    ends_on = command.ends_on or today() + PROJECT_YEAR
    if ends_on <= today():
        raise BadInput(f"the project would end on {ends_on.isoformat()}, not after today", field="endsOn")
    if not tranches:
        raise BadInput("give the grant a tranche schedule", field="tranches")
    _check_schedule(tranches, grant_fen, field="tranches")
    for index, tranche in enumerate(tranches):
        _check_due(tranche.due_on, ends_on, field=f"tranches[{index}].dueOn")
    before = audit.snapshot(project)
    project.status = ProjectStatus.AWAITING_APPROVAL if reason else ProjectStatus.AWARDED
    project.organization_id = org.id
    project.grant_fen = grant_fen
    project.ends_on = ends_on
    project.over_request_reason = reason
    project.awarded_by = principal.sub
    project.awarded_at = None if reason else now()
    await project.save()
    for sequence, tranche in enumerate(tranches, start=1):
        await Tranche.create(
            district=project.district, project_id=project.id, sequence=sequence,
            amount_fen=tranche.amount_fen, due_on=tranche.due_on,
        )
    await audit_record(principal, "awardProject", project, before)
    if project.status is ProjectStatus.AWARDED:
        await _announce(project, round_, org)
    return project


async def approve_over_request_grant(principal: Principal, project_id: Any) -> Project:
    """The second approver of a grant above its request: another bureau admin than the one who awarded it."""
    project = await one(Project, project_id, field="projectId", what="project", for_update=False)
    round_ = await funding_round(project.round_id, for_update=True)
    project = await Project.filter(id=project.id).select_for_update().get()
    require_phase(round_, Phase.AWARDED, doing="approving grants")
    if project.status is not ProjectStatus.AWAITING_APPROVAL:
        raise Conflict(f"the project is {project.status.value}; only a grant awaiting approval is approved",
                       field="projectId")
    if principal.sub == project.awarded_by:
        raise Forbidden("the bureau admin who awarded a grant above its request cannot also approve it",
                        field="projectId")
    org = await _organization(project.organization_id, field="projectId")
    if org.status is not OrganizationStatus.ACTIVE:
        raise BadInput(f"organization '{org.name}' is {org.status.value}; only an ACTIVE one can implement a project",
                       field="projectId")
    before = audit.snapshot(project)
    project.status = ProjectStatus.AWARDED
    project.approved_by = principal.sub
    project.awarded_at = now()
    await project.save()
    await audit_record(principal, "approveOverRequestGrant", project, before)
    await _announce(project, round_, org)
    return project


async def _announce(project: Project, round_, org: KnownOrganization) -> None:
    await events.emitter.emit(
        ProjectAwarded(
            project_id=str(project.id),
            round_id=str(round_.id),
            round_name=round_.name,
            year=round_.year,
            title=project.title,
            category=project.category.value,
            organization_id=str(org.id),
            organization_name=org.name,
            grant_fen=project.grant_fen,
            subdistrict=project.subdistrict,
            community=project.community,
            awarded_at=project.awarded_at.isoformat(),
        ),
        project.district,
    )


async def schedule_tranche(principal: Principal, project_id: Any, amount_fen: int, due_on: dt.date) -> Tranche:
    project, round_ = await awarded_project(project_id, for_update=True)
    require_phase(round_, Phase.AWARDED, doing="scheduling tranches")
    scheduled = sum(t.amount_fen for t in await Tranche.filter(project_id=project.id))
    if amount_fen <= 0:
        raise BadInput("a tranche is an amount above zero", field="amount")
    if amount_fen > project.grant_fen - scheduled:
        raise BadInput(
            f"a tranche of {format_fen(amount_fen)} exceeds the {format_fen(project.grant_fen - scheduled)} "
            "that remains of the grant",
            field="amount",
        )
    _check_due(due_on, project.ends_on, field="dueOn")
    sequence = await Tranche.filter(project_id=project.id).count() + 1
    tranche = await Tranche.create(
        district=project.district, project_id=project.id, sequence=sequence, amount_fen=amount_fen, due_on=due_on
    )
    await audit_record(principal, "scheduleTranche", tranche)
    return tranche


async def disburse_tranche(principal: Principal, tranche_id: Any) -> Tranche:
    planned = await one(Tranche, tranche_id, field="trancheId", what="tranche", for_update=False)
    # The project's row lock first: two tranches disbursed at once queue here and see each other's effect.
    project, round_ = await awarded_project(planned.project_id, field="trancheId", for_update=True)
    tranche = await Tranche.filter(id=planned.id).select_for_update().get()
    require_phase(round_, Phase.AWARDED, doing="disbursing tranches")
    if tranche.status is TrancheStatus.DISBURSED:
        raise Conflict(f"tranche {tranche.sequence} was already disbursed", field="trancheId")
    org = await KnownOrganization.filter(id=project.organization_id).first()
    if org is None or org.status is not OrganizationStatus.ACTIVE:
        status = org.status.value if org else "unknown"
        raise Conflict(f"nothing is disbursed to an organization that is {status}", field="trancheId")
    if project.disbursed_fen + tranche.amount_fen > project.grant_fen:
        raise Conflict(
            f"disbursing {format_fen(tranche.amount_fen)} would overdraw the grant: "
            f"{format_fen(project.grant_fen - project.disbursed_fen)} remains",
            field="trancheId",
        )
    before = audit.snapshot(tranche)
    tranche.status = TrancheStatus.DISBURSED
    tranche.disbursed_at = now()
    await tranche.save(update_fields=["status", "disbursed_at"])
    project.disbursed_fen += tranche.amount_fen
    await project.save(update_fields=["disbursed_fen"])
    await events.emitter.emit(
        TrancheDisbursed(
            project_id=str(project.id),
            tranche_id=str(tranche.id),
            amount_fen=tranche.amount_fen,
            disbursed_fen=project.disbursed_fen,
        ),
        project.district,
    )
    await audit_record(principal, "disburseTranche", tranche, before)
    return tranche
