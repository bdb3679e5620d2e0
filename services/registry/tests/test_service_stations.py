"""A station is compliant (五有) when it has all five haves; the filter's `compliant: false` lists every
station lacking any one of them, not only those lacking all five."""

from __future__ import annotations

from tests.support import DAOLI

STATION = """mutation($input: ServiceStationInput!) { upsertServiceStation(input: $input) { id compliant } }"""
BY_COMPLIANCE = """query($compliant: Boolean) { serviceStations(filter: {compliant: $compliant}) {
  totalCount edges { node { community compliant } } } }"""
HAVES = ("hasStaffAtWindow", "hasNamePlate", "hasComputer", "hasArchiveCabinet", "hasArchiveMaterials")


async def test_the_compliance_filter_splits_stations_by_all_five_haves(registry, districts):
    admin = districts[DAOLI]
    stations = {"兆麟社区": set(HAVES), "安静社区": set(HAVES) - {"hasComputer"}, "新华社区": set()}
    for community, haves in stations.items():
        made = await registry.ok(STATION, {"input": {"subdistrict": "抚顺街道", "community": community}
                                           | {have: have in haves for have in HAVES}}, token=admin)
        assert made["upsertServiceStation"]["compliant"] is (haves == set(HAVES))

    async def communities(compliant):
        page = (await registry.ok(BY_COMPLIANCE, {"compliant": compliant}, token=admin))["serviceStations"]
        assert page["totalCount"] == len(page["edges"])
        return {edge["node"]["community"]: edge["node"]["compliant"] for edge in page["edges"]}

    assert await communities(True) == {"兆麟社区": True}
    assert await communities(False) == {"安静社区": False, "新华社区": False}
    assert await communities(None) == {"兆麟社区": True, "安静社区": False, "新华社区": False}
