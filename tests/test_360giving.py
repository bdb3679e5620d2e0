"""Every 360Giving export validates against the official 1.4.3 package and grant schemas (tests/open_data/,
formats checked), and says what the standard asks: CN-USCI identifiers, 360G- ids, one programme per round,
disbursements and recoveries as transactions, package metadata; an empty district is refused in words."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from services.cli import export_360giving
from services.common.kernel.credit_code import make_credit_code
from services.demo import figures as F
from services.demo.load import load
from services.common.data.tenancy import tenant_transaction
from services.funding.models import KnownOrganization
from services.funding.tests.flow import DISBURSE, ORDER, SETTLE, awarded_project
from services.open_data import giving360
from services.open_data.giving360 import ExportRefused
from tests.places import seed_gazetteer
from tests.support import HARBIN, NANGANG, token, wait_until

OPEN_DATA = Path(__file__).parent / "open_data"
GEO_CODE_TYPES = {row["Code"] for row in csv.DictReader((OPEN_DATA / "geoCodeType.csv").open(encoding="utf-8"))}


def _validator() -> Draft202012Validator:
    schemas = [json.loads((OPEN_DATA / name).read_text(encoding="utf-8"))
               for name in ("360-giving-package-schema.json", "360-giving-schema.json")]
    # The files name their dialect "http://json-schema.org/draft/2020-12/schema" (http, not the dialect's own
    # https id), so it is stated here rather than detected.
    registry = Registry().with_resources((s["$id"], Resource(contents=s, specification=DRAFT202012)) for s in schemas)
    return Draft202012Validator(schemas[0], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


VALIDATOR = _validator()


def valid(package: dict) -> dict:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(package)]
    assert not errors, "\n".join(errors[:20])
    for grant in package["grants"]:
        assert grant["id"].startswith(giving360.PREFIX + "-")
        assert all(p["code"].startswith(giving360.PREFIX + "-") for p in grant["grantProgramme"])
        assert grant["fundingOrganization"][0]["id"].startswith("CN-USCI-")
        for location in grant["beneficiaryLocation"]:
            assert location.get("geoCodeType") is None or location["geoCodeType"] in GEO_CODE_TYPES
        paid = sum(t["value"] for t in grant["disbursementTransaction"])
        assert round(paid, 2) == grant["amountDisbursed"]
    assert package["version"] == "1.4" and package["license"] and package["publisher"]["identifier"].startswith("CN-USCI-")
    return package


def test_the_validator_checks_formats_and_the_package_minimum():
    """Guards the guard: a bad date-time and an empty package fail the official schemas as used here."""
    assert not VALIDATOR.is_valid({"grants": []})
    grant = {"id": "360G-x-1", "title": "t", "description": "d", "currency": "CNY", "amountAwarded": 1,
             "awardDate": "2024-01-01", "recipientOrganization": [{"id": "a", "name": "a"}],
             "fundingOrganization": [{"id": "b", "name": "b"}]}
    assert VALIDATOR.is_valid({"grants": [grant]})
    assert not VALIDATOR.is_valid({"grants": [{**grant, "dateModified": "yesterday"}]})


async def test_the_demo_districts_export_is_valid_and_another_district_with_no_grant_is_refused(gateway):
    await load(gateway.base, scale=0.01, log=lambda *_: None)
    package = valid(await export_360giving(gateway.base, token(F.DISTRICT_CODE, "bureau_admin")))
    assert len(package["grants"]) == F.SELECTED
    assert package["publisher"]["identifier"] == f"CN-USCI-{F.bureau_credit_code(F.DISTRICT_CODE)}"
    registered = [g for g in package["grants"] if g["recipientOrganization"][0]["id"].startswith("CN-USCI-")]
    assert registered and all(len(g["recipientOrganization"][0]["id"]) == len("CN-USCI-") + 18 for g in registered)
    # Places come from the gazetteer: the most specific code known, under the district.
    assert all(loc["geoCode"].startswith(F.DISTRICT_CODE) and len(loc["geoCode"]) == 12
               for g in package["grants"] for loc in g["beneficiaryLocation"])
    with pytest.raises(ExportRefused, match="has no awarded projects yet"):
        await export_360giving(gateway.base, token("230103", "bureau_admin"))


async def test_a_second_district_with_two_rounds_a_filed_recipient_and_a_settled_recovery(gateway):
    city = token(None, "city_admin", city=HARBIN)
    await gateway.ok("mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code } }",
                     {"input": {"code": NANGANG, "name": "南岗区", "cityCode": HARBIN,
                                "bureauCreditCode": F.bureau_credit_code(NANGANG)}}, token=city)
    bureau = token(NANGANG, "bureau_admin")
    await seed_gazetteer(gateway, bureau, NANGANG)
    register = "mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }"
    orgs = [(await gateway.ok(register, {"input": {
        "name": f"南岗服务中心{n}", "category": "ELDERLY_CARE", "subdistrict": "花园街道", **extra}}, token=bureau))
        ["registerOrganization"]["id"]
        for n, extra in enumerate(({"registration": "REGISTERED", "creditCode": make_credit_code(NANGANG, 9)},
                                   {"registration": "FILED"}))]

    async def known_to_funding() -> bool:
        async with tenant_transaction("funding", [NANGANG]):
            return await KnownOrganization.filter(id__in=orgs).count() == 2

    await wait_until(known_to_funding)
    first, second = [await awarded_project(gateway, bureau, NANGANG, org) for org in orgs]
    for ids in (first, second):
        await gateway.ok(DISBURSE, {"id": ids["tranches"][0]}, token=bureau)
    order = (await gateway.ok(ORDER, {"input": {"projectId": first["project"], "amount": "1500.50",
                                                "reason": "虚列劳务费"}}, token=bureau))["orderRecovery"]
    await gateway.ok(SETTLE, {"id": order["id"]}, token=bureau)

    package = valid(await export_360giving(gateway.base, bureau))
    grants = {g["id"]: g for g in package["grants"]}
    g1 = grants[f"360G-civic-{NANGANG}-{first['project']}"]
    g2 = grants[f"360G-civic-{NANGANG}-{second['project']}"]
    assert g1["grantProgramme"][0]["code"] != g2["grantProgramme"][0]["code"]  # two rounds of one year
    assert g1["recipientOrganization"][0]["id"] == f"CN-USCI-{make_credit_code(NANGANG, 9)}"
    assert g2["recipientOrganization"][0]["id"] == f"360G-civic-{NANGANG}-org-{NANGANG}-BA-00001"
    recovery = [t for t in g1["disbursementTransaction"] if "-recovery-" in t["id"]]
    assert [t["value"] for t in recovery] == [-1500.5]
    assert g1["amountDisbursed"] == 60000 - 1500.5
    assert g1["recoveryOrders"][0]["status"] == "SETTLED"


def test_a_district_without_a_bureau_credit_code_is_refused_in_words():
    with pytest.raises(ExportRefused, match="has no bureau credit code"):
        giving360.package({"code": NANGANG, "name": "南岗区", "bureauCreditCode": None}, [{"id": str(uuid.uuid4())}])
