from __future__ import annotations

import pytest

from services.gateway.engine import EngineOptions, Gateway

from .subgraph_kit import FIXTURES, RoutingTransport
from .world import build_world

SUPERGRAPH = (FIXTURES / "supergraph.graphql").read_text()


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def transport(world):
    return RoutingTransport(world)


def make_gateway(transport, **option_overrides) -> Gateway:
    options = EngineOptions(**{"query_retries": 0, **option_overrides})
    return Gateway(SUPERGRAPH, options=options, transport=transport)


@pytest.fixture
async def gateway(transport):
    gw = make_gateway(transport)
    yield gw
    await gw.aclose()
