"""The demo loader, on a scaled-down figure set: the source's arithmetic, read back through the gateway."""

from __future__ import annotations

import pytest

from services.demo import figures as F
from services.demo.load import load, plan


def test_the_plan_reproduces_the_source_figures():
    p = plan(F.SOURCE)
    registered = [o for o in p.organizations if o.registration == "REGISTERED"]
    incubator = [o for o in p.organizations if o.stage]
    assert sum(e.needs for e in p.entries) == 88 and len(p.entries) == 42
    assert sum(e.requested_yuan for e in p.entries if e.selected) == 2_000_000
    assert sum(e.selected for e in p.entries) == 17
    assert (len(incubator), sum(o.registration == "REGISTERED" for o in incubator)) == (28, 6)
    assert all(o.party != "NONE" for o in registered)
    assert [sum(o.party == k for o in p.organizations) for k in ("INDEPENDENT", "JOINT")] == [14, 17]
    assert len(set(p.stations)) == 131
    assert [sum(d[i] for d in p.delivery) for i in (0, 1)] == [13_430, 498_370]
    assert {c for e in p.entries[:17] for c in F.SERVED[e.subdistrict]} == {c for cs in F.SERVED.values() for c in cs}


async def test_the_scaled_demo_loads_through_the_gateway_and_a_second_load_changes_nothing(gateway):
    figures = F.SOURCE.scaled(0.01)
    first = await load(gateway.base, scale=0.01, log=lambda *_: None)
    assert first == figures.headline()
    messages = []
    again = await load(gateway.base, scale=0.01, log=messages.append)
    assert again == first
    assert any("already there" in m for m in messages)
    # The demo's people are accounts: the development sign-in lists them, and signing in as Daoli's bureau
    # admin (a token with standard claims only) reads Daoli's figures.
    config = (await gateway.http.get("/auth/config")).json()
    people = {(a["subject"], a["district"]): a["roles"] for a in config["accounts"]}
    assert people[("demo-city-admin", "230100")] == ["city_admin"]
    assert people[("demo-bureau-admin", F.DISTRICT_CODE)] == ["bureau_admin"]
    assert people[("demo-bureau-admin-230103", "230103")] == ["bureau_admin"]
    assert [s for (s, _), r in people.items() if r == ["reviewer"]] == [f"demo-panel-{i}" for i in range(len(F.PANEL))]
    assert people[("demo-org-member", F.DISTRICT_CODE)] == ["org_member"]
    assert people[("demo-evaluator", F.DISTRICT_CODE)] == ["evaluator"]
    signed_in = (await gateway.http.post("/auth/dev/token", json={"subject": "demo-bureau-admin"})).json()["token"]
    seen = await gateway.ok("{ registryStats { organizations } }", token=signed_in)
    assert seen["registryStats"]["organizations"] == len(plan(figures).organizations)
