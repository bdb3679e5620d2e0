"""The district's gazetteer: kept by the bureau, picked from by organizations and stations, announced."""

from __future__ import annotations

from tests.support import DAOLI, NANGANG, every_district, token

from .test_organizations import REGISTER, filed

ADD = """mutation($input: GazetteerEntryInput!) { addGazetteerEntry(input: $input) { id kind code name subdistrictId } }"""
RENAME = "mutation($id: ID!, $name: String, $code: String) { renameGazetteerEntry(id: $id, name: $name, code: $code) { name code } }"
RETIRE = "mutation($id: ID!) { retireGazetteerEntry(id: $id) { retiredAt } }"
STATION = """mutation($input: ServiceStationInput!) { upsertServiceStation(input: $input) { subdistrict community } }"""


async def daoli_gazetteer(registry, bureau: str) -> dict:
    sub = (await registry.ok(ADD, {"input": {"kind": "SUBDISTRICT", "name": "  靖宇街道 ", "code": "230102001000"}},
                             token=bureau))["addGazetteerEntry"]
    com = (await registry.ok(ADD, {"input": {"kind": "COMMUNITY", "name": "共乐社区", "code": "230102001001",
                                             "subdistrict": "230102001000"}}, token=bureau))["addGazetteerEntry"]
    return {"sub": sub, "com": com}


async def test_names_are_normalized_and_codes_checked(registry, onboarded):
    bureau = onboarded[DAOLI]
    places = await daoli_gazetteer(registry, bureau)
    assert places["sub"]["name"] == "靖宇街道" and places["com"]["subdistrictId"] == places["sub"]["id"]
    for variables, field, words in (
        ({"kind": "SUBDISTRICT", "name": "新阳路街道", "code": "230103002000"}, "input.code", "not under district 230102"),
        ({"kind": "SUBDISTRICT", "name": "新阳路街道", "code": "230102002001"}, "input.code", "3 of its own (not 000) and 000"),
        ({"kind": "COMMUNITY", "name": "安静社区", "code": "230102009001", "subdistrict": "靖宇街道"}, "input.code", "not under subdistrict"),
        ({"kind": "SUBDISTRICT", "name": "靖宇街道"}, "input.name", "already has"),
        ({"kind": "COMMUNITY", "name": "安静社区", "subdistrict": "靖于街道"}, "input.subdistrict", "'靖于街道' is not a subdistrict"),
    ):
        error = await registry.error(ADD, {"input": variables}, token=bureau)
        assert error["extensions"]["field"] == field and words in error["message"], error
    data = await registry.ok("{ gazetteer { name } }", token=bureau)
    assert sorted(e["name"] for e in data["gazetteer"]) == ["共乐社区", "靖宇街道"]


async def test_an_organization_picks_its_places_from_the_gazetteer(registry, onboarded):
    bureau = onboarded[DAOLI]
    await daoli_gazetteer(registry, bureau)
    error = await registry.error(REGISTER, filed(1, subdistrict="靖于街道"), token=bureau)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.subdistrict"}
    assert "'靖于街道' is not a subdistrict in district 230102's gazetteer (known: 靖宇街道)" in error["message"]
    org = (await registry.ok(REGISTER, filed(2, subdistrict="230102001000", community="共乐社区 "), token=bureau))["registerOrganization"]
    assert (org["subdistrict"], org["community"]) == ("靖宇街道", "共乐社区")
    station = (await registry.ok(STATION, {"input": {"subdistrict": "靖宇街道 ", "community": "230102001001"}},
                                 token=bureau))["upsertServiceStation"]
    assert station == {"subdistrict": "靖宇街道", "community": "共乐社区"}


