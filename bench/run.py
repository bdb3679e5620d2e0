"""`make bench`: requests/s and p50/p99 latency of portal queries through our gateway, through Hive
Gateway and `@apollo/gateway` on the same subgraphs, and straight against the subgraph (single-subgraph
queries); then the portal mix (every request another district's token). RSS of each gateway.

    python -m bench.run [--quick] [--requests N] [--seconds S] [--query NAME] [--concurrency C]
                        [--out bench/RESULTS.md]

One process drives the load (asyncio + httpx). It starts the three subgraphs, our gateway
(`--policy platform`), Hive Gateway (bench/hive/server.mjs) and the Apollo gateway
(bench/apollo/server.mjs) as subprocesses on spare
loopback ports with a temporary supergraph pointing at them, seeds a little data through the
subgraphs, warms up, measures, prints one markdown table and stops every process it started (also on
Ctrl-C and on errors). Not part of the tests.

At concurrency 1 the targets take turns request by request (`alternate`): the subgraph's own latency
drifts by about as much as the gateway adds, and alternating puts every target under the same drift.
Concurrent cells run each target on its own in interleaved slices (`measure_slices`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx
import uvloop

from services.gateway.engine.http_client import Http1Poster
from services.gateway.engine.transport import TransportFailure

from bench.processes import (
    HOST, ROOT, Processes, cpu_seconds, ensure_npm_installed, pick_port, rss_mib, tail, wait_ready,
)

APOLLO_DIR = ROOT / "bench" / "apollo"
HIVE_DIR = ROOT / "bench" / "hive"
DISTRICT = "230102"
CITY = "2301"
SUBGRAPHS = ("registry", "funding", "evaluation")
CONCURRENCIES = (1, 16)
ORDER_SEED = 2026  # the concurrency-1 rounds' shuffled orders, the same in every run
NOTES_MARKER = "<!-- notes: kept when bench.run --out rewrites the table above -->"


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    subgraph: str | None  # the one subgraph that serves it alone, or None for a cross-subgraph query
    note: str


QUERIES = (
    Query(
        "organizations",
        "{ organizations(first: 20) { edges { node { id name creditCode } } } }",
        "registry",
        "registry only",
    ),
    Query(
        "organizations+projects",
        "{ organizations(first: 20) { edges { node { id name projects { id title status } } } } }",
        None,
        "registry -> funding (_entities)",
    ),
    Query(
        "organizations+projects+evaluations",
        "{ organizations(first: 20) { edges { node { id name projects { id title "
        "evaluations { id rating } } } } } }",
        None,
        "registry -> funding -> evaluation",
    ),
    Query(
        "fundingRounds",
        "{ fundingRounds(first: 10) { totalCount edges { node { id name year phase budget "
        "needs(first: 5) { totalCount edges { node { id subdistrict description } } } } } } }",
        "funding",
        "funding only",
    ),
)
# The portal mix: every request another district's token (bureau admins of MIX_DISTRICTS, MIX_USERS
# each) and one of the queries above in turn, so no two requests in a row are identical.
MIX = "portal mix"
MIX_DISTRICTS = ("230102", "230103", "230104", "230108")
MIX_USERS = 4


# ---------------------------------------------------------------------------------------------------
# seed data (through the subgraphs directly)


async def graphql(client: httpx.AsyncClient, url: str, token: str, query: str, variables: dict | None = None) -> dict:
    response = await client.post(url, json={"query": query, "variables": variables or {}},
                                 headers={"authorization": f"Bearer {token}"})
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"{url}: {response.status_code} {json.dumps(body, ensure_ascii=False)[:500]}")
    return body["data"]


async def seed(client: httpx.AsyncClient, urls: dict[str, str], admin_token: str, city_token: str) -> str:
    """Idempotent: district 230102, a dozen organizations, one funding round with a few needs."""
    from services.common.kernel.credit_code import make_credit_code

    registry, funding = urls["registry"], urls["funding"]
    districts = await graphql(client, registry, city_token, "{ districts { code } }")
    if not any(d["code"] == DISTRICT for d in districts["districts"]):
        await graphql(client, registry, city_token,
                      "mutation($i: OnboardDistrictInput!) { onboardDistrict(input: $i) { code } }",
                      {"i": {"code": DISTRICT, "name": "道里区", "cityCode": CITY}})
    await seed_places(client, registry, admin_token)

    existing = await graphql(
        client, registry, admin_token,
        '{ organizations(first: 100, filter: { nameContains: "Bench org" }) { edges { node { name } } } }')
    have = {e["node"]["name"] for e in existing["organizations"]["edges"]}
    register = ("mutation($i: RegisterOrganizationInput!) "
                "{ registerOrganization(input: $i) { id } }")
    categories = ("ELDERLY_CARE", "YOUTH", "COMMUNITY_GOVERNANCE", "VOLUNTEERS", "SOCIAL_WORK", "LEGAL_AID")
    for n in range(12):
        name = f"Bench org {n:02d}"
        if name in have:
            continue
        base = {"name": name, "category": categories[n % len(categories)], "subdistrict": "兆麟街道",
                "community": f"社区{n % 4}"}
        if n < 10:
            try:
                code = make_credit_code(DISTRICT, n, kind="1")
                await graphql(client, registry, admin_token, register,
                              {"i": {**base, "registration": "REGISTERED", "creditCode": code}})
                continue
            except RuntimeError:
                pass  # the code is taken by other local data: file it instead
        await graphql(client, registry, admin_token, register, {"i": {**base, "registration": "FILED"}})

    rounds = await graphql(client, funding, admin_token,
                           "{ fundingRounds(first: 100) { edges { node { id name needs { totalCount } } } } }")
    round_ = next((e["node"] for e in rounds["fundingRounds"]["edges"] if e["node"]["name"] == "Bench round"), None)
    if round_ is None:
        opened = await graphql(
            client, funding, admin_token,
            "mutation($i: OpenRoundInput!) { openRound(input: $i) { id } }",
            {"i": {"name": "Bench round", "year": datetime.now().year, "budget": "500000.00",
                   "criteria": [{"name": "need", "weight": 60}, {"name": "feasibility", "weight": 40}]}})
        round_ = {"id": opened["openRound"]["id"], "needs": {"totalCount": 0}}
    for n in range(round_["needs"]["totalCount"], 6):
        await with_places_known(lambda: graphql(
            client, funding, admin_token,
            "mutation($i: RecordNeedInput!) { recordNeed(input: $i) { id } }",
            {"i": {"roundId": round_["id"], "subdistrict": "兆麟街道", "community": f"社区{n % 4}",
                   "category": categories[n % len(categories)], "method": "QUESTIONNAIRE",
                   "description": f"Bench need {n}: weekday lunches for elderly residents"}}))
    return round_["id"]


BENCH_PLACES = ("兆麟街道", "230102003000", [f"社区{n}" for n in range(4)])


async def seed_places(client: httpx.AsyncClient, registry: str, admin_token: str) -> None:
    """The bench district's gazetteer (every place is picked from it): a subdistrict and its four communities."""
    have = {e["name"] for e in (await graphql(client, registry, admin_token, "{ gazetteer { name } }"))["gazetteer"]}
    add = "mutation($i: GazetteerEntryInput!) { addGazetteerEntry(input: $i) { id } }"
    subdistrict, code, communities = BENCH_PLACES
    if subdistrict not in have:
        await graphql(client, registry, admin_token, add, {"i": {"kind": "SUBDISTRICT", "name": subdistrict, "code": code}})
    for community in communities:
        if community not in have:
            await graphql(client, registry, admin_token, add, {"i": {"kind": "COMMUNITY", "name": community,
                                                                   "subdistrict": code}})


