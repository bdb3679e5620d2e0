"""Each service's broker user may publish only its own events and read only its own queue: the broker
refuses the rest. And the one table the permissions come from matches what the services emit and consume."""

from __future__ import annotations

import importlib

import aio_pika
import aiormq
import pytest

from services.common.kernel.config import amqp_url
from services.common.events.broker_users import ROUTES
from services.common.events.topology import EXCHANGE, declare_consumer_queue, queue_name
from services.contracts import CONTRACTS


async def _publish(service: str, routing_key: str) -> None:
    connection = await aio_pika.connect(amqp_url(service))
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE, ensure=False)
        await exchange.publish(aio_pika.Message(b"{}"), routing_key=routing_key, timeout=10)


async def _funding_queue() -> None:
    connection = await aio_pika.connect(amqp_url())  # the test's own (guest) user declares it
    async with connection:
        await declare_consumer_queue(await connection.channel(), "funding", ROUTES["funding"].binds)


async def test_a_service_publishes_its_own_events_but_not_another_services(broker):
    await _funding_queue()  # declares the exchanges too: a fresh vhost has none yet
    await _publish("registry", "registry.organization.registered")
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused, match="ACCESS_REFUSED"):
        await _publish("registry", "funding.recovery.ordered")
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused, match="ACCESS_REFUSED"):
        await _publish("gateway", "funding.recovery.ordered")  # the gateway only listens


async def test_a_service_cannot_consume_another_services_queue(broker):
    await _funding_queue()
    connection = await aio_pika.connect(amqp_url("registry"))
    async with connection:
        channel = await connection.channel()
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused, match="ACCESS_REFUSED"):
            queue = await channel.get_queue(queue_name("funding"), ensure=False)
            await queue.consume(lambda message: None)


async def test_a_service_binds_its_queue_only_to_what_it_consumes(broker):
    await _funding_queue()
    connection = await aio_pika.connect(amqp_url("funding"))
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name("funding"), ensure=False)
        await queue.bind(EXCHANGE, routing_key="registry.organization.registered")
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused, match="ACCESS_REFUSED"):
            await queue.bind(EXCHANGE, routing_key="registry.#")  # no wider than its own event types


@pytest.mark.parametrize("service", ["registry", "funding", "evaluation"])
def test_the_table_names_every_event_a_service_emits_and_consumes(service):
    emitted = {c.type for c in CONTRACTS.values() if c.__module__ == f"services.contracts.{service}"}
    assert set(ROUTES[service].emits) == emitted
    definition = importlib.import_module(f"services.{service}.service").service
    companions = {key for make in definition.companions for key in make.routing_keys}
    assert set(ROUTES[service].binds) == set(definition.handlers) | companions
    for key in ROUTES[service].binds:  # each consumed event is emitted by some service
        assert any(key in routes.emits for routes in ROUTES.values()), key


def test_the_gateway_may_bind_the_alerts_it_listens_for():
    from services.cli import ALERT_KEYS
    from services.gateway.policy.alerts import ALERT_EVENTS

    assert {*ALERT_EVENTS, ALERT_KEYS} == set(ROUTES["gateway"].binds)
    assert not ROUTES["gateway"].emits
