"""Evaluation's rules, as plain functions over models: no GraphQL in here.

Tender picks one agency per round; that agency's evaluators run each project's evaluation through
INITIAL -> MIDTERM -> FINAL, inspecting, sampling beneficiaries for phone follow-up and recording
findings; the bureau supervises rectifications and the rating falls out of the FINAL phase.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError

from services.common import audit
from services.common.auth import BUREAU_ADMIN, EVALUATOR, Principal
from services.common.categories import Category
from services.common.credit_code import credit_code_problem
from services.common.errors import BadInput, Conflict, Forbidden, NotFound
from services.common.tenancy import tenant_transaction
from services.common.validation import clean_text, parse_uuid
from services.contracts import PhaseCompleted, ProjectAwarded, RectificationOverdue, ServiceRecordReported, ViolationFound

from . import events
from .models import (
    PHASE_ORDER,
    AuditRecord,
    Bid,
    DistrictDirectory,
    Evaluation,
    EvaluationAgency,
    Finding,
    FollowUp,
    Inspection,
    InspectionMethod,
    Phase,
    PhaseKind,
    PhaseStatus,
    Rating,
    Rectification,
    RectificationStatus,
    ServiceBeneficiary,
    Severity,
    Tender,
    TenderStatus,
)

SCORE_TOTAL = 100
# Final score at or above the threshold earns the rating; below the last one is FAIL.
RATING_THRESHOLDS = ((90, Rating.EXCELLENT), (80, Rating.GOOD), (60, Rating.PASS))
MAX_SEED = 2**31 - 1  # a GraphQL Int
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")  # calendar dates (inspection days) are local dates
CHECKSUM = re.compile(r"^(sha256:)?[0-9a-fA-F]{64}$")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def _one(model, value: Any, field: str, what: str, *, lock: bool = True):
    # Row-level security hides other districts' rows, so "not yours" and "no such" read the same.
    query = model.filter(id=parse_uuid(value, field, what))
    row = await (query.select_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no {what} {value} in this district", field=field)
    return row


# ---------------------------------------------------------------------------------------------
# Agencies and tenders (bureau_admin)


async def register_agency(principal: Principal, *, name: str, credit_code: str, contact: str | None) -> EvaluationAgency:
    district = principal.home_district
    name = clean_text(name, "name")
    contact = clean_text(contact, "contact", required=False)
    code = (credit_code or "").strip().upper()
    # Agencies are usually companies: any registration authority, and any division (an agency of another
    # city may bid), but every part must hold, as for an organization.
    problem = credit_code_problem(code)
    if problem:
        raise BadInput(f"credit code {code}: {problem}", field="creditCode")
    # Unique within the district, as the constraint (district, credit_code) is: no oracle across districts.
    if await EvaluationAgency.exists(district=district, credit_code=code):
        raise Conflict(f"an agency with credit code {code} is already registered", field="creditCode")
    try:
        agency = await EvaluationAgency.create(district=district, name=name, credit_code=code, contact=contact)
    except IntegrityError:
        raise Conflict(f"an agency with credit code {code} is already registered", field="creditCode") from None
    await audit.record(AuditRecord, principal, district=district, action="registerEvaluationAgency", entity=agency)
    return agency


async def open_tender(principal: Principal, *, round_id: str, round_name: str, description: str | None) -> Tender:
    district = principal.home_district
    round_id = clean_text(round_id, "roundId", max_length=64)
    round_name = clean_text(round_name, "roundName")
    description = clean_text(description, "description", required=False, max_length=4000)
    if await Tender.exists(round_id=round_id):
        raise Conflict(f"round {round_id} already has an evaluation tender", field="roundId")
    tender = await Tender.create(district=district, round_id=round_id, round_name=round_name, description=description)
    await audit.record(AuditRecord, principal, district=district, action="openEvaluationTender", entity=tender)
    return tender


async def record_bid(principal: Principal, tender_id: str, *, agency_id: str, price_fen: int, proposal: str | None) -> Bid:
    tender = await _one(Tender, tender_id, "tenderId", "tender")
    if tender.status is not TenderStatus.OPEN:
        raise BadInput("the tender is already decided; no more bids are recorded", field="tenderId")
    agency = await _one(EvaluationAgency, agency_id, "agencyId", "evaluation agency", lock=False)
    if price_fen <= 0:
        raise BadInput("a bid's price must be more than zero", field="price")
    proposal = clean_text(proposal, "proposal", required=False, max_length=4000)
    if await Bid.exists(tender_id=tender.id, agency_id=agency.id):
        raise Conflict(f"{agency.name} has already bid in this tender", field="agencyId")
    bid = await Bid.create(district=tender.district, tender=tender, agency=agency, price_fen=price_fen, proposal=proposal)
    await audit.record(AuditRecord, principal, district=tender.district, action="recordTenderBid", entity=bid)
    return bid


async def decide_tender(principal: Principal, tender_id: str, *, agency_id: str, reason: str) -> Tender:
    tender = await _one(Tender, tender_id, "tenderId", "tender")
    reason = clean_text(reason, "reason", max_length=4000)
    if tender.status is TenderStatus.DECIDED:
        raise Conflict("the tender is already decided", field="tenderId")
    agency = await _one(EvaluationAgency, agency_id, "agencyId", "evaluation agency", lock=False)
    if not await Bid.exists(tender_id=tender.id, agency_id=agency.id):
        raise BadInput(f"{agency.name} did not bid in this tender; only a bidder can be chosen", field="agencyId")
    before = audit.snapshot(tender)
    tender.status = TenderStatus.DECIDED
    tender.chosen_agency_id = agency.id
    tender.decision_reason = reason
    tender.decided_at = utcnow()
    await tender.save()
    await audit.record(AuditRecord, principal, district=tender.district, action="decideEvaluationTender", entity=tender, before=before)
    return tender


async def chosen_agency_id(round_id: str) -> UUID | None:
    tender = await Tender.filter(round_id=round_id, status=TenderStatus.DECIDED).first()
    return tender.chosen_agency_id if tender else None


async def _require_round_evaluator(principal: Principal, evaluation: Evaluation) -> None:
    """Only the evaluators of the agency the round's tender chose may write its evaluations."""
    agency_id = await chosen_agency_id(evaluation.round_id)
    if agency_id is None:
        raise Forbidden(f"no evaluation agency has been chosen by tender for round {evaluation.round_name} yet")
    if EVALUATOR not in principal.roles or principal.agency != str(agency_id):
        raise Forbidden(
            f"only evaluators of the agency chosen for round {evaluation.round_name} may evaluate its projects"
        )


