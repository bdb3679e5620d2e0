"""`make run` end to end: the platform as subprocesses (services.devrun on spare ports, this run's test databases),
the demo loaded through the gateway, the source's headline figures read back, a new district onboarded with
the CLI and shown empty and isolated, and a fund-recovery alert received by `civic alerts`.

With the source's figures it is slow (13,430 service records; ~75 s to load on 2 CPUs): `make e2e`. The default
run covers the same path on a figure set scaled to 1% of the service records.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support import DAOLI, HARBIN, token
from services.demo import figures as F
from services.demo.api import Api
from services.demo.headline import headline

from .platform import free_ports

ROOT = Path(__file__).resolve().parent.parent
FULL_SCALE = float(os.environ.get("E2E_DEMO_SCALE", "1"))


async def _line(stream, contains: str, timeout: float) -> str:
    """Reads a subprocess's output until a line containing `contains` (in a thread: pipes block)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = await asyncio.wait_for(asyncio.to_thread(stream.readline), deadline - time.monotonic())
        if not line:
            break
        seen.append(line)
        if contains in line:
            return line
    raise AssertionError(f"no line with {contains!r} within {timeout}s; last output:\n{''.join(seen[-30:])}")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


async def test_make_run_on_a_small_figure_set_loads_onboards_and_tails_alerts(databases, broker):
    await _make_run(0.01)


@pytest.mark.slow
async def test_make_run_loads_the_source_figures_onboards_a_district_and_tails_alerts(databases, broker):
    await _make_run(FULL_SCALE)


async def _make_run(scale: float) -> None:
    names = ("gateway", "registry", "funding", "evaluation")
    ports = dict(zip(names, free_ports(len(names))))
    devrun = subprocess.Popen(
        [sys.executable, "-m", "services.devrun", "--demo-scale", str(scale),
         *[arg for name, port in ports.items() for arg in (f"--{name}-port", str(port))]],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "LOG_LEVEL": "warning"},
    )
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    try:
        started = time.monotonic()
        loaded = await _line(devrun.stdout, "demo loaded in", timeout=600)
        await _line(devrun.stdout, "Ctrl-C stops everything", timeout=60)
        print(f"\n{loaded.strip()} (platform start to ready: {time.monotonic() - started:.1f} s)")
        # Keep reading what the platform prints, so a full pipe never blocks it.
        threading.Thread(target=lambda: [None for _ in devrun.stdout], daemon=True).start()
        bureau = token(DAOLI, "bureau_admin")
        async with Api(gateway) as api:
            # The district portal's headline figures equal the source's.
            assert await headline(api, bureau) == F.SOURCE.scaled(scale).headline()

            # A second load finds the demo and changes nothing.
            again = _cli("demo", "--gateway", gateway, "--scale", str(scale))
            assert again.returncode == 0, again.stderr
            assert "already there" in again.stdout

            # A new district, onboarded with the CLI: on the platform, empty, and blind to Daoli.
            onboarded = _cli("onboard", "--code", "230104", "--name", "香坊区", "--city", HARBIN,
                             "--credit-code", "11230104000000019H", "--gateway", gateway)
            assert onboarded.returncode == 0, onboarded.stderr
            city = token(None, "city_admin", city=HARBIN)
            codes = [d["code"] for d in (await api.call("{ districts { code } }", token=city))["districts"]]
            assert "230104" in codes
            xiangfang = token("230104", "bureau_admin")
            daoli_org = (await api.call("{ organizations(first: 1) { edges { node { id } } } }", token=bureau))
            daoli_org = daoli_org["organizations"]["edges"][0]["node"]["id"]
            seen = await api.call("""query($id: ID!) { organization(id: $id) { id } organizations { totalCount }
                fundingRounds { totalCount } projects { totalCount } evaluations { totalCount }
                registryStats { organizations serviceStations } fundingStats { projects beneficiaries } }""",
                                  {"id": daoli_org}, token=xiangfang)
            assert seen == {"organization": None, "organizations": {"totalCount": 0}, "fundingRounds": {"totalCount": 0},
                            "projects": {"totalCount": 0}, "evaluations": {"totalCount": 0},
                            "registryStats": {"organizations": 0, "serviceStations": 0},
                            "fundingStats": {"projects": 0, "beneficiaries": 0}}

            # A recovery order reaches `civic alerts` as a subscriber sees it.
            tail = subprocess.Popen([sys.executable, "-m", "services.cli", "alerts", "--json", "--count", "1"], cwd=ROOT,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                await _line(tail.stderr, "listening for fund-recovery alerts", timeout=30)
                project = (await api.call("{ projects(first: 1) { edges { node { id title } } } }", token=bureau))
                project = project["projects"]["edges"][0]["node"]
                order = (await api.call("""mutation($p: ID!) { orderRecovery(input: {projectId: $p, amount: "1500.00",
                    reason: "挪用项目资金"}) { id } }""", {"p": project["id"]}, token=bureau))["orderRecovery"]
                alert = json.loads(await _line(tail.stdout, order["id"], timeout=30))
                assert tail.wait(timeout=10) == 0
            finally:
                if tail.poll() is None:
                    tail.kill()
            assert alert["type"] == "funding.recovery.ordered" and alert["district"] == DAOLI
            assert alert["data"]["amountFen"] == 150_000 and alert["data"]["projectTitle"] == project["title"]
    finally:
        devrun.send_signal(signal.SIGINT)
        code = devrun.wait(timeout=30)
    assert code == 0
