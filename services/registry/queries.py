"""The registry's reads: the querysets behind the root query fields, and the city admin's duplicate-code report."""

from __future__ import annotations

from typing import Any

from tortoise.functions import Count

from services.common.data.reads import ReadList, read_list
from services.common.kernel.validation import clean_name

from .models import Account, ServiceStation, SocialOrganization

FIVE_HAVES = dict(
    has_staff_at_window=True, has_name_plate=True, has_computer=True, has_archive_cabinet=True, has_archive_materials=True
)


def organizations(districts: list[str], f: Any | None) -> ReadList[SocialOrganization]:
    """The districts' organizations, narrowed by an OrganizationFilter."""
    queryset = read_list(SocialOrganization).filter(district__in=districts)
    if f is None:
        return queryset
    for name in ("registration", "category", "status", "incubation_stage", "party_organization"):
        value = getattr(f, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    for name in ("subdistrict", "community"):  # places are stored in their one spelling (clean_name)
        if getattr(f, name) is not None:
            queryset = queryset.filter(**{name: clean_name(getattr(f, name), f"filter.{name}")})
    if f.in_incubator is not None:
        queryset = queryset.filter(incubation_stage__isnull=not f.in_incubator)
    if f.name_contains:
        queryset = queryset.filter(name__icontains=f.name_contains)
    return queryset


def service_stations(districts: list[str], f: Any | None) -> ReadList[ServiceStation]:
    """The districts' service stations, narrowed by a ServiceStationFilter (compliant: all five haves)."""
    rows = read_list(ServiceStation).filter(district__in=districts)
    if f is not None:
        if f.subdistrict:
            rows = rows.filter(subdistrict=clean_name(f.subdistrict, "filter.subdistrict"))
        if f.community:
            rows = rows.filter(community=clean_name(f.community, "filter.community"))
        if f.compliant is not None:
            rows = rows.filter(**FIVE_HAVES) if f.compliant else rows.exclude(**FIVE_HAVES)
    return rows


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


async def places_by_subdistrict(districts: list[str]) -> list[dict[str, Any]]:
    """Organizations and stations per subdistrict: grouped by the gazetteer entry the rows picked, shown by
    its current name and code (a renamed subdistrict stays one row; a retired one and a new one of its name
    are two). Rows from before the gazetteer, with no entry, group by the name they store."""
    from tortoise import connections

    return await connections.get("registry").execute_query_dict(
        """
        WITH counted AS (
            SELECT district, subdistrict_entry_id AS entry, CASE WHEN subdistrict_entry_id IS NULL THEN subdistrict END AS stored,
                   COUNT(*)::int AS orgs, 0 AS stations FROM social_organization
             WHERE district = ANY($1::text[]) GROUP BY 1, 2, 3
            UNION ALL
            SELECT district, subdistrict_entry_id, CASE WHEN subdistrict_entry_id IS NULL THEN subdistrict END,
                   0, COUNT(*)::int FROM service_station
             WHERE district = ANY($1::text[]) GROUP BY 1, 2, 3)
        SELECT c.entry::text AS entry_id, min(g.code) AS code, COALESCE(min(g.name), c.stored) AS name,
               SUM(c.orgs)::int AS organizations, SUM(c.stations)::int AS stations
          FROM counted c
          LEFT JOIN gazetteer_entry g ON g.id = c.entry AND g.district = c.district
         GROUP BY c.district, c.entry, c.stored
         ORDER BY 2 NULLS LAST, 3""",
        [districts],
    )


def accounts(districts: list[str], role: str | None, active: bool | None) -> ReadList[Account]:
    """The districts' accounts, by role (the reviewer list a panel is picked from: role reviewer)."""
    queryset = read_list(Account).filter(district__in=districts)
    if role is not None:
        queryset = queryset.filter(roles__contains=[role])
    if active is not None:
        queryset = queryset.filter(active=active)
    return queryset
