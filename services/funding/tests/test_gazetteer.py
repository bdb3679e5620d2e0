"""Funding picks places from its copy of the registry's gazetteer, kept from registry.gazetteer.changed."""

from __future__ import annotations

import uuid

import pytest

from services.common.events import Envelope
from tests.support import DAOLI, NANGANG

from .flow import NEED, OPEN, CRITERIA

SUB, COM = str(uuid.uuid4()), str(uuid.uuid4())
pytestmark = pytest.mark.empty_gazetteer  # each test keeps the entries it names


def place(entry_id: str, kind: str, name: str, code: str | None, subdistrict_id: str | None = None, *,
          retired: bool = False, district: str = DAOLI) -> Envelope:
    return Envelope(type="registry.gazetteer.changed", district=district, producer="registry",
                    data={"id": entry_id, "kind": kind, "code": code, "name": name, "subdistrictId": subdistrict_id,
                          "retired": retired})


async def _round(funding, bureau) -> str:
    return (await funding.ok(OPEN, {"input": {"name": "创投", "year": 2024, "budget": "100000.00", "criteria": CRITERIA,
                                              "minReviews": 1, "noticeDays": 7}}, token=bureau))["openRound"]["id"]


def need(round_id: str, subdistrict: str, community: str) -> dict:
    return {"input": {"roundId": round_id, "subdistrict": subdistrict, "community": community,
                      "category": "ELDERLY_CARE", "method": "QUESTIONNAIRE", "description": "午餐"}}


async def test_a_need_names_a_gazetteer_place_and_a_typo_is_refused(funding, consumer, bureau, databases):
    assert await consumer.handle(place(SUB, "SUBDISTRICT", "靖宇街道", "230102001000"))
    assert await consumer.handle(place(COM, "COMMUNITY", "共乐社区", "230102001001", SUB))
    round_id = await _round(funding, bureau[DAOLI])
    error = await funding.error(NEED, need(round_id, "靖于街道", "共乐社区"), token=bureau[DAOLI])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.subdistrict"}
    assert "'靖于街道' is not a subdistrict" in error["message"]
    error = await funding.error(NEED, need(round_id, "靖宇街道", "共乐新社区"), token=bureau[DAOLI])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.community"}
    recorded = (await funding.ok(NEED, need(round_id, "230102001000", " 共乐社区 "), token=bureau[DAOLI]))["recordNeed"]
    assert (recorded["subdistrict"], recorded["community"]) == ("靖宇街道", "共乐社区")
    assert await databases["funding"].fetchval("SELECT count(*) FROM need") == 1


async def test_a_renamed_or_retired_entry_reaches_the_copy(funding, consumer, bureau):
    await consumer.handle(place(SUB, "SUBDISTRICT", "靖宇街道", "230102001000"))
    await consumer.handle(place(COM, "COMMUNITY", "共乐社区", "230102001001", SUB))
    await consumer.handle(place(COM, "COMMUNITY", "共乐社区", "230102001001", SUB, retired=True))
    round_id = await _round(funding, bureau[DAOLI])
    error = await funding.error(NEED, need(round_id, "靖宇街道", "共乐社区"), token=bureau[DAOLI])
    assert error["extensions"]["field"] == "input.community"
    # Another district's gazetteer is not Daoli's: Nangang, with none, refuses every name.
    nangang_round = await _round(funding, bureau[NANGANG])
    error = await funding.error(NEED, need(nangang_round, "靖宇街道", "共乐社区"), token=bureau[NANGANG])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.subdistrict"}


async def test_funding_stats_carry_the_gazetteer_codes(funding, consumer, bureau):
    from .flow import awarded_project, know_organization

    await consumer.handle(place(SUB, "SUBDISTRICT", "新阳路街道", "230102002000"))
    await consumer.handle(place(COM, "COMMUNITY", "共乐社区", "230102002001", SUB))
    org = await know_organization(consumer, DAOLI)
    await awarded_project(funding, bureau[DAOLI], DAOLI, org)
    stats = (await funding.ok("{ fundingStats { bySubdistrict { key code projects } byCommunity { key code } } }",
                              token=bureau[DAOLI]))["fundingStats"]
    assert stats["bySubdistrict"] == [{"key": "新阳路街道", "code": "230102002000", "projects": 1}]
    assert stats["byCommunity"] == [{"key": "共乐社区", "code": "230102002001"}]