# ---------------------------------------------------------------------------------------------
# Events from funding


async def open_evaluation_for_award(district: str, award: ProjectAwarded) -> Evaluation | None:
    """funding.project.awarded: one evaluation per project, its three phases waiting to be opened."""
    if await Evaluation.exists(project_id=award.project_id):
        return None
    evaluation = await Evaluation.create(
        district=district,
        project_id=award.project_id,
        round_id=award.round_id,
        round_name=award.round_name,
        year=award.year,
        title=award.title,
        category=Category(award.category),
        organization_id=award.organization_id,
        organization_name=award.organization_name,
        grant_fen=award.grant_fen,
        subdistrict=award.subdistrict,
        community=award.community,
        awarded_at=dt.datetime.fromisoformat(award.awarded_at),
    )
    for position, kind in enumerate(PHASE_ORDER):
        await Phase.create(district=district, evaluation=evaluation, kind=kind, position=position)
    await audit.record(AuditRecord, None, district=district, action="openEvaluation", entity=evaluation)
    return evaluation


async def keep_service_records(district: str, records: Sequence[ServiceRecordReported]) -> None:
    """funding.service_record.reported: the beneficiaries join their projects' follow-up populations.

    One INSERT for the lot (a batch of service records arrives as a run of events); a record already
    kept is skipped by the (district, record_id) unique constraint."""
    await ServiceBeneficiary.bulk_create([_beneficiary(district, record) for record in records], ignore_conflicts=True)


