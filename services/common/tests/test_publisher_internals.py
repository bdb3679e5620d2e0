"""The start-up check of the aiormq internals publish_batch relies on."""

from __future__ import annotations

import types

import aio_pika
import pytest

from services.common.kernel.config import amqp_url
from services.common.events.publisher import CHANNEL_INTERNALS, UnsupportedAiormq, check_channel_internals


async def test_the_installed_aiormq_has_every_internal(broker):
    connection = await aio_pika.connect_robust(amqp_url())
    try:
        channel = await connection.channel(publisher_confirms=True)
        check_channel_internals(await channel.get_underlay_channel())
    finally:
        await connection.close()


class _Lock:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


def _stand_in(**without_or_instead) -> object:
    attrs = dict(number=1, lock=_Lock(), delivery_tag=0, confirmations={}, message_id_delivery_tag={},
                 write_queue=types.SimpleNamespace(put=lambda item: None), create_future=lambda: None,
                 _split_body=lambda body: [])
    for name, value in without_or_instead.items():
        if value is None:
            del attrs[name]
        else:
            attrs[name] = value
    return types.SimpleNamespace(**attrs)


def test_a_complete_stand_in_passes():
    check_channel_internals(_stand_in())


@pytest.mark.parametrize("name", [name for name, _shape, _fits in CHANNEL_INTERNALS])
def test_a_missing_internal_is_named(name):
    with pytest.raises(UnsupportedAiormq, match=rf"\.{name} is missing"):
        check_channel_internals(_stand_in(**{name: None}))


def test_an_internal_of_another_shape_is_named():
    with pytest.raises(UnsupportedAiormq, match=r"\.delivery_tag is a str"):
        check_channel_internals(_stand_in(delivery_tag="0"))
