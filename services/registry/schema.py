"""The registry subgraph: thin Strawberry types and resolvers over `domain`."""

from __future__ import annotations

import datetime as dt

import strawberry

from services.common.audit_api import AuditEntry, audit_trail
from services.common.auth import ensure_same_district
from services.common.categories import Category
from services.common.counts import CountBy, count_by
from services.common.operation import OperationTransaction, SubgraphSchema
from services.common.pagination import Connection, paginate
from services.common.permissions import (
    Authenticated,
    BureauAdmin,
    BureauOrCity,
    BureauOrOfficer,
    CityAdmin,
    declared,
    verified_caller,
)

from . import domain, models

Registration = strawberry.enum(models.Registration, description="登记注册 (REGISTERED) or 备案 (FILED)")
IncubationStage = strawberry.enum(models.IncubationStage, description="Incubator stages; GRADUATED is 出壳")
PartyOrganization = strawberry.enum(models.PartyOrganization)
OrganizationStatus = strawberry.enum(models.OrganizationStatus)


@strawberry.federation.type(keys=["code"], description="A district (区): one tenant of the platform.")
class District:
    code: str
    name: str
    city_code: str

    @classmethod
    def from_row(cls, row: models.District) -> "District":
        return cls(code=row.code, name=row.name, city_code=row.city_code)

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


@strawberry.input
class OrganizationFilter:
    registration: Registration | None = None
    category: Category | None = None
    status: OrganizationStatus | None = None
    incubation_stage: IncubationStage | None = None
    in_incubator: bool | None = None
    party_organization: PartyOrganization | None = None
    subdistrict: str | None = None
    community: str | None = None
    name_contains: str | None = None


@strawberry.input
class ServiceStationFilter:
    subdistrict: str | None = None
    community: str | None = None
    compliant: bool | None = None


@strawberry.type(description="A credit code registered in more than one district of the city (the city admin's report).")
class CreditCodeDuplicate:
    credit_code: str
    districts: list[str] = strawberry.field(description="The districts holding the code, in code order")
    organizations: list[SocialOrganization] = strawberry.field(description="The organizations holding it, oldest first")


@strawberry.input
class RegisterOrganizationInput:
    name: str
    registration: Registration
    category: Category
    subdistrict: str
    community: str | None = None
    credit_code: str | None = None
    incubation_stage: IncubationStage | None = None
    party_organization: PartyOrganization = models.PartyOrganization.NONE


@strawberry.input
class ServiceStationInput:
    subdistrict: str
    community: str
    has_staff_at_window: bool = False
    has_name_plate: bool = False
    has_computer: bool = False
    has_archive_cabinet: bool = False
    has_archive_materials: bool = False


@strawberry.input
class OnboardDistrictInput:
    code: str
    name: str
    city_code: str


def _scoped(info: strawberry.Info, district: str | None = None) -> list[str]:
    """The districts a read covers: the caller's, narrowed to one the caller may see."""
    principal = info.context.principal
    ensure_same_district(principal, district)
    return [district] if district else list(principal.districts)


