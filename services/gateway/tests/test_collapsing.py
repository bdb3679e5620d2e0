"""Collapsing identical in-flight subgraph queries (engine/collapsing.py): shared only while in flight,
only between callers whose every forwarded header matches, never for mutations."""

from __future__ import annotations

import asyncio

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.gateway.engine.subgraph_client import SubgraphClient

QUERY = orjson.dumps({"query": "{ whoami }"})


class GatedSubgraph:
    """Answers with the caller's Authorization header and a call number, once `gate` is opened, so
    that concurrent callers are really in flight together."""

    def __init__(self) -> None:
        self.calls: list[str | None] = []
        self.gate = asyncio.Event()
        self.app = Starlette(routes=[Route("/graphql", self.endpoint, methods=["POST"])])

    async def endpoint(self, request: Request) -> Response:
        await request.body()
        self.calls.append(request.headers.get("authorization"))
        number = len(self.calls)
        await self.gate.wait()
        data = {"whoami": request.headers.get("authorization"), "call": number}
        return Response(orjson.dumps({"data": data}), media_type="application/json")


def client_for(subgraph: GatedSubgraph) -> SubgraphClient:
    return SubgraphClient({"s": "http://s.test/graphql"}, transport=httpx.ASGITransport(app=subgraph.app),
                          query_retries=0)


async def until(predicate) -> None:
    for _ in range(200):
        if predicate():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the calls never arrived")


async def test_identical_queries_share_one_call_but_never_across_tokens():
    subgraph = GatedSubgraph()
    client = client_for(subgraph)
    alice = {"authorization": "Bearer alice"}
    bob = {"authorization": "Bearer bob"}
    fetches = [asyncio.ensure_future(client.fetch("s", QUERY, headers, is_query=True))
               for headers in (alice, alice, bob, alice, bob)]
    await until(lambda: len(subgraph.calls) == 2)
    await asyncio.sleep(0.02)  # any third call would have arrived by now
    subgraph.gate.set()
    answers = [payload["data"] for payload, _content in await asyncio.gather(*fetches)]

    assert sorted(subgraph.calls) == ["Bearer alice", "Bearer bob"]  # one call per distinct token
    assert [a["whoami"] for a in answers] == ["Bearer alice", "Bearer alice", "Bearer bob", "Bearer alice", "Bearer bob"]
    assert answers[0] is not answers[1]  # each caller parses its own copy: none can change another's
    assert client.in_flight.calls == 2 and client.in_flight.joined == 3
    await client.aclose()


async def test_every_forwarded_header_is_part_of_the_key():
    subgraph = GatedSubgraph()
    client = client_for(subgraph)
    one = {"authorization": "Bearer alice", "x-tenant-hint": "230102"}
    other = {"authorization": "Bearer alice", "x-tenant-hint": "230103"}
    fetches = [asyncio.ensure_future(client.fetch("s", QUERY, headers, is_query=True)) for headers in (one, other)]
    await until(lambda: len(subgraph.calls) == 2)
    subgraph.gate.set()
    await asyncio.gather(*fetches)
    assert len(subgraph.calls) == 2
    await client.aclose()


async def test_nothing_outlives_the_flight():
    subgraph = GatedSubgraph()
    client = client_for(subgraph)
    headers = {"authorization": "Bearer alice"}
    subgraph.gate.set()
    first, _ = await client.fetch("s", QUERY, headers, is_query=True)
    assert len(client.in_flight) == 0  # dropped as the call ended
    second, _ = await client.fetch("s", QUERY, headers, is_query=True)
    assert (first["data"]["call"], second["data"]["call"]) == (1, 2)  # the second asked the subgraph again
    await client.aclose()


async def test_a_failed_flight_is_not_kept_either():
    calls = []

    async def refuse_then_answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(503)
        return httpx.Response(200, json={"data": {"whoami": "ok"}})

    client = SubgraphClient({"s": "http://s.test/graphql"}, transport=httpx.MockTransport(refuse_then_answer),
                            query_retries=0)
    headers = {"authorization": "Bearer alice"}
    try:
        await client.fetch("s", QUERY, headers, is_query=True)
    except Exception as error:
        assert "503" in str(error)
    else:
        raise AssertionError("the 503 should fail the fetch")
    assert len(client.in_flight) == 0
    payload, _ = await client.fetch("s", QUERY, headers, is_query=True)
    assert payload == {"data": {"whoami": "ok"}} and len(calls) == 2
    await client.aclose()


async def test_mutations_never_collapse():
    subgraph = GatedSubgraph()
    client = client_for(subgraph)
    headers = {"authorization": "Bearer alice"}
    fetches = [asyncio.ensure_future(client.fetch("s", QUERY, headers, is_query=False)) for _ in range(3)]
    await until(lambda: len(subgraph.calls) == 3)
    subgraph.gate.set()
    answers = [payload["data"]["call"] for payload, _ in await asyncio.gather(*fetches)]
    assert sorted(answers) == [1, 2, 3]
    assert client.in_flight.calls == 0
    await client.aclose()


async def test_a_caller_leaving_does_not_cancel_the_call_for_the_others():
    subgraph = GatedSubgraph()
    client = client_for(subgraph)
    headers = {"authorization": "Bearer alice"}
    leaving = asyncio.ensure_future(client.fetch("s", QUERY, headers, is_query=True))
    staying = asyncio.ensure_future(client.fetch("s", QUERY, headers, is_query=True))
    await until(lambda: len(subgraph.calls) == 1)
    leaving.cancel()
    await asyncio.sleep(0)
    subgraph.gate.set()
    payload, _ = await staying
    assert payload["data"]["whoami"] == "Bearer alice" and len(subgraph.calls) == 1
    assert len(client.in_flight) == 0
    await client.aclose()
