"""Funding's rules, as plain functions over models: no GraphQL in here.

A round moves NEEDS_INTAKE -> LIBRARY -> REVIEW -> NOTICE -> AWARDED -> CLOSED, forward only; each step
is accepted only in its phase. Money is integer fen throughout.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from uuid import UUID

from tortoise import connections

from services.common import audit
from services.common.auth import BUREAU_ADMIN, Principal
from services.common.categories import Category
from services.common.errors import BadInput, Conflict, Forbidden, NotFound
from services.common.events.handlers import Refused
from services.common.money import format_fen
from services.common.validation import clean_text, parse_uuid
from services.contracts import (
    ProjectAwarded,
    RecoverySettled,
    RecoveryOrdered,
    ServiceRecordReported,
    TrancheDisbursed,
    ViolationFound,
)

from . import events
from .models import (
    PHASES,
    AuditRecord,
    CollectionMethod,
    ConflictDeclaration,
    Expense,
    FundingRound,
    KnownOrganization,
    LibraryEntry,
    LibraryMerge,
    MemberKind,
    Need,
    Objection,
    ObjectionStatus,
    OrganizationStatus,
    PanelMember,
    Phase,
    Project,
    ProjectStatus,
    RecoveryOrder,
    RecoverySource,
    RecoveryStatus,
    Review,
    ServiceRecord,
    Tranche,
    TrancheStatus,
)

log = logging.getLogger("civic.funding")

MAX_GRADE = 10


# --- small helpers -------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def _one(model, value: Any, field: str, what: str, *, lock: bool = False):
    """A row by id; row-level security hides other districts, so "not yours" reads as "no such"."""
    query = model.filter(id=parse_uuid(value, field, f"a {what}"))
    if lock:
        query = query.select_for_update()
    row = await query.first()
    if row is None:
        raise NotFound(f"no {what} {value} in this district", field=field)
    return row


def require_phase(round_: FundingRound, *phases: Phase, doing: str) -> None:
    if round_.phase not in phases:
        allowed = " or ".join(p.value for p in phases)
        raise Conflict(
            f"round '{round_.name}' is in phase {round_.phase.value}; {doing} is accepted only in {allowed}",
            field="phase",
            phase=round_.phase.value,
        )


async def _round(round_id: Any, *, field: str = "roundId", lock: bool = False) -> FundingRound:
    return await _one(FundingRound, round_id, field, "funding round", lock=lock)


async def _record(principal: Principal | None, action: str, entity, before: dict | None = None) -> None:
    await audit.record(AuditRecord, principal, district=entity.district, action=action, entity=entity, before=before)


# --- 1. the round --------------------------------------------------------------------------------


@dataclass
class CriterionInput:
    name: str
    weight: int


async def open_round(
    principal: Principal,
    *,
    name: str,
    year: int,
    budget_fen: int,
    criteria: list[CriterionInput],
    min_reviews: int = 3,
    notice_days: int = 7,
) -> FundingRound:
    district = principal.home_district
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
    await _record(principal, "openRound", round_)
    return round_


async def advance_round(principal: Principal, round_id: Any, to: Phase) -> FundingRound:
    """One phase forward, after that phase's preconditions hold."""
    round_ = await _round(round_id, field="id", lock=True)
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
        round_.notice_started_at = _now()
        round_.notice_ends_at = round_.notice_started_at + dt.timedelta(days=round_.notice_days)
    if to is Phase.AWARDED:
        if round_.notice_ends_at and round_.notice_ends_at > _now():
            raise BadInput(f"the notice period runs until {round_.notice_ends_at.isoformat()}", field="to")
        open_count = await Objection.filter(project__round_id=round_.id, status=ObjectionStatus.OPEN).count()
        if open_count:
            raise BadInput(f"{open_count} objection(s) are still open; resolve them before awards", field="to")
    round_.phase = to
    await round_.save()
    await _record(principal, "advanceRound", round_, before)
    return round_


# --- 2. needs ------------------------------------------------------------------------------------


