"""Bad input gets a clear error naming the field, and the database stays as it was."""

from __future__ import annotations

import pytest

from services.common.data.tenancy import tenant_transaction
from tests.support import DAOLI, every_district
from services.registry.models import AuditRecord, OutboxEvent, SocialOrganization

from .test_organizations import REGISTER, credit, filed, registered


async def _state() -> tuple[int, int, int]:
    """Daoli's rows as Daoli sees them (outside a tenant transaction row-level security shows none)."""
    async with tenant_transaction("registry", [DAOLI]) as conn:
        return (
            await SocialOrganization.all(using_db=conn).count(),
            await OutboxEvent.all(using_db=every_district("registry")).filter(type="registry.organization.registered").count(),
            await AuditRecord.filter(action="registerOrganization").using_db(conn).count(),
        )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"creditCode": credit(1)[:17] + ("0" if credit(1)[17] != "0" else "1")}, "input.creditCode", "check character"),
        ({"creditCode": "9" + credit(1)[1:]}, "input.creditCode", "registration-authority"),
        ({"creditCode": credit(1)[:10]}, "input.creditCode", "18 characters"),
        ({"creditCode": "5123010200000000I" + "0"}, "input.creditCode", "may not contain"),
        ({"creditCode": None}, "input.creditCode", "needs its unified social credit code"),
        # Only the check character of this one holds: type 7 does not exist under civil affairs (5).
        ({"creditCode": "57110101YYYYYYYYYL"}, "input.creditCode", "the type code (position 2) '7' does not exist"),
        ({"creditCode": credit(1, division="230103")}, "input.creditCode", "230102 (the district) or 230100 (its city)"),
        ({"name": "   "}, "input.name", "must not be empty"),
        ({"subdistrict": ""}, "input.subdistrict", "must not be empty"),
    ],
)
async def test_a_bad_registration_is_refused_with_its_field_and_changes_nothing(registry, districts, change, field, words):
    before = await _state()
    variables = registered(1)
    variables["input"].update(change)
    error = await registry.error(REGISTER, variables, token=districts[DAOLI])
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert words in error["message"]
    assert await _state() == before


async def test_a_filed_organization_with_a_credit_code_is_refused(registry, districts):
    variables = filed(1)
    variables["input"]["creditCode"] = credit(5)
    error = await registry.error(REGISTER, variables, token=districts[DAOLI])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.creditCode"}
    assert await _state() == (0, 0, 0)


async def test_a_credit_code_registered_twice_in_one_district_is_a_conflict(registry, districts):
    await registry.ok(REGISTER, registered(7), token=districts[DAOLI])
    before = await _state()
    assert before == (1, 1, 1)  # the state is read, not an empty view
    error = await registry.error(REGISTER, registered(7), token=districts[DAOLI])
    assert error["extensions"] == {"code": "CONFLICT", "field": "input.creditCode"}
    assert await _state() == before


async def test_an_unknown_enum_value_is_refused_before_anything_runs(registry, districts):
    variables = registered(1)
    variables["input"]["category"] = "ASTRONAUTS"
    error = await registry.error(REGISTER, variables, token=districts[DAOLI])
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "ASTRONAUTS" in error["message"]
    literal = await registry.error(
        '{ organizations(filter: {status: SLEEPING}) { totalCount } }', token=districts[DAOLI]
    )
    assert literal["extensions"]["code"] == "BAD_USER_INPUT"
    assert "SLEEPING" in literal["message"]
    assert await _state() == (0, 0, 0)


async def test_a_malformed_id_and_an_unknown_id_are_told_apart(registry, districts):
    query = 'mutation($id: ID!) { changeIncubationStage(id: $id, stage: GROWTH) { id } }'
    malformed = await registry.error(query, {"id": "not-a-uuid"}, token=districts[DAOLI])
    assert malformed["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    unknown = await registry.error(query, {"id": "00000000-0000-0000-0000-000000000000"}, token=districts[DAOLI])
    assert unknown["extensions"] == {"code": "NOT_FOUND", "field": "id"}


async def test_a_failed_mutation_in_a_document_rolls_back_the_whole_operation(registry, districts):
    two = """mutation($ok: RegisterOrganizationInput!, $bad: RegisterOrganizationInput!) {
      first: registerOrganization(input: $ok) { id }
      second: registerOrganization(input: $bad) { id } }"""
    bad = registered(2)["input"] | {"name": ""}
    body = await registry.post(two, {"ok": registered(1)["input"], "bad": bad}, token=districts[DAOLI])
    assert body["errors"][0]["extensions"]["field"] == "input.name"
    assert await _state() == (0, 0, 0)
