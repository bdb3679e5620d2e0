"""The subgraph HTTP/1.1 client against a raw asyncio server that answers as told: keep-alive reuse,
chunked, close-delimited and gzip bodies, timeouts, refusals, the connection limit."""

from __future__ import annotations

import asyncio
import gzip
import socket

import pytest

from services.gateway.engine.http_client import Http1Poster
from services.gateway.engine.transport import TransportFailure


class Server:
    """Reads one request at a time per connection and answers with `respond(request) -> bytes | None`
    (None: say nothing). Counts connections and keeps the requests it read."""

    def __init__(self, respond):
        self.respond = respond
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> "Server":
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/graphql"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                answer = self.respond(request)
                if answer is None:
                    await asyncio.sleep(3600)
                writer.write(answer)
                await writer.drain()
                if b"connection: close" in answer.lower():
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


def ok(body: bytes = b'{"data":{}}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n%scontent-length: %d\r\n\r\n%s" % (
        extra, len(body), body)


async def test_requests_reuse_one_keep_alive_connection():
    async with Server(lambda request: ok()) as server:
        poster = Http1Poster()
        for _ in range(3):
            assert await poster.post(server.url, b'{"query":"{a}"}', {"authorization": "Bearer t"}, 5) == (200, b'{"data":{}}')
        await poster.aclose()
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /graphql HTTP/1.1\r\n")
    assert b"authorization: Bearer t\r\n" in first
    assert b"content-type: application/json\r\n" in first
    assert first.endswith(b'\r\n\r\n{"query":"{a}"}')


async def test_interim_chunked_gzip_and_close_delimited_answers():
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{\"da\r\n7\r\nta\":{}}\r\n0\r\n\r\n"
    zipped = gzip.compress(b'{"data":{"z":1}}')
    answers = iter([
        b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n" + ok(),
        chunked,
        ok(zipped, b"content-encoding: gzip\r\n"),
        b"HTTP/1.0 200 OK\r\nconnection: close\r\n\r\n{\"data\":{\"old\":1}}",
    ])
    async with Server(lambda request: next(answers)) as server:
        poster = Http1Poster()
        assert await poster.post(server.url, b"{}", {}, 5) == (200, b'{"data":{}}')  # after an interim 103
        assert await poster.post(server.url, b"{}", {}, 5) == (200, b'{"data":{}}')
        assert await poster.post(server.url, b"{}", {}, 5) == (200, b'{"data":{"z":1}}')
        assert await poster.post(server.url, b"{}", {}, 5) == (200, b'{"data":{"old":1}}')
        await poster.aclose()


async def test_connection_close_opens_a_new_connection_next_time():
    async with Server(lambda request: ok(extra=b"connection: close\r\n")) as server:
        poster = Http1Poster()
        for _ in range(2):
            assert (await poster.post(server.url, b"{}", {}, 5))[0] == 200
        await poster.aclose()
    assert server.connections == 2


async def test_a_connection_idle_past_its_expiry_is_not_reused():
    async with Server(lambda request: ok()) as server:
        poster = Http1Poster(idle_expiry=0.05)
        await poster.post(server.url, b"{}", {}, 5)
        await asyncio.sleep(0.1)
        await poster.post(server.url, b"{}", {}, 5)
        await poster.aclose()
    assert server.connections == 2


async def test_a_connection_the_server_closed_while_idle_is_replaced():
    async with Server(lambda request: ok()) as server:
        poster = Http1Poster()
        await poster.post(server.url, b"{}", {}, 5)
        for connection in list(poster._endpoints[server.url].idle):
            connection.transport.abort()  # as a server closing an idle connection would
        await asyncio.sleep(0.01)
        assert (await poster.post(server.url, b"{}", {}, 5))[0] == 200
        await poster.aclose()
    assert server.connections == 2


async def test_a_silent_server_times_out_and_its_connection_is_dropped():
    answers = iter([None, ok()])
    async with Server(lambda request: next(answers)) as server:
        poster = Http1Poster()
        with pytest.raises(TimeoutError):
            await poster.post(server.url, b"{}", {}, 0.1)
        assert await poster.post(server.url, b"{}", {}, 5) == (200, b'{"data":{}}')
        await poster.aclose()
    assert server.connections == 2


async def test_refused_cut_short_and_garbage_are_transport_failures():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: refused
    poster = Http1Poster()
    with pytest.raises(TransportFailure):
        await poster.post(f"http://127.0.0.1:{port}/graphql", b"{}", {}, 5)
    cut_short = b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 50\r\n\r\n{\"da"
    async with Server(lambda request: cut_short) as server:
        with pytest.raises(TransportFailure):
            await poster.post(server.url, b"{}", {}, 5)
    async with Server(lambda request: b"NOT HTTP AT ALL\r\n\r\n") as server:
        with pytest.raises(TransportFailure):
            await poster.post(server.url, b"{}", {}, 5)
    with pytest.raises(TransportFailure):
        await poster.post("ftp://127.0.0.1/graphql", b"{}", {}, 5)
    await poster.aclose()


async def test_header_injection_is_refused_before_sending():
    async with Server(lambda request: ok()) as server:
        poster = Http1Poster()
        with pytest.raises(TransportFailure):
            await poster.post(server.url, b"{}", {"authorization": "Bearer t\r\nx-admin: yes"}, 5)
        await poster.aclose()
    assert server.requests == []


async def test_the_connection_limit_queues_callers():
    async with Server(lambda request: ok()) as server:
        poster = Http1Poster(max_connections=1)
        answers = await asyncio.gather(*(poster.post(server.url, b"{}", {}, 5) for _ in range(5)))
        await poster.aclose()
    assert [status for status, _ in answers] == [200] * 5
    assert server.connections == 1


async def test_a_timed_out_or_cancelled_call_frees_its_place_for_the_next():
    answers = iter([None, ok(), None, ok()])  # None: the server says nothing
    async with Server(lambda request: next(answers)) as server:
        poster = Http1Poster(max_connections=1)
        hanging = asyncio.create_task(poster.post(server.url, b"{}", {}, 0.2))
        await asyncio.sleep(0.05)
        queued = asyncio.create_task(poster.post(server.url, b"{}", {}, 5))  # waits for the one place
        with pytest.raises(TimeoutError):
            await hanging
        assert (await queued)[0] == 200  # on a new connection: the timed-out one was dropped
        cancelled = asyncio.create_task(poster.post(server.url, b"{}", {}, 5))
        await asyncio.sleep(0.05)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        assert (await poster.post(server.url, b"{}", {}, 1))[0] == 200
        endpoint = poster._endpoints[server.url]
        assert (endpoint.open, len(endpoint.idle), len(endpoint.waiters)) == (1, 1, 0)
        await poster.aclose()
    assert server.connections == 3