async def record_need(
    principal: Principal,
    *,
    round_id: Any,
    subdistrict: str,
    community: str,
    category: Category,
    method: CollectionMethod,
    description: str,
) -> Need:
    subdistrict = clean_text(subdistrict, "subdistrict", max_length=100)
    if BUREAU_ADMIN not in principal.roles and principal.subdistrict != subdistrict:
        raise Forbidden(
            f"a subdistrict officer of {principal.subdistrict or 'no subdistrict'} cannot record needs of {subdistrict}",
            field="subdistrict",
        )
    round_ = await _round(round_id)
    require_phase(round_, Phase.NEEDS_INTAKE, doing="recording needs")
    need = await Need.create(
        district=round_.district,
        round_id=round_.id,
        subdistrict=subdistrict,
        community=clean_text(community, "community", max_length=100),
        category=category,
        method=method,
        description=clean_text(description, "description", max_length=4000),
        recorded_by=principal.sub,
    )
    await _record(principal, "recordNeed", need)
    return need


# --- 3. the project library ----------------------------------------------------------------------


async def merge_needs(
    principal: Principal,
    *,
    need_ids: list[Any],
    reason: str,
    entry_id: Any = None,
    title: str | None = None,
    requested_fen: int | None = None,
) -> LibraryEntry:
    """Merge like needs into a new entry, or into an existing one when `entry_id` is given."""
    reason = clean_text(reason, "reason", max_length=2000)
    if not need_ids:
        raise BadInput("name at least one need to merge", field="needIds")
    ids = [parse_uuid(value, "needIds", "a need") for value in need_ids]
    if len(set(ids)) != len(ids):
        raise BadInput("a need is named twice", field="needIds")
    needs = await Need.filter(id__in=ids).select_for_update().order_by("created_at")
    if len(needs) != len(ids):
        missing = sorted({str(i) for i in ids} - {str(n.id) for n in needs})
        raise NotFound(f"no need {missing[0]} in this district", field="needIds")
    if len({n.round_id for n in needs}) != 1:
        raise BadInput("needs of different rounds cannot be merged", field="needIds")
    round_ = await _round(needs[0].round_id)
    require_phase(round_, Phase.LIBRARY, doing="merging needs")
    for need in needs:
        if need.library_entry_id is not None:
            raise Conflict(f"need {need.id} already belongs to a library entry; unmerge it first", field="needIds")
    if entry_id is not None:
        entry = await _one(LibraryEntry, entry_id, "entryId", "library entry", lock=True)
        if entry.round_id != round_.id:
            raise BadInput("the entry belongs to another round", field="entryId")
    else:
        title = clean_text(title, "title")
        if requested_fen is None or requested_fen <= 0:
            raise BadInput("a new entry needs the amount it requests, above zero", field="requested")
        if requested_fen > round_.budget_fen:
            raise BadInput(f"the request exceeds the round's budget of {format_fen(round_.budget_fen)}", field="requested")
        categories = {n.category for n in needs}
        if len(categories) != 1:
            raise BadInput("only like needs merge: these needs are of different categories", field="needIds")
        entry = await LibraryEntry.create(
            district=round_.district, round_id=round_.id, title=title, category=needs[0].category, requested_fen=requested_fen
        )
    for need in needs:
        if need.category is not entry.category:
            raise BadInput(
                f"need {need.id} is {need.category.value}, the entry is {entry.category.value}: only like needs merge",
                field="needIds",
            )
    await Need.filter(id__in=ids).update(library_entry_id=entry.id)
    merge = await LibraryMerge.create(
        district=entry.district, entry_id=entry.id, action="MERGE", need_ids=[str(i) for i in ids],
        actor=principal.sub, reason=reason,
    )
    await _record(principal, "mergeNeeds", merge)
    return entry


