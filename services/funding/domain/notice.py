"""Step 5: the public notice: objections lodged and resolved, the period closed."""

from __future__ import annotations

from typing import Any

from services.common.data import audit
from services.common.kernel.auth import DISTRICT_CODE, Principal
from services.common.kernel.config import development
from services.common.kernel.errors import BadInput, Conflict, NotFound
from services.common.data.lookup import one
from services.common.kernel.validation import clean_text, parse_uuid

from .. import queries as reports
from ..models import FundingRound, Objection, ObjectionStatus, Phase, Project, ProjectStatus
from .common import audit_record, funding_round, now, require_phase


async def close_notice_period(principal: Principal, round_id: Any) -> FundingRound:
    round_ = await funding_round(round_id, for_update=True)
    require_phase(round_, Phase.NOTICE, doing="closing the notice period")
    if round_.notice_ends_at and round_.notice_ends_at <= now():
        raise Conflict("the notice period is already over", field="roundId")
    # A public notice runs its whole period (at least FUNDING_MIN_NOTICE_DAYS): ending it early is a
    # development shortcut for the demo and the tests, which cannot wait a week; production refuses it.
    if not development():
        raise Conflict(f"a public notice runs its full period: this one ends at {round_.notice_ends_at.isoformat()}",
                       field="roundId")
    before = audit.snapshot(round_)
    round_.notice_ends_at = now()
    await round_.save(update_fields=["notice_ends_at", "updated_at"])
    await audit_record(principal, "closeNoticePeriod", round_, before)
    return round_


async def lodge_objection(principal: Principal, project_id: Any, reason: str) -> Objection:
    reason = clean_text(reason, "reason", max_length=4000)
    project = await one(Project, project_id, field="projectId", what="project", for_update=True)
    round_ = await funding_round(project.round_id, for_update=False)
    require_phase(round_, Phase.NOTICE, doing="lodging objections")
    if round_.notice_ends_at is None or round_.notice_ends_at <= now():
        raise Conflict(f"the notice period ended at {round_.notice_ends_at.isoformat()}", field="projectId")
    if project.status is not ProjectStatus.SELECTED:
        raise Conflict(f"the project is {project.status.value}", field="projectId")
    objection = await Objection.create(
        district=project.district, project_id=project.id, lodged_by=principal.sub, reason=reason
    )
    await audit_record(principal, "lodgeObjection", objection)
    return objection


async def lodge_public_objection(district: str, project_id: Any, contact: str, text: str) -> dict[str, Any]:
    """A resident objects to a project on notice without an account: a contact the bureau can answer,
    and the objection. It lands as an OPEN objection the bureau resolves like any other."""
    if not DISTRICT_CODE.match(district or ""):
        raise BadInput("a district is a 6-digit administrative division code", field="district")
    project = parse_uuid(project_id, "projectId", "a project")
    contact = clean_text(contact, "contact", max_length=120)
    text = clean_text(text, "text", max_length=4000)
    lodged = await reports.lodge_public_objection(district, project, contact, text)
    if lodged is None:
        raise NotFound("no project of that district is on notice and open for objections", field="projectId")
    return lodged


async def resolve_objection(principal: Principal, objection_id: Any, outcome: ObjectionStatus, resolution: str) -> Objection:
    """Upheld: the project drops out. Dismissed: it stays."""
    if outcome is ObjectionStatus.OPEN:
        raise BadInput("an objection is resolved as UPHELD or DISMISSED", field="outcome")
    resolution = clean_text(resolution, "resolution", max_length=4000)
    objection = await one(Objection, objection_id, field="id", what="objection", for_update=True)
    project = await Project.filter(id=objection.project_id).select_for_update().get()
    round_ = await funding_round(project.round_id, for_update=False)
    require_phase(round_, Phase.NOTICE, doing="resolving objections")
    if objection.status is not ObjectionStatus.OPEN:
        raise Conflict(f"the objection was already {objection.status.value}", field="id")
    before = audit.snapshot(objection)
    objection.status = outcome
    objection.resolution = resolution
    objection.resolved_by = principal.sub
    objection.resolved_at = now()
    await objection.save()
    await audit_record(principal, "resolveObjection", objection, before)
    if outcome is ObjectionStatus.UPHELD and project.status is ProjectStatus.SELECTED:
        project_before = audit.snapshot(project)
        project.status = ProjectStatus.WITHDRAWN
        await project.save(update_fields=["status"])
        await audit_record(principal, "resolveObjection", project, project_before)
    return objection
