"""Webhooks through a receiver outage: alerts keep coming while the receiver is down; none is lost, none
arrives under two ids or twice, each recovery order's alerts arrive in order once it is back, and no
district's endpoint gets another district's alert. The platform's own queue does not back up meanwhile.

Full (`make proof`): 1,000 alerts, the receiver down 2 minutes. Short (`make test`): 100 alerts, 3 s.
The path is production's: alerts published on civic.events, the webhook intake's quorum queue, delivery
rows, the dispatcher's signed HTTP POSTs to a real receiver (uvicorn) that verifies every signature.
"""

from __future__ import annotations

import asyncio
import collections
import time
import uuid

import aio_pika

from services.common.events import Envelope
from services.common.events.topology import EXCHANGE, dead_letter_queue_name, queue_name
from services.common.kernel.config import amqp_url
from services.contracts import RecoveryOrdered, RecoverySettled
from services.funding.webhooks.intake import CONSUMER
from services.funding.webhooks.settings import WebhookSettings
from services.funding.webhooks.worker import WebhookWorker
from tests.support import DAOLI, NANGANG, GraphQLClient, purge_queues, token, wait_until
from tests.webhook_receiver import Receiver

from .report import full, record

ALERTS = 1000 if full() else 100
OUTAGE_SECONDS = 120.0 if full() else 3.0
# Backoff as production's in shape, shorter in scale: the retry window (24 h) is never reached here.
SETTINGS = WebhookSettings(retry_base_seconds=0.5 if full() else 0.05, retry_max_seconds=10.0 if full() else 0.5,
                           give_up_after_seconds=24 * 3600, poll_seconds=0.1, timeout_seconds=5)
REGISTER = "mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret } }"


def _alerts(district: str, orders: int) -> list[Envelope]:
    """Each order's ordered then settled alert, the orders interleaved as they would be across a day."""
    ids = [str(uuid.uuid4()) for _ in range(orders)]
    events = []
    for step in (0, 1):
        for order in ids:
            event = (RecoveryOrdered(order_id=order, project_id=str(uuid.uuid4()), project_title="p",
                                     organization_id=str(uuid.uuid4()), organization_name=None, amount_fen=100,
                                     reason="misused", ordered_at="2024-09-02T10:00:00+08:00", source="BUREAU",
                                     finding_id=None) if step == 0 else
                     RecoverySettled(order_id=order, project_id=str(uuid.uuid4()), organization_id=str(uuid.uuid4()),
                                     amount_fen=100, settled_at="2024-10-15T14:00:00+08:00"))
            events.append(Envelope(type=event.type, district=district, producer="funding", data=event.to_data()))
    return events


async def _publish(channel, exchange, envelopes: list[Envelope]) -> None:
    for envelope in envelopes:
        await exchange.publish(aio_pika.Message(envelope.to_bytes(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                                message_id=envelope.id, type=envelope.type),
                               routing_key=envelope.type)


async def _until(condition, timeout: float) -> None:
    async def check():
        return condition()
    await wait_until(check, timeout=timeout, interval=0.1)


async def test_a_receiver_down_during_alerts_loses_and_duplicates_nothing_and_gets_them_in_order(databases, broker):
    from services.common.runtime.subgraph import create_app
    from services.funding.service import service

    await purge_queues([queue_name(CONSUMER), dead_letter_queue_name(CONSUMER)])
    funding = GraphQLClient(create_app(service, manage_database=False, workers=False))
    receivers = {DAOLI: Receiver(), NANGANG: Receiver()}
    for district, receiver in receivers.items():
        data = await funding.ok(REGISTER, {"input": {"url": receiver.url, "eventTypes": ["RECOVERY_ORDERED", "RECOVERY_SETTLED"]}},
                                token=token(district, "bureau_admin"))
        receiver.secrets.append(data["registerWebhook"]["secret"])
    # Most alerts are Daoli's, whose receiver goes down; a few are Nangang's, whose receiver stays up.
    daoli = _alerts(DAOLI, ALERTS * 9 // 20)
    nangang = _alerts(NANGANG, ALERTS // 20)
    before, during = daoli[: len(daoli) // 5], daoli[len(daoli) // 5:]
    worker = WebhookWorker(amqp_url("funding"), SETTINGS, production=False)
    await worker.start()
    connection = await aio_pika.connect(amqp_url())
    depth_at_end_of_outage = None
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE)
        async with receivers[NANGANG].running():
            async with receivers[DAOLI].running():
                await _publish(channel, exchange, before)
                await _until(lambda: len(receivers[DAOLI].received) == len(before), timeout=120)
            down_at = time.monotonic()  # the receiver is stopped: its port refuses connections
            await _publish(channel, exchange, during + nangang)
            await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_at)))
            queue = await channel.declare_queue(queue_name(CONSUMER), passive=True)
            depth_at_end_of_outage = queue.declaration_result.message_count
            back_at = time.monotonic()
            async with receivers[DAOLI].running():
                await _until(lambda: len(receivers[DAOLI].received) >= len(daoli)
                             and len(receivers[NANGANG].received) >= len(nangang), timeout=600)
                caught_up = time.monotonic() - back_at
                await asyncio.sleep(1.0)  # anything extra (a duplicate) has had its chance to arrive
    finally:
        await connection.close()
        await worker.stop()
        await funding.close()

    lost = duplicated = crossed = out_of_order = 0
    for district, sent in ((DAOLI, daoli), (NANGANG, nangang)):
        got = receivers[district].ids()
        counts = collections.Counter(got)
        lost += len({e.id for e in sent} - set(counts))
        duplicated += sum(n - 1 for n in counts.values() if n > 1)
        crossed += sum(1 for r in receivers[district].received if r.body["district"] != district)
        per_order: dict[str, list[str]] = collections.defaultdict(list)
        for r in receivers[district].received:
            per_order[r.body["data"]["orderId"]].append(r.body["type"])
        out_of_order += sum(1 for types in per_order.values()
                            if types != ["funding.recovery.ordered", "funding.recovery.settled"])
    bad_signatures = sum(r.bad_signatures for r in receivers.values())
    failed_attempts = await databases["funding"].fetchval("SELECT count(*) FROM webhook_attempt WHERE error IS NOT NULL")
    total = len(daoli) + len(nangang)
    ok = (lost == duplicated == crossed == out_of_order == bad_signatures == 0 and depth_at_end_of_outage == 0
          and failed_attempts > 0)
    record("12", f"{total:,} fund-recovery alerts on civic.events to two districts' webhooks; Daoli's receiver down "
                 f"{OUTAGE_SECONDS:.0f} s while {len(during):,} of its {len(daoli):,} alerts arrived (backoff "
                 f"{SETTINGS.retry_base_seconds}-{SETTINGS.retry_max_seconds} s with jitter)",
           "0 lost, 0 duplicated ids, every order's alerts in order after it is back, 0 to another district, "
           "every signature valid, the webhook queue empty during the outage",
           f"{lost} lost, {duplicated} duplicated, {out_of_order} orders out of order, {crossed} crossed districts, "
           f"{bad_signatures} bad signatures; {failed_attempts:,} attempts refused by the stopped receiver; queue "
           f"depth at the end of the outage {depth_at_end_of_outage}; all delivered {caught_up:.1f} s after it came back",
           ok)
    assert ok, (lost, duplicated, out_of_order, crossed, bad_signatures, depth_at_end_of_outage)
