"""A mutation's subgraph calls wait `mutation_timeout` (the platform sets it from kernel/limits.py, a little
longer than the subgraph lets a mutation run), whatever the query timeout is."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.gateway.engine.subgraph_client import SubgraphClient, SubgraphFetchError


class Slow(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.3)
        return httpx.Response(200, json={"data": {"ok": True}})


def client(**timeouts) -> SubgraphClient:
    return SubgraphClient({"s": "http://s/graphql"}, transport=Slow(), query_retries=0, **timeouts)


async def test_a_mutation_call_is_given_up_at_the_mutation_timeout_not_the_query_timeout():
    calls = client(timeout=5.0, mutation_timeout=0.05)
    with pytest.raises(SubgraphFetchError) as failure:
        await calls.fetch("s", b'{"query": "mutation { x }"}', {}, is_query=False)
    assert failure.value.code == "SUBGRAPH_TIMEOUT"
    payload, _ = await calls.fetch("s", b'{"query": "{ x }"}', {}, is_query=True)
    assert payload == {"data": {"ok": True}}
    await calls.aclose()


async def test_a_mutation_waits_as_long_as_its_timeout_allows():
    calls = client(timeout=0.05, mutation_timeout=5.0)
    payload, _ = await calls.fetch("s", b'{"query": "mutation { x }"}', {}, is_query=False)
    assert payload == {"data": {"ok": True}}
    with pytest.raises(SubgraphFetchError):
        await calls.fetch("s", b'{"query": "{ x }"}', {}, is_query=True)
    await calls.aclose()
