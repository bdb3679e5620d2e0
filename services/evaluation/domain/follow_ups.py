"""Step 5, follow-ups: the reproducible sample of beneficiaries a PHONE_FOLLOW_UP inspection calls,
and what each call found."""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Sequence

from services.common.data import audit
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput, Conflict
from services.common.data.lookup import one
from services.common.kernel.validation import clean_text

from ..models import AuditRecord, FollowUp, Inspection, InspectionMethod, Phase, PhaseStatus, ServiceBeneficiary
from .agencies import require_round_evaluator
from .evaluations import get_evaluation, utcnow

MAX_SEED = 2**31 - 1  # a GraphQL Int


def follow_up_population(beneficiaries: Sequence[str]) -> list[str]:
    """Distinct beneficiaries in code-point order: the same list whatever order records arrived in."""
    return sorted({b for b in beneficiaries if b})


def population_digest(population: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(population).encode()).hexdigest()


def draw_sample(population: Sequence[str], size: int, seed: int) -> list[str]:
    """The follow-up draw, reproducible in an audit from the population, the size and the seed."""
    return random.Random(seed).sample(follow_up_population(population), size)


async def draw_follow_up_sample(principal: Principal, inspection_id: str, *, size: int, seed: int | None) -> Inspection:
    inspection = await one(Inspection, inspection_id, field="inspectionId", what="inspection", for_update=True)
    evaluation = await get_evaluation(str(inspection.evaluation_id), for_update=True)
    await require_round_evaluator(principal, evaluation)
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
    # Each beneficiary's community and contact as last reported (later records overwrite earlier ones).
    reported = await ServiceBeneficiary.filter(project_id=evaluation.project_id).order_by("service_date", "id").values_list(
        "beneficiary", "community", "contact")
    communities = {beneficiary: community for beneficiary, community, _ in reported}
    contacts = {beneficiary: contact for beneficiary, _, contact in reported if contact}
    before = audit.snapshot(inspection)
    for position, beneficiary in enumerate(draw_sample(population, size, seed)):
        await FollowUp.create(
            district=inspection.district,
            evaluation=evaluation,
            inspection=inspection,
            position=position,
            beneficiary=beneficiary,
            contact=contacts.get(beneficiary),
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
    follow_up = await one(FollowUp, follow_up_id, field="id", what="follow-up", for_update=True)
    evaluation = await get_evaluation(str(follow_up.evaluation_id), for_update=True)
    await require_round_evaluator(principal, evaluation)
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
