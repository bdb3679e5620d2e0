"""Item 11. Limits where a request enters, over real sockets: slow heads and bodies are cut off, a flood of
subscriptions is capped and one alert costs one resolution per visibility class, 200,000 aliases sent
straight to a subgraph cost it next to nothing, and the rate limit answers 429 with Retry-After."""

from __future__ import annotations

import asyncio
import contextlib
import time

import httpx
import orjson
import websockets

from services.common.api.request_limits import LIMITS as SUBGRAPH_LIMITS
from services.common.runtime.http_limits import HttpLimits
from services.common.runtime.subgraph import create_app
from services.gateway.policy.app import create_platform_app
from services.gateway.policy.rate_limits import Rate, RateLimiter, RateLimitSettings
from services.gateway.policy.subgraphs import platform_supergraph
from services.gateway.policy.subscriptions import SubscriptionLimits
from tests.platform import free_port, running_gateway, serve, service_definition
from tests.support import token
from tests.test_entry_limits import ALERTS, _alert, _subgraph_calls

from .report import full, record

DAOLI = "230102"
# The proof's limits: the production defaults' shape, shorter so the run stays short.
LIMITS = HttpLimits(head_timeout=2.0, body_timeout=2.0)
DEADLINE = 30.0


async def _closed_after(port: int, chunks: list[bytes], every: float) -> tuple[bytes, float]:
    """Sends `chunks` one every `every` seconds (a slow client) and returns what came back and when the
    server closed the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.perf_counter()

    async def trickle():
        with contextlib.suppress(ConnectionError):
            for chunk in chunks:
                writer.write(chunk)
                await writer.drain()
                await asyncio.sleep(every)

    sender = asyncio.create_task(trickle())
    try:
        raw = await asyncio.wait_for(reader.read(), DEADLINE)
    finally:
        sender.cancel()
        writer.close()
    return raw, time.perf_counter() - started


def _status(raw: bytes) -> str:
    return raw.split(b" ", 2)[1].decode() if raw.startswith(b"HTTP/") else "none"


async def test_slow_heads_and_bodies_are_cut_off_at_the_gateway_and_a_subgraph(subgraphs):
    head = [bytes([b]) for b in b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"]
    body = orjson.dumps({"query": "{ __typename }"})
    slow_body = [b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body),
                 *(bytes([b]) for b in body)]
    subgraph = create_app(service_definition("registry"), manage_database=False, workers=False, http_limits=LIMITS)
    sub_port = free_port()
    async with running_gateway(subgraphs, alerts=False, http_limits=LIMITS) as base, \
            serve(subgraph, sub_port, **LIMITS.uvicorn_settings()):
        gateway_port = int(base.rsplit(":", 1)[1])
        for where, port in (("gateway", gateway_port), ("registry subgraph", sub_port)):
            for what, chunks, limit in (("slow head (a byte every 0.5 s)", head, LIMITS.head_timeout),
                                        ("half a head, then silence", [head[0] + b"".join(head[1:20])], LIMITS.head_timeout),
                                        ("slow body (a byte every 0.5 s)", slow_body, LIMITS.body_timeout)):
                raw, took = await _closed_after(port, chunks, 0.5)
                ok = _status(raw) == "408" and took < limit + 2.0
                record("11", f"{where}: {what}", f"HTTP 408 and closed within the {limit:.0f} s limit",
                       f"HTTP {_status(raw)}, closed after {took:.1f} s", ok)
                assert ok, (where, what, raw[:100], took)


async def _socket(stack: contextlib.AsyncExitStack, url: str, bearer: str):
    ws = await stack.enter_async_context(websockets.connect(url, subprotocols=["graphql-transport-ws"],
                                                            max_queue=None))
    await ws.send(orjson.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {bearer}"}}).decode())
    assert orjson.loads(await ws.recv()) == {"type": "connection_ack"}
    return ws


async def test_10000_subscriptions_are_capped_and_one_alert_is_resolved_once(subgraphs):
    limits = SubscriptionLimits()  # the defaults: 10 a socket, 20 a subject
    wanted = 10_000 if full() else 2_000
    sockets_needed = wanted // limits.per_socket
    subscribe = orjson.dumps({"type": "subscribe", "payload": {"query": ALERTS}})
    app = create_platform_app(platform_supergraph(subgraphs), alerts=False, subscription_limits=limits)
    hub = app.state.hub
    async with serve(app, free_port()) as base, contextlib.AsyncExitStack() as stack:
        app_url = base.replace("http", "ws") + "/graphql"
        # One org member trying 10,000 subscriptions on one socket, as in the report.
        flood = await _socket(stack, app_url, token(DAOLI, "org_member", org="o1", sub="flooder"))
        code = None
        try:
            for i in range(wanted):
                await flood.send(subscribe.replace(b'"type"', b'"id":"%d","type"' % i, 1).decode())
            await asyncio.wait_for(flood.recv(), DEADLINE)
        except websockets.ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        held_by_flooder = hub.held(_principal("flooder"))
        ok = code == 4429 and held_by_flooder == 0
        record("11", f"{wanted:,} subscriptions on one socket (org member's token)",
               f"at most {limits.per_socket} held, the next closes the socket with 4429",
               f"closed with {code}; {held_by_flooder} held after", ok)
        assert ok, (code, held_by_flooder)

        # The same number spread the way the caps allow: members of one organization, 10 a socket.
        sockets = []
        for n in range(sockets_needed):
            ws = await _socket(stack, app_url, token(DAOLI, "org_member", org="o1", sub=f"member{n // 2}"))
            for i in range(limits.per_socket):
                await ws.send(subscribe.replace(b'"type"', b'"id":"%d","type"' % i, 1).decode())
            sockets.append(ws)
        for _ in range(int(DEADLINE * 50)):
            if len(hub.subscribers) == wanted:
                break
            await asyncio.sleep(0.02)
        before = _subgraph_calls("funding") + _subgraph_calls("registry")
        started = time.perf_counter()
        hub.publish(_alert(DAOLI))
        frames = 0
        for ws in sockets:
            for _ in range(limits.per_socket):
                frame = orjson.loads(await asyncio.wait_for(ws.recv(), DEADLINE))
                frames += frame["type"] == "next"
        took = time.perf_counter() - started
        calls = _subgraph_calls("funding") + _subgraph_calls("registry") - before
    ok = frames == wanted and calls == 2
    record("11", f"one alert to {wanted:,} subscriptions ({sockets_needed:,} sockets, one visibility class)",
           f"{wanted:,} frames, 2 subgraph calls (funding and registry once)",
           f"{frames:,} frames in {took:.1f} s, {calls:.0f} subgraph calls", ok)
    assert ok, (frames, calls)


def _principal(sub: str):
    from services.common.kernel.auth import verify_token_until

    return verify_token_until(token(DAOLI, "org_member", org="o1", sub=sub))[0]


async def test_200000_aliases_sent_to_a_subgraph_are_refused_for_little_cpu(subgraphs):
    def aliases(count: int) -> bytes:
        return orjson.dumps({"query": "{ " + " ".join(f"a{i}: publicNotices(district: \"{DAOLI}\") {{ title }}"
                                                       for i in range(count)) + " }"})

    port = int(subgraphs["funding"].split(":")[2].split("/")[0])
    for count, expected in ((200_000, "REQUEST_TOO_LARGE"), (15_000, "MAX_TOKENS_EXCEEDED"),
                            (SUBGRAPH_LIMITS.max_aliases + 1, "MAX_ALIASES_EXCEEDED")):
        body = aliases(count)
        started = time.process_time()  # the subgraph runs in this process: its CPU is this process's
        status, answer = await _raw_post(port, body)
        cpu = (time.process_time() - started) * 1000
        got = answer["errors"][0]["extensions"]["code"]
        ok = got == expected and answer.get("data") is None
        record("11", f"{count:,} aliases, anonymous, {len(body) / 2**20:.1f} MiB, straight to funding",
               f"refused {expected} before any resolver",
               f"HTTP {status} {got}, {cpu:.0f} ms CPU (client and subgraph together)", ok)
        assert ok, answer


async def _raw_post(port: int, body: bytes) -> tuple[int, dict]:
    """POST over a plain socket. A subgraph answers an oversized body from its Content-Length and closes
    without reading it, so past the cap only the head and the first 64 KiB are sent before the answer is read
    (a client pushing on meets a reset, and with it loses the answer)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
    writer.write(body if len(body) <= HttpLimits.max_body_bytes else body[:65536])
    try:
        raw = await asyncio.wait_for(reader.read(), DEADLINE)
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        payload = payload.split(b"\r\n", 1)[1].rsplit(b"\r\n0\r\n", 1)[0]
    return int(head.split(b" ", 2)[1]), orjson.loads(payload)


