"""Limits where an HTTP request enters a process: time to send its head and its body, keep-alive, connections.

uvicorn has three of them itself and they are used as they are: `timeout_keep_alive` (an idle
connection between requests), `limit_concurrency` (503 beyond that many connections and requests) and,
with h11, `h11_max_incomplete_event_size` (a head's size). It has no time limit on a head or a body, so a
client that sends half a head, or a body one byte at a time, holds a connection for as long as it likes.
Those two are here: a protocol that closes a connection whose head is not complete in time (also the
next head on a kept-alive connection), and an ASGI guard that reads the body in time and under its cap
before the app sees any of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass
from typing import Any

import orjson

from services.common.kernel.errors import REQUEST_TIMEOUT

# The uvicorn protocol method the head guard hooks to know a response is done, checked when the
# protocol class is built (as aiormq's internals are in events/publisher.py): a uvicorn without it fails loudly.
RESPONSE_DONE_HOOK = "on_response_complete"


@dataclass(frozen=True)
class HttpLimits:
    head_timeout: float = 10.0       # HTTP_HEAD_TIMEOUT_SECONDS: from connect (or the last response) to a whole head
    body_timeout: float = 30.0       # HTTP_BODY_TIMEOUT_SECONDS: from the head to the whole body
    keep_alive: int = 5              # HTTP_KEEP_ALIVE_SECONDS: an idle connection between requests
    max_connections: int = 1000      # HTTP_MAX_CONNECTIONS: uvicorn answers 503 beyond it
    max_head_bytes: int = 64 * 1024  # HTTP_MAX_HEAD_BYTES: a longer head is answered 431 and closed
    max_body_bytes: int = 1_000_000  # MAX_BODY_BYTES: a longer body is answered 413 before it is parsed

    @classmethod
    def from_env(cls) -> HttpLimits:
        env = os.environ.get
        return cls(
            head_timeout=float(env("HTTP_HEAD_TIMEOUT_SECONDS", cls.head_timeout)),
            body_timeout=float(env("HTTP_BODY_TIMEOUT_SECONDS", cls.body_timeout)),
            keep_alive=int(env("HTTP_KEEP_ALIVE_SECONDS", cls.keep_alive)),
            max_connections=int(env("HTTP_MAX_CONNECTIONS", cls.max_connections)),
            max_head_bytes=int(env("HTTP_MAX_HEAD_BYTES", cls.max_head_bytes)),
            max_body_bytes=int(env("MAX_BODY_BYTES", cls.max_body_bytes)),
        )

    def uvicorn_settings(self) -> dict[str, Any]:
        """Keyword arguments for `uvicorn.run` / `uvicorn.Config`."""
        return {
            "timeout_keep_alive": self.keep_alive,
            "limit_concurrency": self.max_connections,
            "h11_max_incomplete_event_size": self.max_head_bytes,
            "http": head_timeout_protocol(self),
        }


def _uvicorn_protocol() -> type:
    """The protocol uvicorn's `http="auto"` would pick."""
    try:
        import httptools  # noqa: F401

        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        return HttpToolsProtocol
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol


_CLOSE = b"Connection: close\r\nContent-Length: 0\r\n\r\n"


def head_timeout_protocol(limits: HttpLimits, base: type | None = None) -> type:
    base = base or _uvicorn_protocol()
    if not callable(getattr(base, RESPONSE_DONE_HOOK, None)):
        raise RuntimeError(f"{base.__name__} has no {RESPONSE_DONE_HOOK}: the head timeout cannot re-arm")

    class HeadTimeoutProtocol(base):  # type: ignore[misc, valid-type]
        """uvicorn's protocol, closing a connection whose request head is not whole within the limit."""

        _head_timer: asyncio.TimerHandle | None = None
        _awaiting_head = False

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._await_head()
            self._start_head_clock()  # a fresh connection has no keep-alive timer: its head's clock starts now

        def _await_head(self) -> None:
            self._awaiting_head, self._head_tail, self._head_bytes = True, b"", 0

        def _start_head_clock(self) -> None:
            self._head_timer = asyncio.get_running_loop().call_later(limits.head_timeout, self._refuse, 408)

        def _head_done(self) -> None:
            self._awaiting_head = False
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def data_received(self, data: bytes) -> None:
            if self._awaiting_head:
                if self._head_timer is None:
                    self._start_head_clock()  # the first byte of the next request on a kept-alive connection
                seen = self._head_tail + data
                if b"\r\n\r\n" in seen:
                    self._head_done()
                else:
                    self._head_tail, self._head_bytes = seen[-3:], self._head_bytes + len(data)
                    if self._head_bytes > limits.max_head_bytes:
                        self._refuse(431)
                        return
            super().data_received(data)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_head()  # idle until keep-alive ends it; then the same time for the next head

        def connection_lost(self, exc: Exception | None) -> None:
            self._head_done()
            super().connection_lost(exc)

        def _refuse(self, status: int) -> None:
            self._head_timer, self._awaiting_head = None, False
            if not self.transport.is_closing():
                reason = b"Request Timeout" if status == 408 else b"Request Header Fields Too Large"
                self.transport.write(b"HTTP/1.1 %d %s\r\n" % (status, reason) + _CLOSE)
                self.transport.close()

    return HeadTimeoutProtocol


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message
        self.sending = False  # refused part-way through a body the client is still sending


class BodyLimits:
    """ASGI guard: an HTTP request's body is read whole, within `body_timeout` and under `max_body_bytes`,
    before the app runs; the app then reads it from memory. A refusal closes the connection.

    The deadline is on the request's own task (asyncio.timeout): a small body has usually come with its
    head, and wait_for's extra task per request cost about 6% of a subgraph's hot read (bench/subgraphs.py)."""

    def __init__(self, app: Any, limits: HttpLimits | None = None, *, max_body_bytes: int | None = None) -> None:
        self.app = app
        self.limits = limits or HttpLimits.from_env()
        self.max_body_bytes = max_body_bytes or self.limits.max_body_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.limits.body_timeout):
                body = await self._read(scope, receive)
        except TimeoutError:
            await _refuse(send, _Refused(408, REQUEST_TIMEOUT, "the request body was not sent in time"))
            return
        except _Refused as refused:
            if refused.sending:
                await _drop_rest(receive)
            await _refuse(send, refused)
            return
        if body is None:  # the client went away
            return
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, scope: dict, receive: Any) -> bytes | None:
        too_large = _Refused(413, "REQUEST_TOO_LARGE", "request body too large")
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.max_body_bytes:
                    raise too_large
                break
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                too_large.sending = message.get("more_body", False)
                raise too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


# A body refused part-way is read on and dropped, up to this much more and this long, before the 413 goes
# out with `Connection: close`: a socket closed with unread data makes the kernel answer with a reset, and
# a client still sending would see that reset instead of the 413. Beyond the bound the reset stands. (A
# body refused by its Content-Length is refused before any of it is read, as before.)
DROP_BYTES = 4 * 1024 * 1024
DROP_SECONDS = 2.0


async def _drop_rest(receive: Any) -> None:
    dropped = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(DROP_SECONDS):
            while dropped <= DROP_BYTES:
                message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return
                dropped += len(message.get("body", b""))


async def _refuse(send: Any, refused: _Refused) -> None:
    body = orjson.dumps({"errors": [{"message": refused.message, "extensions": {"code": refused.code}}]})
    await send({"type": "http.response.start", "status": refused.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body)),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