def _beneficiary(district: str, record: ServiceRecordReported) -> ServiceBeneficiary:
    return ServiceBeneficiary(
        district=district,
        project_id=record.project_id,
        record_id=record.record_id,
        beneficiary=record.beneficiary.strip(),
        community=record.community,
        service_date=dt.date.fromisoformat(record.service_date[:10]),
        person_times=record.person_times,
    )


# ---------------------------------------------------------------------------------------------
# Phases


@dataclass
class Criterion:
    name: str
    max_points: int


@dataclass
class CriterionScore:
    criterion: str
    points: int


async def get_evaluation(evaluation_id: str, *, lock: bool = True) -> Evaluation:
    return await _one(Evaluation, evaluation_id, "evaluationId", "evaluation", lock=lock)


async def _phase(evaluation: Evaluation, kind: PhaseKind) -> Phase:
    return await Phase.filter(evaluation_id=evaluation.id, kind=kind).select_for_update().get()


async def _open_phase_of(evaluation: Evaluation, kind: PhaseKind, *, doing: str) -> Phase:
    phase = await _phase(evaluation, kind)
    if phase.status is PhaseStatus.COMPLETED:
        raise BadInput(f"the {kind.value} phase is completed and closed; {doing} is refused", field="phase")
    if phase.status is PhaseStatus.PENDING:
        raise BadInput(f"the {kind.value} phase has not been opened yet; {doing} is refused", field="phase")
    return phase


async def open_phase(principal: Principal, evaluation_id: str, kind: PhaseKind, criteria: Sequence[Criterion]) -> Phase:
    evaluation = await get_evaluation(evaluation_id)
    await _require_round_evaluator(principal, evaluation)
    phase = await _phase(evaluation, kind)
    if phase.status is not PhaseStatus.PENDING:
        raise BadInput(f"the {kind.value} phase is already {phase.status.value}", field="phase")
    if phase.position > 0:
        previous = await _phase(evaluation, PHASE_ORDER[phase.position - 1])
        if previous.status is not PhaseStatus.COMPLETED:
            raise BadInput(
                f"phases run INITIAL -> MIDTERM -> FINAL: {kind.value} cannot open before "
                f"{previous.kind.value} is completed (it is {previous.status.value})",
                field="phase",
            )
    published = _check_criteria(criteria)
    before = audit.snapshot(phase)
    phase.status = PhaseStatus.OPEN
    phase.criteria = published
    phase.opened_at = utcnow()
    await phase.save()
    await audit.record(AuditRecord, principal, district=phase.district, action="openEvaluationPhase", entity=phase, before=before)
    return phase


def _check_criteria(criteria: Sequence[Criterion]) -> list[dict[str, Any]]:
    if not criteria:
        raise BadInput("a phase is scored against published criteria: give at least one", field="criteria")
    names: set[str] = set()
    published = []
    for n, criterion in enumerate(criteria):
        name = clean_text(criterion.name, f"criteria[{n}].name")
        if name in names:
            raise BadInput(f"criterion '{name}' is listed twice", field=f"criteria[{n}].name")
        if criterion.max_points <= 0:
            raise BadInput(f"criterion '{name}' must be worth more than zero points", field=f"criteria[{n}].maxPoints")
        names.add(name)
        published.append({"name": name, "maxPoints": criterion.max_points, "points": None})
    total = sum(c["maxPoints"] for c in published)
    if total != SCORE_TOTAL:
        raise BadInput(f"the criteria's points must add up to {SCORE_TOTAL}; they add up to {total}", field="criteria")
    return published