async def test_the_rate_limit_answers_429_with_retry_after(subgraphs):
    settings = RateLimitSettings(subject=Rate(5, 10), district=Rate(1000, 1000), anonymous=Rate(2, 20))
    bearer = token(DAOLI, "bureau_admin", sub="busy")
    async with running_gateway(subgraphs, alerts=False, rate_limiter=RateLimiter(settings)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=DEADLINE) as http:
            for who, headers, query, burst in (
                ("one subject (5/s, burst 10)", {"authorization": f"Bearer {bearer}"},
                 "{ fundingRounds { totalCount } }", settings.subject.burst),
                ("one client address, no token (2/s, burst 20)", {},
                 f'{{ publicNotices(district: "{DAOLI}") {{ title }} }}', settings.anonymous.burst),
            ):
                answers = await asyncio.gather(*(http.post("/graphql", json={"query": query}, headers=headers)
                                                 for _ in range(burst + 10)))
                statuses = [a.status_code for a in answers]
                limited = [a for a in answers if a.status_code == 429]
                codes = {a.json()["errors"][0]["extensions"]["code"] for a in limited}
                retry = sorted({a.headers.get("retry-after") for a in limited})
                ok = statuses.count(200) >= burst and limited and codes == {"RATE_LIMITED"} and None not in retry
                record("11", f"{burst + 10} requests at once from {who}",
                       f"the first {burst} answered, the rest HTTP 429 RATE_LIMITED with Retry-After",
                       f"{statuses.count(200)} answered, {len(limited)} HTTP 429 {sorted(codes)}, Retry-After {retry}", ok)
                assert ok, statuses


async def test_30_aliased_anonymous_public_notices_never_reach_a_subgraph(subgraphs):
    from .probes import subgraph_requests

    many = "{ " + " ".join(f'n{i}: publicNotices(district: "{DAOLI}") {{ title }}' for i in range(30)) + " }"
    async with running_gateway(subgraphs, alerts=False) as base:
        async with httpx.AsyncClient(base_url=base, timeout=DEADLINE) as http:
            before = subgraph_requests()
            response = await http.post("/graphql", json={"query": many})
            calls = subgraph_requests() - before
    code = response.json()["errors"][0]["extensions"]["code"]
    ok = (response.status_code, code, calls) == (400, "MAX_ALIASES_EXCEEDED", 0)
    record("11", "30 aliased publicNotices without a token (once 60 queries on a pool of 10)",
           "HTTP 400 MAX_ALIASES_EXCEEDED (at most 3 public fields without a token), 0 subgraph calls",
           f"HTTP {response.status_code} {code}, {calls} subgraph calls", ok)
    assert ok, response.text
