"""`make run`: starts the subgraphs (with their relays and consumers) and the gateway, loads the demo district
unless DEMO=0, and prints where to start; Ctrl-C stops everything it started.

    python -m services.devrun [--no-demo] [--demo-scale 0.1] [--gateway-port 4000 --registry-port 4001 ...]

The databases must exist and be migrated first (`make run` does that: `python -m services.common.data.db bootstrap`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from services.common.kernel.config import SERVICE_PORTS

ROOT = Path(__file__).resolve().parent.parent
SUBGRAPHS = ("registry", "funding", "evaluation")

EXAMPLES = (
    ("the district portal's headline",
     "{ registryStats { organizations registered filed serviceStations partyOrganizations { total coveragePercent } } "
     "fundingRounds { edges { node { name budget committed beneficiaries personTimes trail { needs entries selected } } } } }"),
    ("awarded projects with their organization (registry) and evaluations (evaluation)",
     "{ projects(first: 5) { edges { node { title grant disbursed beneficiaries organization { name registration } "
     "evaluations { currentPhase findings { severity } } } } } }"),
    ("open fund-recovery orders",
     "{ recoveryOrders(status: OPEN) { edges { node { amount reason project { title organizationName } } } } }"),
)


def _start(module: str, *args: str, port: int | None = None, env: dict | None = None) -> subprocess.Popen:
    environment = dict(os.environ if env is None else env)
    if port is not None:
        environment["PORT"] = str(port)
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=environment)


def wait_healthy(port: int, seconds: float = 30, path: str = "/healthz") -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def stop(processes: list[subprocess.Popen]) -> None:
    """SIGINT first (uvicorn shuts down cleanly, workers flush), then kill what lingers."""
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in processes:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


def ports_in_use(ports: dict[str, int]) -> list[str]:
    """Another platform (or anything) on our ports would answer our health checks and take our demo data."""
    busy = []
    for name, port in ports.items():
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                busy.append(f"{name} port {port}")
    return busy


def start_platform(ports: dict[str, int]) -> tuple[list[subprocess.Popen], str]:
    """The three subgraphs and the gateway; a supergraph with these ports when they are not the defaults."""
    processes = [_start(f"services.{name}", port=ports[name]) for name in SUBGRAPHS]
    for name in SUBGRAPHS:
        if not wait_healthy(ports[name]):
            print(f"{name} did not become healthy; see its log above", file=sys.stderr)
    args = ["--policy", "platform", "--port", str(ports["gateway"])]
    if any(ports[name] != SERVICE_PORTS[name] for name in SUBGRAPHS):
        from services.gateway.policy.subgraphs import platform_supergraph

        urls = {name: f"http://127.0.0.1:{ports[name]}/graphql" for name in SUBGRAPHS}
        path = Path(tempfile.gettempdir()) / f"civic-supergraph-{ports['gateway']}.graphql"
        path.write_text(platform_supergraph(urls))
        args += ["--supergraph", str(path)]
    processes.append(_start("services.gateway", *args))
    if not wait_healthy(ports["gateway"]):
        print("the gateway did not become healthy; see its log above", file=sys.stderr)
    return processes, f"http://127.0.0.1:{ports['gateway']}"


def load_demo(gateway: str, scale: float) -> None:
    from services.demo.headline import print_headline
    from services.demo.load import load

    print(f"\nLoading the demo district (道里区) through {gateway}/graphql (DEMO=0 skips this) ...", flush=True)
    figures = asyncio.run(load(gateway, scale=scale, log=lambda m: print(f"  {m}", flush=True)))
    print("Headline figures, read back through the gateway:")
    print_headline(figures, out=lambda line: print(line, flush=True))


def print_welcome(gateway: str, ports: dict[str, int]) -> None:
    print("\nThe platform is up:")
    print(f"  Portal     {gateway}/portal/   (区民政局工作平台; public notices: {gateway}/portal/notices.html)")
    print("             development sign-in: pick one of the demo's accounts, e.g. 道里区民政局管理员 (demo-bureau-admin) or 哈尔滨市民政局管理员 (demo-city-admin)")
    print(f"  GraphQL    {gateway}/graphql   (the gateway: district portals use this one; the explorer in a browser)")
    for name in SUBGRAPHS:
        print(f"  {name:<10} http://127.0.0.1:{ports[name]}/graphql")
    print("\nA token for Daoli's bureau (道里区民政局):")
    print("  export TOKEN=$(.venv/bin/civic token --district 230102 --role bureau_admin)")
    print("  (a city admin: .venv/bin/civic token --role city_admin --city 2301; more: .venv/bin/civic --help)")
    print("\nThree queries to try:")
    for n, (what, query) in enumerate(EXAMPLES, 1):
        print(f"  {n}. {what}:")
        print(f"     curl -s {gateway}/graphql -H \"Authorization: Bearer $TOKEN\" -H 'content-type: application/json' \\")
        print(f"       -d '{{\"query\": \"{query}\"}}'")
    print("\nFund-recovery alerts as a subscriber sees them: .venv/bin/civic alerts")
    print("Ctrl-C stops everything started here.\n", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.devrun", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo district (same as DEMO=0)")
    parser.add_argument("--demo-scale", type=float, default=float(os.environ.get("DEMO_SCALE", "1")),
                        help="shrink the demo's service records and stations, e.g. 0.1 (default 1: the source's figures)")
    for name, port in SERVICE_PORTS.items():
        parser.add_argument(f"--{name}-port", type=int, default=port, help=f"default {port}")
    return parser.parse_args(argv)


def _stop_like_ctrl_c(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM (kill, a supervisor) stops the platform as Ctrl-C does


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    args = parse_args(argv)
    ports = {name: getattr(args, f"{name}_port") for name in SERVICE_PORTS}
    demo = not args.no_demo and os.environ.get("DEMO", "1") != "0"
    busy = ports_in_use(ports)
    if busy:
        print(f"already in use: {', '.join(busy)}. Is another `make run` running? Stop it, or choose other ports "
              f"(python -m services.devrun --help).", file=sys.stderr)
        return 1
    processes: list[subprocess.Popen] = []
    try:
        processes, gateway = start_platform(ports)
        if demo:
            try:
                load_demo(gateway, args.demo_scale)
            except Exception as exc:  # noqa: BLE001  (the platform stays up; the demo can be loaded again)
                print(f"loading the demo failed: {exc!r}; retry with .venv/bin/python -m services.demo.load "
                      f"--gateway {gateway}", file=sys.stderr)
        print_welcome(gateway, ports)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("a process of the platform stopped; stopping the rest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
