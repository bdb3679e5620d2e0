"""reportServiceRecords: many records in one call, under the same rules, all or none."""

from __future__ import annotations

from tests.support import DAOLI, token, every_district
from services.funding.models import OutboxEvent

from .flow import PROJECT, TODAY, awarded_project, know_organization

RECORDS = "mutation($input: [ServiceRecordInput!]!) { reportServiceRecords(input: $input) { id beneficiary personTimes } }"


async def test_a_batch_of_service_records_counts_like_the_single_records_it_holds(funding, consumer, bureau):
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org)
    batch = [{"projectId": ids["project"], "community": "共乐社区", "serviceDate": TODAY, "beneficiary": f"GL-{n % 3}",
              "personTimes": n + 1} for n in range(5)]
    created = (await funding.ok(RECORDS, {"input": batch}, token=token(DAOLI, "org_member", org=org)))["reportServiceRecords"]
    assert [r["personTimes"] for r in created] == [1, 2, 3, 4, 5]
    project = (await funding.ok(PROJECT, {"id": ids["project"]}, token=bureau[DAOLI]))["project"]
    assert (project["beneficiaries"], project["personTimes"], project["serviceRecords"]["totalCount"]) == (3, 15, 5)
    assert await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.service_record.reported").count() == 5


async def test_one_bad_record_rejects_the_whole_batch(funding, consumer, bureau):
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org)
    good = {"projectId": ids["project"], "community": "共乐社区", "serviceDate": TODAY, "beneficiary": "GL-1", "personTimes": 2}
    error = await funding.error(RECORDS, {"input": [good, {**good, "personTimes": 0}]}, token=token(DAOLI, "org_member", org=org))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.personTimes"}
    project = (await funding.ok(PROJECT, {"id": ids["project"]}, token=bureau[DAOLI]))["project"]
    assert project["serviceRecords"]["totalCount"] == 0
    assert await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.service_record.reported").count() == 0