async def with_places_known(call, attempts: int = 100):
    """Funding's copy of the gazetteer arrives by events a moment after the registry kept it."""
    for attempt in range(attempts):
        try:
            return await call()
        except RuntimeError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.1)


# ---------------------------------------------------------------------------------------------------
# measurement


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds
    failures: int = 0
    failure_sample: str = ""
    cpu: float = 0.0  # CPU seconds the process serving the target used meanwhile

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu * 1000.0 / self.requests if self.requests else float("nan")

    def merge(self, other: "Result") -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.failures += other.failures
        self.cpu += other.cpu
        self.failure_sample = self.failure_sample or other.failure_sample

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[index] * 1000.0

    @property
    def p50(self) -> float:
        return self.quantile(0.50)

    @property
    def p99(self) -> float:
        return self.quantile(0.99)


# The load goes out through the gateway's own lean HTTP/1.1 client (keep-alive, httptools), not httpx:
# httpx's CPU per request capped every target near 170 req/s on 2 shared cores, the by-hand floor too,
# so a concurrent cell measured the load generator. One per process (and event loop).
_load_client: Http1Poster | None = None


class Mix:
    """Requests in rotation, passed where a body goes: each POST takes the next (body, headers)."""

    def __init__(self, requests: list[tuple[bytes, dict]]) -> None:
        self.requests = requests
        self.index = 0

    def pick(self) -> tuple[bytes, dict]:
        self.index = (self.index + 1) % len(self.requests)
        return self.requests[self.index]


