"""The reference side: one Node process running @apollo/composition and @apollo/gateway
(services/gateway/federation/apollo/server.mjs, beside the composer `make supergraph` runs; one lockfile)."""

from __future__ import annotations

import shutil
import subprocess

import httpx

from services.gateway.federation.compose import APOLLO_DIR, ensure_installed


class CompositionFailed(Exception):
    pass


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
