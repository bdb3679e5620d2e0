"""Step 1, the tender (bureau_admin): agencies, the round's tender, its bids and its decision; and
who the decision lets evaluate the round's projects."""

from __future__ import annotations

from uuid import UUID

from tortoise.exceptions import IntegrityError

from services.common.data import audit
from services.common.kernel.auth import EVALUATOR, Principal
from services.common.kernel.credit_code import credit_code_problem
from services.common.kernel.errors import BadInput, Conflict, Forbidden, NotFound
from services.common.data.lookup import one
from services.common.kernel.validation import clean_text

from ..models import AuditRecord, Bid, Evaluation, EvaluationAgency, KnownRound, Tender, TenderStatus
from .evaluations import utcnow


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
    # Rounds as funding announced them (funding.round.opened / .changed): only an existing, live round.
    known = await KnownRound.filter(round_id=round_id).first()
    if known is None:
        raise NotFound(f"the district has no funding round {round_id}", field="roundId")
    if known.phase == "CANCELLED":
        raise Conflict(f"round '{known.name}' was cancelled: {known.cancel_reason}", field="roundId")
    if round_name != known.name:
        raise BadInput(f"round {round_id} is named '{known.name}', not '{round_name}'", field="roundName")
    if await Tender.exists(round_id=round_id):
        raise Conflict(f"round {round_id} already has an evaluation tender", field="roundId")
    tender = await Tender.create(district=district, round_id=round_id, round_name=round_name, description=description)
    await audit.record(AuditRecord, principal, district=district, action="openEvaluationTender", entity=tender)
    return tender


async def record_bid(principal: Principal, tender_id: str, *, agency_id: str, price_fen: int, proposal: str | None) -> Bid:
    tender = await one(Tender, tender_id, field="tenderId", what="tender", for_update=True)
    if tender.status is not TenderStatus.OPEN:
        raise BadInput("the tender is already decided; no more bids are recorded", field="tenderId")
    agency = await one(EvaluationAgency, agency_id, field="agencyId", what="evaluation agency", for_update=False)
    if price_fen <= 0:
        raise BadInput("a bid's price must be more than zero", field="price")
    proposal = clean_text(proposal, "proposal", required=False, max_length=4000)
    if await Bid.exists(tender_id=tender.id, agency_id=agency.id):
        raise Conflict(f"{agency.name} has already bid in this tender", field="agencyId")
    bid = await Bid.create(district=tender.district, tender=tender, agency=agency, price_fen=price_fen, proposal=proposal)
    await audit.record(AuditRecord, principal, district=tender.district, action="recordTenderBid", entity=bid)
    return bid


async def decide_tender(principal: Principal, tender_id: str, *, agency_id: str, reason: str) -> Tender:
    tender = await one(Tender, tender_id, field="tenderId", what="tender", for_update=True)
    reason = clean_text(reason, "reason", max_length=4000)
    if tender.status is TenderStatus.DECIDED:
        raise Conflict("the tender is already decided", field="tenderId")
    agency = await one(EvaluationAgency, agency_id, field="agencyId", what="evaluation agency", for_update=False)
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


async def require_round_evaluator(principal: Principal, evaluation: Evaluation) -> None:
    """Only the evaluators of the agency the round's tender chose may write its evaluations."""
    agency_id = await chosen_agency_id(evaluation.round_id)
    if agency_id is None:
        raise Forbidden(f"no evaluation agency has been chosen by tender for round {evaluation.round_name} yet")
    if EVALUATOR not in principal.roles or principal.agency != str(agency_id):
        raise Forbidden(
            f"only evaluators of the agency chosen for round {evaluation.round_name} may evaluate its projects"
        )


async def is_round_evaluator(principal: Principal | None, evaluation: Evaluation) -> bool:
    """Whether the caller is an evaluator of the agency chosen for the evaluation's round."""
    if principal is None or EVALUATOR not in principal.roles or principal.agency is None:
        return False
    return principal.agency == str(await chosen_agency_id(evaluation.round_id))