async def test_a_service_record_takes_its_community_from_the_gazetteer(funding, consumer, bureau, databases):
    from tests.support import token

    from .flow import RECORD, TODAY, awarded_project, know_organization

    await consumer.handle(place(SUB, "SUBDISTRICT", "新阳路街道", "230102002000"))
    await consumer.handle(place(COM, "COMMUNITY", "共乐社区", "230102002001", SUB))
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org)
    member = token(DAOLI, "org_member", org=org)
    record = {"projectId": ids["project"], "serviceDate": TODAY, "beneficiary": "B-1", "personTimes": 1}
    error = await funding.error(RECORD, {"input": {**record, "community": "共乐杜区"}}, token=member)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.community"}
    batch = "mutation($input: [ServiceRecordInput!]!) { reportServiceRecords(input: $input) { subdistrict community } }"
    done = (await funding.ok(batch, {"input": [{**record, "community": "230102002001"},
                                               {**record, "community": "共乐社区 ", "beneficiary": "B-2"}]},
                             token=member))["reportServiceRecords"]
    assert done == [{"subdistrict": "新阳路街道", "community": "共乐社区"}] * 2
    assert await databases["funding"].fetchval("SELECT count(*) FROM service_record") == 2


async def test_a_renamed_place_renames_the_needs_that_name_it(funding, consumer, bureau, databases):
    await consumer.handle(place(SUB, "SUBDISTRICT", "靖宇街道", "230102001000"))
    await consumer.handle(place(COM, "COMMUNITY", "共乐社区", "230102001001", SUB))
    round_id = await _round(funding, bureau[DAOLI])
    await funding.ok(NEED, need(round_id, "靖宇街道", "共乐社区"), token=bureau[DAOLI])
    await consumer.handle(place(COM, "COMMUNITY", "共乐新社区", "230102001001", SUB))
    assert await databases["funding"].fetchval("SELECT community FROM need") == "共乐新社区"


async def test_a_typo_is_refused_in_a_district_with_no_gazetteer(funding, bureau, databases):
    round_id = await _round(funding, bureau[NANGANG])
    error = await funding.error(NEED, need(round_id, "靖于街道", "共乐社区"), token=bureau[NANGANG])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.subdistrict"}
    assert "'靖于街道' is not a subdistrict in district 230103's gazetteer (known: none)" in error["message"]
    assert await databases["funding"].fetchval("SELECT count(*) FROM need") == 0


async def test_a_trailing_space_names_the_entry_and_the_row_keeps_it(funding, consumer, bureau, databases):
    assert await consumer.handle(place(SUB, "SUBDISTRICT", "靖宇街道", "230102001000"))
    assert await consumer.handle(place(COM, "COMMUNITY", "共乐社区", "230102001001", SUB))
    round_id = await _round(funding, bureau[DAOLI])
    recorded = (await funding.ok(NEED, need(round_id, "靖宇街道 ", "共乐社区\u3000"), token=bureau[DAOLI]))["recordNeed"]
    assert (recorded["subdistrict"], recorded["community"]) == ("靖宇街道", "共乐社区")
    row = await databases["funding"].fetchrow(
        "SELECT subdistrict_entry_id::text AS s, subdistrict_code, community_entry_id::text AS c, community_code FROM need")
    assert dict(row) == {"s": SUB, "subdistrict_code": "230102001000", "c": COM, "community_code": "230102001001"}


async def test_a_community_of_another_subdistrict_is_refused(funding, consumer, bureau):
    other = str(uuid.uuid4())
    assert await consumer.handle(place(SUB, "SUBDISTRICT", "靖宇街道", "230102001000"))
    assert await consumer.handle(place(other, "SUBDISTRICT", "抚顺街道", "230102003000"))
    assert await consumer.handle(place(COM, "COMMUNITY", "新华社区", "230102003001", other))
    round_id = await _round(funding, bureau[DAOLI])
    for community in ("新华社区", "230102003001", COM):
        error = await funding.error(NEED, need(round_id, "靖宇街道", community), token=bureau[DAOLI])
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.community"}, error
        assert "is not a community of 靖宇街道" in error["message"]


