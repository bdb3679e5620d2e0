"""How the engine POSTs to subgraphs: its own HTTP/1.1 client in production (http_client.py), httpx when a
test injects a transport (e.g. httpx.ASGITransport for in-process subgraphs)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol

import httpx


class TransportFailure(Exception):
    """The request never got an HTTP answer (refused, reset, DNS...)."""


class Poster(Protocol):
    async def post(self, url: str, content: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        """(status, body); raises TimeoutError after `timeout` seconds, TransportFailure without an answer."""

    async def aclose(self) -> None: ...


JSON_HEADERS = {"content-type": "application/json", "accept": "application/json"}


class HttpxPoster:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(self, url: str, content: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        try:
            async with asyncio.timeout(timeout):
                response = await self.client.post(url, content=content, headers={**JSON_HEADERS, **headers})
        except httpx.HTTPError as error:
            raise TransportFailure(error.__class__.__name__) from error
        return response.status_code, response.content

    async def aclose(self) -> None:
        await self.client.aclose()