async def unmerge_need(principal: Principal, need_id: Any, reason: str) -> LibraryEntry:
    reason = clean_text(reason, "reason", max_length=2000)
    need = await _one(Need, need_id, "needId", "need", lock=True)
    round_ = await _round(need.round_id)
    require_phase(round_, Phase.LIBRARY, doing="unmerging needs")
    if need.library_entry_id is None:
        raise BadInput("this need belongs to no library entry", field="needId")
    entry = await LibraryEntry.get(id=need.library_entry_id)
    before = audit.snapshot(need)
    need.library_entry_id = None
    await need.save(update_fields=["library_entry_id"])
    merge = await LibraryMerge.create(
        district=entry.district, entry_id=entry.id, action="UNMERGE", need_ids=[str(need.id)],
        actor=principal.sub, reason=reason,
    )
    await _record(principal, "unmergeNeed", need, before)
    await _record(principal, "unmergeNeed", merge)
    return entry


# --- 4. review -----------------------------------------------------------------------------------


async def add_panel_member(principal: Principal, *, round_id: Any, name: str, kind: MemberKind, sub: str) -> PanelMember:
    round_ = await _round(round_id, lock=True)
    require_phase(round_, Phase.NEEDS_INTAKE, Phase.LIBRARY, Phase.REVIEW, doing="seating panel members")
    name = clean_text(name, "name", max_length=100)
    sub = clean_text(sub, "sub", max_length=120)
    if await PanelMember.filter(round_id=round_.id, sub=sub).exists():
        raise Conflict(f"token subject {sub} already sits on this round's panel", field="sub")
    member = await PanelMember.create(district=round_.district, round_id=round_.id, name=name, kind=kind, sub=sub)
    await _record(principal, "addPanelMember", member)
    return member


async def _member(principal: Principal, round_id: UUID) -> PanelMember:
    member = await PanelMember.filter(round_id=round_id, sub=principal.sub).first()
    if member is None:
        raise Forbidden("the caller does not sit on this round's review panel", field="entryId")
    return member


async def declare_conflict(principal: Principal, entry_id: Any, reason: str) -> ConflictDeclaration:
    reason = clean_text(reason, "reason", max_length=2000)
    entry = await _one(LibraryEntry, entry_id, "entryId", "library entry")
    round_ = await _round(entry.round_id)
    require_phase(round_, Phase.LIBRARY, Phase.REVIEW, doing="declaring a conflict of interest")
    member = await _member(principal, entry.round_id)
    if await ConflictDeclaration.filter(member_id=member.id, entry_id=entry.id).exists():
        raise Conflict("this conflict of interest is already declared", field="entryId")
    declaration = await ConflictDeclaration.create(
        district=entry.district, member_id=member.id, entry_id=entry.id, reason=reason
    )
    await _record(principal, "declareConflict", declaration)
    return declaration


async def score_entry(principal: Principal, entry_id: Any, grades: dict[str, int], comment: str | None) -> Review:
    """A member grades every published criterion 0-10; a second call replaces the member's grades."""
    entry = await _one(LibraryEntry, entry_id, "entryId", "library entry", lock=True)
    round_ = await _round(entry.round_id)
    require_phase(round_, Phase.REVIEW, doing="scoring entries")
    member = await _member(principal, entry.round_id)
    if await ConflictDeclaration.filter(member_id=member.id, entry_id=entry.id).exists():
        raise Forbidden("you declared a conflict of interest with this entry, so you cannot score it", field="entryId")
    names = [c["name"] for c in round_.criteria]
    unknown = sorted(set(grades) - set(names))
    if unknown:
        raise BadInput(f"'{unknown[0]}' is not a published criterion of this round ({', '.join(names)})", field="grades")
    missing = [n for n in names if n not in grades]
    if missing:
        raise BadInput(f"grade every published criterion; '{missing[0]}' is missing", field="grades")
    for cname, grade in grades.items():
        if not isinstance(grade, int) or not 0 <= grade <= MAX_GRADE:
            raise BadInput(f"criterion '{cname}' is graded {grade}; grades run from 0 to {MAX_GRADE}", field="grades")
    if not await Need.filter(library_entry_id=entry.id).exists():
        raise BadInput("this entry has no needs left to review", field="entryId")
    comment = clean_text(comment, "comment", required=False, max_length=4000)
    review = await Review.filter(member_id=member.id, entry_id=entry.id).first()
    before = audit.snapshot(review)
    if review is None:
        review = await Review.create(
            district=entry.district, member_id=member.id, entry_id=entry.id, grades=grades, comment=comment
        )
    else:
        review.grades = grades
        review.comment = comment
        await review.save()
    await _record(principal, "scoreEntry", review, before)
    return review


