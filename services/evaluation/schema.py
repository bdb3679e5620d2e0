"""The evaluation subgraph: thin Strawberry types and resolvers over `domain`."""

from __future__ import annotations

import datetime as dt

import strawberry

from services.common.audit_api import AuditEntry, audit_trail
from services.common.categories import Category
from services.common.operation import OperationTransaction, SubgraphSchema
from services.common.pagination import Connection, paginate
from services.common.permissions import (
    Authenticated,
    BureauAdmin,
    BureauOrCity,
    BureauOrEvaluator,
    Evaluator,
    declared,
    verified_caller,
)
from services.common.scalars import Money

from . import domain, models

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

    @classmethod
    def from_row(cls, row: models.FollowUp) -> "FollowUp":
        return cls(
            id=strawberry.ID(str(row.id)), position=row.position, beneficiary=row.beneficiary,
            community=row.community, reached=row.reached, satisfied=row.satisfied, notes=row.notes,
            called_at=row.called_at,
        )


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


# --- inputs ----------------------------------------------------------------------------------


@strawberry.input
class EvaluationFilter:
    round_id: strawberry.ID | None = None
    project_id: strawberry.ID | None = None
    category: Category | None = None
    subdistrict: str | None = None
    rating: EvaluationRating | None = None
    rated: bool | None = None


@strawberry.input
class RegisterEvaluationAgencyInput:
    name: str
    credit_code: str
    contact: str | None = None


@strawberry.input
class OpenEvaluationTenderInput:
    round_id: strawberry.ID
    round_name: str
    description: str | None = None


@strawberry.input
class TenderBidInput:
    agency_id: strawberry.ID
    price: Money
    proposal: str | None = None


@strawberry.input
class EvaluationCriterionInput:
    name: str
    max_points: int


@strawberry.input
class EvaluationScoreInput:
    criterion: str
    points: int


@strawberry.input
class EvidenceInput:
    file_name: str
    checksum: str
    location: str


@strawberry.input
class InspectionInput:
    method: InspectionMethod
    inspected_on: dt.date
    inspector: str
    notes: str | None = None
    evidence: list[EvidenceInput] = strawberry.field(default_factory=list)


@strawberry.input
class FindingInput:
    severity: FindingSeverity
    description: str
    amount_at_issue: Money | None = None
    rectification_deadline: dt.datetime | None = strawberry.field(
        default=None, description="Required for MAJOR (it opens a rectification order); must be in the future"
    )


# --- root fields -----------------------------------------------------------------------------