async def test_another_districts_entry_is_refused(funding, consumer, bureau, databases):
    nangang_sub, nangang_com = str(uuid.uuid4()), str(uuid.uuid4())
    assert await consumer.handle(place(SUB, "SUBDISTRICT", "靖宇街道", "230102001000"))
    assert await consumer.handle(place(COM, "COMMUNITY", "共乐社区", "230102001001", SUB))
    assert await consumer.handle(place(nangang_sub, "SUBDISTRICT", "花园街道", "230103004000", district=NANGANG))
    assert await consumer.handle(place(nangang_com, "COMMUNITY", "花园社区", "230103004001", nangang_sub, district=NANGANG))
    round_id = await _round(funding, bureau[DAOLI])
    for sub, com, field in ((nangang_sub, "共乐社区", "input.subdistrict"), ("230103004000", "共乐社区", "input.subdistrict"),
                            ("靖宇街道", nangang_com, "input.community")):
        error = await funding.error(NEED, need(round_id, sub, com), token=bureau[DAOLI])
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
    assert await databases["funding"].fetchval("SELECT count(*) FROM need") == 0


async def _delivered(funding, consumer, bureau, communities: list[str]) -> None:
    """An awarded project in 新阳路街道 and one service record per community named, by its organization."""
    from tests.support import token

    from .flow import RECORD, TODAY, awarded_project, know_organization

    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org)
    member = token(DAOLI, "org_member", org=org)
    for n, community in enumerate(communities):
        await funding.ok(RECORD, {"input": {"projectId": ids["project"], "serviceDate": TODAY, "beneficiary": f"B-{n}",
                                            "personTimes": 1, "community": community}}, token=member)


async def test_renaming_an_entry_keeps_one_group_in_the_statistics(funding, consumer, bureau, databases):
    assert await consumer.handle(place(SUB, "SUBDISTRICT", "新阳路街道", "230102002000"))
    assert await consumer.handle(place(COM, "COMMUNITY", "共乐社区", "230102002001", SUB))
    await _delivered(funding, consumer, bureau, ["共乐社区"])
    # Renamed, then a record under the new name: one place, one row, shown by its current name.
    assert await consumer.handle(place(COM, "COMMUNITY", "共乐新社区", "230102002001", SUB))
    from tests.support import token

    from .flow import RECORD, TODAY

    org = await databases["funding"].fetchval("SELECT organization_id::text FROM project")
    project = await databases["funding"].fetchval("SELECT id::text FROM project")
    await funding.ok(RECORD, {"input": {"projectId": project, "serviceDate": TODAY, "beneficiary": "B-9", "personTimes": 2,
                                        "community": "共乐新社区"}}, token=token(DAOLI, "org_member", org=org))
    stats = (await funding.ok("{ fundingStats { byCommunity { key code beneficiaries personTimes } } }",
                              token=bureau[DAOLI]))["fundingStats"]
    assert stats["byCommunity"] == [{"key": "共乐新社区", "code": "230102002001", "beneficiaries": 2, "personTimes": 3}]


async def test_a_retired_entry_and_a_new_one_of_its_name_stay_two_groups(funding, consumer, bureau, databases):
    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    assert await consumer.handle(place(SUB, "SUBDISTRICT", "新阳路街道", "230102002000"))
    assert await consumer.handle(place(COM, "COMMUNITY", "共乐社区", "230102002001", SUB))
    assert await consumer.handle(place(old, "COMMUNITY", "安平社区", None, SUB))
    await _delivered(funding, consumer, bureau, ["安平社区"])
    assert await consumer.handle(place(old, "COMMUNITY", "安平社区", None, SUB, retired=True))
    assert await consumer.handle(place(new, "COMMUNITY", "安平社区", "230102002003", SUB))
    from tests.support import token

    from .flow import RECORD, TODAY

    org = await databases["funding"].fetchval("SELECT organization_id::text FROM project")
    project = await databases["funding"].fetchval("SELECT id::text FROM project")
    await funding.ok(RECORD, {"input": {"projectId": project, "serviceDate": TODAY, "beneficiary": "B-9", "personTimes": 1,
                                        "community": "安平社区"}}, token=token(DAOLI, "org_member", org=org))
    stats = (await funding.ok("{ fundingStats { byCommunity { key code beneficiaries } } }", token=bureau[DAOLI]))["fundingStats"]
    assert sorted(stats["byCommunity"], key=lambda r: r["code"] or "") == [
        {"key": "安平社区", "code": None, "beneficiaries": 1}, {"key": "共乐社区", "code": "230102002001", "beneficiaries": 0},
        {"key": "安平社区", "code": "230102002003", "beneficiaries": 1}]