def review_score(criteria: list[dict], grades: dict[str, int]) -> Fraction:
    """One review: the weighted mean of its grades, 0-10."""
    total_weight = sum(c["weight"] for c in criteria)
    return Fraction(sum(grades.get(c["name"], 0) * c["weight"] for c in criteria), total_weight)


def entry_score(round_: FundingRound, reviews: list[Review], conflicted_members: set) -> Fraction | None:
    """The mean of the reviews of members without a declared conflict; None below the round's minimum."""
    counted = [review_score(round_.criteria, r.grades) for r in reviews if r.member_id not in conflicted_members]
    if len(counted) < round_.min_reviews:
        return None
    return sum(counted, Fraction(0)) / len(counted)


async def entry_scores(round_: FundingRound, entries: list[LibraryEntry]) -> dict[UUID, Fraction | None]:
    ids = [e.id for e in entries]
    reviews = await Review.filter(entry_id__in=ids)
    conflicts = await ConflictDeclaration.filter(entry_id__in=ids)
    scores = {}
    for entry in entries:
        conflicted = {c.member_id for c in conflicts if c.entry_id == entry.id}
        scores[entry.id] = entry_score(round_, [r for r in reviews if r.entry_id == entry.id], conflicted)
    return scores


def _uniform(values: list[str]) -> str | None:
    return values[0] if values and len(set(values)) == 1 else None


async def select_projects(principal: Principal, round_id: Any) -> FundingRound:
    """Entries by score, best first, taken while their requests fit in what remains of the budget."""
    round_ = await _round(round_id, lock=True)
    require_phase(round_, Phase.REVIEW, doing="selecting projects")
    if await Project.filter(round_id=round_.id).exists():
        raise Conflict("projects have already been selected in this round", field="roundId")
    merged = await Need.filter(round_id=round_.id, library_entry_id__isnull=False).values_list("library_entry_id", flat=True)
    entries = await LibraryEntry.filter(id__in=list(set(merged))).order_by("created_at")
    scores = await entry_scores(round_, entries)
    ranked = sorted(
        (e for e in entries if scores[e.id] is not None),
        key=lambda e: (-scores[e.id], e.requested_fen, e.created_at),
    )
    if not ranked:
        raise BadInput(f"no entry has the minimum of {round_.min_reviews} review(s) yet", field="roundId")
    remaining = round_.budget_fen
    for entry in ranked:
        if entry.requested_fen > remaining:
            continue
        remaining -= entry.requested_fen
        needs = await Need.filter(library_entry_id=entry.id)
        entry.selected = True
        await entry.save(update_fields=["selected"])
        project = await Project.create(
            district=round_.district,
            round_id=round_.id,
            entry_id=entry.id,
            title=entry.title,
            category=entry.category,
            subdistrict=_uniform([n.subdistrict for n in needs]),
            community=_uniform([n.community for n in needs]),
            requested_fen=entry.requested_fen,
        )
        await _record(principal, "selectProjects", project)
    return round_


# --- 5. public notice ----------------------------------------------------------------------------


async def published_notices(district: str) -> list[dict[str, Any]]:
    """A district's projects on notice, for anyone: through the narrow `public_notices` function
    (migration 0007), which reads past row-level security for notices only and sets no tenant."""
    return await connections.get("funding").execute_query_dict("SELECT * FROM public_notices($1)", [district])



async def close_notice_period(principal: Principal, round_id: Any) -> FundingRound:
    round_ = await _round(round_id, lock=True)
    require_phase(round_, Phase.NOTICE, doing="closing the notice period")
    if round_.notice_ends_at and round_.notice_ends_at <= _now():
        raise BadInput("the notice period is already over", field="roundId")
    before = audit.snapshot(round_)
    round_.notice_ends_at = _now()
    await round_.save(update_fields=["notice_ends_at", "updated_at"])
    await _record(principal, "closeNoticePeriod", round_, before)
    return round_


