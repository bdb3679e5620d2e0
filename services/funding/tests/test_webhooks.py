"""Webhooks for fund-recovery alerts, against a real HTTP receiver that verifies Standard Webhooks signatures."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest

from services.common.events import Envelope
from services.common.events.consumer import EventConsumer
from services.common.kernel.config import amqp_url
from services.contracts import RecoveryOrdered, RecoverySettled
from services.funding.models import InboxEvent, WebhookDelivery
from services.funding.webhooks.dispatcher import WebhookDispatcher
from services.funding.webhooks.endpoints import EndpointRefused, check_endpoint
from services.funding.webhooks.intake import CONSUMER, handlers
from services.funding.webhooks.settings import WebhookSettings
from tests.support import DAOLI, HARBIN, NANGANG, token, wait_until
from tests.webhook_receiver import Receiver

FAST = WebhookSettings(retry_base_seconds=0.05, retry_max_seconds=0.2, give_up_after_seconds=30,
                       poll_seconds=0.05, timeout_seconds=5)

REGISTER = """mutation($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { secret subscription { id url eventTypes district city active } } }"""
LOG = """query($id: ID!) { webhookDeliveries(subscriptionId: $id, first: 100) { totalCount edges { node {
  id eventId eventType orderId status attemptCount lastStatusCode nextAttemptAt
  attempts { number statusCode latencyMs error nextRetryAt } } } } }"""


@pytest.fixture
def intake(databases) -> EventConsumer:
    """The webhook intake's consumer, handed envelopes directly (`handle` is what the broker path calls)."""
    return EventConsumer(name=CONSUMER, connection="funding", inbox=InboxEvent, handlers=handlers, amqp_url=amqp_url())


async def until(condition, timeout: float = 30.0) -> None:
    async def check():
        return condition()
    await wait_until(check, timeout=timeout)


@contextlib.asynccontextmanager
async def dispatching(settings: WebhookSettings = FAST):
    dispatcher = WebhookDispatcher(settings, production=False)
    task = asyncio.create_task(dispatcher.run())
    try:
        yield dispatcher
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await dispatcher.close()


def ordered(district: str, order_id: str, n: int = 0) -> Envelope:
    event = RecoveryOrdered(
        order_id=order_id, project_id=str(uuid.uuid4()), project_title=f"project {n}", organization_id=str(uuid.uuid4()),
        organization_name="助老中心", amount_fen=1000 + n, reason="misused", ordered_at="2024-09-02T10:00:00+08:00",
        source="BUREAU", finding_id=None)
    return Envelope(type=event.type, district=district, producer="funding", data=event.to_data())


def settled(district: str, order_id: str) -> Envelope:
    event = RecoverySettled(order_id=order_id, project_id=str(uuid.uuid4()), organization_id=str(uuid.uuid4()),
                            amount_fen=1000, settled_at="2024-10-15T14:00:00+08:00")
    return Envelope(type=event.type, district=district, producer="funding", data=event.to_data())


async def register(funding, receiver: Receiver, bearer: str, types=("RECOVERY_ORDERED", "RECOVERY_SETTLED")) -> str:
    data = await funding.ok(REGISTER, {"input": {"url": receiver.url, "eventTypes": list(types)}}, token=bearer)
    receiver.secrets.append(data["registerWebhook"]["secret"])
    assert data["registerWebhook"]["secret"].startswith("whsec_")
    return data["registerWebhook"]["subscription"]["id"]


async def test_an_alert_is_delivered_signed_with_the_event_id_as_webhook_id(funding, intake, bureau):
    receiver = Receiver()
    subscription = await register(funding, receiver, bureau[DAOLI])
    alert = ordered(DAOLI, str(uuid.uuid4()))
    async with receiver.running(), dispatching() as dispatcher:
        await intake.handle(alert)
        await until(lambda: dispatcher.sent == 1)
    got = receiver.received[0]
    assert got.webhook_id == alert.id and got.body == alert.to_dict()
    log = (await funding.ok(LOG, {"id": subscription}, token=bureau[DAOLI]))["webhookDeliveries"]
    node = log["edges"][0]["node"]
    assert node["status"] == "DELIVERED" and node["eventId"] == alert.id and node["attempts"][0]["statusCode"] == 204


