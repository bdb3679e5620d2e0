"""What every step shares: the clock, the phase check, the round and awarded-project lookups, the audit record."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from services.common.data import audit
from services.common.kernel.auth import Principal
from services.common.kernel.errors import Conflict
from services.common.data.lookup import one

from ..models import AuditRecord, FundingRound, Phase, Project, ProjectStatus

log = logging.getLogger("civic.funding")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def require_phase(round_: FundingRound, *phases: Phase, doing: str) -> None:
    if round_.phase not in phases:
        allowed = " or ".join(p.value for p in phases)
        raise Conflict(
            f"round '{round_.name}' is in phase {round_.phase.value}; {doing} is accepted only in {allowed}",
            field="phase",
            phase=round_.phase.value,
        )


async def funding_round(round_id: Any, *, field: str = "roundId", for_update: bool) -> FundingRound:
    return await one(FundingRound, round_id, field=field, what="funding round", for_update=for_update)


async def awarded_project(
    project_id: Any, *, field: str = "projectId", for_update: bool
) -> tuple[Project, FundingRound]:
    """An AWARDED project and its round (read only)."""
    project = await one(Project, project_id, field=field, what="project", for_update=for_update)
    if project.status is not ProjectStatus.AWARDED:
        raise Conflict(f"the project is {project.status.value}, not AWARDED", field=field)
    return project, await funding_round(project.round_id, for_update=False)


async def audit_record(principal: Principal | None, action: str, entity, before: dict | None = None) -> None:
    await audit.record(AuditRecord, principal, district=entity.district, action=action, entity=entity, before=before)