async def lodge_objection(principal: Principal, project_id: Any, reason: str) -> Objection:
    reason = clean_text(reason, "reason", max_length=4000)
    project = await _one(Project, project_id, "projectId", "project", lock=True)
    round_ = await _round(project.round_id)
    require_phase(round_, Phase.NOTICE, doing="lodging objections")
    if round_.notice_ends_at is None or round_.notice_ends_at <= _now():
        raise Conflict(f"the notice period ended at {round_.notice_ends_at.isoformat()}", field="projectId")
    if project.status is not ProjectStatus.SELECTED:
        raise Conflict(f"the project is {project.status.value}", field="projectId")
    objection = await Objection.create(
        district=project.district, project_id=project.id, lodged_by=principal.sub, reason=reason
    )
    await _record(principal, "lodgeObjection", objection)
    return objection


async def resolve_objection(principal: Principal, objection_id: Any, outcome: ObjectionStatus, resolution: str) -> Objection:
    """Upheld: the project drops out. Dismissed: it stays."""
    if outcome is ObjectionStatus.OPEN:
        raise BadInput("an objection is resolved as UPHELD or DISMISSED", field="outcome")
    resolution = clean_text(resolution, "resolution", max_length=4000)
    objection = await _one(Objection, objection_id, "id", "objection", lock=True)
    project = await Project.filter(id=objection.project_id).select_for_update().get()
    round_ = await _round(project.round_id)
    require_phase(round_, Phase.NOTICE, doing="resolving objections")
    if objection.status is not ObjectionStatus.OPEN:
        raise Conflict(f"the objection was already {objection.status.value}", field="id")
    before = audit.snapshot(objection)
    objection.status = outcome
    objection.resolution = resolution
    objection.resolved_by = principal.sub
    objection.resolved_at = _now()
    await objection.save()
    await _record(principal, "resolveObjection", objection, before)
    if outcome is ObjectionStatus.UPHELD and project.status is ProjectStatus.SELECTED:
        project_before = audit.snapshot(project)
        project.status = ProjectStatus.WITHDRAWN
        await project.save(update_fields=["status"])
        await _record(principal, "resolveObjection", project, project_before)
    return objection


# --- 6. award ------------------------------------------------------------------------------------


@dataclass
class TrancheInput:
    amount_fen: int
    due_on: dt.date


async def committed_fen(round_id: UUID) -> int:
    rows = await connections.get("funding").execute_query_dict(
        "SELECT COALESCE(SUM(grant_fen), 0)::bigint AS fen FROM project WHERE round_id = $1 AND status = 'AWARDED'",
        [round_id],
    )
    return int(rows[0]["fen"])


def _check_schedule(tranches: list[TrancheInput], remaining: int, *, field: str) -> None:
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


async def award_project(
    principal: Principal, *, project_id: Any, organization_id: Any, grant_fen: int, tranches: list[TrancheInput]
) -> Project:
    project = await _one(Project, project_id, "projectId", "project")
    # The round's row lock serializes awards, so total grants never exceed the budget.
    round_ = await _round(project.round_id, lock=True)
    project = await Project.filter(id=project.id).select_for_update().get()
    require_phase(round_, Phase.AWARDED, doing="awarding projects")
    if project.status is ProjectStatus.WITHDRAWN:
        raise BadInput("the project was withdrawn after an upheld objection", field="projectId")
    if project.status is ProjectStatus.AWARDED:
        raise Conflict("the project is already awarded", field="projectId")
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
    if not tranches:
        raise BadInput("give the grant a tranche schedule", field="tranches")
    _check_schedule(tranches, grant_fen, field="tranches")
    before = audit.snapshot(project)
    project.status = ProjectStatus.AWARDED
    project.organization_id = org.id
    project.grant_fen = grant_fen
    project.awarded_at = _now()
    await project.save()
    for sequence, tranche in enumerate(tranches, start=1):
        await Tranche.create(
            district=project.district, project_id=project.id, sequence=sequence,
            amount_fen=tranche.amount_fen, due_on=tranche.due_on,
        )
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
            grant_fen=grant_fen,
            subdistrict=project.subdistrict,
            community=project.community,
            awarded_at=project.awarded_at.isoformat(),
        ),
        project.district,
    )
    await _record(principal, "awardProject", project, before)
    return project


