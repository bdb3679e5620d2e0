from __future__ import annotations

import pytest

from services.common.kernel.config import amqp_url
from services.common.events.consumer import EventConsumer
from services.common.runtime.subgraph import create_app
from tests.places import seed_funding_copy
from tests.support import DAOLI, NANGANG, GraphQLClient, token
from services.funding.models import InboxEvent
from services.funding.service import service


@pytest.fixture
async def funding(databases, broker):
    client = GraphQLClient(create_app(service, manage_database=False, workers=False))
    yield client
    await client.close()


@pytest.fixture
def consumer(databases) -> EventConsumer:
    """Funding's consumer, for handing it envelopes directly (its `handle` is what the broker path calls)."""
    return EventConsumer(name="funding", connection="funding", inbox=InboxEvent, handlers=service.handlers, amqp_url=amqp_url())


@pytest.fixture
def bureau() -> dict[str, str]:
    return {DAOLI: token(DAOLI, "bureau_admin"), NANGANG: token(NANGANG, "bureau_admin")}


@pytest.fixture(autouse=True)
async def gazetteer(request, clean) -> dict[str, dict[str, str]] | None:
    """Daoli's and Nangang's gazetteers as funding knows them (tests/places.py), handed to its consumer as
    the registry's events: every need and service record names an entry. `@pytest.mark.empty_gazetteer`
    leaves both empty. Returns district -> name -> entry id."""
    if "databases" not in request.fixturenames or request.node.get_closest_marker("empty_gazetteer"):
        return None
    consumer = request.getfixturevalue("consumer")
    return {district: await seed_funding_copy(consumer, district) for district in (DAOLI, NANGANG)}