async def complete_phase(
    principal: Principal, evaluation_id: str, kind: PhaseKind, scores: Sequence[CriterionScore], summary: str | None
) -> Phase:
    evaluation = await get_evaluation(evaluation_id)
    await _require_round_evaluator(principal, evaluation)
    phase = await _open_phase_of(evaluation, kind, doing="completing it")
    if not await Inspection.exists(phase_id=phase.id):
        raise BadInput(
            f"the {kind.value} phase has no inspection yet; record at least one before completing it", field="phase"
        )
    summary = clean_text(summary, "summary", required=False, max_length=8000)
    scored = _score(phase.criteria, scores)
    before = audit.snapshot(phase)
    phase.criteria = scored
    phase.score = sum(c["points"] for c in scored)
    phase.summary = summary
    phase.status = PhaseStatus.COMPLETED
    phase.completed_at = utcnow()
    await phase.save()
    rating = None
    if kind is PhaseKind.FINAL:
        rating = await _rate(evaluation, phase.score)
        evaluation.rating = rating
        evaluation.rated_at = phase.completed_at
        await evaluation.save(update_fields=["rating", "rated_at"])
    await events.emitter.emit(
        PhaseCompleted(
            evaluation_id=str(evaluation.id),
            project_id=evaluation.project_id,
            phase=kind.value,
            score=phase.score,
            rating=rating.value if rating else None,
        ),
        evaluation.district,
    )
    await audit.record(AuditRecord, principal, district=phase.district, action="completeEvaluationPhase", entity=phase, before=before)
    return phase


def _score(criteria: list[dict[str, Any]], scores: Sequence[CriterionScore]) -> list[dict[str, Any]]:
    published = {c["name"]: c for c in criteria}
    given: dict[str, int] = {}
    for n, item in enumerate(scores):
        name = (item.criterion or "").strip()
        if name not in published:
            raise BadInput(f"'{name}' is not one of the phase's published criteria", field=f"scores[{n}].criterion")
        if name in given:
            raise BadInput(f"criterion '{name}' is scored twice", field=f"scores[{n}].criterion")
        if not 0 <= item.points <= published[name]["maxPoints"]:
            raise BadInput(
                f"criterion '{name}' takes 0 to {published[name]['maxPoints']} points, not {item.points}",
                field=f"scores[{n}].points",
            )
        given[name] = item.points
    missing = [name for name in published if name not in given]
    if missing:
        raise BadInput(f"every published criterion needs a score; missing: {', '.join(missing)}", field="scores")
    return [{**c, "points": given[c["name"]]} for c in criteria]


def rating_for(final_score: int, *, unresolved_violation: bool, rectification_pending: bool) -> Rating:
    """The project's rating: by final score; FAIL with an unresolved violation; at most PASS while
    a rectification is still open or overdue."""
    if unresolved_violation:
        return Rating.FAIL
    rating = next((r for threshold, r in RATING_THRESHOLDS if final_score >= threshold), Rating.FAIL)
    if rectification_pending and rating in (Rating.EXCELLENT, Rating.GOOD):
        return Rating.PASS
    return rating


async def _rate(evaluation: Evaluation, final_score: int) -> Rating:
    return rating_for(
        final_score,
        unresolved_violation=await Finding.exists(
            evaluation_id=evaluation.id, severity=Severity.VIOLATION, resolved=False
        ),
        rectification_pending=await Rectification.exists(
            evaluation_id=evaluation.id, status__in=[RectificationStatus.OPEN, RectificationStatus.OVERDUE]
        ),
    )


# ---------------------------------------------------------------------------------------------
# Inspections and phone follow-ups


@dataclass
class EvidenceRef:
    file_name: str
    checksum: str
    location: str


@dataclass
class InspectionInput:
    method: InspectionMethod
    inspected_on: dt.date
    inspector: str
    notes: str | None = None
    evidence: list[EvidenceRef] = field(default_factory=list)


