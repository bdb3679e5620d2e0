"""Money stays right when the bureau's clerks click at the same moment."""

from __future__ import annotations

import asyncio

from tests.support import DAOLI, every_district
from services.funding.models import OutboxEvent

from .flow import DISBURSE, PROJECT, SCHEDULE, TODAY, awarded_project, know_organization


async def test_the_same_tranche_disbursed_twice_at_once_is_paid_once(funding, consumer, bureau):
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org, grant="100000.00", tranches=["60000.00", "40000.00"])
    first, second = await asyncio.gather(
        funding.post(DISBURSE, {"id": ids["tranches"][0]}, token=bureau[DAOLI]),
        funding.post(DISBURSE, {"id": ids["tranches"][0]}, token=bureau[DAOLI]),
    )
    outcomes = sorted(bool(body.get("errors")) for body in (first, second))
    assert outcomes == [False, True]
    refused = (first if first.get("errors") else second)["errors"][0]
    assert refused["extensions"]["code"] == "CONFLICT" and "already disbursed" in refused["message"]
    project = (await funding.ok(PROJECT, {"id": ids["project"]}, token=bureau[DAOLI]))["project"]
    assert project["disbursed"] == "60000.00"
    assert await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.tranche.disbursed").count() == 1


async def test_two_tranches_disbursed_at_once_both_count_and_never_overdraw(funding, consumer, bureau):
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org, grant="100000.00", tranches=["60000.00", "40000.00"])
    bodies = await asyncio.gather(
        *(funding.post(DISBURSE, {"id": tranche}, token=bureau[DAOLI]) for tranche in ids["tranches"])
    )
    assert all(not body.get("errors") for body in bodies), bodies
    project = (await funding.ok(PROJECT, {"id": ids["project"]}, token=bureau[DAOLI]))["project"]
    assert project["disbursed"] == "100000.00"
    # Each event reports the running total, so the two totals are 60000/100000 or 40000/100000.
    totals = sorted(e.payload["data"]["disbursedFen"] for e in await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.tranche.disbursed"))
    assert totals[-1] == 10_000_000 and totals[0] in (4_000_000, 6_000_000)


async def test_two_tranches_scheduled_at_once_cannot_promise_more_than_the_grant(funding, consumer, bureau):
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org, grant="100000.00", tranches=["20000.00"])
    bodies = await asyncio.gather(*(
        funding.post(SCHEDULE, {"input": {"projectId": ids["project"], "amount": "50000.00", "dueOn": TODAY}},
                     token=bureau[DAOLI])
        for _ in range(2)
    ))
    errors = [body["errors"][0] for body in bodies if body.get("errors")]
    assert len(errors) == 1
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.amount"}
    project = (await funding.ok(PROJECT, {"id": ids["project"]}, token=bureau[DAOLI]))["project"]
    assert sorted(t["amount"] for t in project["tranches"]) == ["20000.00", "50000.00"]
