"""registry.district.onboarded through the real consumer: a district of another city, or a payload its
contract does not parse, is refused (to the dead-letter queue with its reason) and never enters the
directory; a sound one does."""

from __future__ import annotations

import aio_pika
import pytest

from services.common.kernel.config import amqp_url
from services.common.events import Envelope
from services.common.events.consumer import REFUSED_HEADER, EventConsumer
from services.common.events.topology import EXCHANGE, dead_letter_queue_name
from tests.support import DAOLI, HARBIN, wait_until
from services.contracts import DistrictOnboarded

DISTRICT_ONBOARDED = DistrictOnboarded.type


def onboarded(code: str, city: str, district: str | None = None) -> Envelope:
    return Envelope(type=DISTRICT_ONBOARDED, district=district or code, producer="registry",
                    data={"code": code, "name": "某区", "cityCode": city})


@pytest.mark.parametrize("service", ["funding", "evaluation"])
async def test_a_district_outside_its_city_is_dead_lettered_with_its_reason_and_never_enters_the_directory(
        databases, broker, service):
    definition = __import__(f"services.{service}.service", fromlist=["service"]).service
    consumer = EventConsumer(name=service, connection=service, inbox=definition.models.inbox,
                             handlers=definition.handlers, amqp_url=amqp_url(service))
    await consumer.start()
    publisher = await aio_pika.connect(amqp_url())
    try:
        channel = await publisher.channel()
        exchange = await channel.get_exchange(EXCHANGE)
        unparsed = Envelope(type=DISTRICT_ONBOARDED, district=DAOLI, producer="registry", data={"code": DAOLI, "name": "x"})
        refused = [onboarded("110101", HARBIN), onboarded(DAOLI, HARBIN, district="230103"), unparsed]
        for envelope in [*refused, onboarded(DAOLI, HARBIN)]:
            await exchange.publish(aio_pika.Message(envelope.to_bytes()), routing_key=DISTRICT_ONBOARDED)
        dlq = await channel.declare_queue(dead_letter_queue_name(service), passive=True)
        await wait_until(lambda: _count(dlq, 3), timeout=20)
        await wait_until(lambda: _directory(databases[service], [DAOLI]))
        reasons = {}
        for _ in refused:
            message = await dlq.get(no_ack=True)
            reasons[Envelope.from_bytes(message.body).id] = message.headers[REFUSED_HEADER]
    finally:
        await consumer.close()
        await publisher.close()
    assert reasons == {refused[0].id: "district 110101 does not belong to city 2301",
                       refused[1].id: "district 230102 onboarded by an event of district 230103",
                       refused[2].id: "registry.district.onboarded: 'cityCode' is missing"}
    assert consumer.dead_lettered == 3
    # Refused at once: not retried up to the delivery limit, and no inbox row was kept for them.
    assert await databases[service].fetchval("SELECT count(*) FROM inbox") == 1


async def _count(queue, expected: int) -> bool:
    return (await queue.declare()).message_count >= expected


async def _directory(admin, codes: list[str]) -> bool:
    return [r["code"] for r in await admin.fetch("SELECT code FROM district_directory ORDER BY code")] == codes
