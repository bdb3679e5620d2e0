"""No oracle across districts: a credit code is unique within a district, and only the city admin's
report shows a code that two districts of the city both registered."""

from __future__ import annotations

from tests.places import seed_gazetteer
from tests.support import DAOLI, HARBIN, NANGANG, token

from .conftest import ONBOARD
from .test_organizations import REGISTER, credit, registered

DUPLICATES = "{ duplicateCreditCodes { creditCode districts organizations { id district name } } }"
MINE = "query($f: OrganizationFilter) { organizations(filter: $f) { totalCount edges { node { id district creditCode } } } }"


async def test_two_districts_register_one_code_and_only_the_city_admin_sees_both(registry, districts):
    # A code of the city's own division (230100) is valid in every district of Harbin.
    code = credit(42, division=HARBIN)
    daoli = (await registry.ok(REGISTER, registered(42, creditCode=code), token=districts[DAOLI]))["registerOrganization"]
    nangang = (await registry.ok(REGISTER, registered(42, creditCode=code), token=districts[NANGANG]))["registerOrganization"]
    assert daoli["creditCode"] == nangang["creditCode"] == code

    # Each bureau admin sees its own organization only, and has no report to ask.
    for district, org in ((DAOLI, daoli), (NANGANG, nangang)):
        seen = (await registry.ok(MINE, token=districts[district]))["organizations"]
        assert seen["totalCount"] == 1
        assert seen["edges"][0]["node"] == {"id": org["id"], "district": district, "creditCode": code}
        refused = await registry.error(DUPLICATES, token=districts[district])
        assert refused["extensions"]["code"] == "FORBIDDEN"

    report = (await registry.ok(DUPLICATES, token=token(None, "city_admin", city=HARBIN)))["duplicateCreditCodes"]
    assert [(row["creditCode"], row["districts"]) for row in report] == [(code, [DAOLI, NANGANG])]
    assert sorted((o["district"], o["id"]) for o in report[0]["organizations"]) == [(DAOLI, daoli["id"]), (NANGANG, nangang["id"])]

    # A city admin of another city (with a district of its own) sees nothing of it.
    await registry.ok(ONBOARD, {"input": {"code": "230202", "name": "龙沙区", "cityCode": "2302"}},
                      token=token(None, "city_admin", city="2302"))
    await seed_gazetteer(registry, token("230202", "bureau_admin"), "230202", wait_for_funding=False)
    await registry.ok(REGISTER, registered(42, creditCode=credit(42, division="2302")), token=token("230202", "bureau_admin"))
    assert (await registry.ok(DUPLICATES, token=token(None, "city_admin", city="2302")))["duplicateCreditCodes"] == []


async def test_codes_held_once_per_district_are_not_reported(registry, districts):
    await registry.ok(REGISTER, registered(1), token=districts[DAOLI])
    await registry.ok(REGISTER, registered(1, creditCode=credit(1, division=NANGANG)), token=districts[NANGANG])
    assert (await registry.ok(DUPLICATES, token=token(None, "city_admin", city=HARBIN)))["duplicateCreditCodes"] == []