async def _awarded_project(project_id: Any, *, field: str = "projectId", lock: bool = True) -> tuple[Project, FundingRound]:
    project = await _one(Project, project_id, field, "project", lock=lock)
    if project.status is not ProjectStatus.AWARDED:
        raise Conflict(f"the project is {project.status.value}, not AWARDED", field=field)
    return project, await _round(project.round_id)


async def schedule_tranche(principal: Principal, project_id: Any, amount_fen: int, due_on: dt.date) -> Tranche:
    project, round_ = await _awarded_project(project_id)
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
    sequence = await Tranche.filter(project_id=project.id).count() + 1
    tranche = await Tranche.create(
        district=project.district, project_id=project.id, sequence=sequence, amount_fen=amount_fen, due_on=due_on
    )
    await _record(principal, "scheduleTranche", tranche)
    return tranche


async def disburse_tranche(principal: Principal, tranche_id: Any) -> Tranche:
    planned = await _one(Tranche, tranche_id, "trancheId", "tranche")
    # The project's row lock first: two tranches disbursed at once queue here and see each other's effect.
    project, round_ = await _awarded_project(planned.project_id, field="trancheId")
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
    tranche.disbursed_at = _now()
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
    await _record(principal, "disburseTranche", tranche, before)
    return tranche


# --- 7. delivery ---------------------------------------------------------------------------------


async def _own_project(principal: Principal, project_id: Any, doing: str) -> tuple[Project, FundingRound]:
    project, round_ = await _awarded_project(project_id)
    if principal.org != str(project.organization_id):
        raise Forbidden("only the implementing organization reports on its project", field="projectId")
    require_phase(round_, Phase.AWARDED, doing=doing)
    return project, round_


def _past_date(value: dt.date, field: str) -> dt.date:
    if value > _now().date():
        raise BadInput(f"{value.isoformat()} is in the future", field=field)
    return value


async def report_service_record(
    principal: Principal,
    *,
    project_id: Any,
    community: str,
    service_date: dt.date,
    beneficiary: str,
    person_times: int,
    subdistrict: str | None = None,
) -> ServiceRecord:
    record = await _create_service_record(principal, ServiceRecordItem(
        project_id=project_id, community=community, service_date=service_date,
        beneficiary=beneficiary, person_times=person_times, subdistrict=subdistrict,
    ))
    await events.emitter.emit(_service_record_reported(record), record.district)
    return record


async def _create_service_record(principal: Principal, item: ServiceRecordItem) -> ServiceRecord:
    project, _ = await _own_project(principal, item.project_id, "reporting service records")
    subdistrict = clean_text(item.subdistrict, "subdistrict", required=False, max_length=100) or project.subdistrict
    if not subdistrict:
        raise BadInput("the project spans subdistricts: name the subdistrict served", field="subdistrict")
    if not 1 <= item.person_times <= 100_000:
        raise BadInput("person-times are a whole number from 1 to 100000", field="personTimes")
    record = await ServiceRecord.create(
        district=project.district,
        project_id=project.id,
        subdistrict=subdistrict,
        community=clean_text(item.community, "community", max_length=100),
        service_date=_past_date(item.service_date, "serviceDate"),
        beneficiary=clean_text(item.beneficiary, "beneficiary", max_length=100),
        person_times=item.person_times,
        reported_by=principal.sub,
    )
    await _record(principal, "reportServiceRecord", record)
    return record


def _service_record_reported(record: ServiceRecord) -> ServiceRecordReported:
    return ServiceRecordReported(
        project_id=str(record.project_id),
        record_id=str(record.id),
        beneficiary=record.beneficiary,
        community=record.community,
        service_date=record.service_date.isoformat(),
        person_times=record.person_times,
    )