def _filter_organizations(queryset, f: OrganizationFilter | None):
    if f is None:
        return queryset
    for name in ("registration", "category", "status", "incubation_stage", "party_organization", "subdistrict", "community"):
        value = getattr(f, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if f.in_incubator is not None:
        queryset = queryset.filter(incubation_stage__isnull=not f.in_incubator)
    if f.name_contains:
        queryset = queryset.filter(name__icontains=f.name_contains)
    return queryset


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Authenticated], description="A district; by default the caller's own.")
    async def district(self, info: strawberry.Info, code: str | None = None) -> District | None:
        districts = _scoped(info, code)
        row = await models.District.filter(code__in=districts).order_by("code").first()
        return District.from_row(row) if row else None

    @strawberry.field(
        permission_classes=[Authenticated],
        description="The districts the caller may read (a city admin: every district of the city).",
    )
    async def districts(self, info: strawberry.Info) -> list[District]:
        rows = await models.District.filter(code__in=_scoped(info)).order_by("code")
        return [District.from_row(row) for row in rows]

    @strawberry.field(permission_classes=[Authenticated])
    async def organization(self, info: strawberry.Info, id: strawberry.ID) -> SocialOrganization | None:
        _scoped(info)
        row = await info.context.loaders.organization.load(id)
        return SocialOrganization.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated])
    async def organizations(
        self,
        info: strawberry.Info,
        filter: OrganizationFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
        district: str | None = None,
    ) -> Connection[SocialOrganization]:
        rows = _filter_organizations(models.SocialOrganization.filter(district__in=_scoped(info, district)), filter)
        return await paginate(rows, first=first, after=after, to_node=SocialOrganization.from_row)

    @strawberry.field(permission_classes=[Authenticated])
    async def service_stations(
        self,
        info: strawberry.Info,
        filter: ServiceStationFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
        district: str | None = None,
    ) -> Connection[ServiceStation]:
        rows = models.ServiceStation.filter(district__in=_scoped(info, district))
        if filter is not None:
            if filter.subdistrict:
                rows = rows.filter(subdistrict=filter.subdistrict)
            if filter.community:
                rows = rows.filter(community=filter.community)
            if filter.compliant is not None:
                five = dict(
                    has_staff_at_window=True, has_name_plate=True, has_computer=True,
                    has_archive_cabinet=True, has_archive_materials=True,
                )
                rows = rows.filter(**five) if filter.compliant else rows.exclude(**five)
        return await paginate(rows, first=first, after=after, to_node=ServiceStation.from_row)

    @strawberry.field(
        permission_classes=[Authenticated],
        description="Counts by registration, incubation stage, category, status; party coverage.",
    )
    async def registry_stats(self, info: strawberry.Info, district: str | None = None) -> RegistryStats:
        orgs = models.SocialOrganization.filter(district__in=_scoped(info, district))
        by_registration = {c.key: c.count for c in await count_by(orgs, "registration")}
        by_party = {c.key: c.count for c in await count_by(orgs, "party_organization")}
        registered = orgs.filter(registration=models.Registration.REGISTERED)
        registered_total = await registered.count()
        covered = await registered.exclude(party_organization=models.PartyOrganization.NONE).count()
        stations = models.ServiceStation.filter(district__in=_scoped(info, district))
        return RegistryStats(
            organizations=sum(by_registration.values()),
            registered=by_registration.get("REGISTERED", 0),
            filed=by_registration.get("FILED", 0),
            by_incubation_stage=await count_by(orgs.filter(incubation_stage__isnull=False), "incubation_stage"),
            by_category=await count_by(orgs, "category"),
            by_status=await count_by(orgs, "status"),
            party_organizations=PartyCoverage(
                independent=by_party.get("INDEPENDENT", 0),
                joint=by_party.get("JOINT", 0),
                total=by_party.get("INDEPENDENT", 0) + by_party.get("JOINT", 0),
                registered_organizations=registered_total,
                registered_covered=covered,
                coverage_percent=round(100.0 * covered / registered_total, 1) if registered_total else 0.0,
            ),
            service_stations=await stations.count(),
            compliant_service_stations=await stations.filter(
                has_staff_at_window=True, has_name_plate=True, has_computer=True,
                has_archive_cabinet=True, has_archive_materials=True,
            ).count(),
        )

    @strawberry.field(
        permission_classes=[CityAdmin],
        description="credit codes registered in more than one district of the city. A code is unique "
        "only within a district, so that a bureau never learns whether another district holds it; this report is "
        "how a code registered twice is caught."
    )
    async def duplicate_credit_codes(self, info: strawberry.Info) -> list[CreditCodeDuplicate]:
        principal = info.context.principal
        return [
            CreditCodeDuplicate(
                credit_code=code,
                districts=sorted({o.district for o in orgs}),
                organizations=[SocialOrganization.from_row(o) for o in orgs],
            )
            for code, orgs in await domain.duplicate_credit_codes(list(principal.districts))
        ]

    registry_audit_trail: Connection[AuditEntry] = strawberry.field(
        resolver=audit_trail, permission_classes=[BureauOrCity], description="the registry's audit records of the caller's district."
    )


# Who may call each field is its permission class; declared() puts the roles before each description.
@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[CityAdmin],
        description="bring a new district (tenant) of the city onto the platform.",
    )
    async def onboard_district(self, info: strawberry.Info, input: OnboardDistrictInput) -> District:
        principal = info.context.principal
        row = await domain.onboard_district(principal, code=input.code, name=input.name, city_code=input.city_code)
        return District.from_row(row)

    @strawberry.mutation(permission_classes=[BureauAdmin], description="register (登记) or file (备案) an organization.")
    async def register_organization(self, info: strawberry.Info, input: RegisterOrganizationInput) -> SocialOrganization:
        principal = info.context.principal
        row = await domain.register_organization(
            principal,
            domain.OrganizationInput(
                name=input.name,
                registration=input.registration,
                category=input.category,
                subdistrict=input.subdistrict,
                community=input.community,
                credit_code=input.credit_code,
                incubation_stage=input.incubation_stage,
                party_organization=input.party_organization,
            ),
        )
        return SocialOrganization.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="move an organization forward through the incubator.",
    )
    async def change_incubation_stage(self, info: strawberry.Info, id: strawberry.ID, stage: IncubationStage) -> SocialOrganization:
        principal = info.context.principal
        return SocialOrganization.from_row(await domain.change_incubation_stage(principal, id, stage))

    @strawberry.mutation(permission_classes=[BureauAdmin], description="record the organization's party organization.")
    async def set_party_organization(self, info: strawberry.Info, id: strawberry.ID, kind: PartyOrganization) -> SocialOrganization:
        principal = info.context.principal
        return SocialOrganization.from_row(await domain.set_party_organization(principal, id, kind))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="suspend, reactivate or deregister, with a reason.",
    )
    async def change_organization_status(
        self, info: strawberry.Info, id: strawberry.ID, status: OrganizationStatus, reason: str
    ) -> SocialOrganization:
        principal = info.context.principal
        return SocialOrganization.from_row(await domain.change_status(principal, id, status, reason))

    @strawberry.mutation(
        permission_classes=[BureauOrOfficer],
        description="a station's five-haves checklist (an officer only in their own subdistrict).",
    )
    async def upsert_service_station(self, info: strawberry.Info, input: ServiceStationInput) -> ServiceStation:
        principal = info.context.principal
        row = await domain.upsert_service_station(
            principal,
            domain.StationInput(
                subdistrict=input.subdistrict,
                community=input.community,
                has_staff_at_window=input.has_staff_at_window,
                has_name_plate=input.has_name_plate,
                has_computer=input.has_computer,
                has_archive_cabinet=input.has_archive_cabinet,
                has_archive_materials=input.has_archive_materials,
            ),
        )
        return ServiceStation.from_row(row)


schema = SubgraphSchema(
    query=declared(Query),
    mutation=declared(Mutation),
    types=[District, SocialOrganization, ServiceStation],
    extensions=[OperationTransaction],
)
