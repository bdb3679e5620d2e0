"""The gateway's server (server.py) over real sockets: POST /graphql on the lane, everything else
through uvicorn's ASGI path, on the same connections; pipelining in order, the body cap, 100-continue,
connection close, an app that raises, graceful shutdown; and the platform app served on the lane."""

from __future__ import annotations

import asyncio
import json
import socket
from contextlib import asynccontextmanager

import httpx
import uvicorn

from services.common.auth import mint_token
from services.gateway.policy.app import create_platform_app
from services.gateway.policy.supergraph import platform_supergraph
from services.gateway.server import GatewayHttpProtocol


class Answer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body


class LaneApp:
    """POST /graphql answered through `answer_post` (body echoed); anything else is ASGI (path echoed)."""

    max_body_bytes = 64

    def __init__(self) -> None:
        self.posts: list[tuple[bytes | None, str | None]] = []
        self.asgi_calls: list[str] = []
        self.delays: dict[bytes, float] = {}

    async def answer_post(self, body: bytes | None, authorization: str | None) -> Answer:
        self.posts.append((body, authorization))
        if body == b"raise":
            raise RuntimeError("boom")
        await asyncio.sleep(self.delays.get(body, 0))
        if body is None:
            return Answer(413, b'{"too":"large"}')
        return Answer(200, json.dumps({"echo": body.decode(), "auth": authorization}).encode())

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.asgi_calls.append(f"{scope['method']} {scope['path']}")
        body = f"asgi {scope['method']} {scope['path']}".encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


@asynccontextmanager
async def serving(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           http=GatewayHttpProtocol, timeout_graceful_shutdown=5))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield port, server
    finally:
        server.should_exit = True
        await task


def post(body: bytes, extra: bytes = b"") -> bytes:
    return (b"POST /graphql HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\n%s"
            b"content-length: %d\r\n\r\n%s" % (extra, len(body), body))


GET_HEALTH = b"GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n"


async def read_responses(reader: asyncio.StreamReader, count: int) -> list[tuple[bytes, bytes]]:
    """(head, body) of `count` responses with content-length."""
    out = []
    for _ in range(count):
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))
        out.append((head, await asyncio.wait_for(reader.readexactly(length), 5)))
    return out


async def test_posts_take_the_lane_and_other_requests_uvicorns_path_on_one_connection():
    app = LaneApp()
    async with serving(app) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for request in (GET_HEALTH, post(b"one", b"authorization: Bearer t\r\n"), GET_HEALTH, post(b"two")):
            writer.write(request)
            (head, body), = await read_responses(reader, 1)
            assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        writer.close()
    assert app.posts == [(b"one", "Bearer t"), (b"two", None)]
    assert app.asgi_calls == ["GET /healthz", "GET /healthz"]


async def test_a_lane_answer_has_uvicorns_headers_and_keeps_the_connection():
    app = LaneApp()
    async with serving(app) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post(b"x"))
        (head, body), = await read_responses(reader, 1)
        lines = head.lower().split(b"\r\n")
        assert b"content-type: application/json" in lines and b"server: uvicorn" in lines
        assert any(line.startswith(b"date: ") for line in lines) and b"connection: close" not in lines
        assert json.loads(body) == {"echo": "x", "auth": None}
        writer.write(post(b"y"))
        assert json.loads((await read_responses(reader, 1))[0][1])["echo"] == "y"
        writer.close()


async def test_pipelined_requests_are_answered_in_order():
    app = LaneApp()
    app.delays[b"slow"] = 0.2
    async with serving(app) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post(b"slow") + GET_HEALTH + post(b"fast") + post(b"last"))
        bodies = [body for _, body in await read_responses(reader, 4)]
        writer.close()
    assert [json.loads(bodies[0])["echo"], bodies[1], json.loads(bodies[2])["echo"], json.loads(bodies[3])["echo"]] \
        == ["slow", b"asgi GET /healthz", "fast", "last"]


async def test_a_body_over_the_cap_reaches_the_app_as_none():
    app = LaneApp()
    big = b"x" * 100
    chunked = (b"POST /graphql HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\n"
               b"40\r\n" + big[:64] + b"\r\n24\r\n" + big[64:] + b"\r\n0\r\n\r\n")
    async with serving(app) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post(big) + chunked + post(b"small"))
        statuses = [head.split(b" ")[1] for head, _ in await read_responses(reader, 3)]
        writer.close()
    assert statuses == [b"413", b"413", b"200"]
    assert app.posts == [(None, None), (None, None), (b"small", None)]


async def test_expect_100_continue_is_answered_before_the_body():
    app = LaneApp()
    async with serving(app) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /graphql HTTP/1.1\r\nhost: t\r\nexpect: 100-continue\r\ncontent-length: 4\r\n\r\n")
        assert await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5) == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b"body")
        assert json.loads((await read_responses(reader, 1))[0][1])["echo"] == "body"
        writer.close()


async def test_connection_close_and_http_1_0_close_after_the_answer():
    app = LaneApp()
    async with serving(app) as (port, _):
        for request in (post(b"a", b"connection: close\r\n"),
                        post(b"b").replace(b"HTTP/1.1", b"HTTP/1.0", 1)):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            (head, _), = await read_responses(reader, 1)
            assert b"connection: close" in head.lower()
            assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
            writer.close()


async def test_an_app_that_raises_gets_a_500_and_the_connection_closes():
    app = LaneApp()
    async with serving(app) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post(b"raise"))
        (head, body), = await read_responses(reader, 1)
        assert head.startswith(b"HTTP/1.1 500 ") and body == b"Internal Server Error"
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()


async def test_shutdown_waits_for_an_answer_being_made():
    app = LaneApp()
    app.delays[b"slow"] = 0.3
    async with serving(app) as (port, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post(b"slow"))
        await asyncio.sleep(0.1)
        server.should_exit = True
        (head, body), = await read_responses(reader, 1)
        assert json.loads(body)["echo"] == "slow" and b"connection: close" in head.lower()
        writer.close()


async def test_the_platform_app_answers_on_the_lane():
    """Tokens at the edge and a pass-through answer from a (mock) registry, served by server.py."""
    answer = {"data": {"organizations": {"totalCount": 0, "edges": []}}}
    registry = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    urls = {name: f"http://{name}.test/graphql" for name in ("registry", "funding", "evaluation")}
    app = create_platform_app(platform_supergraph(urls), transport=registry, alerts=False)
    query = json.dumps({"query": "{ organizations(first: 1) { totalCount edges { node { id } } } }"}).encode()
    token = mint_token(district="230102", roles=["bureau_admin"], sub="lane-test")
    async with serving(app) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post(query))
        (head, _), = await read_responses(reader, 1)
        assert head.startswith(b"HTTP/1.1 401 ")
        writer.write(post(query, f"authorization: Bearer {token}\r\n".encode()))
        (head, body), = await read_responses(reader, 1)
        assert head.startswith(b"HTTP/1.1 200 ") and json.loads(body) == answer
        writer.close()