@dataclass
class ServiceRecordItem:
    project_id: Any
    community: str
    service_date: dt.date
    beneficiary: str
    person_times: int
    subdistrict: str | None = None


MAX_RECORDS_PER_BATCH = 1000


async def report_service_records(principal: Principal, items: list[ServiceRecordItem]) -> list[ServiceRecord]:
    """Many service records in one operation: the same rules as one record, all or none (one transaction)."""
    if not 1 <= len(items) <= MAX_RECORDS_PER_BATCH:
        raise BadInput(f"a batch holds 1 to {MAX_RECORDS_PER_BATCH} service records", field="input")
    records = [await _create_service_record(principal, item) for item in items]
    # One INSERT for the batch's events, in the same transaction as its records.
    await events.emitter.emit_many(
        [(_service_record_reported(r), r.district) for r in records]
    )
    return records


async def report_expense(
    principal: Principal, *, project_id: Any, amount_fen: int, spent_on: dt.date, description: str
) -> Expense:
    project, _ = await _own_project(principal, project_id, "reporting expenses")
    if amount_fen <= 0:
        raise BadInput("an expense is an amount above zero", field="amount")
    spent = sum(e.amount_fen for e in await Expense.filter(project_id=project.id))
    if spent + amount_fen > project.grant_fen:
        raise BadInput(
            f"expenses would reach {format_fen(spent + amount_fen)}, above the grant of {format_fen(project.grant_fen)}",
            field="amount",
        )
    expense = await Expense.create(
        district=project.district,
        project_id=project.id,
        amount_fen=amount_fen,
        spent_on=_past_date(spent_on, "spentOn"),
        description=clean_text(description, "description", max_length=2000),
        reported_by=principal.sub,
    )
    await _record(principal, "reportExpense", expense)
    return expense


# --- 9. supervision: recovery --------------------------------------------------------------------


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
    await _record(principal, "orderRecovery", order)
    return order


async def order_recovery(principal: Principal, *, project_id: Any, amount_fen: int, reason: str) -> RecoveryOrder:
    reason = clean_text(reason, "reason", max_length=2000)
    project = await _one(Project, project_id, "projectId", "project", lock=True)
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
    order = await _one(RecoveryOrder, order_id, "id", "recovery order", lock=True)
    if order.status is RecoveryStatus.SETTLED:
        raise Conflict(f"the order was already settled at {order.settled_at.isoformat()}", field="id")
    project = await Project.get(id=order.project_id)
    before = audit.snapshot(order)
    order.status = RecoveryStatus.SETTLED
    order.settled_at = _now()
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
    await _record(principal, "settleRecovery", order, before)
    return order


# --- statistics ----------------------------------------------------------------------------------


@dataclass
class StatRow:
    key: str
    projects: int = 0
    committed_fen: int = 0
    disbursed_fen: int = 0
    beneficiaries: int = 0
    person_times: int = 0


@dataclass
class Stats:
    projects: int
    committed_fen: int
    disbursed_fen: int
    recovered_fen: int
    open_recovery_fen: int
    open_recovery_orders: int
    beneficiaries: int
    person_times: int
    by_category: list[StatRow]
    by_subdistrict: list[StatRow]
    by_community: list[StatRow]


