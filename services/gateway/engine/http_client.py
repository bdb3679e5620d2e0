"""A lean HTTP/1.1 client for subgraph calls: keep-alive connections per URL, parsed by httptools.

Subgraph calls are small JSON POSTs on long-lived connections. A general client (aiohttp, httpx)
builds request, header and timer objects per call and took about a third of the gateway's CPU per
request; here a call is one write of ready bytes and one future resolved by the parser.
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from collections import deque
from collections.abc import Mapping
from urllib.parse import urlsplit

import httptools

from .transport import TransportFailure

# Headers the client frames itself; a caller's copy would corrupt the framing.
_FRAMING = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te"})
_DEFAULT_HEADERS = b"content-type: application/json\r\naccept: application/json\r\naccept-encoding: identity\r\n"


class _Connection(asyncio.Protocol):
    """One keep-alive connection; at most one request in flight (no pipelining)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future | None = None
        self.usable = False  # connected, and the last response was complete and keep-alive
        self.idle_since = 0.0
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.chunks: list[bytes] = []
        self.encoding = b""
        self.framed = False  # Content-Length or chunked: the body does not end at close
        self.headers_done = False

    # -- asyncio.Protocol ------------------------------------------------------------
    def connection_made(self, transport) -> None:
        self.transport = transport
        self.usable = True

    def connection_lost(self, exc) -> None:
        self.usable = False
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self.headers_done and not self.framed:  # HTTP/1.0 style: the body ends at close
            self._complete()
        else:
            waiter.set_exception(TransportFailure("connection closed before the response was complete"))

    def data_received(self, data: bytes) -> None:
        if self.waiter is None or self.waiter.done():
            self._fail("unexpected data from the server")
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail("invalid HTTP response")

    # -- httptools callbacks -----------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"content-length" or name == b"transfer-encoding":
            self.framed = True
        elif name == b"content-encoding":
            self.encoding = value.strip().lower()

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        if 100 <= self.status < 200:  # an interim answer (e.g. 103 Early Hints): the real one follows
            self._reset()
            return
        if not self.parser.should_keep_alive():
            self.usable = False
            self.transport.close()
        self._complete()

    # -- requests ------------------------------------------------------------------------
    def _complete(self) -> None:
        body = b"".join(self.chunks)
        status, encoding = self.status, self.encoding
        self._reset()
        waiter, self.waiter = self.waiter, None
        if waiter is None:  # a second response to one request
            self._fail("unexpected response from the server")
            return
        if waiter.done():
            return
        if encoding and encoding != b"identity":
            try:
                body = _decode(body, encoding)
            except (zlib.error, ValueError) as error:
                waiter.set_exception(TransportFailure(f"undecodable response body: {error}"))
                return
        waiter.set_result((status, body))

    def _fail(self, message: str) -> None:
        self.usable = False
        if self.transport is not None:
            self.transport.close()
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(TransportFailure(message))

    def send(self, data: bytes, loop: asyncio.AbstractEventLoop) -> asyncio.Future:
        self.waiter = waiter = loop.create_future()
        try:
            self.transport.write(data)
        except (OSError, RuntimeError) as error:  # e.g. a transport closing under us
            self.usable = False
            raise TransportFailure(f"{error.__class__.__name__}: {error}") from error
        return waiter

    def close(self) -> None:
        self.usable = False
        if self.transport is not None:
            self.transport.close()