async def test_an_alert_arriving_twice_is_one_delivery(funding, intake, bureau):
    receiver = Receiver()
    subscription = await register(funding, receiver, bureau[DAOLI])
    alert = ordered(DAOLI, str(uuid.uuid4()))
    assert await intake.handle(alert) is True
    assert await intake.handle(alert) is False
    assert (await funding.ok(LOG, {"id": subscription}, token=bureau[DAOLI]))["webhookDeliveries"]["totalCount"] == 1


async def test_a_receiver_that_fails_then_recovers_gets_every_alert_in_order_per_recovery_order(funding, intake, bureau):
    receiver = Receiver(fail_next=4)
    subscription = await register(funding, receiver, bureau[DAOLI])
    order_a, order_b = str(uuid.uuid4()), str(uuid.uuid4())
    alerts = [ordered(DAOLI, order_a), ordered(DAOLI, order_b), settled(DAOLI, order_a), settled(DAOLI, order_b)]
    for alert in alerts:
        await intake.handle(alert)
    async with receiver.running(), dispatching() as dispatcher:
        await until(lambda: dispatcher.sent == 4, timeout=30)
    assert receiver.refused == 4 and sorted(receiver.ids()) == sorted(a.id for a in alerts)
    for order in (order_a, order_b):
        seen = [r.body["type"] for r in receiver.received if r.body["data"]["orderId"] == order]
        assert seen == ["funding.recovery.ordered", "funding.recovery.settled"]
    nodes = [e["node"] for e in (await funding.ok(LOG, {"id": subscription}, token=bureau[DAOLI]))["webhookDeliveries"]["edges"]]
    assert all(n["status"] == "DELIVERED" for n in nodes)
    retried = [n for n in nodes if n["attemptCount"] > 1]
    assert retried and retried[0]["attempts"][0]["statusCode"] == 503 and retried[0]["attempts"][0]["nextRetryAt"]


async def test_a_delivery_that_never_succeeds_is_failed_when_its_retry_window_ends_and_can_be_replayed(funding, intake, bureau):
    receiver = Receiver(fail_next=10_000)
    subscription = await register(funding, receiver, bureau[DAOLI])
    alert = ordered(DAOLI, str(uuid.uuid4()))
    await intake.handle(alert)
    short = WebhookSettings(retry_base_seconds=0.05, retry_max_seconds=0.1, give_up_after_seconds=0.5, poll_seconds=0.05)
    async with receiver.running(), dispatching(short):
        async def failed():
            log = await funding.ok(LOG, {"id": subscription}, token=bureau[DAOLI])
            return log["webhookDeliveries"]["edges"][0]["node"]["status"] == "FAILED"
        await wait_until(failed, timeout=20)
        node = (await funding.ok(LOG, {"id": subscription}, token=bureau[DAOLI]))["webhookDeliveries"]["edges"][0]["node"]
        assert node["attemptCount"] >= 2 and node["nextAttemptAt"] is None and node["lastStatusCode"] == 503
        shown = await funding.ok("query($id: ID!) { webhookSubscription(id: $id) { deliveryCounts { pending delivered failed } } }",
                                 {"id": subscription}, token=bureau[DAOLI])
        assert shown["webhookSubscription"]["deliveryCounts"] == {"pending": 0, "delivered": 0, "failed": 1}
        receiver.fail_next = 0
        replayed = await funding.ok("mutation($id: ID!) { replayWebhookDelivery(id: $id) { status eventId } }",
                                    {"id": node["id"]}, token=bureau[DAOLI])
        assert replayed["replayWebhookDelivery"] == {"status": "PENDING", "eventId": alert.id}
        await until(lambda: receiver.received)
    assert receiver.ids() == [alert.id]  # the same webhook-id as every earlier attempt


