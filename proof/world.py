"""A small platform of several districts in two cities, built through the gateway as portals would."""

from __future__ import annotations

import uuid

from services.common.kernel.credit_code import make_credit_code
from tests.places import PLACES, seed_gazetteer
from tests.support import token, wait_until
from services.funding.tests import flow

CITIES = {"2301": ["230102", "230103", "230104"], "2302": ["230202", "230203"]}
DISTRICTS = [d for ds in CITIES.values() for d in ds]
ONBOARD = "mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code } }"
REGISTER = "mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id district } }"
AGENCY = "mutation($input: RegisterEvaluationAgencyInput!) { registerEvaluationAgency(input: $input) { id district } }"
STATION = "mutation($input: ServiceStationInput!) { upsertServiceStation(input: $input) { id district } }"


def city_of(district: str) -> str:
    return district[:4]


def places_of(district: str) -> dict:
    """The tests' gazetteer (tests/places.py) and the community of the district's own station."""
    number, communities = PLACES["新阳路街道"]
    return {**PLACES, "新阳路街道": (number, (*communities, f"{district}社区"))}


async def onboard(portal, districts=DISTRICTS) -> None:
    """Each district onboarded, its bureau's gazetteer kept (funding's copy awaited), as before any place is named."""
    for district in districts:
        city = token(None, "city_admin", city=city_of(district))
        await portal.ok(ONBOARD, {"input": {"code": district, "name": f"区{district}", "cityCode": city_of(district)}},
                        token=city)
        await seed_gazetteer(portal, token(district, "bureau_admin"), district, places_of(district))


async def build(portal, databases, *, orgs_per_district: int = 3, projects: bool = True) -> dict:
    """Every district gets organizations, a station, an agency, a round with a need, and one awarded project."""
    await onboard(portal)
    made: dict[str, dict[str, list[str]]] = {}
    serial = 0
    for district in DISTRICTS:
        admin = token(district, "bureau_admin")
        ids: dict[str, list[str]] = {"orgs": [], "agencies": [], "projects": [], "rounds": []}
        for n in range(orgs_per_district):
            serial += 1
            org = (await portal.ok(REGISTER, {"input": {
                "name": f"{district}-组织{n}", "registration": "REGISTERED", "category": "ELDERLY_CARE",
                "creditCode": make_credit_code(district, serial), "subdistrict": "新阳路街道"}},
                token=admin))["registerOrganization"]
            ids["orgs"].append(org["id"])
        serial += 1
        agency = (await portal.ok(AGENCY, {"input": {"name": f"{district}-评估所",
                                                     "creditCode": make_credit_code(district, serial, authority="9", kind="1")}},
                                  token=admin))["registerEvaluationAgency"]
        ids["agencies"].append(agency["id"])
        await portal.ok(STATION, {"input": {"subdistrict": "新阳路街道", "community": f"{district}社区",
                                            "hasStaffAtWindow": True, "hasNamePlate": True, "hasComputer": True,
                                            "hasArchiveCabinet": False}}, token=admin)
        made[district] = ids
    if projects:
        funding = databases["funding"]
        for district, ids in made.items():
            org_id = ids["orgs"][0]
            # funding learns of the organization from registry's event, through the broker
            await wait_until(lambda: funding.fetchval("SELECT count(*) FROM known_organization WHERE id = $1::uuid",
                                                      org_id), timeout=20)
            p = await flow.awarded_project(portal, token(district, "bureau_admin"), district, org_id)
            ids["projects"].append(p["project"])
            ids["rounds"].append(p["round"])
    return made
