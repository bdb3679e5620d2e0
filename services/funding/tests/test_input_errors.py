"""Every bad input value is BAD_USER_INPUT with `extensions.field`, the full input path, and nothing
beside it: Money, Date, enums, nested inputs and lists, as literals and as variables; control characters in
any string; tampered cursors. Nothing changes."""

from __future__ import annotations

import base64

import pytest

from tests.support import DAOLI, token

from .flow import AWARD, NEED, OPEN
from .test_refusals import need_input, open_input

UNKNOWN = "00000000-0000-0000-0000-000000000000"


async def rows(databases, table: str) -> int:
    """Every district's rows (the superuser connection; the request role would see none here)."""
    return await databases["funding"].fetchval(f"SELECT count(*) FROM {table}")


def only_bad_input(body: dict) -> list[str]:
    """The fields of the errors, which must all be BAD_USER_INPUT (no INTERNAL beside them)."""
    assert body.get("errors"), body
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}, body["errors"]
    return [e["extensions"]["field"] for e in body["errors"]]


async def test_bad_money_dates_and_enums_in_variables_name_their_full_path(funding, bureau, databases):
    award = {"input": {"projectId": "00000000-0000-0000-0000-000000000000", "organizationId": "x", "grant": "1.00",
                       "tranches": [{"amount": "1.00", "dueOn": "2024-01-01"}, {"amount": "1.0x", "dueOn": "2024-13-01"}]}}
    body = await funding.post(AWARD, award, token=bureau[DAOLI])
    assert sorted(only_bad_input(body)) == ["input.tranches.1.amount", "input.tranches.1.dueOn"]
    assert "exactly two decimals" in body["errors"][0]["message"] + body["errors"][1]["message"]
    rnd = (await funding.ok(OPEN, open_input(), token=bureau[DAOLI]))["openRound"]
    enum = await funding.post(NEED, need_input(rnd["id"], category="ASTRONAUTS"), token=bureau[DAOLI])
    assert only_bad_input(enum) == ["input.category"]
    assert "ASTRONAUTS" in enum["errors"][0]["message"]
    missing = await funding.post(NEED, {}, token=bureau[DAOLI])
    assert only_bad_input(missing) == ["input"]
    assert await rows(databases, "need") == 0


async def test_bad_literal_values_name_their_full_path(funding, bureau):
    literal = ('mutation { awardProject(input: {projectId: "p", organizationId: "o", grant: "1.00", '
               'tranches: [{amount: "1.00", dueOn: "2024-01-01"}, {amount: "100", dueOn: "2024-02-30"}]}) { id } }')
    body = await funding.post(literal, token=bureau[DAOLI])
    assert sorted(only_bad_input(body)) == ["input.tranches.1.amount", "input.tranches.1.dueOn"]
    phase = await funding.post('mutation { advanceRound(id: "x", to: SOMEDAY) { id } }', token=bureau[DAOLI])
    assert only_bad_input(phase) == ["to"]


@pytest.mark.parametrize("amount", ["100", "12.5", "1.001", " 5.00", "5.00 ", "١٠٠.٠٠"])
async def test_money_has_exactly_two_decimals(funding, bureau, databases, amount):
    body = await funding.post(OPEN, open_input(budget=amount), token=bureau[DAOLI])
    assert only_bad_input(body) == ["input.budget"]
    assert await rows(databases, "funding_round") == 0


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85"])
async def test_a_control_character_in_any_string_is_refused_with_its_path(funding, bureau, databases, bad):
    admin = bureau[DAOLI]
    rnd = (await funding.ok(OPEN, open_input(), token=admin))["openRound"]
    for variables, field in ((open_input(name=f"创投{bad}"), "input.name"),
                             (open_input(criteria=[{"name": f"可行{bad}性", "weight": 100}]), "input.criteria.0.name"),
                             (need_input(rnd["id"], description=f"午餐{bad}"), "input.description")):
        query = OPEN if "criteria" in variables["input"] else NEED
        assert only_bad_input(await funding.post(query, variables, token=admin)) == [field]
    # An id, a string no domain rule reads as text, and a literal.
    ids = await funding.post("query($id: ID!) { fundingRound(id: $id) { id } }", {"id": f"{rnd['id']}{bad}"}, token=admin)
    assert only_bad_input(ids) == ["id"]
    escaped = bad.encode("unicode_escape").decode().replace("\\x", "\\u00")
    literal = await funding.post(f'{{ fundingRound(id: "x{escaped}") {{ id }} }}', token=admin)
    assert only_bad_input(literal) == ["id"]
    assert await rows(databases, "funding_round") == 1 and await rows(databases, "need") == 0