async def test_a_districts_subscription_never_receives_another_districts_alert(funding, intake, bureau):
    daoli, nangang = Receiver(), Receiver()
    await register(funding, daoli, bureau[DAOLI])
    nangang_subscription = await register(funding, nangang, bureau[NANGANG])
    ours, theirs = ordered(DAOLI, str(uuid.uuid4())), ordered(NANGANG, str(uuid.uuid4()))
    async with daoli.running(), nangang.running(), dispatching():
        await intake.handle(ours)
        await intake.handle(theirs)
        await until(lambda: daoli.received and nangang.received)
    assert daoli.ids() == [ours.id] and nangang.ids() == [theirs.id]
    # Nor does a bureau see another district's subscription or its log.
    assert (await funding.ok("{ webhookSubscriptions { id } }", token=bureau[DAOLI]))["webhookSubscriptions"] != []
    other = await funding.post(LOG, {"id": nangang_subscription}, token=bureau[DAOLI])
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_city_admins_subscription_receives_every_district_of_its_city_and_no_bureau_sees_it(funding, intake, bureau):
    city = token(None, "city_admin", city=HARBIN)
    receiver = Receiver()
    data = await funding.ok(REGISTER, {"input": {"url": receiver.url, "eventTypes": ["RECOVERY_ORDERED"]}}, token=city)
    receiver.secrets.append(data["registerWebhook"]["secret"])
    assert data["registerWebhook"]["subscription"]["district"] is None
    assert data["registerWebhook"]["subscription"]["city"] == HARBIN
    alerts = [ordered(DAOLI, str(uuid.uuid4())), ordered(NANGANG, str(uuid.uuid4())), ordered("120101", str(uuid.uuid4()))]
    async with receiver.running(), dispatching():
        for alert in alerts:
            await intake.handle(alert)
        await until(lambda: len(receiver.received) == 2)
        await asyncio.sleep(0.3)  # the other city's alert has had its chance to arrive
    assert sorted(receiver.ids()) == sorted(a.id for a in alerts[:2])
    assert (await funding.ok("{ webhookSubscriptions { id } }", token=bureau[DAOLI]))["webhookSubscriptions"] == []
    assert len((await funding.ok("{ webhookSubscriptions { id } }", token=city))["webhookSubscriptions"]) == 1


async def test_a_rotated_secret_signs_beside_the_old_one_during_the_grace_period(funding, intake, bureau):
    receiver = Receiver()
    subscription = await register(funding, receiver, bureau[DAOLI])
    old = receiver.secrets[0]
    rotated = await funding.ok("mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret subscription { previousSecretValidUntil } } }",
                               {"id": subscription}, token=bureau[DAOLI])
    new = rotated["rotateWebhookSecret"]["secret"]
    assert new != old and rotated["rotateWebhookSecret"]["subscription"]["previousSecretValidUntil"]
    receiver.secrets.append(new)
    async with receiver.running(), dispatching():
        await intake.handle(ordered(DAOLI, str(uuid.uuid4())))
        await until(lambda: receiver.received)
    got = receiver.received[0]
    assert len(got.signatures) == 2 and set(got.verified_with) == {old, new}


async def test_a_test_event_is_sent_signed_and_logged(funding, bureau):
    receiver = Receiver()
    subscription = await register(funding, receiver, bureau[DAOLI])
    async with receiver.running(), dispatching():
        sent = await funding.ok("mutation($id: ID!) { sendTestWebhookEvent(id: $id) { eventId eventType status } }",
                                {"id": subscription}, token=bureau[DAOLI])
        await until(lambda: receiver.received)
    assert receiver.received[0].body["type"] == "webhook.test"
    assert receiver.ids() == [sent["sendTestWebhookEvent"]["eventId"]]


async def test_bad_input_is_refused_with_its_field_and_changes_nothing(funding, bureau):
    bad = await funding.post(REGISTER, {"input": {"url": "ftp://example.org/x", "eventTypes": ["RECOVERY_ORDERED"]}},
                             token=bureau[DAOLI])
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and bad["errors"][0]["extensions"]["field"] == "input.url"
    none = await funding.post(REGISTER, {"input": {"url": "https://example.org/x", "eventTypes": []}}, token=bureau[DAOLI])
    assert none["errors"][0]["extensions"]["field"] == "input.eventTypes"
    many = await funding.post(REGISTER, {"input": {"url": "https://example.org/x", "eventTypes": ["RECOVERY_ORDERED"] * 4}},
                              token=bureau[DAOLI])
    assert many["errors"][0]["extensions"]["field"] == "input.eventTypes"
    officer = await funding.post(REGISTER, {"input": {"url": "https://example.org/x", "eventTypes": ["RECOVERY_ORDERED"]}},
                                 token=token(DAOLI, "subdistrict_officer"))
    assert officer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await funding.ok("{ webhookSubscriptions { id } }", token=bureau[DAOLI]))["webhookSubscriptions"] == []


