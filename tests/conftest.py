from __future__ import annotations

import httpx
import pytest

from .platform import running_gateway, running_subgraphs


class Portal:
    """A district portal talking to the gateway over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.AsyncClient(base_url=base, timeout=20)

    async def post(self, query: str, variables: dict | None = None, *, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)

    async def ok(self, query: str, variables: dict | None = None, *, token: str | None = None) -> dict:
        body = (await self.post(query, variables, token=token)).json()
        assert not body.get("errors"), body
        return body["data"]


# Package scope: the subgraphs' workers consume the services' queues, so they must stop when the
# cross-service tests end, not compete with the consumers of tests that run after them.
@pytest.fixture(scope="package")
async def subgraphs(databases, broker):
    async with running_subgraphs() as urls:
        yield urls


@pytest.fixture(scope="package")
async def gateway(subgraphs):
    async with running_gateway(subgraphs) as base:
        portal = Portal(base)
        yield portal
        await portal.http.aclose()