def _filter_evaluations(queryset, f: EvaluationFilter | None):
    if f is None:
        return queryset
    for name in ("round_id", "project_id", "category", "subdistrict", "rating"):
        value = getattr(f, name)
        if value is not None:
            queryset = queryset.filter(**{name: str(value) if name.endswith("_id") else value})
    if f.rated is not None:
        queryset = queryset.filter(rating__isnull=not f.rated)
    return queryset


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Authenticated])
    async def evaluation(self, info: strawberry.Info, id: strawberry.ID) -> Evaluation | None:
        row = await info.context.loaders.evaluation.load(id)
        return Evaluation.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated], description="The district's evaluations, oldest award first.")
    async def evaluations(
        self, info: strawberry.Info, filter: EvaluationFilter | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[Evaluation]:
        principal = info.context.principal
        rows = _filter_evaluations(models.Evaluation.filter(district__in=list(principal.districts)), filter)
        return await paginate(rows, first=first, after=after, to_node=Evaluation.from_row)

    @strawberry.field(permission_classes=[Authenticated], description="The district's registered evaluation agencies.")
    async def agencies(self, info: strawberry.Info) -> list[EvaluationAgency]:
        principal = info.context.principal
        rows = await models.EvaluationAgency.filter(district__in=list(principal.districts)).order_by("created_at", "id")
        return [EvaluationAgency.from_row(r) for r in rows]

    @strawberry.field(
        permission_classes=[Authenticated],
        description="The district's evaluation tenders, one per funding round.",
    )
    async def tenders(self, info: strawberry.Info, round_id: strawberry.ID | None = None) -> list[Tender]:
        principal = info.context.principal
        rows = models.Tender.filter(district__in=list(principal.districts))
        if round_id is not None:
            rows = rows.filter(round_id=str(round_id))
        return [Tender.from_row(r) for r in await rows.order_by("created_at", "id")]

    evaluation_audit_trail: Connection[AuditEntry] = strawberry.field(
        resolver=audit_trail, permission_classes=[BureauOrCity], description="evaluation's audit records of the caller's district."
    )


def _phase_result(row: models.Phase) -> EvaluationPhase:
    return EvaluationPhase.from_row(row)


# Who may call each field is its permission class; declared() puts the roles before each description.
@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="register an evaluation agency with its credit code.",
    )
    async def register_evaluation_agency(self, info: strawberry.Info, input: RegisterEvaluationAgencyInput) -> EvaluationAgency:
        principal = info.context.principal
        row = await domain.register_agency(principal, name=input.name, credit_code=input.credit_code, contact=input.contact)
        return EvaluationAgency.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="open the tender that will pick a round's evaluation agency.",
    )
    async def open_evaluation_tender(self, info: strawberry.Info, input: OpenEvaluationTenderInput) -> Tender:
        principal = info.context.principal
        row = await domain.open_tender(
            principal, round_id=str(input.round_id), round_name=input.round_name, description=input.description
        )
        return Tender.from_row(row)

    @strawberry.mutation(permission_classes=[BureauAdmin], description="record an agency's bid in an open tender.")
    async def record_tender_bid(self, info: strawberry.Info, tender_id: strawberry.ID, input: TenderBidInput) -> Tender:
        principal = info.context.principal
        bid = await domain.record_bid(
            principal, tender_id, agency_id=input.agency_id, price_fen=input.price, proposal=input.proposal
        )
        return Tender.from_row(await models.Tender.get(id=bid.tender_id))

    @strawberry.mutation(permission_classes=[BureauAdmin], description="choose one bidder, with the reason.")
    async def decide_evaluation_tender(
        self, info: strawberry.Info, tender_id: strawberry.ID, agency_id: strawberry.ID, reason: str
    ) -> Tender:
        principal = info.context.principal
        return Tender.from_row(await domain.decide_tender(principal, tender_id, agency_id=agency_id, reason=reason))

    @strawberry.mutation(
        permission_classes=[Evaluator],
        description="open a phase, publishing its criteria (only the chosen agency's evaluators).",
    )
    async def open_evaluation_phase(
        self, info: strawberry.Info, evaluation_id: strawberry.ID, phase: EvaluationPhaseKind, criteria: list[EvaluationCriterionInput]
    ) -> EvaluationPhase:
        principal = info.context.principal
        row = await domain.open_phase(
            principal, evaluation_id, phase, [domain.Criterion(name=c.name, max_points=c.max_points) for c in criteria]
        )
        return _phase_result(row)

    @strawberry.mutation(
        permission_classes=[Evaluator],
        description="record a document review, site visit or phone follow-up (only the chosen agency's evaluators).",
    )
    async def record_inspection(
        self, info: strawberry.Info, evaluation_id: strawberry.ID, phase: EvaluationPhaseKind, input: InspectionInput
    ) -> Inspection:
        principal = info.context.principal
        row = await domain.record_inspection(
            principal,
            evaluation_id,
            phase,
            domain.InspectionInput(
                method=input.method,
                inspected_on=input.inspected_on,
                inspector=input.inspector,
                notes=input.notes,
                evidence=[domain.EvidenceRef(e.file_name, e.checksum, e.location) for e in input.evidence],
            ),
        )
        return Inspection.from_row(row)

    @strawberry.mutation(
        permission_classes=[Evaluator],
        description="draw the beneficiaries to call for a PHONE_FOLLOW_UP inspection "
        "(random.Random(seed) over the beneficiaries sorted by code point; a seed is chosen when none is given)."
    )
    async def draw_follow_up_sample(
        self, info: strawberry.Info, inspection_id: strawberry.ID, size: int, seed: int | None = None
    ) -> Inspection:
        principal = info.context.principal
        return Inspection.from_row(await domain.draw_follow_up_sample(principal, inspection_id, size=size, seed=seed))

    @strawberry.mutation(
        permission_classes=[Evaluator],
        description="record whether a sampled beneficiary was reached and satisfied.",
    )
    async def record_follow_up(
        self, info: strawberry.Info, id: strawberry.ID, reached: bool, satisfied: bool | None = None, notes: str | None = None
    ) -> FollowUp:
        principal = info.context.principal
        return FollowUp.from_row(
            await domain.record_follow_up(principal, id, reached=reached, satisfied=satisfied, notes=notes)
        )

    @strawberry.mutation(
        permission_classes=[Evaluator],
        description="score an open phase against its criteria and close it; FINAL sets the rating.",
    )
    async def complete_evaluation_phase(
        self,
        info: strawberry.Info,
        evaluation_id: strawberry.ID,
        phase: EvaluationPhaseKind,
        scores: list[EvaluationScoreInput],
        summary: str | None = None,
    ) -> EvaluationPhase:
        principal = info.context.principal
        row = await domain.complete_phase(
            principal, evaluation_id, phase, [domain.CriterionScore(s.criterion, s.points) for s in scores], summary
        )
        return _phase_result(row)

    @strawberry.mutation(
        permission_classes=[Evaluator],
        description="record a finding on an open phase. MAJOR opens a rectification order; "
        "a VIOLATION with an amount at issue is reported for fund recovery."
    )
    async def record_finding(
        self, info: strawberry.Info, evaluation_id: strawberry.ID, phase: EvaluationPhaseKind, input: FindingInput
    ) -> Finding:
        principal = info.context.principal
        row = await domain.record_finding(
            principal,
            evaluation_id,
            phase,
            domain.FindingInput(
                severity=input.severity,
                description=input.description,
                amount_fen=input.amount_at_issue,
                rectification_deadline=input.rectification_deadline,
            ),
        )
        return Finding.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="order rectification of a finding, with a deadline.",
    )
    async def order_rectification(self, info: strawberry.Info, finding_id: strawberry.ID, deadline: dt.datetime) -> Rectification:
        principal = info.context.principal
        return Rectification.from_row(await domain.order_rectification(principal, finding_id, deadline))

    @strawberry.mutation(
        permission_classes=[BureauOrEvaluator],
        description="confirm a rectification is done (an evaluator only of the chosen agency).",
    )
    async def complete_rectification(self, info: strawberry.Info, id: strawberry.ID, note: str) -> Rectification:
        principal = info.context.principal
        return Rectification.from_row(await domain.complete_rectification(principal, id, note))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="resolve a finding (a violation, once its funds are dealt with).",
    )
    async def resolve_finding(self, info: strawberry.Info, id: strawberry.ID, resolution: str) -> Finding:
        principal = info.context.principal
        return Finding.from_row(await domain.resolve_finding(principal, id, resolution))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="mark the district's rectifications past their deadline OVERDUE now "
        "(the periodic check does the same for every district); returns those newly overdue."
    )
    async def check_overdue_rectifications(self, info: strawberry.Info) -> list[Rectification]:
        principal = info.context.principal
        rows = await domain.mark_overdue_rectifications(principal, domain.utcnow())
        return [Rectification.from_row(r) for r in rows]


schema = SubgraphSchema(
    query=declared(Query),
    mutation=declared(Mutation),
    types=[EvaluationAgency, Evaluation, Project],
    extensions=[OperationTransaction],
)
