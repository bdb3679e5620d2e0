"""District codes are checked; a district is renamed and offboarded by its city, audited and announced;
the bureau's own credit code is taken at onboarding."""

from __future__ import annotations

import pytest

from services.common.kernel.credit_code import make_credit_code
from services.registry.models import DistrictDirectory, OutboxEvent
from tests.support import DAOLI, HARBIN, every_district, token

from .conftest import ONBOARD
from .test_organizations import REGISTER, filed

BUREAU = make_credit_code("230104", 1, authority="1", kind="1")  # 机构编制, 机关
UPDATE = "mutation($input: UpdateDistrictInput!) { updateDistrict(input: $input) { code name bureauCreditCode } }"
OFFBOARD = "mutation($code: String!, $reason: String!) { offboardDistrict(code: $code, reason: $reason) { code offboardedAt } }"
CITY = token(None, "city_admin", city=HARBIN)


def onboarding(code: str = "230104", **extra) -> dict:
    return {"input": {"code": code, "name": "香坊区", "cityCode": HARBIN, **extra}}


@pytest.mark.parametrize(("code", "words"), [("230100", "市辖区"), ("23010", "6-digit"), ("110101", "does not belong")])
async def test_a_code_that_is_not_a_county_level_district_of_the_city_is_refused(registry, databases, code, words):
    error = await registry.error(ONBOARD, onboarding(code), token=CITY)
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and words in error["message"]
    assert await DistrictDirectory.all().count() == 0


async def test_the_bureau_credit_code_is_checked_in_full_and_kept(registry, databases):
    error = await registry.error(ONBOARD, onboarding(bureauCreditCode=make_credit_code("230104", 1)), token=CITY)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.bureauCreditCode"}
    assert "机构编制" in error["message"]
    district = (await registry.ok(ONBOARD.replace("cityCode }", "cityCode bureauCreditCode }"),
                                  onboarding(bureauCreditCode=BUREAU), token=CITY))["onboardDistrict"]
    assert district["bureauCreditCode"] == BUREAU


async def _audits(databases, action: str) -> int:
    return await databases["registry"].fetchval("SELECT count(*) FROM audit_record WHERE action = $1", action)


async def test_a_district_is_renamed_audited_and_announced(registry, districts, databases):
    renamed = (await registry.ok(UPDATE, {"input": {"code": DAOLI, "name": "道里区（新）"}}, token=CITY))["updateDistrict"]
    assert renamed["name"] == "道里区（新）"
    assert (await DistrictDirectory.get(code=DAOLI)).name == "道里区（新）"
    assert await _audits(databases, "updateDistrict") == 1
    event = await OutboxEvent.filter(type="registry.district.changed").using_db(every_district("registry")).first()
    assert event.payload["data"]["name"] == "道里区（新）" and event.payload["data"]["offboardedAt"] is None


async def test_another_citys_admin_cannot_rename_a_district(registry, districts, databases):
    error = await registry.error(UPDATE, {"input": {"code": DAOLI, "name": "x"}}, token=token(None, "city_admin", city="1101"))
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert await databases["registry"].fetchval("SELECT name FROM district WHERE code = $1", DAOLI) == "道里区"


async def test_an_offboarded_district_is_read_only_but_kept_and_readable(registry, districts, databases):
    bureau = districts[DAOLI]
    await registry.ok(REGISTER, filed(1), token=bureau)
    done = (await registry.ok(OFFBOARD, {"code": DAOLI, "reason": "区划调整"}, token=CITY))["offboardDistrict"]
    assert done["offboardedAt"]
    error = await registry.error(REGISTER, filed(2), token=bureau)
    assert error["extensions"] == {"code": "FORBIDDEN", "field": "district"}
    assert "read-only" in error["message"]
    data = await registry.ok("{ organizations { edges { node { name } } } }", token=CITY)
    assert len(data["organizations"]["edges"]) == 1
    assert (await registry.error(OFFBOARD, {"code": DAOLI, "reason": "again"}, token=CITY))["extensions"]["code"] == "CONFLICT"
    assert await _audits(databases, "offboardDistrict") == 1
