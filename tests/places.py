"""The gazetteer the tests' districts keep: every need, organization, station and service record names an
entry of it, so a test seeds it first, as a bureau does after onboarding.

Two ways in, by what the test runs:
- through the API (`seed_gazetteer`): the registry's addGazetteerEntry, then `funding_knows_places` waits
  for funding's copy, which arrives by registry.gazetteer.changed over the broker;
- into funding alone (`seed_funding_copy`): the same events handed to funding's consumer, for funding's own
  tests, which run no registry.
"""

from __future__ import annotations

import uuid

import asyncpg

from services.common.events import Envelope

# The places the tests name, with illustrative codes under each district: subdistrict -> (its 3 digits, communities).
PLACES: dict[str, tuple[int, tuple[str, ...]]] = {
    "新阳路街道": (2, ("共乐社区", "新阳社区")),
    "抚顺街道": (3, ("新华社区", "兆麟社区", "安静社区")),
    "花园街道": (4, ("花园社区",)),
}

ADD = "mutation($input: GazetteerEntryInput!) { addGazetteerEntry(input: $input) { id name } }"


def subdistrict_code(district: str, n: int) -> str:
    return f"{district}{n:03d}000"


def entries(district: str, places: dict = PLACES) -> tuple[list[dict], list[dict]]:
    """addGazetteerEntry inputs: the subdistricts, then their communities (each naming its subdistrict's code)."""
    subs = [{"kind": "SUBDISTRICT", "name": s, "code": subdistrict_code(district, n)} for s, (n, _) in places.items()]
    coms = [{"kind": "COMMUNITY", "name": c, "code": f"{subdistrict_code(district, n)[:9]}{k:03d}",
             "subdistrict": subdistrict_code(district, n)}
            for s, (n, communities) in places.items() for k, c in enumerate(communities, start=1)]
    return subs, coms


def size(places: dict = PLACES) -> int:
    return len(places) + sum(len(c) for _, c in places.values())


async def seed_gazetteer(client, bureau_token: str, district: str, places: dict = PLACES, *,
                         wait_for_funding: bool = True) -> dict[str, str]:
    """The district's gazetteer added by its bureau through `client` (a subgraph's or the gateway's); with
    `wait_for_funding`, returns once funding's copy has it. Returns name -> entry id."""
    ids: dict[str, str] = {}
    for batch in entries(district, places):
        for entry in batch:
            added = (await client.ok(ADD, {"input": entry}, token=bureau_token))["addGazetteerEntry"]
            ids[added["name"]] = added["id"]
    if wait_for_funding:
        await funding_knows_places(district, len(ids))
    return ids


async def funding_knows_places(district: str, count: int, timeout: float = 15.0) -> None:
    """Waits until funding's copy of the district's gazetteer holds `count` active entries."""
    from services.common.data.db import database_name
    from services.common.kernel.config import admin_database_url, database_url

    from .support import wait_until

    base = admin_database_url().rsplit("/", 1)[0]
    conn = await asyncpg.connect(f"{base}/{database_name(database_url('funding'))}")
    try:
        async def known() -> bool:
            return await conn.fetchval("SELECT count(*) FROM known_place WHERE district = $1 AND retired_at IS NULL",
                                       district) >= count
        await wait_until(known, timeout=timeout)
    finally:
        await conn.close()


def place_envelope(district: str, entry_id: str, kind: str, name: str, code: str | None,
                   subdistrict_id: str | None = None, *, retired: bool = False) -> Envelope:
    """registry.gazetteer.changed as the registry emits it."""
    return Envelope(type="registry.gazetteer.changed", district=district, producer="registry",
                    data={"id": entry_id, "kind": kind, "code": code, "name": name, "subdistrictId": subdistrict_id,
                          "retired": retired})


async def seed_funding_copy(consumer, district: str, places: dict = PLACES) -> dict[str, str]:
    """Funding's copy of the district's gazetteer, handed to its consumer as the registry's events (one
    transaction, subdistricts before their communities); name -> id."""
    ids: dict[str, str] = {}
    subs, coms = entries(district, places)
    by_code: dict[str, str] = {}
    events = []
    for entry in subs:
        ids[entry["name"]] = by_code[entry["code"]] = str(uuid.uuid4())
        events.append(place_envelope(district, ids[entry["name"]], "SUBDISTRICT", entry["name"], entry["code"]))
    for entry in coms:
        ids[entry["name"]] = str(uuid.uuid4())
        events.append(place_envelope(district, ids[entry["name"]], "COMMUNITY", entry["name"], entry["code"],
                                     by_code[entry["subdistrict"]]))
    assert await consumer.handle_many(events) == len(events)
    return ids
