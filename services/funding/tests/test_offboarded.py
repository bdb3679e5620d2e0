"""An offboarded district's tokens write nothing in funding either, from its directory's copy."""

from __future__ import annotations

import datetime as dt

import pytest

from services.common.events import Envelope
from services.common.events.handlers import Refused
from tests.support import DAOLI, HARBIN

from .flow import CRITERIA, OPEN

ROUND = {"input": {"name": "创投", "year": 2024, "budget": "100000.00", "criteria": CRITERIA, "minReviews": 1,
                   "noticeDays": 7}}


def changed(offboarded_at: str | None) -> Envelope:
    return Envelope(type="registry.district.changed", district=DAOLI, producer="registry",
                    data={"code": DAOLI, "name": "道里区", "cityCode": HARBIN, "offboardedAt": offboarded_at})


async def test_a_mutation_in_an_offboarded_district_is_forbidden_and_reads_still_answer(funding, consumer, bureau, databases):
    await funding.ok(OPEN, ROUND, token=bureau[DAOLI])
    assert await consumer.handle(changed(dt.datetime.now(dt.timezone.utc).isoformat()))
    error = await funding.error(OPEN, ROUND, token=bureau[DAOLI])
    assert error["extensions"] == {"code": "FORBIDDEN", "field": "district"}
    assert await databases["funding"].fetchval("SELECT count(*) FROM funding_round") == 1
    data = await funding.ok("{ fundingRounds { edges { node { name } } } }", token=bureau[DAOLI])
    assert len(data["fundingRounds"]["edges"]) == 1


async def test_a_district_changed_event_of_a_code_that_is_no_district_is_refused(consumer, databases):
    bad = Envelope(type="registry.district.changed", district="230100", producer="registry",
                   data={"code": "230100", "name": "市辖区", "cityCode": HARBIN, "offboardedAt": None})
    with pytest.raises(Refused, match="市辖区"):  # the broker path dead-letters it with this reason
        await consumer.handle(bad)
    assert await databases["funding"].fetchval("SELECT count(*) FROM district_directory") == 0