async def record_inspection(principal: Principal, evaluation_id: str, kind: PhaseKind, data: InspectionInput) -> Inspection:
    evaluation = await get_evaluation(evaluation_id)
    await _require_round_evaluator(principal, evaluation)
    phase = await _open_phase_of(evaluation, kind, doing="recording an inspection")
    if data.inspected_on > utcnow().astimezone(CHINA).date():
        raise BadInput(f"an inspection cannot be dated in the future ({data.inspected_on})", field="inspectedOn")
    inspector = clean_text(data.inspector, "inspector", max_length=120)
    notes = clean_text(data.notes, "notes", required=False, max_length=8000)
    evidence = []
    for n, ref in enumerate(data.evidence):
        checksum = (ref.checksum or "").strip()
        if not CHECKSUM.match(checksum):
            raise BadInput(
                f"evidence checksum '{checksum}' is not a SHA-256 digest (64 hexadecimal characters)",
                field=f"evidence[{n}].checksum",
            )
        evidence.append(
            {
                "fileName": clean_text(ref.file_name, f"evidence[{n}].fileName", max_length=255),
                "checksum": checksum.lower().removeprefix("sha256:"),
                "location": clean_text(ref.location, f"evidence[{n}].location", max_length=500),
            }
        )
    inspection = await Inspection.create(
        district=evaluation.district,
        evaluation=evaluation,
        phase=phase,
        method=data.method,
        inspected_on=data.inspected_on,
        inspector=inspector,
        notes=notes,
        evidence=evidence,
    )
    await audit.record(AuditRecord, principal, district=evaluation.district, action="recordInspection", entity=inspection)
    return inspection


def follow_up_population(beneficiaries: Sequence[str]) -> list[str]:
    """Distinct beneficiaries in code-point order: the same list whatever order records arrived in."""
    return sorted({b for b in beneficiaries if b})


def population_digest(population: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(population).encode()).hexdigest()


def draw_sample(population: Sequence[str], size: int, seed: int) -> list[str]:
    """The follow-up draw, reproducible in an audit from the population, the size and the seed."""
    return random.Random(seed).sample(follow_up_population(population), size)


async def draw_follow_up_sample(principal: Principal, inspection_id: str, *, size: int, seed: int | None) -> Inspection:
    inspection = await _one(Inspection, inspection_id, "inspectionId", "inspection")
    evaluation = await get_evaluation(str(inspection.evaluation_id))
    await _require_round_evaluator(principal, evaluation)
    if inspection.method is not InspectionMethod.PHONE_FOLLOW_UP:
        raise BadInput(
            f"beneficiaries are sampled for a PHONE_FOLLOW_UP inspection, not {inspection.method.value}",
            field="inspectionId",
        )
    phase = await Phase.get(id=inspection.phase_id)
    if phase.status is not PhaseStatus.OPEN:
        raise BadInput(f"the {phase.kind.value} phase is {phase.status.value}; no sample can be drawn", field="inspectionId")
    if inspection.sample_seed is not None:
        raise Conflict("this inspection's sample is already drawn; record a new inspection for another", field="inspectionId")
    names = await ServiceBeneficiary.filter(project_id=evaluation.project_id).values_list("beneficiary", flat=True)
    population = follow_up_population(names)
    if not population:
        raise BadInput("the project has no reported service records yet, so there is no one to sample", field="inspectionId")
    if not 1 <= size <= len(population):
        raise BadInput(f"the sample size must be between 1 and {len(population)} (the beneficiaries)", field="size")
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1)
    elif not 0 <= seed <= MAX_SEED:
        raise BadInput(f"the seed must be between 0 and {MAX_SEED}", field="seed")
    communities = dict(
        await ServiceBeneficiary.filter(project_id=evaluation.project_id).order_by("service_date", "id").values_list("beneficiary", "community")
    )
    before = audit.snapshot(inspection)
    for position, beneficiary in enumerate(draw_sample(population, size, seed)):
        await FollowUp.create(
            district=inspection.district,
            evaluation=evaluation,
            inspection=inspection,
            position=position,
            beneficiary=beneficiary,
            community=communities.get(beneficiary),
        )
    inspection.sample_size = size
    inspection.sample_seed = seed
    inspection.sample_population = len(population)
    inspection.sample_population_digest = population_digest(population)
    await inspection.save()
    await audit.record(AuditRecord, principal, district=inspection.district, action="drawFollowUpSample", entity=inspection, before=before)
    return inspection


