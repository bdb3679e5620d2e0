"""Step 1: a round is opened with its budget and published criteria, then moved forward phase by phase."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.common.data import audit
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput, Conflict
from services.common.kernel.validation import clean_name

from ..models import PHASES, FundingRound, Need, Objection, ObjectionStatus, Phase, Project
from .common import audit_record, funding_round, now


@dataclass
class CriterionSpec:
    name: str
    weight: int


async def open_round(
    principal: Principal,
    *,
    name: str,
    year: int,
    budget_fen: int,
    criteria: list[CriterionSpec],
    min_reviews: int = 3,
    notice_days: int = 7,
) -> FundingRound:
    district = principal.home_district
    name = clean_name(name, "name")
    if not 2000 <= year <= 2100:
        raise BadInput(f"year {year} is not a plausible funding year", field="year")
    if budget_fen <= 0:
        raise BadInput("a round needs a budget above zero", field="budget")
    if not criteria:
        raise BadInput("publish at least one review criterion with its weight", field="criteria")
    published: list[dict] = []
    for index, criterion in enumerate(criteria):
        cname = clean_name(criterion.name, f"criteria[{index}].name", max_length=100)
        if any(c["name"] == cname for c in published):
            raise BadInput(f"criterion '{cname}' is listed twice", field=f"criteria[{index}].name")
        if not 1 <= criterion.weight <= 100:
            raise BadInput("a criterion's weight is a whole number from 1 to 100", field=f"criteria[{index}].weight")
        published.append({"name": cname, "weight": criterion.weight})
    if not 1 <= min_reviews <= 50:
        raise BadInput("the minimum number of reviews is from 1 to 50", field="minReviews")
    if not 0 <= notice_days <= 90:
        raise BadInput("the notice period is from 0 to 90 days", field="noticeDays")
    round_ = await FundingRound.create(
        district=district,
        name=name,
        year=year,
        budget_fen=budget_fen,
        criteria=published,
        min_reviews=min_reviews,
        notice_days=notice_days,
    )
    await audit_record(principal, "openRound", round_)
    return round_


async def advance_round(principal: Principal, round_id: Any, to: Phase) -> FundingRound:
    """One phase forward, after that phase's preconditions hold."""
    round_ = await funding_round(round_id, field="id", for_update=True)
    before = audit.snapshot(round_)
    current = PHASES.index(round_.phase)
    if current + 1 >= len(PHASES) or PHASES[current + 1] is not to:
        following = PHASES[current + 1].value if current + 1 < len(PHASES) else "none (the round is closed)"
        raise Conflict(
            f"a round moves only forward, one phase at a time: round '{round_.name}' is in phase "
            f"{round_.phase.value}, so the next phase is {following}, not {to.value}",
            field="to",
            phase=round_.phase.value,
        )
    if to is Phase.LIBRARY and not await Need.filter(round_id=round_.id).exists():
        raise Conflict("no needs have been recorded in this round yet", field="to")
    if to is Phase.REVIEW and not await Need.filter(round_id=round_.id, library_entry_id__isnull=False).exists():
        raise Conflict("no needs have been merged into library entries yet", field="to")
    if to is Phase.NOTICE:
        if not await Project.filter(round_id=round_.id).exists():
            raise Conflict("select projects before publishing the notice", field="to")
        round_.notice_started_at = now()
        round_.notice_ends_at = round_.notice_started_at + dt.timedelta(days=round_.notice_days)
    if to is Phase.AWARDED:
        if round_.notice_ends_at and round_.notice_ends_at > now():
            raise Conflict(f"the notice period runs until {round_.notice_ends_at.isoformat()}", field="to")
        open_count = await Objection.filter(project__round_id=round_.id, status=ObjectionStatus.OPEN).count()
        if open_count:
            raise Conflict(f"{open_count} objection(s) are still open; resolve them before awards", field="to")
    round_.phase = to
    await round_.save()
    await audit_record(principal, "advanceRound", round_, before)
    return round_
