"""A small GraphQL client for the gateway (or any subgraph), used by the demo loader and the CLI."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class ApiError(Exception):
    def __init__(self, errors: list[dict]) -> None:
        first = errors[0]
        self.errors = errors
        self.code = (first.get("extensions") or {}).get("code")
        self.field = (first.get("extensions") or {}).get("field")
        super().__init__(f"{self.code}: {first.get('message')}")


class Api:
    def __init__(self, url: str, *, timeout: float = 60) -> None:
        # Accept the base URL or the /graphql endpoint.
        self.url = url if url.rstrip("/").endswith("/graphql") else url.rstrip("/") + "/graphql"
        self.http = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=64))

    async def __aenter__(self) -> "Api":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def call(self, query: str, variables: dict | None = None, *, token: str | None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload = {"query": query, "variables": variables or {}}
        response = await self.http.post(self.url, json=payload, headers=headers)
        while response.status_code == 429:  # the gateway's rate limit: nothing was done; wait as told
            await asyncio.sleep(float(response.headers.get("retry-after", "1")))
            response = await self.http.post(self.url, json=payload, headers=headers)
        try:
            body = response.json()
        except ValueError:
            response.raise_for_status()
            raise
        if body.get("errors"):
            raise ApiError(body["errors"])
        return body["data"]

    async def retry(self, query: str, variables: dict | None = None, *, token: str, until: float = 30,
                    codes: tuple[str, ...] = ("NOT_FOUND", "SERVICE_UNAVAILABLE")) -> dict:
        """Calls again while the answer is one that events still in flight will change (e.g. an organization
        funding has not heard of yet)."""
        deadline = asyncio.get_running_loop().time() + until
        while True:
            try:
                return await self.call(query, variables, token=token)
            except ApiError as exc:
                if exc.code not in codes or asyncio.get_running_loop().time() > deadline:
                    raise
            await asyncio.sleep(0.2)


async def gather_limited(limit: int, jobs: list) -> list[Any]:
    """Runs coroutines with at most `limit` in flight, results in order."""
    semaphore = asyncio.Semaphore(limit)

    async def run(job):
        async with semaphore:
            return await job

    return await asyncio.gather(*(run(job) for job in jobs))