async def timed_post(client: httpx.AsyncClient, url: str, body: "bytes | Mix", headers: dict) -> tuple[float, str | None]:
    """One POST: its latency in seconds, and a sample of the answer when it failed (else None).
    `client` is kept for the callers' signature; the request goes through the lean client."""
    global _load_client
    if isinstance(body, Mix):
        body, headers = body.pick()
    if _load_client is None:
        _load_client = Http1Poster(max_connections=64)
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}  # the client sends its own
    started = time.perf_counter()
    try:
        status, payload = await _load_client.post(url, body, headers, 30.0)
        ok = status == 200 and b'"errors"' not in payload
    except (TransportFailure, TimeoutError) as error:
        ok, payload = False, repr(error).encode()
    seconds = time.perf_counter() - started
    return seconds, None if ok else payload[:300].decode(errors="replace")


async def load(client: httpx.AsyncClient, url: str, body: bytes, headers: dict, *, concurrency: int,
               requests: int, max_seconds: float) -> Result:
    """`requests` POSTs from `concurrency` workers, stopping early after `max_seconds`."""
    latencies: list[float] = []
    failures = 0
    sample = ""
    issued = 0
    deadline = time.perf_counter() + max_seconds

    async def worker() -> None:
        nonlocal issued, failures, sample
        while issued < requests and time.perf_counter() < deadline:
            issued += 1
            seconds, failure = await timed_post(client, url, body, headers)
            latencies.append(seconds)
            if failure is not None:
                failures += 1
                sample = sample or failure

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return Result(len(latencies), elapsed, latencies, failures, sample)


async def alternate(client: httpx.AsyncClient, urls: dict[str, str], body: bytes, headers: dict, *,
                    rounds: int, max_seconds: float) -> tuple[dict[str, Result], list[float]]:
    """Concurrency 1, target by target: each round sends one request to every target, one after the
    other, so that drift in the subgraph or load on the machine falls on every target alike. Each
    round's order is shuffled (seeded): with a fixed rotation of three targets, each would follow one
    of the others twice as often as the other, and what ran just before a request changes its latency.

    Returns a Result per target (its `seconds` is the sum of its own latencies, so req/s is
    1 / mean latency) and, per round, our latency minus the direct one (when both are targets)."""
    names = list(urls)
    results = {name: Result(0, 0.0) for name in names}
    paired: list[float] = []
    order = random.Random(ORDER_SEED)
    deadline = time.perf_counter() + max_seconds
    for _ in range(rounds):
        if time.perf_counter() >= deadline:
            break
        order.shuffle(names)
        seen = {}
        for name in names:
            seconds, failure = await timed_post(client, urls[name], body, headers)
            result = results[name]
            result.requests += 1
            result.seconds += seconds
            result.latencies.append(seconds)
            if failure is not None:
                result.failures += 1
                result.failure_sample = result.failure_sample or failure
            seen[name] = seconds
        if "ours" in seen and "direct" in seen:
            paired.append((seen["ours"] - seen["direct"]) * 1000.0)
    return results, paired