async def test_rename_and_retire_are_audited_and_announced(registry, onboarded, databases):
    bureau = onboarded[DAOLI]
    places = await daoli_gazetteer(registry, bureau)
    error = await registry.error(RETIRE, {"id": places["sub"]["id"]}, token=bureau)
    assert error["extensions"]["code"] == "CONFLICT"
    assert (await registry.ok(RENAME, {"id": places["com"]["id"], "name": "共乐新社区"}, token=bureau))["renameGazetteerEntry"]["name"] == "共乐新社区"
    await registry.ok(RETIRE, {"id": places["com"]["id"]}, token=bureau)
    error = await registry.error(REGISTER, filed(3, subdistrict="靖宇街道", community="共乐新社区"), token=bureau)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.community"}
    actions = [r["action"] for r in await databases["registry"].fetch(
        "SELECT action FROM audit_record WHERE entity_type = 'GazetteerEntry' ORDER BY at")]
    assert actions == ["addGazetteerEntry", "addGazetteerEntry", "renameGazetteerEntry", "retireGazetteerEntry"]
    events = [r["payload"] for r in await databases["registry"].fetch(
        "SELECT payload::jsonb->'data' AS payload FROM outbox WHERE type = 'registry.gazetteer.changed' ORDER BY id")]
    assert len(events) == 4


async def test_one_districts_gazetteer_is_not_anothers(registry, onboarded):
    places = await daoli_gazetteer(registry, onboarded[DAOLI])
    assert (await registry.ok("{ gazetteer { name } }", token=onboarded[NANGANG]))["gazetteer"] == []
    error = await registry.error(ADD, {"input": {"kind": "SUBDISTRICT", "name": "x"}}, token=token(DAOLI, "org_member"))
    assert error["extensions"]["code"] == "FORBIDDEN"
    # Nangang naming Daoli's entry, by id or by code, finds nothing of its own.
    for given in (places["sub"]["id"], "230102001000"):
        error = await registry.error(REGISTER, filed(4, subdistrict=given), token=onboarded[NANGANG])
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.subdistrict"}, error
    assert await registry.ok("{ organizations { totalCount } }", token=onboarded[NANGANG]) == {"organizations": {"totalCount": 0}}


async def test_a_district_with_no_gazetteer_refuses_every_place_it_has_not_kept(registry, onboarded):
    for field, variables in (("input.subdistrict", filed(5, subdistrict="靖于街道")),
                             ("input.subdistrict", filed(6, subdistrict=" 花园街道  "))):
        error = await registry.error(REGISTER, variables, token=onboarded[NANGANG])
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
        assert "in district 230103's gazetteer (known: none)" in error["message"], error
    error = await registry.error(STATION, {"input": {"subdistrict": "花园街道", "community": "花园社区"}}, token=onboarded[NANGANG])
    assert error["extensions"]["field"] == "input.subdistrict"
    stats = (await registry.ok("{ registryStats { organizations serviceStations bySubdistrict { name } } }",
                               token=onboarded[NANGANG]))["registryStats"]
    assert stats == {"organizations": 0, "serviceStations": 0, "bySubdistrict": []}


async def test_a_community_of_another_subdistrict_is_refused(registry, onboarded):
    bureau = onboarded[DAOLI]
    await daoli_gazetteer(registry, bureau)
    await registry.ok(ADD, {"input": {"kind": "SUBDISTRICT", "name": "新阳路街道", "code": "230102002000"}}, token=bureau)
    error = await registry.error(REGISTER, filed(7, subdistrict="新阳路街道", community="共乐社区"), token=bureau)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.community"}
    assert "'共乐社区' is not a community of 新阳路街道" in error["message"]
    error = await registry.error(STATION, {"input": {"subdistrict": "新阳路街道", "community": "230102001001"}}, token=bureau)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.community"}


async def test_the_rows_keep_the_entry_they_picked(registry, onboarded, databases):
    bureau = onboarded[DAOLI]
    places = await daoli_gazetteer(registry, bureau)
    await registry.ok(REGISTER, filed(8, subdistrict="靖宇街道 ", community=" 共乐社区"), token=bureau)
    await registry.ok(STATION, {"input": {"subdistrict": places["sub"]["id"], "community": "共乐社区\u3000"}}, token=bureau)
    for table in ("social_organization", "service_station"):
        row = await databases["registry"].fetchrow(
            f"SELECT subdistrict, subdistrict_entry_id::text AS s, subdistrict_code, community, community_entry_id::text AS c, "
            f"community_code FROM {table}")
        assert dict(row) == {"subdistrict": "靖宇街道", "s": places["sub"]["id"], "subdistrict_code": "230102001000",
                             "community": "共乐社区", "c": places["com"]["id"], "community_code": "230102001001"}, table