@pytest.mark.parametrize("url", [
    "http://example.org/hook",  # not https
    "https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://169.254.169.254/latest", "https://[::1]/hook",
    "https://192.168.0.10/hook", "https://localhost/hook", "https://[::ffff:10.0.0.1]/hook",
])
async def test_production_refuses_endpoints_that_are_not_https_on_a_public_address(url):
    with pytest.raises(EndpointRefused):
        await check_endpoint(url, production=True)


async def test_production_accepts_a_public_https_endpoint_and_development_a_local_one():
    assert await check_endpoint("https://1.1.1.1/hook", production=True) == "https://1.1.1.1/hook"
    assert await check_endpoint("http://127.0.0.1:9000/hook", production=False) == "http://127.0.0.1:9000/hook"


async def test_the_application_role_without_a_district_sees_no_webhook_rows(funding, intake, bureau):
    from tortoise import connections

    await register(funding, Receiver(), bureau[DAOLI])
    await intake.handle(ordered(DAOLI, str(uuid.uuid4())))
    for table in ("webhook_subscription", "webhook_delivery"):
        rows = await connections.get("funding").execute_query_dict(f"SELECT count(*) AS n FROM {table}")
        assert rows[0]["n"] == 0, table
    assert await WebhookDelivery.all().count() == 0


@pytest.fixture
async def funding_with_workers(databases, broker, monkeypatch):
    """Funding as it runs: relay, consumer and the webhook worker (intake queue + dispatcher) on the broker."""
    import httpx

    from services.common.events.topology import dead_letter_queue_name, queue_name
    from services.common.runtime.subgraph import create_app
    from services.funding.service import service
    from tests.support import GraphQLClient, purge_queues

    await purge_queues([queue_name(CONSUMER), dead_letter_queue_name(CONSUMER)])  # earlier tests' alerts
    for name, value in (("WEBHOOK_RETRY_BASE_SECONDS", "0.05"), ("WEBHOOK_RETRY_MAX_SECONDS", "0.2"),
                        ("WEBHOOK_POLL_SECONDS", "0.05")):
        monkeypatch.setenv(name, value)
    app = create_app(service, manage_database=False, workers=True)
    async with app.router.lifespan_context(app):
        client = GraphQLClient(app)
        yield client
        await client.close()


async def test_an_order_and_its_settlement_reach_the_receiver_through_outbox_broker_and_the_webhook_queue(
        funding_with_workers, consumer, bureau):
    from .flow import DISBURSE, ORDER, SETTLE, awarded_project, know_organization

    funding = funding_with_workers
    receiver = Receiver(fail_next=1)
    subscription = await register(funding, receiver, bureau[DAOLI])
    org = await know_organization(consumer, DAOLI)
    ids = await awarded_project(funding, bureau[DAOLI], DAOLI, org)
    await funding.ok(DISBURSE, {"id": ids["tranches"][0]}, token=bureau[DAOLI])
    async with receiver.running():
        order = (await funding.ok(ORDER, {"input": {"projectId": ids["project"], "amount": "100.00", "reason": "违规"}},
                                  token=bureau[DAOLI]))["orderRecovery"]
        await funding.ok(SETTLE, {"id": order["id"]}, token=bureau[DAOLI])
        await until(lambda: len(receiver.received) == 2)
    assert [r.body["type"] for r in receiver.received] == ["funding.recovery.ordered", "funding.recovery.settled"]
    assert {r.body["data"]["orderId"] for r in receiver.received} == {order["id"]}
    assert all(r.body["district"] == DAOLI and r.body["data"]["amountFen"] == 10000 for r in receiver.received)
    log = (await funding.ok(LOG, {"id": subscription}, token=bureau[DAOLI]))["webhookDeliveries"]
    assert [e["node"]["eventId"] for e in log["edges"]] == receiver.ids()


async def test_production_connects_to_the_address_it_checked_with_the_name_kept_for_host_and_tls():
    from services.funding.webhooks.endpoints import pinned

    target = await pinned("https://1.1.1.1:8443/hook?x=1")
    assert target.url == "https://1.1.1.1:8443/hook?x=1" and target.host_header == "1.1.1.1:8443"
    assert target.sni_hostname == "1.1.1.1"
    with pytest.raises(EndpointRefused):
        await pinned("https://127.0.0.1/hook")


