"""How the engine POSTs to subgraphs: aiohttp in production (lean per request), httpx when a test
injects a transport (e.g. httpx.ASGITransport for in-process subgraphs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import aiohttp
import httpx


class TransportFailure(Exception):
    """The request never got an HTTP answer (refused, reset, DNS...)."""


class Poster(Protocol):
    async def post(self, url: str, content: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]: ...

    async def aclose(self) -> None: ...


class AiohttpPoster:
    def __init__(self, max_connections: int = 256) -> None:
        self.max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Created lazily: a session belongs to the running event loop.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.max_connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                                  skip_auto_headers=("User-Agent",))
        return self._session

    async def post(self, url: str, content: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        try:
            async with self._open().post(url, data=content, headers=dict(headers)) as response:
                return response.status, await response.read()
        except aiohttp.ClientError as error:
            raise TransportFailure(error.__class__.__name__) from error

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class HttpxPoster:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(self, url: str, content: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        try:
            response = await self.client.post(url, content=content, headers=headers)
        except httpx.HTTPError as error:
            raise TransportFailure(error.__class__.__name__) from error
        return response.status_code, response.content

    async def aclose(self) -> None:
        await self.client.aclose()
