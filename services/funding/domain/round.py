"""Step 1: a round is opened with its budget and published criteria, then moved forward phase by phase."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from services.common.data import audit
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput, Conflict
from services.common.kernel.validation import clean_text
from services.contracts import RoundChanged, RoundOpened

from .. import events
from ..models import (
    PHASES, FundingRound, Need, Objection, ObjectionStatus, Phase, Project, ProjectStatus, RecoveryOrder,
    RecoveryStatus, Tranche, TrancheStatus,
)
from .common import audit_record, funding_round, now, require_phase

MAX_NOTICE_DAYS = 90


def min_notice_days() -> int:
    """FUNDING_MIN_NOTICE_DAYS (default 7): the shortest public notice a round may publish; never below 1."""
    days = int(os.environ.get("FUNDING_MIN_NOTICE_DAYS", "7"))
    if not 1 <= days <= MAX_NOTICE_DAYS:
        raise ValueError(f"FUNDING_MIN_NOTICE_DAYS={days}: the minimum notice is 1 to {MAX_NOTICE_DAYS} days")
    return days


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
    """A round with its terms; evaluation learns of it from funding.round.opened."""
    district = principal.home_district
    terms = _terms(name=name, year=year, budget_fen=budget_fen, criteria=criteria, min_reviews=min_reviews,
                   notice_days=notice_days)
    round_ = await FundingRound.create(district=district, **terms)
    await events.emitter.emit(
        RoundOpened(round_id=str(round_.id), name=round_.name, year=round_.year, opened_at=round_.created_at.isoformat()),
        district,
    )
    await audit_record(principal, "openRound", round_)
    return round_


def _terms(*, name: str, year: int, budget_fen: int, criteria: list[CriterionSpec], min_reviews: int,
           notice_days: int) -> dict:
    """A round's terms, checked field by field (opening and editing share them)."""
    name = clean_text(name, "name")
    if not 2000 <= year <= 2100:
        raise BadInput(f"year {year} is not a plausible funding year", field="year")
    if budget_fen <= 0:
        raise BadInput("a round needs a budget above zero", field="budget")
    if not criteria:
        raise BadInput("publish at least one review criterion with its weight", field="criteria")
    published: list[dict] = []
    for index, criterion in enumerate(criteria):
        cname = clean_text(criterion.name, f"criteria[{index}].name", max_length=100)
        if any(c["name"] == cname for c in published):
            raise BadInput(f"criterion '{cname}' is listed twice", field=f"criteria[{index}].name")
        if not 1 <= criterion.weight <= 100:
            raise BadInput("a criterion's weight is a whole number from 1 to 100", field=f"criteria[{index}].weight")
        published.append({"name": cname, "weight": criterion.weight})
    if not 1 <= min_reviews <= 50:
        raise BadInput("the minimum number of reviews is from 1 to 50", field="minReviews")
    shortest = min_notice_days()
    if not shortest <= notice_days <= MAX_NOTICE_DAYS:
        raise BadInput(f"the notice period is from {shortest} to {MAX_NOTICE_DAYS} days", field="noticeDays")
    return {"name": name, "year": year, "budget_fen": budget_fen, "criteria": published, "min_reviews": min_reviews,
            "notice_days": notice_days}


async def _changed(round_: FundingRound) -> None:
    await events.emitter.emit(
        RoundChanged(round_id=str(round_.id), name=round_.name, year=round_.year, phase=round_.phase.value,
                     cancel_reason=round_.cancel_reason, changed_at=now().isoformat()),
        round_.district,
    )


async def update_round(
    principal: Principal,
    round_id: Any,
    *,
    name: str,
    year: int,
    budget_fen: int,
    criteria: list[CriterionSpec],
    min_reviews: int,
    notice_days: int,
) -> FundingRound:
    """New terms for a round, accepted only while needs intake is open (nothing yet depends on them)."""
    round_ = await funding_round(round_id, field="id", for_update=True)
    require_phase(round_, Phase.NEEDS_INTAKE, doing="editing a round")
    terms = _terms(name=name, year=year, budget_fen=budget_fen, criteria=criteria, min_reviews=min_reviews,
                   notice_days=notice_days)
    before = audit.snapshot(round_)
    for key, value in terms.items():
        setattr(round_, key, value)
    await round_.save()
    await _changed(round_)
    await audit_record(principal, "updateRound", round_, before)
    return round_


