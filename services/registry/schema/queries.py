"""The registry's root query fields: reads over `queries`, scoped to the districts the caller may read."""

from __future__ import annotations

import strawberry

from services.common.api.audit_api import AuditEntry, audit_trail
from services.common.kernel.auth import ensure_same_district
from services.common.data.counts import count_by
from services.common.api.pagination import Connection, paginate
from services.common.api.projection import projection
from services.common.api.permissions import Authenticated, BureauOrCity, CityAdmin

from .. import domain
from .. import models, queries
from .inputs import OrganizationFilter, ServiceStationFilter
from .types import (
    Account, Role, CreditCodeDuplicate, District, GazetteerEntry, PartyCoverage, PlaceCount, RegistryStats,
    ServiceStation, SocialOrganization,
)


def _scoped(info: strawberry.Info, district: str | None = None) -> list[str]:
    """The districts a read covers: the caller's, narrowed to one the caller may see."""
    principal = info.context.principal
    ensure_same_district(principal, district)
    return [district] if district else list(principal.districts)


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

    @strawberry.field(permission_classes=[Authenticated],
                      description="The district's gazetteer: subdistricts and communities, by kind and name.")
    async def gazetteer(self, info: strawberry.Info, district: str | None = None,
                        include_retired: bool = False) -> list[GazetteerEntry]:
        rows = models.GazetteerEntry.filter(district__in=_scoped(info, district))
        if not include_retired:
            rows = rows.filter(retired_at__isnull=True)
        return [GazetteerEntry.from_row(r) for r in await rows.order_by("district", "kind", "code", "name")]

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
        rows = queries.organizations(_scoped(info, district), filter)
        return await paginate(rows, first=first, after=after, to_node=SocialOrganization.from_row,
                              projection=projection(info, SocialOrganization))

    @strawberry.field(permission_classes=[Authenticated])
    async def service_stations(
        self,
        info: strawberry.Info,
        filter: ServiceStationFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
        district: str | None = None,
    ) -> Connection[ServiceStation]:
        rows = queries.service_stations(_scoped(info, district), filter)
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
            compliant_service_stations=await stations.filter(**queries.FIVE_HAVES).count(),
            by_subdistrict=[PlaceCount(code=r["code"], entry_id=strawberry.ID(r["entry_id"]) if r["entry_id"] else None,
                                       name=r["name"], organizations=r["organizations"], service_stations=r["stations"])
                            for r in await queries.places_by_subdistrict(_scoped(info, district))],
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
            for code, orgs in await queries.duplicate_credit_codes(list(principal.districts))
        ]

    @strawberry.field(
        permission_classes=[Authenticated],
        description="the caller's own account (null for a development token minted without one).",
    )
    async def me(self, info: strawberry.Info) -> Account | None:
        row = await domain.own_account(info.context.principal)
        return Account.from_row(row) if row else None

    @strawberry.field(
        permission_classes=[BureauOrCity],
        description="the district's accounts (a city admin: every district of the city), oldest first; "
        "`role: REVIEWER` is the list a panel member is picked from.",
    )
    async def accounts(
        self,
        info: strawberry.Info,
        role: Role | None = None,
        active: bool | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Account]:
        rows = queries.accounts(_scoped(info), role.value if role else None, active)
        return await paginate(rows, first=first, after=after, to_node=Account.from_row)

    registry_audit_trail: Connection[AuditEntry] = strawberry.field(
        resolver=audit_trail, permission_classes=[BureauOrCity], description="the registry's audit records of the caller's district."
    )
