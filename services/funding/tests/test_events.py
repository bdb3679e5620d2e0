"""Events from the registry and evaluation take effect exactly once."""

from __future__ import annotations

import aio_pika

from services.common.kernel.config import amqp_url
from services.common.events.topology import EXCHANGE
from services.common.data.tenancy import tenant_transaction
from tests.support import DAOLI, wait_until, every_district
from services.common.runtime.workers import ServiceWorkers
from services.funding.models import InboxEvent, OutboxEvent
from services.funding.service import service

from .flow import DISBURSE, PROJECT, awarded_project, know_organization, organization_envelope, violation_envelope


async def _disbursed_project(funding, consumer, bureau) -> dict:
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org, grant="100000.00", tranches=["60000.00", "40000.00"])
    await funding.ok(DISBURSE, {"id": ids["tranches"][0]}, token=bureau[DAOLI])
    return ids


async def _orders(funding, bureau, project_id) -> list[dict]:
    return (await funding.ok(PROJECT, {"id": project_id}, token=bureau[DAOLI]))["project"]["recoveryOrders"]


async def test_a_redelivered_violation_opens_one_recovery_order(funding, consumer, bureau):
    ids = await _disbursed_project(funding, consumer, bureau)
    envelope = violation_envelope(DAOLI, ids["project"], 1_000_000)
    assert await consumer.handle(envelope) is True
    assert await consumer.handle(envelope) is False
    orders = await _orders(funding, bureau, ids["project"])
    assert [(o["amount"], o["source"], o["status"]) for o in orders] == [("10000.00", "EVALUATION", "OPEN")]
    assert await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.recovery.ordered").count() == 1


async def test_the_same_finding_resent_under_a_new_event_id_opens_no_second_order(funding, consumer, bureau):
    ids = await _disbursed_project(funding, consumer, bureau)
    first = violation_envelope(DAOLI, ids["project"], 1_000_000, finding_id="finding-7")
    again = violation_envelope(DAOLI, ids["project"], 1_000_000, finding_id="finding-7")
    assert first.id != again.id
    await consumer.handle(first)
    await consumer.handle(again)
    assert len(await _orders(funding, bureau, ids["project"])) == 1


async def test_a_violation_larger_than_what_was_disbursed_is_capped_and_says_so(funding, consumer, bureau):
    ids = await _disbursed_project(funding, consumer, bureau)
    await consumer.handle(violation_envelope(DAOLI, ids["project"], 9_000_000))
    [order] = await _orders(funding, bureau, ids["project"])
    assert order["amount"] == "60000.00"
    assert "finding names 90000.00 yuan; capped to 60000.00 yuan" in order["reason"]


async def test_the_same_message_published_twice_through_the_broker_takes_effect_once(funding, consumer, bureau):
    ids = await _disbursed_project(funding, consumer, bureau)
    envelope = violation_envelope(DAOLI, ids["project"], 500_000)
    workers = ServiceWorkers(service)
    await workers.start()
    try:
        connection = await aio_pika.connect(amqp_url())
        async with connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange(EXCHANGE)
            for _ in range(2):
                await exchange.publish(aio_pika.Message(body=envelope.to_bytes()), routing_key=envelope.type)
        await wait_until(lambda: _handled_twice(workers))
    finally:
        await workers.stop()
    assert workers.consumer.handled == 1 and workers.consumer.duplicates == 1
    assert [o["amount"] for o in await _orders(funding, bureau, ids["project"])] == ["5000.00"]
    async with tenant_transaction("funding", [envelope.district]):  # the inbox is under row-level security
        assert await InboxEvent.filter(event_id=envelope.id).count() == 1


async def _handled_twice(workers) -> bool:
    return workers.consumer.handled + workers.consumer.duplicates >= 2


async def test_a_suspension_from_the_registry_stops_disbursement_and_new_awards(funding, consumer, bureau):
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org, grant="100000.00", tranches=["60000.00", "40000.00"])
    await consumer.handle(organization_envelope(DAOLI, org_id=org, status="SUSPENDED",
                                                event="registry.organization.status_changed"))
    # A registration event that arrives late does not undo the suspension.
    await consumer.handle(organization_envelope(DAOLI, org_id=org))
    refused = await funding.error(DISBURSE, {"id": ids["tranches"][0]}, token=bureau[DAOLI])
    assert refused["extensions"]["code"] == "CONFLICT" and "SUSPENDED" in refused["message"]
    project = (await funding.ok(PROJECT, {"id": ids["project"]}, token=bureau[DAOLI]))["project"]
    assert project["disbursed"] == "0.00" and [t["status"] for t in project["tranches"]] == ["PLANNED", "PLANNED"]
    assert await OutboxEvent.all(using_db=every_district("funding")).filter(type="funding.tranche.disbursed").count() == 0


async def test_a_violation_for_a_project_of_another_district_changes_nothing(funding, consumer, bureau):
    ids = await _disbursed_project(funding, consumer, bureau)
    # The envelope's district sets the tenant; Nangang's consumer transaction cannot see Daoli's project.
    assert await consumer.handle(violation_envelope("230103", ids["project"], 500_000))
    assert await _orders(funding, bureau, ids["project"]) == []