async def cancel_round(principal: Principal, round_id: Any, reason: str) -> FundingRound:
    """A mistaken round is cancelled with its reason, before any project is awarded; it stays for the archive."""
    reason = clean_text(reason, "reason", max_length=2000)
    round_ = await funding_round(round_id, field="id", for_update=True)
    require_phase(round_, Phase.NEEDS_INTAKE, Phase.LIBRARY, Phase.REVIEW, Phase.NOTICE, doing="cancelling a round")
    if await Project.filter(round_id=round_.id, status__in=[ProjectStatus.AWARDED, ProjectStatus.AWAITING_APPROVAL]).exists():
        raise Conflict("projects of this round are awarded; close it at its end instead", field="id")
    before = audit.snapshot(round_)
    round_.phase = Phase.CANCELLED
    round_.cancel_reason = reason
    await round_.save()
    await _changed(round_)
    await audit_record(principal, "cancelRound", round_, before)
    return round_


async def _check_closable(round_: FundingRound) -> None:
    """A round closes at its end: nothing awaits approval, every tranche is paid, no recovery order is open."""
    if await Project.filter(round_id=round_.id, status=ProjectStatus.AWAITING_APPROVAL).exists():
        raise BadInput("a grant above its request still awaits approval", field="to")
    planned = await Tranche.filter(project__round_id=round_.id, status=TrancheStatus.PLANNED).count()
    if planned:
        raise BadInput(f"{planned} tranche(s) are still to be paid; a round closes at its end", field="to")
    open_orders = await RecoveryOrder.filter(project__round_id=round_.id, status=RecoveryStatus.OPEN).count()
    if open_orders:
        raise BadInput(f"{open_orders} recovery order(s) are still open; settle them before closing", field="to")


async def advance_round(principal: Principal, round_id: Any, to: Phase) -> FundingRound:
    """One phase forward, after that phase's preconditions hold."""
    round_ = await funding_round(round_id, field="id", for_update=True)
    if round_.phase is Phase.CANCELLED:
        raise Conflict(f"round '{round_.name}' was cancelled: {round_.cancel_reason}", field="phase",
                       phase=round_.phase.value)
    before = audit.snapshot(round_)
    current = PHASES.index(round_.phase)
    if current + 1 >= len(PHASES) or PHASES[current + 1] is not to:
        following = PHASES[current + 1].value if current + 1 < len(PHASES) else "none (the round is closed)"
        raise BadInput(
            f"a round moves only forward, one phase at a time: round '{round_.name}' is in phase "
            f"{round_.phase.value}, so the next phase is {following}, not {to.value}",
            field="to",
            phase=round_.phase.value,
        )
    if to is Phase.LIBRARY and not await Need.filter(round_id=round_.id).exists():
        raise BadInput("no needs have been recorded in this round yet", field="to")
    if to is Phase.REVIEW and not await Need.filter(round_id=round_.id, library_entry_id__isnull=False).exists():
        raise BadInput("no needs have been merged into library entries yet", field="to")
    if to is Phase.NOTICE:
        if not await Project.filter(round_id=round_.id).exists():
            raise BadInput("select projects before publishing the notice", field="to")
        round_.notice_started_at = now()
        round_.notice_ends_at = round_.notice_started_at + dt.timedelta(days=round_.notice_days)
    if to is Phase.AWARDED:
        if round_.notice_ends_at and round_.notice_ends_at > now():
            raise BadInput(f"the notice period runs until {round_.notice_ends_at.isoformat()}", field="to")
        open_count = await Objection.filter(project__round_id=round_.id, status=ObjectionStatus.OPEN).count()
        if open_count:
            raise BadInput(f"{open_count} objection(s) are still open; resolve them before awards", field="to")
    if to is Phase.CLOSED:
        await _check_closable(round_)
    round_.phase = to
    await round_.save()
    await _changed(round_)
    await audit_record(principal, "advanceRound", round_, before)
    return round_
