"""Evaluation's GraphQL types and enums: rows as the schema shows them, fields resolved through the loaders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from services.common.kernel.categories import Category
from services.common.kernel.contacts import mask_contact
from services.common.api.permissions import Authenticated, verified_caller
from services.common.api.scalars import Money

from .. import domain, models

EvaluationPhaseKind = strawberry.enum(models.PhaseKind, name="EvaluationPhaseKind", description="初期, 中期, 终期")
EvaluationPhaseStatus = strawberry.enum(models.PhaseStatus, name="EvaluationPhaseStatus")
InspectionMethod = strawberry.enum(
    models.InspectionMethod, description="查阅材料 (DOCUMENT_REVIEW), 实地踏查 (SITE_VISIT), 电话回访 (PHONE_FOLLOW_UP)"
)
FindingSeverity = strawberry.enum(models.Severity, name="FindingSeverity")
RectificationStatus = strawberry.enum(models.RectificationStatus)
EvaluationRating = strawberry.enum(models.Rating, name="EvaluationRating")
TenderStatus = strawberry.enum(models.TenderStatus)


@strawberry.federation.type(keys=["id"], description="A third-party evaluation agency (第三方评估机构).")
class EvaluationAgency:
    id: strawberry.ID
    district: str
    name: str
    credit_code: str
    contact: str | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.EvaluationAgency) -> "EvaluationAgency":
        return cls(
            id=strawberry.ID(str(row.id)),
            district=row.district,
            name=row.name,
            credit_code=row.credit_code,
            contact=row.contact,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID, **_: object) -> "EvaluationAgency | None":
        verified_caller(info.context)
        row = await info.context.loaders.agency.load(id)
        return cls.from_row(row) if row else None


async def _agency(info: strawberry.Info, agency_id) -> EvaluationAgency | None:
    if agency_id is None:
        return None
    row = await info.context.loaders.agency.load(str(agency_id))
    return EvaluationAgency.from_row(row) if row else None


@strawberry.type(description="A bid an agency made in a tender, as the bureau recorded it.")
class TenderBid:
    id: strawberry.ID
    price: Money
    proposal: str | None
    created_at: dt.datetime
    agency_id: strawberry.Private[str]

    @strawberry.field
    async def agency(self, info: strawberry.Info) -> EvaluationAgency | None:
        return await _agency(info, self.agency_id)


@strawberry.type(description="The tender that picks a round's evaluation agency: bids, decision, reason.")
class Tender:
    id: strawberry.ID
    round_id: strawberry.ID
    round_name: str
    description: str | None
    status: TenderStatus
    decision_reason: str | None
    decided_at: dt.datetime | None
    created_at: dt.datetime
    chosen_agency_id: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: models.Tender) -> "Tender":
        return cls(
            id=strawberry.ID(str(row.id)),
            round_id=strawberry.ID(row.round_id),
            round_name=row.round_name,
            description=row.description,
            status=row.status,
            decision_reason=row.decision_reason,
            decided_at=row.decided_at,
            created_at=row.created_at,
            chosen_agency_id=str(row.chosen_agency_id) if row.chosen_agency_id else None,
        )

    @strawberry.field
    async def chosen_agency(self, info: strawberry.Info) -> EvaluationAgency | None:
        return await _agency(info, self.chosen_agency_id)

    @strawberry.field
    async def bids(self, info: strawberry.Info) -> list[TenderBid]:
        rows = await info.context.loaders.bids_by_tender.load(str(self.id))
        return [
            TenderBid(
                id=strawberry.ID(str(r.id)), price=r.price_fen, proposal=r.proposal, created_at=r.created_at,
                agency_id=str(r.agency_id),
            )
            for r in rows
        ]


@strawberry.type(description="A published scoring criterion; points are given when the phase completes.")
class EvaluationCriterion:
    name: str
    max_points: int
    points: int | None


@strawberry.type(description="A reference to evidence kept elsewhere: never the file itself.")
class Evidence:
    file_name: str
    checksum: str = strawberry.field(description="SHA-256 of the file, 64 hexadecimal characters")
    location: str = strawberry.field(description="Where the file is kept, e.g. an archive path or object key")


@strawberry.type(description="How a phone follow-up sample was drawn: reproducible from seed and population.")
class FollowUpSample:
    size: int
    seed: int
    population: int = strawberry.field(description="Distinct beneficiaries the sample was drawn from")
    population_digest: str = strawberry.field(
        description="SHA-256 of the beneficiaries sorted by code point, one per line"
    )


@strawberry.type(description="A sampled beneficiary called back: reached or not, satisfied or not.")
class FollowUp:
    id: strawberry.ID
    position: int
    beneficiary: str
    community: str | None
    reached: bool | None
    satisfied: bool | None
    notes: str | None
    called_at: dt.datetime | None
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: models.FollowUp) -> "FollowUp":
        return cls(
            id=strawberry.ID(str(row.id)), position=row.position, beneficiary=row.beneficiary,
            community=row.community, reached=row.reached, satisfied=row.satisfied, notes=row.notes,
            called_at=row.called_at, row=row,
        )

    @strawberry.field(description="The contact the organization reported: in full to the evaluators of the agency "
                                  "chosen for the round (who call), masked (138****5678) to everyone else")
    async def contact(self, info: strawberry.Info) -> str | None:
        if not self.row.contact:
            return None
        evaluation = await info.context.loaders.evaluation.load(str(self.row.evaluation_id))
        if evaluation is not None and await domain.is_round_evaluator(info.context.principal, evaluation):
            return self.row.contact
        return mask_contact(self.row.contact)


async def _phase_kind(info: strawberry.Info, phase_id) -> models.PhaseKind:
    return (await info.context.loaders.phase.load(str(phase_id))).kind


@strawberry.type
class Inspection:
    id: strawberry.ID
    method: InspectionMethod
    inspected_on: dt.date
    inspector: str
    notes: str | None
    evidence: list[Evidence]
    sample: FollowUpSample | None = strawberry.field(description="PHONE_FOLLOW_UP: the drawn sample, if any")
    created_at: dt.datetime
    phase_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: models.Inspection) -> "Inspection":
        return cls(
            id=strawberry.ID(str(row.id)),
            method=row.method,
            inspected_on=row.inspected_on,
            inspector=row.inspector,
            notes=row.notes,
            evidence=[Evidence(file_name=e["fileName"], checksum=e["checksum"], location=e["location"]) for e in row.evidence],
            sample=FollowUpSample(
                size=row.sample_size, seed=row.sample_seed, population=row.sample_population,
                population_digest=row.sample_population_digest,
            )
            if row.sample_seed is not None
            else None,
            created_at=row.created_at,
            phase_id=str(row.phase_id),
        )

    @strawberry.field
    async def phase(self, info: strawberry.Info) -> EvaluationPhaseKind:
        return await _phase_kind(info, self.phase_id)

    @strawberry.field
    async def follow_ups(self, info: strawberry.Info) -> list[FollowUp]:
        return [FollowUp.from_row(r) for r in await info.context.loaders.follow_ups_by_inspection.load(str(self.id))]


@strawberry.type(description="整改: ordered with a deadline; OVERDUE once the deadline passes unmet.")
class Rectification:
    id: strawberry.ID
    finding_id: strawberry.ID
    deadline: dt.datetime
    status: RectificationStatus
    completion_note: str | None
    completed_at: dt.datetime | None
    overdue_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.Rectification) -> "Rectification":
        return cls(
            id=strawberry.ID(str(row.id)), finding_id=strawberry.ID(str(row.finding_id)), deadline=row.deadline,
            status=row.status, completion_note=row.completion_note, completed_at=row.completed_at,
            overdue_at=row.overdue_at, created_at=row.created_at,
        )


@strawberry.type
class Finding:
    id: strawberry.ID
    severity: FindingSeverity
    description: str
    amount_at_issue: Money | None = strawberry.field(description="VIOLATION only: the project funds at issue")
    resolved: bool
    resolution: str | None
    resolved_at: dt.datetime | None
    created_at: dt.datetime
    phase_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: models.Finding) -> "Finding":
        return cls(
            id=strawberry.ID(str(row.id)), severity=row.severity, description=row.description,
            amount_at_issue=row.amount_fen, resolved=row.resolved, resolution=row.resolution,
            resolved_at=row.resolved_at, created_at=row.created_at, phase_id=str(row.phase_id),
        )

    @strawberry.field
    async def phase(self, info: strawberry.Info) -> EvaluationPhaseKind:
        return await _phase_kind(info, self.phase_id)

    @strawberry.field
    async def rectification(self, info: strawberry.Info) -> Rectification | None:
        rows = await info.context.loaders.rectifications_by_finding.load(str(self.id))
        return Rectification.from_row(rows[0]) if rows else None


@strawberry.type(description="One of the three phases, scored against the criteria published when it opened.")
class EvaluationPhase:
    id: strawberry.ID
    phase: EvaluationPhaseKind
    status: EvaluationPhaseStatus
    score: int | None
    criteria: list[EvaluationCriterion]
    summary: str | None
    opened_at: dt.datetime | None
    completed_at: dt.datetime | None
    evaluation_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: models.Phase) -> "EvaluationPhase":
        return cls(
            id=strawberry.ID(str(row.id)), phase=row.kind, status=row.status, score=row.score,
            criteria=[EvaluationCriterion(name=c["name"], max_points=c["maxPoints"], points=c["points"]) for c in row.criteria],
            summary=row.summary, opened_at=row.opened_at, completed_at=row.completed_at,
            evaluation_id=str(row.evaluation_id),
        )

    @strawberry.field
    async def inspections(self, info: strawberry.Info) -> list[Inspection]:
        return [Inspection.from_row(r) for r in await info.context.loaders.inspections_by_phase.load(str(self.id))]

    @strawberry.field
    async def findings(self, info: strawberry.Info) -> list[Finding]:
        return [Finding.from_row(r) for r in await info.context.loaders.findings_by_phase.load(str(self.id))]

    @strawberry.field
    async def evaluation(self, info: strawberry.Info) -> "Evaluation | None":
        row = await info.context.loaders.evaluation.load(self.evaluation_id)
        return Evaluation.from_row(row) if row else None


@strawberry.federation.type(keys=["id"], description="A project's third-party evaluation: three phases to a rating.")
class Evaluation:
    id: strawberry.ID
    district: str
    project_id: strawberry.ID
    title: str = strawberry.field(description="The project's title when it was awarded")
    round_id: strawberry.ID
    round_name: str
    year: int
    category: Category
    organization_id: strawberry.ID
    organization_name: str
    grant: Money
    subdistrict: str | None
    community: str | None
    awarded_at: dt.datetime
    rating: EvaluationRating | None = strawberry.field(description="Set when the FINAL phase completes")
    rated_at: dt.datetime | None
    created_at: dt.datetime

    # The fields that are one column each, as from_row copies them (a page showing only these reads only
    # these: api/projection.py).
    COLUMNS = {"id": "id", "district": "district", "project_id": "project_id", "title": "title",
        "round_id": "round_id", "round_name": "round_name", "year": "year", "category": "category",
        "organization_id": "organization_id", "organization_name": "organization_name", "grant": "grant_fen",
        "subdistrict": "subdistrict", "community": "community", "awarded_at": "awarded_at",
        "rating": "rating", "rated_at": "rated_at", "created_at": "created_at"}

    @classmethod
    def from_row(cls, row: models.Evaluation) -> "Evaluation":
        return cls(
            id=strawberry.ID(str(row.id)), district=row.district, project_id=strawberry.ID(row.project_id),
            title=row.title, round_id=strawberry.ID(row.round_id), round_name=row.round_name, year=row.year,
            category=row.category, organization_id=strawberry.ID(row.organization_id),
            organization_name=row.organization_name, grant=row.grant_fen, subdistrict=row.subdistrict,
            community=row.community, awarded_at=row.awarded_at, rating=row.rating, rated_at=row.rated_at,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID, **_: object) -> "Evaluation | None":
        verified_caller(info.context)
        row = await info.context.loaders.evaluation.load(id)
        return cls.from_row(row) if row else None

    @strawberry.field
    def project(self) -> "Project":
        return Project(id=self.project_id)

    @strawberry.field(description="The agency the round's tender chose; null until it is decided.")
    async def agency(self, info: strawberry.Info) -> EvaluationAgency | None:
        tender = await info.context.loaders.tender_by_round.load(str(self.round_id))
        if tender is None or tender.status is not models.TenderStatus.DECIDED:
            return None
        return await _agency(info, tender.chosen_agency_id)

    @strawberry.field
    async def phases(self, info: strawberry.Info) -> list[EvaluationPhase]:
        return [EvaluationPhase.from_row(r) for r in await info.context.loaders.phases_by_evaluation.load(str(self.id))]

    @strawberry.field(description="The phase being worked on: the open one, else the next pending; null when done.")
    async def current_phase(self, info: strawberry.Info) -> EvaluationPhaseKind | None:
        for row in await info.context.loaders.phases_by_evaluation.load(str(self.id)):
            if row.status is not models.PhaseStatus.COMPLETED:
                return row.kind
        return None

    @strawberry.field
    async def inspections(self, info: strawberry.Info) -> list[Inspection]:
        return [Inspection.from_row(r) for r in await info.context.loaders.inspections_by_evaluation.load(str(self.id))]

    @strawberry.field
    async def follow_ups(self, info: strawberry.Info) -> list[FollowUp]:
        return [FollowUp.from_row(r) for r in await info.context.loaders.follow_ups_by_evaluation.load(str(self.id))]

    @strawberry.field
    async def findings(self, info: strawberry.Info) -> list[Finding]:
        return [Finding.from_row(r) for r in await info.context.loaders.findings_by_evaluation.load(str(self.id))]

    @strawberry.field
    async def rectifications(self, info: strawberry.Info) -> list[Rectification]:
        rows = await info.context.loaders.rectifications_by_evaluation.load(str(self.id))
        return [Rectification.from_row(r) for r in rows]


@strawberry.federation.type(keys=["id"], description="A funding project; this subgraph adds its evaluations.")
class Project:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, **_: object) -> "Project":
        return cls(id=id)

    @strawberry.field(permission_classes=[Authenticated])
    async def evaluations(self, info: strawberry.Info) -> list[Evaluation]:
        rows = await info.context.loaders.evaluations_by_project.load(str(self.id))
        return [Evaluation.from_row(r) for r in rows]
