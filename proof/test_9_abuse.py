"""Item 9. GraphQL abuse at the gateway is refused before any resolver runs: 0 subgraph calls."""

from __future__ import annotations

import time

import httpx

from tests.support import token
from services.gateway.engine.options import EngineOptions

from .probes import subgraph_requests
from .report import record
from tests.platform import running_gateway


def nested(depth: int) -> str:
    inner = "id"
    for i in range(depth):
        inner = f"projects {{ organization {{ {inner} }} }}" if i % 2 == 0 else inner
    return "{ organizations { edges { node { " + inner + " } } } }"


def deep_via_fragments() -> str:
    frags, prev = [], "id"
    for i in range(10):
        frags.append(f"fragment F{i} on SocialOrganization {{ projects {{ organization {{ {prev} }} }} }}")
        prev = f"...F{i}"
    return "{ organizations { edges { node { " + prev + " } } } } " + " ".join(frags)


CASES = [
    # (name, how to send, expected HTTP status, expected code)
    ("depth 22 (limit 15)", {"json": {"query": nested(20)}}, 400, "MAX_DEPTH_EXCEEDED"),
    ("depth 23 through nested fragments", {"json": {"query": deep_via_fragments()}}, 400, "MAX_DEPTH_EXCEEDED"),
    ("40 aliases (limit 30)", {"json": {"query": "{ " + " ".join(f"a{i}: organizations {{ totalCount }}" for i in range(40)) + " }"}},
     400, "MAX_ALIASES_EXCEEDED"),
    ("6,000 tokens (limit 5,000)", {"json": {"query": "{ " + "__typename " * 6000 + "}"}}, 400, "MAX_TOKENS_EXCEEDED"),
    ("cost: organizations(first: 1000) x projects x tranches (limit 10,000)",
     {"json": {"query": "{ organizations(first: 1000) { edges { node { id projects { id tranches { id } } } } } }"}},
     400, "MAX_COST_EXCEEDED"),
    ("cost through a variable first: 100000",
     {"json": {"query": "query($n: Int) { organizations(first: $n) { edges { node { id projects { id } } } } }",
               "variables": {"n": 100000}}}, 400, "MAX_COST_EXCEEDED"),
    ("1.1 MB body with Content-Length", {"content": b'{"query": "{ __typename }", "x": "' + b"a" * 1_100_000 + b'"}',
                                         "headers": {"content-type": "application/json"}}, 413, "REQUEST_TOO_LARGE"),
    ("1.1 MB body, chunked, no Content-Length", {"chunked": 1_100_000}, 413, "REQUEST_TOO_LARGE"),
    ("batch of 2 operations", {"json": [{"query": "{ organizations { totalCount } }"}, {"query": "{ organizations { totalCount } }"}]},
     400, "BATCHING_NOT_ENABLED"),
    ("introspection __schema (off)", {"json": {"query": "{ __schema { types { name } } }"}}, 400, "GRAPHQL_VALIDATION_FAILED"),
    ("introspection __type inside a real query (off)",
     {"json": {"query": "{ organizations { totalCount } __type(name: \"Query\") { name } }"}}, 400, "GRAPHQL_VALIDATION_FAILED"),
    ("mutation over GET", {"get": {"query": "mutation { changeIncubationStage(id: \"x\", stage: GROWTH) { id } }"}},
     405, "METHOD_NOT_ALLOWED"),
    ("fragment cycle", {"json": {"query": "{ organizations { edges { node { ...A } } } } fragment A on SocialOrganization { ...B } "
                                          "fragment B on SocialOrganization { ...A }"}}, 400, "GRAPHQL_VALIDATION_FAILED"),
    ("body not JSON", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "BAD_REQUEST"),
]


async def _chunks(size: int):
    yield b'{"query": "{ __typename }", "x": "'
    sent = 0
    while sent < size:
        yield b"a" * 65536
        sent += 65536
    yield b'"}'


async def test_abuse_is_refused_before_any_subgraph_call(subgraphs):
    options = EngineOptions(introspection=False)
    headers = {"Authorization": f"Bearer {token('230102', 'bureau_admin')}"}
    outcomes = []
    async with running_gateway(subgraphs, options=options) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers) as http:
            before = subgraph_requests()
            control = await http.post("/graphql", json={"query": "{ organizations { totalCount } }"})
            assert control.status_code == 200 and subgraph_requests() - before == 1, control.text
            for name, how, status, code in CASES:
                before = subgraph_requests()
                started = time.perf_counter()
                if "get" in how:
                    response = await http.get("/graphql", params=how["get"])
                elif "chunked" in how:
                    response = await http.post("/graphql", content=_chunks(how["chunked"]),
                                               headers={"content-type": "application/json"})
                else:
                    response = await http.post("/graphql", **how)
                took = (time.perf_counter() - started) * 1000
                got = response.json()["errors"][0]["extensions"]["code"] if response.status_code != 200 else "-"
                calls = subgraph_requests() - before
                outcomes.append((name, status, code, response.status_code, got, calls, took))
    for name, status, code, got_status, got, calls, took in outcomes:
        ok = (got_status, got, calls) == (status, code, 0)
        record("9", f"gateway: {name}", f"HTTP {status} {code}, 0 subgraph calls",
               f"HTTP {got_status} {got}, {calls} subgraph calls, {took:.0f} ms", ok)
    assert all((o[3], o[4], o[5]) == (o[1], o[2], 0) for o in outcomes), outcomes
