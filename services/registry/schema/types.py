"""The registry's GraphQL types and enums: rows as the schema shows them."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from services.common.kernel.categories import Category
from services.common.data.counts import CountBy
from services.common.api.permissions import verified_caller
from services.common.kernel.auth import BUREAU_ADMIN, CITY_ADMIN, EVALUATOR, ORG_MEMBER, REVIEWER, SUBDISTRICT_OFFICER

from .. import models

Registration = strawberry.enum(models.Registration, description="登记注册 (REGISTERED) or 备案 (FILED)")
IncubationStage = strawberry.enum(models.IncubationStage, description="Incubator stages; GRADUATED is 出壳")
PartyOrganization = strawberry.enum(models.PartyOrganization)


@strawberry.enum(description="What an account may do (the platform's roles; the identity provider knows none)")
class Role(Enum):
    # The district's roles, then the city's.
    BUREAU_ADMIN = BUREAU_ADMIN
    SUBDISTRICT_OFFICER = SUBDISTRICT_OFFICER
    ORG_MEMBER = ORG_MEMBER
    EVALUATOR = EVALUATOR
    REVIEWER = REVIEWER
    CITY_ADMIN = CITY_ADMIN
OrganizationStatus = strawberry.enum(models.OrganizationStatus)
PlaceKind = strawberry.enum(models.PlaceKind, description="街道 (SUBDISTRICT) or 社区 (COMMUNITY)")


@strawberry.type(description="A subdistrict or community of the district's gazetteer, kept by its bureau.")
class GazetteerEntry:
    id: strawberry.ID
    kind: PlaceKind
    code: str | None = strawberry.field(description="the 12-digit statistical division code, where known")
    name: str
    subdistrict_id: strawberry.ID | None = strawberry.field(description="a community's subdistrict entry")
    retired_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: models.GazetteerEntry) -> "GazetteerEntry":
        return cls(id=strawberry.ID(str(row.id)), kind=row.kind, code=row.code, name=row.name,
                   subdistrict_id=strawberry.ID(str(row.subdistrict_id)) if row.subdistrict_id else None,
                   retired_at=row.retired_at)


@strawberry.federation.type(keys=["code"], description="A district (区): one tenant of the platform.")
class District:
    code: str
    name: str
    city_code: str
    bureau_credit_code: str | None = strawberry.field(
        default=None, description="the civil-affairs bureau's own 统一社会信用代码 (authority 1, type 1 机关), checked in full")
    offboarded_at: dt.datetime | None = strawberry.field(
        default=None, description="when the district was offboarded: read-only from then on, kept for the archive")

    @classmethod
    def from_row(cls, row: models.District) -> "District":
        return cls(code=row.code, name=row.name, city_code=row.city_code, bureau_credit_code=row.bureau_credit_code,
                   offboarded_at=row.offboarded_at)

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, code: str, **_: object) -> "District | None":
        verified_caller(info.context)
        row = await info.context.loaders.district.load(code)
        return cls.from_row(row) if row else None


@strawberry.federation.type(keys=["id"], description="A community social organization (社区社会组织).")
class SocialOrganization:
    id: strawberry.ID
    district: str
    name: str
    registration: Registration
    credit_code: str | None = strawberry.field(description="REGISTERED only: 统一社会信用代码, checked in full (GB 32100); unique within the district")
    filing_number: str | None = strawberry.field(description="FILED only: issued by the platform, unique in the district")
    category: Category
    subdistrict: str
    community: str | None
    incubation_stage: IncubationStage | None
    party_organization: PartyOrganization
    status: OrganizationStatus
    status_reason: str | None
    created_at: dt.datetime

    # The fields that are one column each, as from_row copies them (a page showing only these reads only
    # these: api/projection.py).
    COLUMNS = {"id": "id", "district": "district", "name": "name", "registration": "registration",
        "credit_code": "credit_code", "filing_number": "filing_number", "category": "category",
        "subdistrict": "subdistrict", "community": "community", "incubation_stage": "incubation_stage",
        "party_organization": "party_organization", "status": "status", "status_reason": "status_reason",
        "created_at": "created_at"}

    @classmethod
    def from_row(cls, row: models.SocialOrganization) -> "SocialOrganization":
        return cls(
            id=strawberry.ID(str(row.id)),
            district=row.district,
            name=row.name,
            registration=row.registration,
            credit_code=row.credit_code,
            filing_number=row.filing_number,
            category=row.category,
            subdistrict=row.subdistrict,
            community=row.community,
            incubation_stage=row.incubation_stage,
            party_organization=row.party_organization,
            status=row.status,
            status_reason=row.status_reason,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID, **_: object) -> "SocialOrganization | None":
        verified_caller(info.context)
        row = await info.context.loaders.organization.load(id)
        return cls.from_row(row) if row else None


@strawberry.federation.type(keys=["id"], description="A community service station (社区社会组织服务站) and its five haves.")
class ServiceStation:
    id: strawberry.ID
    district: str
    subdistrict: str
    community: str
    has_staff_at_window: bool
    has_name_plate: bool
    has_computer: bool
    has_archive_cabinet: bool
    has_archive_materials: bool
    compliant: bool = strawberry.field(description="All five haves are present")

    @classmethod
    def from_row(cls, row: models.ServiceStation) -> "ServiceStation":
        return cls(
            id=strawberry.ID(str(row.id)),
            district=row.district,
            subdistrict=row.subdistrict,
            community=row.community,
            has_staff_at_window=row.has_staff_at_window,
            has_name_plate=row.has_name_plate,
            has_computer=row.has_computer,
            has_archive_cabinet=row.has_archive_cabinet,
            has_archive_materials=row.has_archive_materials,
            compliant=row.compliant,
        )

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID, **_: object) -> "ServiceStation | None":
        verified_caller(info.context)
        row = await info.context.loaders.station.load(id)
        return cls.from_row(row) if row else None


@strawberry.type(description="Party organizations among registered organizations (党组织覆盖).")
class PartyCoverage:
    independent: int
    joint: int
    total: int
    registered_organizations: int
    registered_covered: int
    coverage_percent: float = strawberry.field(description="Share of registered organizations covered, 0-100")


@strawberry.type
class PlaceCount:
    """Organizations and service stations in one subdistrict of the gazetteer (or named before it had one)."""

    code: str | None
    entry_id: strawberry.ID | None = strawberry.field(
        description="the gazetteer entry the row groups by (null: a name from before the gazetteer)")
    name: str
    organizations: int
    service_stations: int


@strawberry.type
class RegistryStats:
    organizations: int
    registered: int
    filed: int
    by_incubation_stage: list[CountBy]
    by_category: list[CountBy]
    by_status: list[CountBy]
    party_organizations: PartyCoverage
    service_stations: int
    compliant_service_stations: int
    by_subdistrict: list[PlaceCount] = strawberry.field(
        description="by subdistrict, grouped by the gazetteer's entries (code where known): a typo is no new row")


@strawberry.type(description="A credit code registered in more than one district of the city (the city admin's report).")
class CreditCodeDuplicate:
    credit_code: str
    districts: list[str] = strawberry.field(description="The districts holding the code, in code order")
    organizations: list[SocialOrganization] = strawberry.field(description="The organizations holding it, oldest first")


@strawberry.type(description="A person on the platform: the identity provider's subject and what the platform lets them do.")
class Account:
    id: strawberry.ID
    district: str = strawberry.field(description="the district they work in (a city admin: the city's own code, e.g. 230100)")
    issuer: str = strawberry.field(description="the identity provider (iss) the subject belongs to")
    subject: str = strawberry.field(description="the identity provider's sub; a panel member is seated by it")
    name: str
    roles: list[Role]
    subdistrict: str | None
    organization_id: strawberry.ID | None
    agency_id: strawberry.ID | None
    active: bool

    @classmethod
    def from_row(cls, row) -> "Account":
        """From a model row or the sign-in lookup's dict."""
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        roles = get("roles")
        if isinstance(roles, str):  # the lookup function returns jsonb as text
            import orjson

            roles = orjson.loads(roles)
        org, agency = get("organization_id"), get("agency_id")
        return cls(
            id=strawberry.ID(str(get("id"))), district=get("district"), issuer=get("issuer"), subject=get("subject"),
            name=get("name"), roles=[Role(r) for r in roles], subdistrict=get("subdistrict"),
            organization_id=strawberry.ID(str(org)) if org else None,
            agency_id=strawberry.ID(str(agency)) if agency else None, active=get("active"),
        )
