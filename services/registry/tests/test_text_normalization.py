"""Names and places are stored in one spelling, so uniqueness and every statistic count them once:
NFC, trimmed, inner whitespace collapsed; zero-width and text-direction characters are refused."""

from __future__ import annotations

import pytest

from tests.support import DAOLI

from .test_gazetteer import ADD
from .test_organizations import REGISTER, filed

STATION = """mutation($input: ServiceStationInput!) { upsertServiceStation(input: $input) { id subdistrict community } }"""
COUNT = 'query($c: String!) { serviceStations(filter: {community: $c}) { totalCount } organizations(filter: {community: $c}) { totalCount } }'


async def test_one_community_spelled_with_stray_spaces_or_decomposed_is_one_community(registry, districts):
    admin = districts[DAOLI]
    # Names given to the gazetteer are stored in their one spelling, and picked by any of theirs.
    await registry.ok(ADD, {"input": {"kind": "COMMUNITY", "name": "Cafe\u0301  社区", "subdistrict": "抚顺街道"}}, token=admin)
    spellings = ["安静社区", " 安静社区 ", "安静社区\u3000", "Cafe\u0301 社区", "Café  社区"]
    stations = [(await registry.ok(STATION, {"input": {"subdistrict": " 抚顺街道", "community": c}}, token=admin))
                ["upsertServiceStation"] for c in spellings]
    assert {s["community"] for s in stations} == {"安静社区", "Café 社区"}
    assert {s["subdistrict"] for s in stations} == {"抚顺街道"}
    assert len({s["id"] for s in stations}) == 2  # the station of a community is upserted, not duplicated
    await registry.ok(REGISTER, filed(1, community="安静社区 "), token=admin)
    await registry.ok(REGISTER, filed(2, community="  安静社区"), token=admin)
    counts = await registry.ok(COUNT, {"c": "安静社区 "}, token=admin)
    assert counts == {"serviceStations": {"totalCount": 1}, "organizations": {"totalCount": 2}}


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\ufeff", "\u202e", "\u2066", "\u200f"])
async def test_zero_width_and_direction_characters_in_a_place_are_refused_with_the_field(registry, districts, databases,
                                                                                          invisible):
    admin = districts[DAOLI]
    station = await registry.error(STATION, {"input": {"subdistrict": "新阳路街道", "community": f"安静{invisible}社区"}},
                                   token=admin)
    assert station["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.community"}
    org = await registry.error(REGISTER, filed(1, name=f"邻里{invisible}互助队"), token=admin)
    assert org["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.name"}
    counts = [await databases["registry"].fetchval(f"SELECT count(*) FROM {t}") for t in ("service_station", "social_organization")]
    assert counts == [0, 0]  # every district's rows, through the superuser connection


async def test_an_organization_name_is_stored_trimmed_and_collapsed(registry, districts):
    org = (await registry.ok(REGISTER, filed(1, name="  邻里   互助队 \t"), token=districts[DAOLI]))["registerOrganization"]
    assert org["name"] == "邻里 互助队"