async def test_a_disabled_webhook_gets_nothing_more_and_its_pending_deliveries_are_failed(funding, intake, bureau):
    receiver = Receiver()
    subscription = await register(funding, receiver, bureau[DAOLI])
    await intake.handle(ordered(DAOLI, str(uuid.uuid4())))  # pending: no dispatcher runs yet
    disabled = await funding.ok("mutation($id: ID!) { disableWebhook(id: $id) { active disabledAt } }",
                                {"id": subscription}, token=bureau[DAOLI])
    assert disabled["disableWebhook"]["active"] is False
    await intake.handle(ordered(DAOLI, str(uuid.uuid4())))  # after disabling: no delivery at all
    async with receiver.running(), dispatching():
        await asyncio.sleep(0.5)
    assert receiver.received == []
    log = (await funding.ok(LOG, {"id": subscription}, token=bureau[DAOLI]))["webhookDeliveries"]
    assert log["totalCount"] == 1 and log["edges"][0]["node"]["status"] == "FAILED"
    refused = await funding.post("mutation($id: ID!) { sendTestWebhookEvent(id: $id) { id } }", {"id": subscription},
                                 token=bureau[DAOLI])
    assert refused["errors"][0]["extensions"]["code"] == "CONFLICT"


async def test_a_city_admin_manages_its_citys_webhook_and_reads_its_log(funding, intake, consumer):
    from services.contracts import DistrictOnboarded

    for code in (DAOLI, NANGANG):  # a city admin's districts are those the directory knows
        await consumer.handle(Envelope(type=DistrictOnboarded.type, district=code, producer="registry",
                                       data=DistrictOnboarded(code=code, name=code, city_code=HARBIN).to_data()))
    city = token(None, "city_admin", city=HARBIN)
    receiver = Receiver()
    data = await funding.ok(REGISTER, {"input": {"url": receiver.url, "eventTypes": ["RECOVERY_SETTLED"]}}, token=city)
    subscription = data["registerWebhook"]["subscription"]["id"]
    rotated = await funding.ok("mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }", {"id": subscription},
                               token=city)
    receiver.secrets.append(rotated["rotateWebhookSecret"]["secret"])
    alert = settled(NANGANG, str(uuid.uuid4()))
    async with receiver.running(), dispatching() as dispatcher:
        await intake.handle(alert)
        await funding.ok("mutation($id: ID!) { sendTestWebhookEvent(id: $id) { id } }", {"id": subscription}, token=city)
        await until(lambda: dispatcher.sent == 2)
    assert sorted(r.body["type"] for r in receiver.received) == ["funding.recovery.settled", "webhook.test"]
    log = (await funding.ok(LOG, {"id": subscription}, token=city))["webhookDeliveries"]
    assert log["totalCount"] == 2 and {e["node"]["status"] for e in log["edges"]} == {"DELIVERED"}
    other_city = await funding.post(LOG, {"id": subscription}, token=token(None, "city_admin", city="1201"))
    assert other_city["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_of_two_replicas_one_intake_at_a_time_takes_the_alerts_so_their_order_holds(funding, bureau, broker):
    import aio_pika

    from services.common.events.topology import EXCHANGE, dead_letter_queue_name, queue_name
    from tests.support import purge_queues

    await purge_queues([queue_name(CONSUMER), dead_letter_queue_name(CONSUMER)])
    subscription = await register(funding, Receiver(), bureau[DAOLI])
    replicas = [EventConsumer(name=CONSUMER, connection="funding", inbox=InboxEvent, handlers=handlers,
                              amqp_url=amqp_url("funding"), concurrency=1, single_active_consumer=True)
                for _ in range(2)]
    alerts = [ordered(DAOLI, str(uuid.uuid4()), n) for n in range(20)]
    for replica in replicas:
        await replica.start()
    try:
        connection = await aio_pika.connect(amqp_url())
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(EXCHANGE)
            for alert in alerts:
                await exchange.publish(aio_pika.Message(alert.to_bytes()), routing_key=alert.type)
        await until(lambda: sum(r.handled for r in replicas) == len(alerts))
    finally:
        for replica in replicas:
            await replica.close()
    assert sorted(r.handled for r in replicas) == [0, len(alerts)]
    log = (await funding.ok(LOG, {"id": subscription}, token=bureau[DAOLI]))["webhookDeliveries"]["edges"]
    assert [e["node"]["eventId"] for e in log] == [a.id for a in alerts]
