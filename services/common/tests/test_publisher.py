"""The batch publisher against the real broker: every message confirmed and delivered whole, in order;
a nack, a return or a closed channel fails the batch."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
import aiormq
import pytest
from pamqp.commands import Basic

from services.common.kernel.config import amqp_url
from services.common.events.publisher import OutgoingMessage, PublishRefused, publish_batch


@pytest.fixture
async def channel(broker):
    connection = await aio_pika.connect_robust(amqp_url())
    channel = await connection.channel(publisher_confirms=True)
    yield channel
    await connection.close()


async def _exchange_and_queue(channel, **queue_arguments):
    name = f"test.publisher.{uuid.uuid4().hex[:8]}"
    exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, auto_delete=True)
    queue = await channel.declare_queue(name, auto_delete=True, arguments=queue_arguments or None)
    await queue.bind(exchange, routing_key="#")
    return name, queue


def _message(n: int, body: bytes | None = None) -> OutgoingMessage:
    properties = Basic.Properties(delivery_mode=2, message_id=str(uuid.uuid4()), message_type="test.batch",
                                  headers={"district": "230102", "n": n})
    return OutgoingMessage(routing_key="test.batch", body=body or f'{{"n": {n}}}'.encode(), properties=properties)


async def _drain(queue, count: int) -> list:
    got = []
    while len(got) < count:
        message = await queue.get(timeout=5, fail=False)
        if message is None:
            break
        got.append(message)
        await message.ack()
    return got


async def test_a_batch_is_confirmed_and_delivered_whole_and_in_order(channel):
    name, queue = await _exchange_and_queue(channel)
    big = b"x" * 300_000  # larger than frame_max: split into several body frames, as basic_publish does
    messages = [_message(n) for n in range(200)] + [_message(200, big)]
    await publish_batch(await channel.get_underlay_channel(), name, messages)
    got = await _drain(queue, len(messages))
    assert [m.message_id for m in got] == [m.properties.message_id for m in messages]
    assert [m.headers["n"] for m in got] == list(range(201))
    assert got[0].body == b'{"n": 0}' and got[-1].body == big
    assert {m.type for m in got} == {"test.batch"} and {m.delivery_mode for m in got} == {aio_pika.DeliveryMode.PERSISTENT}
    under = await channel.get_underlay_channel()
    assert not under.message_id_delivery_tag  # nothing left behind for returns to find


async def test_batches_in_a_row_keep_the_channel_delivery_tags_in_step(channel):
    # The tags counted here and the broker's must agree, or later confirms would settle the wrong futures.
    name, queue = await _exchange_and_queue(channel)
    under = await channel.get_underlay_channel()
    for first in range(0, 30, 10):
        await publish_batch(under, name, [_message(n) for n in range(first, first + 10)])
    exchange = await channel.get_exchange(name)
    await exchange.publish(aio_pika.Message(b"{}", message_id="single"), routing_key="test.single")
    assert len(await _drain(queue, 31)) == 31


async def test_a_nacked_message_fails_the_batch(channel):
    # A full queue that rejects publishes makes the broker nack what does not fit.
    name, _ = await _exchange_and_queue(channel, **{"x-max-length": 2, "x-overflow": "reject-publish"})
    with pytest.raises(aiormq.exceptions.DeliveryError):
        await publish_batch(await channel.get_underlay_channel(), name, [_message(n) for n in range(5)])


async def test_an_unroutable_message_is_refused(channel):
    name = f"test.publisher.{uuid.uuid4().hex[:8]}"
    await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, auto_delete=True)  # no queue bound
    with pytest.raises(PublishRefused):
        await publish_batch(await channel.get_underlay_channel(), name, [_message(0)])


async def test_a_channel_closed_by_the_broker_fails_the_batch_instead_of_hanging(channel):
    under = await channel.get_underlay_channel()
    with pytest.raises(aiormq.exceptions.AMQPError):
        await asyncio.wait_for(publish_batch(under, "test.publisher.no-such-exchange", [_message(0)]), 10)


async def test_a_channel_without_confirms_is_refused(broker):
    connection = await aio_pika.connect_robust(amqp_url())
    try:
        channel = await connection.channel(publisher_confirms=False)
        with pytest.raises(ValueError):
            await publish_batch(await channel.get_underlay_channel(), "civic.events", [_message(0)])
    finally:
        await connection.close()


async def test_a_message_pamqp_refuses_fails_the_batch_before_any_tag_is_counted(channel):
    name, queue = await _exchange_and_queue(channel)
    under = await channel.get_underlay_channel()
    tags = under.delivery_tag
    bad = OutgoingMessage(routing_key="k" * 300, body=b"{}", properties=Basic.Properties(message_id="bad"))
    with pytest.raises(TypeError):
        await publish_batch(under, name, [_message(0), bad])
    assert under.delivery_tag == tags and not under.message_id_delivery_tag
    await publish_batch(under, name, [_message(n) for n in range(3)])  # confirms still match their messages
    assert [m.headers["n"] for m in await _drain(queue, 3)] == [0, 1, 2]


async def test_a_batch_cancelled_before_the_writer_takes_it_gives_its_tags_back():
    # The accounting alone, on a stand-in channel whose frame queue is full (a writer fallen behind):
    # no broker is needed to see that the tags and the futures are given back.
    channel = _StalledChannel(delivery_tag=7)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await publish_batch(channel, "civic.events", [_message(n) for n in range(3)])
    assert channel.delivery_tag == 7 and channel.confirmations == {} and channel.message_id_delivery_tag == {}
    assert all(future.cancelled() for future in channel.created)


class _StalledChannel:
    publisher_confirms = True
    number = 1
    max_content_size = 131_064

    def __init__(self, delivery_tag: int) -> None:
        self.delivery_tag = delivery_tag
        self.lock = asyncio.Lock()
        self.confirmations: dict = {}
        self.message_id_delivery_tag: dict = {}
        self.created: list[asyncio.Future] = []
        self.write_queue: asyncio.Queue = asyncio.Queue(maxsize=1)
        self.write_queue.put_nowait(object())

    def create_future(self) -> asyncio.Future:
        self.created.append(asyncio.get_running_loop().create_future())
        return self.created[-1]

    def _split_body(self, body: bytes) -> list:
        return aiormq.Channel._split_body(self, body)
