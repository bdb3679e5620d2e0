"""Organizations: registering (登记) or filing (备案) them, incubation, party organization and status."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from services.common.data import audit
from services.common.data.gazetteer import place_columns
from services.common.kernel.auth import Principal
from services.common.kernel.categories import Category
from services.common.kernel.credit_code import CIVIL_AFFAIRS, credit_code_problem
from services.common.kernel.errors import BadInput, Conflict
from services.common.data.lookup import one
from services.common.kernel.validation import clean_name, clean_text

from .. import events
from .gazetteer import resolve
from ..models import (
    AuditRecord,
    FilingCounter,
    IncubationStage,
    OrganizationStatus,
    PartyOrganization,
    Registration,
    SocialOrganization,
)

STAGE_ORDER = [IncubationStage.STARTUP, IncubationStage.GROWTH, IncubationStage.HUB, IncubationStage.GRADUATED]


@dataclass
class OrganizationCommand:
    name: str
    registration: Registration
    category: Category
    subdistrict: str
    community: str | None = None
    credit_code: str | None = None
    incubation_stage: IncubationStage | None = None
    party_organization: PartyOrganization = PartyOrganization.NONE


async def register_organization(principal: Principal, data: OrganizationCommand) -> SocialOrganization:
    district = principal.home_district
    name = clean_name(data.name, "name", max_length=200)
    places = place_columns(*await resolve(district, data.subdistrict, data.community))
    credit_code = (data.credit_code or "").strip().upper() or None
    filing_number = None
    if data.registration is Registration.REGISTERED:
        if credit_code is None:
            raise BadInput("a registered organization needs its unified social credit code", field="creditCode")
        problem = credit_code_problem(credit_code, authority=CIVIL_AFFAIRS, district=district)
        if problem:
            raise BadInput(f"credit code {credit_code}: {problem}", field="creditCode")
        # Unique within the district only (district, credit_code): whether another district holds the code
        # is not this bureau's to learn; the city admin's duplicateCreditCodes report shows such codes.
        # Checked here for a clear message; the constraint still guards concurrent registrations.
        if await SocialOrganization.exists(district=district, credit_code=credit_code):
            raise Conflict(f"credit code {credit_code} is already registered in this district", field="creditCode")
    else:
        if credit_code is not None:
            raise BadInput("a filed (备案) organization has no credit code; it gets a filing number", field="creditCode")
        filing_number = await next_filing_number(district)
    try:
        org = await SocialOrganization.create(
            district=district,
            name=name,
            registration=data.registration,
            credit_code=credit_code,
            filing_number=filing_number,
            category=data.category,
            **places,
            incubation_stage=data.incubation_stage,
            party_organization=data.party_organization,
        )
    except IntegrityError:
        raise Conflict(f"credit code {credit_code} is already registered in this district", field="creditCode") from None
    await events.emitter.emit(events.organization_registered(org), district)
    await audit.record(AuditRecord, principal, district=district, action="registerOrganization", entity=org)
    return org


async def next_filing_number(district: str) -> str:
    """备案 numbers run per district: 230102-BA-00001, 00002, ... without gaps from concurrent filings."""
    # One statement, so two first filings in a new district cannot both insert the counter row.
    conn = FilingCounter._meta.db
    rows = await conn.execute_query_dict(
        "INSERT INTO filing_counter (district, next_number) VALUES ($1, 2) "
        "ON CONFLICT (district) DO UPDATE SET next_number = filing_counter.next_number + 1 "
        "RETURNING next_number - 1 AS number",
        [district],
    )
    return f"{district}-BA-{rows[0]['number']:05d}"


async def get_organization(org_id: str) -> SocialOrganization:
    """The organization a command changes, locked until the operation's transaction ends."""
    return await one(SocialOrganization, org_id, field="id", what="organization", for_update=True)


async def change_incubation_stage(principal: Principal, org_id: str, stage: IncubationStage) -> SocialOrganization:
    org = await get_organization(org_id)
    before = audit.snapshot(org)
    current = org.incubation_stage
    if current is not None and STAGE_ORDER.index(stage) <= STAGE_ORDER.index(current):
        raise BadInput(
            f"incubation only moves forward (STARTUP -> GROWTH -> HUB -> GRADUATED); "
            f"the organization is at {current.value}, so {stage.value} is refused",
            field="stage",
        )
    org.incubation_stage = stage
    await org.save(update_fields=["incubation_stage", "updated_at"])
    await audit.record(AuditRecord, principal, district=org.district, action="changeIncubationStage", entity=org, before=before)
    return org


async def set_party_organization(principal: Principal, org_id: str, kind: PartyOrganization) -> SocialOrganization:
    org = await get_organization(org_id)
    before = audit.snapshot(org)
    org.party_organization = kind
    await org.save(update_fields=["party_organization", "updated_at"])
    await audit.record(AuditRecord, principal, district=org.district, action="setPartyOrganization", entity=org, before=before)
    return org


async def change_status(principal: Principal, org_id: str, status: OrganizationStatus, reason: str) -> SocialOrganization:
    reason = clean_text(reason, "reason", max_length=2000)
    org = await get_organization(org_id)
    if org.status is status:
        raise BadInput(f"the organization is already {status.value}", field="status")
    if org.status is OrganizationStatus.DEREGISTERED:
        raise BadInput("a deregistered organization cannot change status again", field="status")
    before = audit.snapshot(org)
    previous = org.status
    org.status = status
    org.status_reason = reason
    await org.save(update_fields=["status", "status_reason", "updated_at"])
    await events.emitter.emit(events.organization_status_changed(org, previous.value, reason), org.district)
    await audit.record(AuditRecord, principal, district=org.district, action="changeOrganizationStatus", entity=org, before=before)
    return org