async def record_follow_up(
    principal: Principal, follow_up_id: str, *, reached: bool, satisfied: bool | None, notes: str | None
) -> FollowUp:
    follow_up = await _one(FollowUp, follow_up_id, "id", "follow-up")
    evaluation = await get_evaluation(str(follow_up.evaluation_id))
    await _require_round_evaluator(principal, evaluation)
    inspection = await Inspection.get(id=follow_up.inspection_id)
    phase = await Phase.get(id=inspection.phase_id)
    if phase.status is not PhaseStatus.OPEN:
        raise BadInput(f"the {phase.kind.value} phase is {phase.status.value}; its follow-ups are closed", field="id")
    if not reached and satisfied is not None:
        raise BadInput("a beneficiary who was not reached cannot be satisfied or not", field="satisfied")
    before = audit.snapshot(follow_up)
    follow_up.reached = reached
    follow_up.satisfied = satisfied
    follow_up.notes = clean_text(notes, "notes", required=False, max_length=4000)
    follow_up.called_at = utcnow()
    await follow_up.save()
    await audit.record(AuditRecord, principal, district=follow_up.district, action="recordFollowUp", entity=follow_up, before=before)
    return follow_up


# ---------------------------------------------------------------------------------------------
# Findings and rectification


@dataclass
class FindingInput:
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
    principal: Principal, evaluation_id: str, kind: PhaseKind, data: FindingInput, *, now: dt.datetime | None = None
) -> Finding:
    now = now or utcnow()
    evaluation = await get_evaluation(evaluation_id)
    await _require_round_evaluator(principal, evaluation)
    phase = await _open_phase_of(evaluation, kind, doing="a new finding")
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
    finding = await _one(Finding, finding_id, "findingId", "finding")
    if finding.severity is Severity.INFO:
        raise BadInput("an INFO finding needs no rectification", field="findingId")
    if finding.resolved:
        raise BadInput("the finding is already resolved", field="findingId")
    if await Rectification.exists(finding_id=finding.id):
        raise Conflict("the finding already has a rectification order", field="findingId")
    _check_deadline(deadline, now or utcnow(), "deadline")
    rectification = await Rectification.create(
        district=finding.district, evaluation_id=finding.evaluation_id, finding=finding, deadline=deadline
    )
    await audit.record(AuditRecord, principal, district=finding.district, action="orderRectification", entity=rectification)
    return rectification


async def complete_rectification(principal: Principal, rectification_id: str, note: str) -> Rectification:
    rectification = await _one(Rectification, rectification_id, "id", "rectification")
    if BUREAU_ADMIN not in principal.roles:
        await _require_round_evaluator(principal, await get_evaluation(str(rectification.evaluation_id), lock=False))
    note = clean_text(note, "note", max_length=4000)
    if rectification.status is RectificationStatus.COMPLETED:
        raise BadInput("the rectification is already completed", field="id")
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
    finding = await _one(Finding, finding_id, "id", "finding")
    resolution = clean_text(resolution, "resolution", max_length=4000)
    if finding.resolved:
        raise BadInput("the finding is already resolved", field="id")
    if await Rectification.exists(
        finding_id=finding.id, status__in=[RectificationStatus.OPEN, RectificationStatus.OVERDUE]
    ):
        raise BadInput("the finding's rectification is still open: complete it first", field="id")
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
