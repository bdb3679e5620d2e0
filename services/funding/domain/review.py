"""Step 4: the review panel, conflicts of interest, grades, scores and the selection within the budget."""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from uuid import UUID

from services.common.data import audit
from services.common.data.gazetteer import Place, place_columns
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput, Conflict, Forbidden
from services.common.data.lookup import one
from services.common.kernel.validation import clean_name, clean_text

from ..models import (
    ConflictDeclaration,
    FundingRound,
    LibraryEntry,
    MemberKind,
    Need,
    PanelMember,
    Phase,
    Project,
    Review,
    ReviewRevision,
)
from .common import audit_record, funding_round, require_phase


MAX_GRADE = 10


async def add_panel_member(principal: Principal, *, round_id: Any, name: str, kind: MemberKind, sub: str) -> PanelMember:
    round_ = await funding_round(round_id, for_update=True)
    require_phase(round_, Phase.NEEDS_INTAKE, Phase.LIBRARY, Phase.REVIEW, doing="seating panel members")
    name = clean_name(name, "name", max_length=100)
    sub = clean_text(sub, "sub", max_length=120)
    if await PanelMember.filter(round_id=round_.id, sub=sub).exists():
        raise Conflict(f"token subject {sub} already sits on this round's panel", field="sub")
    member = await PanelMember.create(district=round_.district, round_id=round_.id, name=name, kind=kind, sub=sub)
    await audit_record(principal, "addPanelMember", member)
    return member


async def _member(principal: Principal, round_id: UUID) -> PanelMember:
    member = await PanelMember.filter(round_id=round_id, sub=principal.sub).first()
    if member is None:
        raise Forbidden("the caller does not sit on this round's review panel", field="entryId")
    return member


async def declare_conflict(principal: Principal, entry_id: Any, reason: str) -> ConflictDeclaration:
    reason = clean_text(reason, "reason", max_length=2000)
    entry = await one(LibraryEntry, entry_id, field="entryId", what="library entry", for_update=False)
    round_ = await funding_round(entry.round_id, for_update=False)
    require_phase(round_, Phase.LIBRARY, Phase.REVIEW, doing="declaring a conflict of interest")
    member = await _member(principal, entry.round_id)
    if await ConflictDeclaration.filter(member_id=member.id, entry_id=entry.id).exists():
        raise Conflict("this conflict of interest is already declared", field="entryId")
    declaration = await ConflictDeclaration.create(
        district=entry.district, member_id=member.id, entry_id=entry.id, reason=reason
    )
    await audit_record(principal, "declareConflict", declaration)
    return declaration


async def score_entry(principal: Principal, entry_id: Any, grades: dict[str, int], comment: str | None) -> Review:
    """A member grades every published criterion 0-10; a re-score keeps the earlier grades as a revision,
    and the latest counts."""
    entry = await one(LibraryEntry, entry_id, field="entryId", what="library entry", for_update=True)
    round_ = await funding_round(entry.round_id, for_update=False)
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
    review = await Review.filter(member_id=member.id, entry_id=entry.id).select_for_update().first()
    before = audit.snapshot(review)
    if review is None:
        review = await Review.create(
            district=entry.district, member_id=member.id, entry_id=entry.id, grades=grades, comment=comment
        )
    else:
        review.grades = grades
        review.comment = comment
        await review.save()
    await ReviewRevision.create(district=entry.district, review_id=review.id, grades=grades, comment=comment)
    await audit_record(principal, "scoreEntry", review, before)
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


def _uniform(places: list[Place]) -> Place | None:
    """The one place all of an entry's needs name (the same entry, or the same name before the gazetteer)."""
    return places[0] if places and len(set(places)) == 1 else None


def _project_places(needs: list[Need]) -> dict:
    return place_columns(
        _uniform([Place(n.subdistrict, n.subdistrict_code, n.subdistrict_entry_id) for n in needs]),
        _uniform([Place(n.community, n.community_code, n.community_entry_id) for n in needs]),
    )


async def select_projects(principal: Principal, round_id: Any) -> FundingRound:
    """Entries by score, best first, taken while their requests fit in what remains of the budget."""
    round_ = await funding_round(round_id, for_update=True)
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
            **_project_places(needs),
            requested_fen=entry.requested_fen,
        )
        await audit_record(principal, "selectProjects", project)
    return round_