async def by_subdistrict(registry, bureau: str) -> list[dict]:
    stats = await registry.ok("{ registryStats { bySubdistrict { code name organizations serviceStations } } }",
                              token=bureau)
    return stats["registryStats"]["bySubdistrict"]


async def test_registry_stats_group_by_the_gazetteer_subdistricts(registry, onboarded):
    bureau = onboarded[DAOLI]
    await daoli_gazetteer(registry, bureau)
    for n, sub in enumerate(("靖宇街道", " 靖宇街道", "230102001000")):
        await registry.ok(REGISTER, filed(10 + n, subdistrict=sub), token=bureau)
    assert (await registry.error(REGISTER, filed(20, subdistrict="靖于街道"), token=bureau))["extensions"]["field"] == "input.subdistrict"
    await registry.ok(STATION, {"input": {"subdistrict": "靖宇街道", "community": "共乐社区"}}, token=bureau)
    assert await by_subdistrict(registry, bureau) == [{"code": "230102001000", "name": "靖宇街道", "organizations": 3, "serviceStations": 1}]


async def test_the_rows_naming_a_renamed_place_follow_it(registry, onboarded):
    bureau = onboarded[DAOLI]
    places = await daoli_gazetteer(registry, bureau)
    await registry.ok(REGISTER, filed(30, subdistrict="靖宇街道", community="共乐社区"), token=bureau)
    await registry.ok(RENAME, {"id": places["sub"]["id"], "name": "靖宇新街道"}, token=bureau)
    await registry.ok(RENAME, {"id": places["com"]["id"], "name": "共乐新社区"}, token=bureau)
    orgs = (await registry.ok("{ organizations { edges { node { subdistrict community } } } }", token=bureau))["organizations"]
    assert [e["node"] for e in orgs["edges"]] == [{"subdistrict": "靖宇新街道", "community": "共乐新社区"}]


async def test_renaming_an_entry_keeps_one_row_in_the_statistics(registry, onboarded):
    bureau = onboarded[DAOLI]
    places = await daoli_gazetteer(registry, bureau)
    await registry.ok(REGISTER, filed(40, subdistrict="靖宇街道"), token=bureau)
    await registry.ok(RENAME, {"id": places["sub"]["id"], "name": "靖宇新街道"}, token=bureau)
    await registry.ok(REGISTER, filed(41, subdistrict="靖宇新街道"), token=bureau)
    await registry.ok(STATION, {"input": {"subdistrict": "230102001000", "community": "共乐社区"}}, token=bureau)
    assert await by_subdistrict(registry, bureau) == [{"code": "230102001000", "name": "靖宇新街道", "organizations": 2, "serviceStations": 1}]


async def test_a_retired_entry_and_a_new_one_of_its_name_stay_two_rows(registry, onboarded):
    bureau = onboarded[DAOLI]
    old = (await registry.ok(ADD, {"input": {"kind": "SUBDISTRICT", "name": "工农街道"}}, token=bureau))["addGazetteerEntry"]
    await registry.ok(REGISTER, filed(50, subdistrict="工农街道"), token=bureau)
    await registry.ok(RETIRE, {"id": old["id"]}, token=bureau)
    await registry.ok(ADD, {"input": {"kind": "SUBDISTRICT", "name": "工农街道", "code": "230102005000"}}, token=bureau)
    await registry.ok(REGISTER, filed(51, subdistrict="工农街道"), token=bureau)
    stats = (await registry.ok("{ registryStats { bySubdistrict { code name organizations } } }", token=bureau))["registryStats"]
    assert stats["bySubdistrict"] == [{"code": "230102005000", "name": "工农街道", "organizations": 1},
                                      {"code": None, "name": "工农街道", "organizations": 1}]
