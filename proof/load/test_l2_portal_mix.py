"""The portal mix through the gateway at concurrency 1, 16 and 64: requests/s, p50/p99 latency, errors.

The platform as in production: the three subgraphs and the gateway each in a process of its own, on the
throwaway PostgreSQL and RabbitMQ, with ten demo-sized districts loaded. Each request is a bureau
admin's of a random district, drawn from the queries a district portal sends most (weights below):
lists served by one subgraph, and lists that cross two and three. Every answer must be whole: HTTP 200,
data and no errors. Figures only; nothing here is timed as a pass or fail.
"""

from __future__ import annotations

import asyncio
import random
import time

import httpx

from tests.support import token
from services.gateway.policy.subgraphs import SUBGRAPHS, platform_supergraph

from ..eventkit import percentile
from ..report import full, record
from ..service_process import service_process
from .data import codes, empty, load

CONCURRENCIES = (1, 16, 64)
SECONDS = 15 if full() else 2
DISTRICTS = 10
MIX = (  # (name, query, weight)
    ("organizations", "{ organizations(first: 20) { totalCount edges { node { id name status category } } } }", 3),
    ("projects", "{ projects(first: 20) { totalCount edges { node { id title grant disbursed status } } } }", 3),
    ("fundingRounds", "{ fundingRounds(first: 5) { edges { node { id name year phase budget } } } }", 2),
    ("organizations -> projects", "{ organizations(first: 10) { edges { node { id name projects { id title status } } } } }", 1),
    ("projects -> organization, evaluations",
     "{ projects(first: 10) { edges { node { id title organization { id name status } evaluations { id } } } } }", 1),
)


async def test_portal_mix_through_the_gateway(stack, tmp_path):
    admin = stack["admin"]
    await empty(admin)
    districts = codes(DISTRICTS)
    await load(admin, districts)
    bearers = [token(d, "bureau_admin") for d in districts]
    async with (service_process("registry", {}) as registry, service_process("funding", {}) as funding,
                service_process("evaluation", {}) as evaluation):
        supergraph = tmp_path / "supergraph.graphql"
        supergraph.write_text(platform_supergraph(dict(zip(SUBGRAPHS, (registry, funding, evaluation)))))
        gateway_args = ("--policy", "platform", "--supergraph", str(supergraph), "--port", "{port}")
        async with (service_process("gateway", {}, args=gateway_args) as gateway,
                    httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=max(CONCURRENCIES))) as client):
            for _, query, _ in MIX:  # warm: each operation planned once and every connection pool opened
                for bearer in bearers:
                    assert await _call(client, gateway, query, bearer) is None
            await _check_the_mix_crosses_subgraphs(client, gateway, bearers[0])
            rates = {}
            for concurrency in CONCURRENCIES:
                run = await _run_mix(client, gateway, bearers, concurrency)
                rates[concurrency] = run["rate"]
                scaling = f"; {run['rate'] / rates[1]:.2f}x the requests/s at concurrency 1" if concurrency > 1 else ""
                record("L2", f"portal mix through the gateway ({', '.join(f'{n} x{w}' for n, _, w in MIX)}), "
                             f"{DISTRICTS} districts, random bureau admins, concurrency {concurrency} for {SECONDS} s",
                       "every answer whole (HTTP 200, data, no errors); requests/s and p50/p99 reported",
                       f"{run['requests']:,} requests, {run['rate']:,.0f}/s{scaling}; p50 {run['p50']:.1f} ms, "
                       f"p99 {run['p99']:.1f} ms; errors {run['errors']}"
                       + (f" (first: {run['first_error']})" if run["errors"] else ""),
                       run["errors"] == 0 and run["requests"] > 0,
                       requests_per_s=round(run["rate"], 1), p50_ms=round(run["p50"], 2), p99_ms=round(run["p99"], 2),
                       errors=run["errors"])
    assert all(rate > 0 for rate in rates.values())


async def _check_the_mix_crosses_subgraphs(client: httpx.AsyncClient, url: str, bearer: str) -> None:
    """The loaded data links projects to organizations, so the crossing queries really fetch entities."""
    answer = (await client.post(url, json={"query": MIX[-1][1]}, headers={"authorization": f"Bearer {bearer}"})).json()
    projects = [edge["node"] for edge in answer["data"]["projects"]["edges"]]
    assert projects and all(p["organization"]["name"] and p["evaluations"] == [] for p in projects), answer


async def _call(client: httpx.AsyncClient, url: str, query: str, bearer: str) -> str | None:
    """One request; None when the answer is whole, else what was wrong with it."""
    try:
        answer = await client.post(url, json={"query": query}, headers={"authorization": f"Bearer {bearer}"})
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    if answer.status_code != 200:
        return f"HTTP {answer.status_code}: {answer.text[:200]}"
    body = answer.json()
    if body.get("errors") or not body.get("data"):
        return str(body.get("errors"))[:200]
    return None


async def _run_mix(client: httpx.AsyncClient, url: str, bearers: list[str], concurrency: int) -> dict:
    schedule = [query for _, query, weight in MIX for _ in range(weight)]
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + SECONDS

    async def worker(seed: int) -> None:
        pick = random.Random(seed)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            problem = await _call(client, url, pick.choice(schedule), pick.choice(bearers))
            latencies.append((time.perf_counter() - started) * 1000)
            if problem:
                errors.append(problem)

    started = time.monotonic()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    took = time.monotonic() - started
    return {"requests": len(latencies), "rate": len(latencies) / took, "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99), "errors": len(errors), "first_error": errors[0] if errors else None}
