"""`make bench` part one: each subgraph's hot reads beside a plain-Strawberry peer and a by-hand floor.

    python -m bench.subgraphs [--quick] [--requests N] [--seconds S] [--read NAME] [--concurrency C]

Starts the three subgraphs and the two peers of bench/peers.py, seeds the bench data through the
subgraphs, and measures every read on the three targets: at concurrency 1 alternating request by
request, at 16 in interleaved slices (bench/run.py's `alternate` and `measure_slices`). Answers are
compared first: the three must give the same data. RSS is each serving process's resident memory at
idle (before the read's cells) and right after its concurrency-16 cell.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
import uvloop

from bench.peers import DOCUMENTS, SERVICE_OF
from bench.run import (
    CONCURRENCIES, DISTRICT, HOST, SUBGRAPHS, Processes, fmt, load, measure_alternating, measure_slices,
    pick_port, same_answers, seed, wait_ready,
)
from bench.processes import rss_mib

PEERS = ("strawberry", "hand")


def render(rows: list, args: argparse.Namespace, rss: dict, seconds: float) -> str:
    lines = [
        f"Subgraph hot reads, measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC with "
        f"`python -m bench.subgraphs{' --quick' if args.quick else ''}` ({seconds:.0f} s). Each read: "
        "`first: 20`, the bench district's bureau-admin token. ours = the subgraph (tokens, RLS, "
        "federation, Tortoise); strawberry = plain Strawberry over asyncpg with its ParserCache and "
        "ValidationCache; hand = Starlette + asyncpg + orjson. All three: BEGIN, set_config, SELECT, COMMIT "
        "as the application role. RSS MiB: at idle / right after the concurrency-16 cell.",
        "",
        "| read | conc | ours req/s | strawberry req/s | hand req/s | ours/strawberry | ours/hand "
        "| ours p50 / p99 ms | strawberry p50 / p99 ms | hand p50 / p99 ms | RSS MiB ours / strawberry / hand |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for field, conc, results in rows:
        ours, plain, hand = results["ours"], results["strawberry"], results["hand"]
        memory = " / ".join(
            f"{rss[(field, target, 'idle')]:.0f}–{rss.get((field, target, 16), float('nan')):.0f}"
            for target in ("ours", *PEERS))
        lines.append(
            f"| {field} ({SERVICE_OF[field]}) | {conc} | {fmt(ours.rps, 0)} | {fmt(plain.rps, 0)} | "
            f"{fmt(hand.rps, 0)} | {fmt(ours.rps / plain.rps, 2)}× | {fmt(ours.rps / hand.rps, 2)}× | "
            f"{fmt(ours.p50, 2)} / {fmt(ours.p99, 2)} | {fmt(plain.p50, 2)} / {fmt(plain.p99, 2)} | "
            f"{fmt(hand.p50, 2)} / {fmt(hand.p99, 2)} | {memory} |")
        for target, result in results.items():
            if result.failures:
                lines.append(f"\n{field} c={conc} {target}: {result.failures} failed, e.g. `{result.failure_sample}`")
    return "\n".join(lines) + "\n"


async def run(args: argparse.Namespace, processes: Processes) -> str:
    from services.common.kernel.auth import mint_token

    began = time.perf_counter()
    ports = {name: pick_port(14101 + i) for i, name in enumerate(SUBGRAPHS)}
    ports.update({peer: pick_port(14131 + i) for i, peer in enumerate(PEERS)})
    quiet = {"LOG_LEVEL": "warning", "HOST": HOST}
    for name in SUBGRAPHS:
        processes.start(name, [sys.executable, "-m", f"services.{name}"], env={**quiet, "PORT": str(ports[name])})
    for peer in PEERS:
        processes.start(peer, [sys.executable, "-m", "bench.peers", "--kind", peer, "--port", str(ports[peer])])
    urls = {name: f"http://{HOST}:{ports[name]}/graphql" for name in SUBGRAPHS}
    admin = mint_token(district=DISTRICT, roles=["bureau_admin"], sub="bench-admin")
    city = mint_token(district=None, roles=["city_admin"], city=DISTRICT[:4], sub="bench-city")
    headers = {"content-type": "application/json", "authorization": f"Bearer {admin}"}
    rows, rss = [], {}
    limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
    async with httpx.AsyncClient(timeout=30.0, limits=limits, trust_env=False) as client:
        for name in (*SUBGRAPHS, *PEERS):
            await wait_ready(client, name, f"http://{HOST}:{ports[name]}/healthz", processes)
        await seed(client, urls, admin, city)
        for field, document in DOCUMENTS.items():
            if args.read and field not in args.read:
                continue
            service = SERVICE_OF[field]
            targets = {"ours": urls[service],
                       **{peer: f"http://{HOST}:{ports[peer]}/{service}/graphql" for peer in PEERS}}
            pids = {"ours": processes.pid(service), **{peer: processes.pid(peer) for peer in PEERS}}
            body = json.dumps({"query": document}).encode()
            await same_answers(client, field, targets, [(body, headers)])
            for target, pid in pids.items():
                rss[(field, target, "idle")] = rss_mib(pid)
            for conc in args.concurrency or CONCURRENCIES:
                for target, url in targets.items():
                    await load(client, url, body, headers, concurrency=conc, requests=args.warmup, max_seconds=30)
                if conc == 1:
                    results, _ = await measure_alternating(client, targets, {}, body, headers, args)
                else:
                    results, _ = await measure_slices(client, targets, pids, body, headers, args, conc)
                    for target, pid in pids.items():
                        rss[(field, target, conc)] = rss_mib(pid)
                processes.check_alive()
                for target, r in results.items():
                    print(f"{field:14} c={conc:<2} {target:10} {r.rps:7.0f} req/s  p50 {r.p50:6.2f}  p99 {r.p99:6.2f} ms"
                          f"  ({r.failures} failed)", file=sys.stderr)
                rows.append((field, conc, results))
    return render(rows, args, rss, time.perf_counter() - began)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.subgraphs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short run (200 requests per cell)")
    parser.add_argument("--requests", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--slices", type=int, default=5)
    parser.add_argument("--read", action="append", choices=list(DOCUMENTS))
    parser.add_argument("--concurrency", type=int, action="append", choices=CONCURRENCIES)
    parser.add_argument("--out", help="also append the table to this file")
    args = parser.parse_args(argv)
    args.requests = args.requests or (200 if args.quick else 2000)
    args.seconds = args.seconds or (4.0 if args.quick else 15.0)
    args.warmup = args.warmup if args.warmup is not None else (30 if args.quick else 200)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    processes = Processes(Path(tempfile.mkdtemp(prefix="civic-bench-subgraphs-")))
    try:
        table = uvloop.run(run(args, processes))
    finally:
        processes.stop()
    print(table)
    if args.out:
        with open(args.out, "a") as out:
            out.write("\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