async def stats(round_id: UUID | None = None, district: str | None = None) -> Stats:
    """Totals over the districts this transaction may see (or one of them), for one round or all."""
    conn = connections.get("funding")
    clauses, args = [], []
    for column, value in (("p.round_id", round_id), ("p.district", district)):
        if value is not None:
            args.append(value)
            clauses.append(f"AND {column} = ${len(args)}")
    where = " ".join(clauses)

    async def q(sql: str) -> list[dict]:
        return await conn.execute_query_dict(sql, args)

    projects = (await q(
        "SELECT COUNT(*)::int AS n, COALESCE(SUM(grant_fen), 0)::bigint AS committed, "
        f"COALESCE(SUM(disbursed_fen), 0)::bigint AS disbursed FROM project p WHERE status = 'AWARDED' {where}"
    ))[0]
    recovered = (await q(
        "SELECT COALESCE(SUM(r.amount_fen) FILTER (WHERE r.status = 'SETTLED'), 0)::bigint AS settled, "
        "COALESCE(SUM(r.amount_fen) FILTER (WHERE r.status = 'OPEN'), 0)::bigint AS open, "
        "COUNT(*) FILTER (WHERE r.status = 'OPEN')::int AS open_orders "
        f"FROM recovery_order r JOIN project p ON p.id = r.project_id WHERE true {where}"
    ))[0]
    service = (await q(
        "SELECT COUNT(DISTINCT s.beneficiary)::int AS b, COALESCE(SUM(s.person_times), 0)::bigint AS t "
        f"FROM service_record s JOIN project p ON p.id = s.project_id WHERE true {where}"
    ))[0]

    async def rollup(project_key: str, service_key: str) -> list[StatRow]:
        rows: dict[str, StatRow] = {}
        for r in await q(
            f"SELECT COALESCE(p.{project_key}::text, 'NONE') AS k, COUNT(*)::int AS n, "
            "SUM(grant_fen)::bigint AS c, SUM(disbursed_fen)::bigint AS d "
            f"FROM project p WHERE status = 'AWARDED' {where} GROUP BY 1"
        ):
            rows[r["k"]] = StatRow(key=r["k"], projects=r["n"], committed_fen=int(r["c"]), disbursed_fen=int(r["d"]))
        for r in await q(
            f"SELECT {service_key}::text AS k, COUNT(DISTINCT s.beneficiary)::int AS b, SUM(s.person_times)::bigint AS t "
            f"FROM service_record s JOIN project p ON p.id = s.project_id WHERE true {where} GROUP BY 1"
        ):
            row = rows.setdefault(r["k"], StatRow(key=r["k"]))
            row.beneficiaries, row.person_times = r["b"], int(r["t"])
        return sorted(rows.values(), key=lambda row: row.key)

    return Stats(
        projects=projects["n"],
        committed_fen=int(projects["committed"]),
        disbursed_fen=int(projects["disbursed"]),
        recovered_fen=int(recovered["settled"]),
        open_recovery_fen=int(recovered["open"]),
        open_recovery_orders=recovered["open_orders"],
        beneficiaries=service["b"],
        person_times=int(service["t"]),
        by_category=await rollup("category", "p.category"),
        by_subdistrict=await rollup("subdistrict", "s.subdistrict"),
        by_community=await rollup("community", "s.community"),
    )


async def project_delivery(project_ids: list[UUID]) -> dict[str, tuple[int, int]]:
    """Distinct beneficiaries and person-times per project."""
    rows = await connections.get("funding").execute_query_dict(
        "SELECT project_id, COUNT(DISTINCT beneficiary)::int AS b, COALESCE(SUM(person_times), 0)::bigint AS t "
        "FROM service_record WHERE project_id = ANY($1::uuid[]) GROUP BY project_id",
        [project_ids],
    )
    return {str(r["project_id"]): (r["b"], int(r["t"])) for r in rows}


async def trail(round_id: UUID) -> dict[str, int]:
    """88 needs -> 42 entries -> 17 selected -> awarded, as the source counts them."""
    rows = await connections.get("funding").execute_query_dict(
        "SELECT (SELECT COUNT(*) FROM need WHERE round_id = $1)::int AS needs, "
        "(SELECT COUNT(DISTINCT library_entry_id) FROM need WHERE round_id = $1)::int AS entries, "
        "(SELECT COUNT(*) FROM project WHERE round_id = $1)::int AS selected, "
        "(SELECT COUNT(*) FROM project WHERE round_id = $1 AND status = 'WITHDRAWN')::int AS withdrawn, "
        "(SELECT COUNT(*) FROM project WHERE round_id = $1 AND status = 'AWARDED')::int AS awarded",
        [round_id],
    )
    return rows[0]