def _decode(body: bytes, encoding: bytes) -> bytes:
    if encoding in (b"gzip", b"x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == b"deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
    raise ValueError(f"content-encoding {encoding.decode(errors='replace')!r}")


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class _Endpoint:
    """The connections to one URL: idle ones reused most-recent first, at most `limit` open."""

    def __init__(self, url: str, limit: int, idle_expiry: float, ssl_context: ssl.SSLContext | None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl = (ssl_context or ssl.create_default_context()) if parts.scheme == "https" else None
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        authority = parts.netloc.rpartition("@")[2]
        self.head = f"POST {target} HTTP/1.1\r\nhost: {authority}\r\n".encode("latin-1") + _DEFAULT_HEADERS
        self.limit = limit
        self.idle_expiry = idle_expiry
        self.idle: deque[_Connection] = deque()
        self.open = 0
        self.waiters: deque[asyncio.Future] = deque()

    async def post(self, content: bytes, headers: bytes, timeout: float) -> tuple[int, bytes]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        connection = self._idle_connection(loop)
        if connection is None:
            connection = await self._new_connection(loop, deadline)
        data = b"".join((self.head, headers, b"content-length: %d\r\n\r\n" % len(content), content))
        try:
            waiter = connection.send(data, loop)
            timer = loop.call_at(deadline, _expire, waiter)
            try:
                return await waiter
            finally:
                timer.cancel()
        finally:
            self._release(connection, loop)

    def _idle_connection(self, loop) -> _Connection | None:
        # Servers close idle keep-alive connections (uvicorn after 5 s): drop ours before they do,
        # so that a request is not written into a connection the server is closing.
        idle, now = self.idle, loop.time()
        while idle and not self._fresh(idle[0], now):  # the oldest first: they expire first
            self._discard(idle.popleft())
        while idle:
            connection = idle.pop()
            if self._fresh(connection, now):
                return connection
            self._discard(connection)
        return None

    def _fresh(self, connection: _Connection, now: float) -> bool:
        return connection.usable and now - connection.idle_since < self.idle_expiry

    async def _new_connection(self, loop, deadline: float) -> _Connection:
        while self.open >= self.limit:
            waiter = loop.create_future()
            self.waiters.append(waiter)
            timer = loop.call_at(deadline, _expire, waiter)
            try:
                handed = await waiter
            except BaseException:
                # Cancelled just after being handed a connection or room for one: pass it on.
                if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                    if waiter.result() is not None:
                        self._release(waiter.result(), loop)
                    else:
                        self._wake_one(None)
                raise
            finally:
                timer.cancel()
            if handed is not None:
                return handed
        self.open += 1
        try:
            async with asyncio.timeout_at(deadline):
                _, connection = await loop.create_connection(
                    _Connection, self.host, self.port, ssl=self.ssl,
                    server_hostname=self.host if self.ssl else None)
        except OSError as error:
            self._closed_one()
            raise TransportFailure(f"{error.__class__.__name__}: {error}") from error
        except BaseException:
            self._closed_one()
            raise
        return connection

    def _release(self, connection: _Connection, loop) -> None:
        if not connection.usable or connection.waiter is not None:  # broken, or the answer never came
            self._discard(connection)
            return
        if not self._wake_one(connection):  # straight to a caller waiting for a connection
            connection.idle_since = loop.time()
            self.idle.append(connection)

    def _discard(self, connection: _Connection) -> None:
        connection.close()
        self._closed_one()

    def _closed_one(self) -> None:
        self.open -= 1
        self._wake_one(None)  # room for a new connection

    def _wake_one(self, value: _Connection | None) -> bool:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(value)
                return True
        return False

    def close(self) -> None:
        while self.idle:
            self._discard(self.idle.pop())


def encode_headers(headers: Mapping[str, str]) -> bytes:
    """Header lines for a request; refuses names or values that would split the request."""
    lines = []
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _FRAMING:
            continue
        if any(c in name for c in ":\r\n") or "\r" in value or "\n" in value:
            raise TransportFailure(f"invalid header {name!r}")
        lines.append(f"{lowered}: {value}\r\n")
    return "".join(lines).encode("latin-1")


class Http1Poster:
    """The `Poster` the engine uses in production (see transport.py)."""

    def __init__(self, max_connections: int = 256, idle_expiry: float = 4.0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.max_connections = max_connections  # per subgraph URL
        self.idle_expiry = idle_expiry
        self.ssl_context = ssl_context
        self._endpoints: dict[str, _Endpoint] = {}

    async def post(self, url: str, content: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        endpoint = self._endpoints.get(url)
        if endpoint is None:
            try:
                endpoint = _Endpoint(url, self.max_connections, self.idle_expiry, self.ssl_context)
            except ValueError as error:
                raise TransportFailure(str(error)) from error
            self._endpoints[url] = endpoint
        try:
            encoded = encode_headers(headers)
        except UnicodeEncodeError as error:
            raise TransportFailure("header values must be latin-1") from error
        return await endpoint.post(content, encoded, timeout)

    async def aclose(self) -> None:
        for endpoint in self._endpoints.values():
            endpoint.close()
        self._endpoints.clear()
