"""`make run`: starts the subgraphs (with their relays and consumers) and the gateway; Ctrl-C stops them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from services.common.config import SERVICE_PORTS

ROOT = Path(__file__).resolve().parent.parent


def _start(module: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=os.environ.copy())


def _wait_healthy(port: int, seconds: float = 30) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def main() -> int:
    services = [s for s in ("registry", "funding", "evaluation") if (ROOT / "services" / s / "app.py").exists()]
    processes = [_start(f"services.{name}") for name in services]
    for name in services:
        if not _wait_healthy(SERVICE_PORTS[name]):
            print(f"{name} did not become healthy; see its log above", file=sys.stderr)
    gateway = ROOT / "services" / "gateway" / "policy" / "app.py"
    if gateway.exists():
        processes.append(_start("services.gateway", "--policy", "platform"))
        _wait_healthy(SERVICE_PORTS["gateway"])
    print("\nThe platform is up:")
    if gateway.exists():
        print(f"  gateway    http://127.0.0.1:{SERVICE_PORTS['gateway']}/graphql   (district portals use this one)")
    for name in services:
        print(f"  {name:<10} http://127.0.0.1:{SERVICE_PORTS[name]}/graphql")
    print("\nA token for Daoli's bureau:  .venv/bin/civic token --district 230102 --role bureau_admin")
    print("Then, e.g.:  curl -s localhost:4000/graphql -H \"Authorization: Bearer $TOKEN\" "
          "-H 'content-type: application/json' -d '{\"query\": \"{ registryStats { organizations registered filed } }\"}'")
    print("Ctrl-C stops everything started here.\n")
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
