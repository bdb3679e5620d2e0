"""Evaluation's mutations: each checks its permission class, turns its input into a domain command
and returns the row as its GraphQL type."""

from __future__ import annotations

import datetime as dt

import strawberry

from services.common.api.input_lists import at_most
from services.common.api.permissions import BureauAdmin, BureauOrEvaluator, Evaluator

from .. import domain, models
from .inputs import (
    MAX_PHASE_CRITERIA,
    MAX_SCORES,
    EvaluationCriterionInput,
    EvaluationScoreInput,
    FindingInput,
    InspectionInput,
    OpenEvaluationTenderInput,
    RegisterEvaluationAgencyInput,
    TenderBidInput,
)
from .types import EvaluationAgency, EvaluationPhase, EvaluationPhaseKind, FollowUp, Finding, Inspection, Rectification, Tender


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
        at_most(MAX_PHASE_CRITERIA, "criteria", criteria)
        principal = info.context.principal
        row = await domain.open_phase(
            principal, evaluation_id, phase, [domain.CriterionSpec(name=c.name, max_points=c.max_points) for c in criteria]
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
            domain.InspectionCommand(
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
        at_most(MAX_SCORES, "scores", scores)
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
            domain.FindingCommand(
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