@pytest.mark.parametrize("cursor", [
    base64.urlsafe_b64encode(b"2024-01-01T00:00:00+00:00|not-a-uuid").decode(),
    base64.urlsafe_b64encode(b"2024-01-01T00:00:00|00000000-0000-0000-0000-000000000000").decode(),
    base64.urlsafe_b64encode(b"yesterday|00000000-0000-0000-0000-000000000000").decode(),
    base64.urlsafe_b64encode("2024-01-01T00:00:00+00:00|\x00".encode()).decode(),
    "!!not base64!!", "Zm9v",
])
async def test_a_tampered_cursor_is_bad_input_naming_after(funding, bureau, cursor):
    await funding.ok(OPEN, open_input(), token=bureau[DAOLI])
    body = await funding.post("query($after: String) { fundingRounds(after: $after) { totalCount } }",
                              {"after": cursor}, token=bureau[DAOLI])
    assert only_bad_input(body) == ["after"]


async def test_a_cursor_the_api_gave_out_still_pages(funding, bureau):
    for year in (2024, 2025):
        await funding.ok(OPEN, open_input(year=year), token=bureau[DAOLI])
    first = await funding.ok("{ fundingRounds(first: 1) { pageInfo { endCursor } edges { node { year } } } }",
                             token=bureau[DAOLI])
    after = first["fundingRounds"]["pageInfo"]["endCursor"]
    rest = await funding.ok("query($a: String) { fundingRounds(after: $a) { edges { node { year } } } }", {"a": after},
                            token=bureau[DAOLI])
    assert len(rest["fundingRounds"]["edges"]) == 1


async def test_input_lists_are_capped_before_any_item_is_coerced(funding, bureau, databases):
    admin = bureau[DAOLI]
    tranches = [{"amount": "1.00", "dueOn": "2024-01-01"}] * 101
    award = {"input": {"projectId": "p", "organizationId": "o", "grant": "101.00", "tranches": tranches}}
    body = await funding.post(AWARD, award, token=admin)
    assert only_bad_input(body) == ["input.tranches"] and "more than 100 items" in body["errors"][0]["message"]
    merge = "mutation($input: MergeNeedsInput!) { mergeNeeds(input: $input) { id } }"
    need_ids = {"input": {"needIds": ["x"] * 200_000, "reason": "r", "title": "t", "requested": "1.00"}}
    assert only_bad_input(await funding.post(merge, need_ids, token=admin)) == ["input.needIds"]
    literal = ("mutation { mergeNeeds(input: {needIds: [" + ", ".join(['"x"'] * 101)
               + '], reason: "r", title: "t", requested: "1.00"}) { id } }')
    assert only_bad_input(await funding.post(literal, token=admin)) == ["input.needIds"]
    criteria = open_input(criteria=[{"name": f"c{i}", "weight": 1} for i in range(101)])
    assert only_bad_input(await funding.post(OPEN, criteria, token=admin)) == ["input.criteria"]
    # A batch of service records is a list by design: it holds up to the batch limit.
    batch = "mutation($input: [ServiceRecordInput!]!) { reportServiceRecords(input: $input) { id } }"
    record = {"projectId": "p", "community": "c", "serviceDate": "2024-01-01", "beneficiary": "b", "personTimes": 1}
    over = await funding.post(batch, {"input": [record] * 1001}, token=token(DAOLI, "org_member", org="o"))
    assert only_bad_input(over) == ["input"] and "more than 1000 items" in over["errors"][0]["message"]
    within = await funding.post(batch, {"input": [record] * 1000}, token=token(DAOLI, "org_member", org="o"))
    assert "more than" not in str(within)
    assert await rows(databases, "need") == 0 and await rows(databases, "tranche") == 0


async def test_the_gateways_entity_calls_are_not_capped_like_a_clients_lists(funding, bureau):
    """`_entities(representations:)` carries one representation per row of the page it resolves."""
    representations = [{"__typename": "FundingRound", "id": UNKNOWN} for _ in range(250)]
    body = await funding.post("query($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
                              {"r": representations}, token=bureau[DAOLI])
    assert "errors" not in body and len(body["data"]["_entities"]) == 250