async def measure_alternating(client: httpx.AsyncClient, urls: dict[str, str], pids: dict[str, int], body: bytes,
                              headers: dict, args: argparse.Namespace) -> tuple[dict[str, Result], list[float]]:
    """The concurrency-1 cell: targets alternated request by request (see `alternate`).

    CPU per request: each gateway's process serves only its own target's requests. The subgraph
    serves every target's calls meanwhile (one call per request for a single-subgraph query), so
    direct's figure is the subgraph's CPU per call it served in the cell."""
    before = {target: cpu_seconds(pid) for target, pid in pids.items()}
    results, paired = await alternate(client, urls, body, headers, rounds=args.requests,
                                      max_seconds=args.seconds * len(urls))
    for target, pid in pids.items():
        results[target].cpu = cpu_seconds(pid) - before[target]
    if "direct" in results:
        calls = sum(r.requests for r in results.values())
        results["direct"].cpu *= results["direct"].requests / calls
    return results, paired


async def measure_slices(client: httpx.AsyncClient, urls: dict[str, str], pids: dict[str, int], body: bytes,
                         headers: dict, args: argparse.Namespace, concurrency: int) -> tuple[dict[str, Result], list[float]]:
    """A concurrent cell: each target loaded on its own in interleaved slices (the order rotating), so
    that drift and other load on the machine fall on every target alike."""
    names = list(urls)
    results = {target: Result(0, 0.0) for target in names}
    for index in range(args.slices):
        for target in names[index % len(names):] + names[:index % len(names)]:
            cpu_before = cpu_seconds(pids[target])
            part = await load(client, urls[target], body, headers, concurrency=concurrency,
                              requests=args.requests // args.slices, max_seconds=args.seconds / args.slices)
            part.cpu = cpu_seconds(pids[target]) - cpu_before
            results[target].merge(part)
    return results, []


def fmt(value: float, digits: int = 1) -> str:
    return "–" if value != value else f"{value:,.{digits}f}"  # NaN -> dash


def command_options(args: argparse.Namespace) -> str:
    """The options that shaped this table (not --out), as typed."""
    words = ["--quick"] if args.quick else []
    words += [f"--query {name}" for name in args.query or ()]
    words += [f"--concurrency {conc}" for conc in args.concurrency or ()]
    return "".join(" " + word for word in words)


def signed(value: float) -> str:
    return ("+" if value >= 0 else "") + fmt(value, 2)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    versions = json.loads((APOLLO_DIR / "package.json").read_text())["dependencies"]
    hive = json.loads((HIVE_DIR / "package.json").read_text())["dependencies"]
    return (f"{os.cpu_count()} CPUs (nproc), {model}; Linux {platform.release()}; "
            f"Python {platform.python_version()}; Node {node}; "
            f"@apollo/gateway {versions['@apollo/gateway']}, @apollo/server {versions['@apollo/server']}, "
            f"@graphql-hive/gateway {hive['@graphql-hive/gateway']}")


GATEWAYS = ("ours", "hive", "apollo")


def render(rows: list[tuple[Query, int, dict[str, Result], list[float]]], args: argparse.Namespace,
           seconds: float, rss: dict) -> str:
    lines = [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `python -m bench.run{command_options(args)}` "
        f"on {machine()}.",
        "",
        "Concurrency 1: the targets alternate request by request (each round one request to each target, "
        f"in a shuffled order), up to {args.requests} rounds or {args.seconds:g} s per target, after "
        f"{args.warmup} warm-up requests per target; each target's p50 and p99 are of its own samples, "
        "req/s is 1 / its mean latency. Concurrency 16: up to "
        f"{args.requests} requests or {args.seconds:g} s per target, after {args.warmup} warm-up "
        f"requests, run as {args.slices} slices interleaved across the targets. "
        "The load generator (one Python process on uvloop, the gateway's lean HTTP/1.1 client), the "
        "gateways and the subgraphs share this machine. Ours is `python -m services.gateway --policy "
        "platform` (one uvicorn process); hive is `@graphql-hive/gateway` and apollo `@apollo/gateway` in "
        "`@apollo/server` (one Node process each, their defaults: Hive collapses identical in-flight "
        "subgraph requests, and so does ours); direct is the subgraph itself. The portal mix sends every "
        f"request with another token ({len(MIX_DISTRICTS)} districts x {MIX_USERS} bureau admins) and the "
        "queries above in turn. CPU ms/req: CPU time of that one process per request, from /proc. "
        f"RSS MiB: the gateway process at idle (before the query's cells) and right after its "
        f"concurrency-16 cell. Whole run: {seconds:.0f} s.",
        "",
        "| query | conc | ours req/s | hive req/s | apollo req/s | direct req/s | ours/hive | ours/apollo "
        "| p50 / p99 ms ours · hive · apollo | CPU ms/req ours / hive / apollo | RSS MiB idle–c16 ours / hive / apollo |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    failures = []
    for query, conc, results, _paired in rows:
        ours, hive, apollo, direct = (results.get(name) for name in (*GATEWAYS, "direct"))
        latency = " · ".join(f"{fmt(r.p50, 1)} / {fmt(r.p99, 1)}" for r in (ours, hive, apollo))
        cpu = " / ".join(fmt(r.cpu_ms_per_request, 2) for r in (ours, hive, apollo))
        memory = " / ".join(f"{fmt(rss.get((query.name, g, 'idle'), float('nan')), 0)}–"
                            f"{fmt(rss.get((query.name, g, 16), float('nan')), 0)}" for g in GATEWAYS)
        lines.append(
            f"| {query.name} ({query.note}) | {conc} | {fmt(ours.rps, 0)} | {fmt(hive.rps, 0)} | {fmt(apollo.rps, 0)} | "
            f"{fmt(direct.rps, 0) if direct else '–'} | {fmt(ours.rps / hive.rps, 2)}× | {fmt(ours.rps / apollo.rps, 2)}× | "
            f"{latency} | {cpu} | {memory} |"
        )
        for target, result in results.items():
            if result.failures:
                failures.append(f"- {query.name} c={conc} {target}: {result.failures} failed of "
                                f"{result.requests}, e.g. `{result.failure_sample}`")
    if failures:
        lines += ["", "Failed requests (counted in the timings):", *failures]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------


async def onboard_mix_districts(client: httpx.AsyncClient, registry: str, city_token: str) -> None:
    known = {d["code"] for d in (await graphql(client, registry, city_token, "{ districts { code } }"))["districts"]}
    for code in MIX_DISTRICTS:
        if code not in known:
            await graphql(client, registry, city_token,
                          "mutation($i: OnboardDistrictInput!) { onboardDistrict(input: $i) { code } }",
                          {"i": {"code": code, "name": f"Bench district {code}", "cityCode": CITY}})


def mix_requests(mint_token) -> list[tuple[bytes, dict]]:
    tokens = [mint_token(district=d, roles=["bureau_admin"], sub=f"bench-{d}-{n}")
              for n in range(MIX_USERS) for d in MIX_DISTRICTS]
    bodies = [json.dumps({"query": q.text}).encode() for q in QUERIES]
    return [(bodies[i % len(bodies)], {"content-type": "application/json", "authorization": f"Bearer {token}"})
            for i, token in enumerate(tokens * len(bodies))]


async def same_answers(client: httpx.AsyncClient, name: str, targets: dict[str, str], requests: list) -> None:
    """Same answer from every target for every request of the cell, or the comparison means nothing."""
    for body, headers in requests:
        answers = {}
        for target, url in targets.items():
            answer = (await client.post(url, content=body, headers=headers)).json()
            if answer.get("errors") or not answer.get("data"):
                raise RuntimeError(f"{name} via {target}: {json.dumps(answer, ensure_ascii=False)[:500]}")
            answers[target] = answer["data"]
        if any(a != answers["ours"] for a in answers.values()):
            raise RuntimeError(f"{name}: answers differ: {json.dumps(answers, ensure_ascii=False)[:1000]}")


async def run(args: argparse.Namespace, processes: Processes) -> str:
    from services.common.kernel.auth import mint_token
    from services.gateway.policy.subgraphs import platform_supergraph

    began = time.perf_counter()
    ports = {name: pick_port(14001 + i) for i, name in enumerate(SUBGRAPHS)}
    ports.update(ours=pick_port(14000), apollo=pick_port(14010), hive=pick_port(14020))
    urls = {name: f"http://{HOST}:{ports[name]}/graphql" for name in SUBGRAPHS}
    supergraph = processes.log_dir / "supergraph.graphql"
    supergraph.write_text(platform_supergraph(urls))

    quiet = {"LOG_LEVEL": "warning", "HOST": HOST}
    for name in SUBGRAPHS:
        processes.start(name, [sys.executable, "-m", f"services.{name}"], env={**quiet, "PORT": str(ports[name])})
    # The bench measures speed, not the rate limits (the peers have none either).
    processes.start("ours", [sys.executable, "-m", "services.gateway", "--policy", "platform",
                             "--supergraph", str(supergraph), "--port", str(ports["ours"]), "--host", HOST],
                    env={"RATE_LIMITS": "0"})
    for name, directory in (("apollo", APOLLO_DIR), ("hive", HIVE_DIR)):
        processes.start(name, ["node", str(directory / "server.mjs")], cwd=directory,
                        env={"SUPERGRAPH": str(supergraph), "PORT": str(ports[name]), "HOST": HOST,
                             "NODE_ENV": "production"})

    admin_token = mint_token(district=DISTRICT, roles=["bureau_admin"], sub="bench-admin")
    city_token = mint_token(district=None, roles=["city_admin"], city=CITY, sub="bench-city")
    targets = {name: f"http://{HOST}:{ports[name]}/graphql" for name in GATEWAYS}

    limits = httpx.Limits(max_connections=max(CONCURRENCIES) * 2, max_keepalive_connections=max(CONCURRENCIES) * 2)
    async with httpx.AsyncClient(timeout=30.0, limits=limits, trust_env=False) as client:
        for name in SUBGRAPHS:
            await wait_ready(client, name, f"http://{HOST}:{ports[name]}/healthz", processes)
        await wait_ready(client, "our gateway", f"http://{HOST}:{ports['ours']}/healthz", processes)
        for name in ("apollo", "hive"):
            await wait_ready(client, f"{name} gateway", targets[name], processes, post={"query": "{ __typename }"})
        print(f"up: subgraphs {[ports[n] for n in SUBGRAPHS]}, gateways {[ports[g] for g in GATEWAYS]}; "
              f"logs in {processes.log_dir}", file=sys.stderr)

        await seed(client, urls, admin_token, city_token)
        await onboard_mix_districts(client, urls["registry"], city_token)

        headers = {"content-type": "application/json", "authorization": f"Bearer {admin_token}"}
        rows, rss = [], {}
        cells = [(q, json.dumps({"query": q.text}).encode()) for q in QUERIES]
        cells.append((Query(MIX, "", None, "distinct districts and tokens"), Mix(mix_requests(mint_token))))
        for query, body in cells:
            if args.query and query.name not in args.query:
                continue
            query_targets = dict(targets)
            if query.subgraph:
                query_targets["direct"] = urls[query.subgraph]
            await same_answers(client, query.name, query_targets,
                               body.requests if isinstance(body, Mix) else [(body, headers)])
            pids = {target: processes.pid(target if target != "direct" else query.subgraph) for target in query_targets}
            for gateway in GATEWAYS:
                rss[(query.name, gateway, "idle")] = rss_mib(pids[gateway])
            for conc in args.concurrency or CONCURRENCIES:
                names = list(query_targets)
                for target in names:
                    await load(client, query_targets[target], body, headers, concurrency=conc,
                               requests=args.warmup, max_seconds=30)
                if conc == 1:
                    results, paired = await measure_alternating(client, query_targets, pids, body, headers, args)
                else:
                    results, paired = await measure_slices(client, query_targets, pids, body, headers, args, conc)
                    for gateway in GATEWAYS:
                        rss[(query.name, gateway, conc)] = rss_mib(pids[gateway])
                processes.check_alive()
                for target in names:
                    r = results[target]
                    print(f"{query.name:24} c={conc:<2} {target:6} {r.rps:8.0f} req/s  p50 {r.p50:6.2f} ms  "
                          f"p99 {r.p99:6.2f} ms  cpu {r.cpu_ms_per_request:5.2f} ms/req  ({r.requests} requests, "
                          f"{r.failures} failed)", file=sys.stderr)
                rows.append((query, conc, results, paired))
    return render(rows, args, time.perf_counter() - began, rss)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short smoke run (200 requests per cell)")
    parser.add_argument("--requests", type=int, help="requests per target and cell (default 2000; --quick 200)")
    parser.add_argument("--seconds", type=float, help="time cap per target and cell (default 20; --quick 5)")
    parser.add_argument("--warmup", type=int, help="warm-up requests per target and cell (default 200; --quick 50)")
    parser.add_argument("--slices", type=int, default=5,
                        help="each concurrent cell runs as this many interleaved slices per target (default 5)")
    parser.add_argument("--query", action="append", choices=[q.name for q in QUERIES] + [MIX],
                        help="only this query (repeatable; default: all)")
    parser.add_argument("--concurrency", type=int, action="append", choices=CONCURRENCIES,
                        help="only this concurrency (repeatable; default: all)")
    parser.add_argument("--out", help="also write the table to this file (e.g. bench/RESULTS.md)")
    args = parser.parse_args(argv)
    args.requests = args.requests or (200 if args.quick else 2000)
    args.seconds = args.seconds or (5.0 if args.quick else 20.0)
    args.warmup = args.warmup if args.warmup is not None else (50 if args.quick else 200)

    ensure_npm_installed(APOLLO_DIR)
    ensure_npm_installed(HIVE_DIR)
    log_dir = Path(tempfile.mkdtemp(prefix="civic-bench-"))
    processes = Processes(log_dir)
    # SIGTERM behaves like Ctrl-C, so the finally below stops the subprocesses either way.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        table = uvloop.run(run(args, processes))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:
        for name, _proc, log in processes.started:
            print(f"--- {name} log ({log}) ---\n{tail(log, 15)}", file=sys.stderr)
        raise
    finally:
        processes.stop()
    print(table)
    if args.out:
        out = Path(args.out)
        notes = ""
        if out.exists() and NOTES_MARKER in (previous := out.read_text()):
            notes = "\n" + previous[previous.index(NOTES_MARKER):]  # hand-written notes survive a re-run
        out.write_text("# Gateway benchmark\n\n" + table + notes)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
