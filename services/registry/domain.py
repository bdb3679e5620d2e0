"""The registry's rules, as plain functions over models: no GraphQL in here."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count

from services.common import audit
from services.common.auth import BUREAU_ADMIN, CITY_CODE, DISTRICT_CODE, Principal
from services.common.categories import Category
from services.common.credit_code import CIVIL_AFFAIRS, credit_code_problem
from services.common.errors import BadInput, Conflict, Forbidden, NotFound
from services.common.tenancy import admit_district
from services.common.validation import clean_text, parse_uuid
from services.contracts import DistrictOnboarded

from . import events
from .models import (
    AuditRecord,
    District,
    DistrictDirectory,
    FilingCounter,
    IncubationStage,
    OrganizationStatus,
    PartyOrganization,
    Registration,
    ServiceStation,
    SocialOrganization,
)

STAGE_ORDER = [IncubationStage.STARTUP, IncubationStage.GROWTH, IncubationStage.HUB, IncubationStage.GRADUATED]


async def onboard_district(principal: Principal, *, code: str, name: str, city_code: str) -> District:
    """A city brings a new district (tenant) onto the platform."""
    if not DISTRICT_CODE.match(code or ""):
        raise BadInput("a district code is a 6-digit administrative division code", field="code")
    if not CITY_CODE.match(city_code or "") or not code.startswith(city_code):
        raise BadInput(f"district {code} does not belong to city {city_code}", field="cityCode")
    if city_code != principal.city:
        raise Forbidden(f"a city admin of {principal.city} cannot onboard districts of city {city_code}", field="cityCode")
    name = clean_text(name, "name", max_length=100)
    if await DistrictDirectory.exists(code=code):
        raise Conflict(f"district {code} is already on the platform", field="code")
    # The new district is not yet among the city admin's tenants; the city's own code vouches for it.
    await admit_district("registry", code)
    district = await District.create(code=code, district=code, name=name, city_code=city_code)
    await DistrictDirectory.create(code=code, city_code=city_code, name=name)
    await events.emitter.emit(DistrictOnboarded(code=code, name=name, city_code=city_code), code)
    await audit.record(AuditRecord, principal, district=code, action="onboardDistrict", entity=district)
    return district


@dataclass
class OrganizationInput:
    name: str
    registration: Registration
    category: Category
    subdistrict: str
    community: str | None = None
    credit_code: str | None = None
    incubation_stage: IncubationStage | None = None
    party_organization: PartyOrganization = PartyOrganization.NONE


async def register_organization(principal: Principal, data: OrganizationInput) -> SocialOrganization:
    district = principal.home_district
    name = clean_text(data.name, "name", max_length=200)
    subdistrict = clean_text(data.subdistrict, "subdistrict", max_length=100)
    community = clean_text(data.community, "community", required=False, max_length=100)
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
            subdistrict=subdistrict,
            community=community,
            incubation_stage=data.incubation_stage,
            party_organization=data.party_organization,
        )
    except IntegrityError:
        raise Conflict(f"credit code {credit_code} is already registered in this district", field="creditCode") from None
    await events.emitter.emit(events.organization_registered(org), district)
    await audit.record(AuditRecord, principal, district=district, action="registerOrganization", entity=org)
    return org


async def duplicate_credit_codes(districts: list[str]) -> list[tuple[str, list[SocialOrganization]]]:
    """Credit codes held in more than one of `districts`, each with its holders (oldest first).

    A code is unique only within a district, so that registering one never tells a bureau whether another
    district holds it; a code registered twice across districts is caught here, by the city admin."""
    codes = await (
        SocialOrganization.filter(district__in=districts, credit_code__isnull=False)
        .annotate(holders=Count("district", distinct=True))
        .group_by("credit_code")
        .filter(holders__gt=1)
        .order_by("credit_code")
        .values_list("credit_code", flat=True)
    )
    if not codes:
        return []
    orgs = await SocialOrganization.filter(district__in=districts, credit_code__in=codes).order_by("created_at", "id")
    return [(code, [o for o in orgs if o.credit_code == code]) for code in codes]


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
    uuid = parse_uuid(org_id, "id", "an organization")
    # Row-level security hides other districts' rows, so "not yours" and "no such" read the same.
    org = await SocialOrganization.filter(id=uuid).select_for_update().first()
    if org is None:
        raise NotFound(f"no organization {org_id} in this district", field="id")
    return org


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


@dataclass
class StationInput:
    subdistrict: str
    community: str
    has_staff_at_window: bool = False
    has_name_plate: bool = False
    has_computer: bool = False
    has_archive_cabinet: bool = False
    has_archive_materials: bool = False


async def upsert_service_station(principal: Principal, data: StationInput) -> ServiceStation:
    """One station per community: created the first time, its checklist updated after that."""
    district = principal.home_district
    subdistrict = clean_text(data.subdistrict, "subdistrict", max_length=100)
    community = clean_text(data.community, "community", max_length=100)
    if BUREAU_ADMIN not in principal.roles and principal.subdistrict != subdistrict:
        raise Forbidden(f"a subdistrict officer of {principal.subdistrict} cannot record stations of {subdistrict}", field="subdistrict")
    checklist = {
        "has_staff_at_window": data.has_staff_at_window,
        "has_name_plate": data.has_name_plate,
        "has_computer": data.has_computer,
        "has_archive_cabinet": data.has_archive_cabinet,
        "has_archive_materials": data.has_archive_materials,
    }
    station = await ServiceStation.filter(district=district, community=community).select_for_update().first()
    before = audit.snapshot(station)
    if station is None:
        station = await ServiceStation.create(district=district, subdistrict=subdistrict, community=community, **checklist)
    else:
        if station.subdistrict != subdistrict:
            raise BadInput(f"community {community} belongs to subdistrict {station.subdistrict}", field="subdistrict")
        for name, value in checklist.items():
            setattr(station, name, value)
        await station.save()
    await audit.record(AuditRecord, principal, district=district, action="upsertServiceStation", entity=station, before=before)
    return station
