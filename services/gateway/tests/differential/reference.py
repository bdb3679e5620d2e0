"""The reference side: one Node process running @apollo/composition and @apollo/gateway (apollo/server.mjs).

`ensure_installed` runs `npm ci` when apollo/node_modules is older than the lockfile (the Makefile's
`differential-deps` step does the same before `make test`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx

APOLLO_DIR = Path(__file__).parent / "apollo"
STAMP = APOLLO_DIR / "node_modules" / ".package-lock.json"


class CompositionFailed(Exception):
    pass


def ensure_installed() -> None:
    lock = APOLLO_DIR / "package-lock.json"
    if STAMP.exists() and STAMP.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for the differential suite (the reference composer and gateway)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=APOLLO_DIR, check=True)


class ReferenceGateway:
    def __init__(self):
        ensure_installed()
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is needed for the differential suite")
        self.process = subprocess.Popen([node, "server.mjs"], cwd=APOLLO_DIR, stdout=subprocess.PIPE, text=True,
                                        env={"PATH": "/usr/bin:/bin", "PORT": "0", "NODE_ENV": "production"})
        line = self.process.stdout.readline()
        if not line.startswith("listening "):
            self.process.kill()
            raise RuntimeError(f"reference gateway did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        self.client = httpx.AsyncClient(timeout=60)

    async def compose(self, subgraphs: list[dict]) -> str:
        response = await self.client.post(f"{self.url}/compose", json={"subgraphs": subgraphs})
        response.raise_for_status()
        result = response.json()
        if result.get("errors"):
            raise CompositionFailed("\n".join(result["errors"]))
        return result["supergraph"]

    async def execute(self, supergraph: str, query: str, variables: dict | None) -> dict:
        response = await self.client.post(f"{self.url}/execute",
                                          json={"supergraph": supergraph, "query": query, "variables": variables})
        response.raise_for_status()
        return response.json()

    async def aclose(self) -> None:
        await self.client.aclose()
        self.process.terminate()
        self.process.wait(timeout=10)
