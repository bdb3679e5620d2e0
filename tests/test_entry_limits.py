"""Limits where a request enters, over real sockets: a subgraph and the gateway, each under uvicorn with
the HTTP limits it runs with in production (services/common/runtime/http_limits.py), small enough for a test.

A slow head or a slow body is answered 408 and the connection closed; an idle kept-alive connection is
closed; past the connection cap uvicorn answers 503; an oversized body is 413 before it is read.
"""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import asynccontextmanager

import orjson
import pytest

from services.common.api.request_limits import LIMITS as SUBGRAPH_LIMITS
from services.common.runtime.http_limits import HttpLimits
from services.common.runtime.subgraph import create_app
from services.gateway.policy.app import create_platform_app
from services.gateway.policy.subgraphs import SUBGRAPHS, platform_supergraph

from .platform import free_port, serve, service_definition

LIMITS = HttpLimits(head_timeout=0.3, body_timeout=0.3, keep_alive=1, max_connections=4, max_body_bytes=10_000)
DEADLINE = 20  # seconds a test waits for the server before failing: the limits above are far shorter


def _app(kind: str, limits: HttpLimits):
    if kind == "gateway":  # subgraphs are never called: every request here is refused or a probe
        urls = {name: f"http://127.0.0.1:9/{name}" for name in SUBGRAPHS}
        return create_platform_app(platform_supergraph(urls), alerts=False, http_limits=limits)
    return create_app(service_definition("registry"), manage_database=False, workers=False, http_limits=limits)


@asynccontextmanager
async def running(kind: str, limits: HttpLimits = LIMITS):
    app = _app(kind, limits)
    port = free_port()
    async with serve(app, port, **limits.uvicorn_settings()):
        yield port


async def _connect(port: int):
    return await asyncio.open_connection("127.0.0.1", port)


async def _until_closed(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.read(), DEADLINE)  # read() returns at EOF, when the server closes


def _status(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])


POST_HEAD = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
QUERY = orjson.dumps({"query": "{ __typename }"})

KINDS = ["subgraph", "gateway"]


@pytest.mark.parametrize("kind", KINDS)
async def test_half_a_request_head_is_answered_408_and_the_connection_closed(kind):
    async with running(kind) as port:
        reader, writer = await _connect(port)
        writer.write(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Ty")
        raw = await _until_closed(reader)
        writer.close()
    assert _status(raw) == 408


@pytest.mark.parametrize("kind", KINDS)
async def test_half_a_body_is_answered_408_request_timeout_and_the_connection_closed(kind):
    async with running(kind) as port:
        reader, writer = await _connect(port)
        writer.write(POST_HEAD % len(QUERY) + QUERY[:5])
        raw = await _until_closed(reader)
        writer.close()
    assert _status(raw) == 408
    assert orjson.loads(raw.split(b"\r\n\r\n", 1)[1])["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"


@pytest.mark.parametrize("kind", KINDS)
async def test_a_kept_alive_connection_that_idles_or_sends_half_a_second_head_is_closed(kind):
    async with running(kind) as port:
        reader, writer = await _connect(port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = await asyncio.wait_for(reader.readuntil(b"}"), DEADLINE)
        assert _status(first) == 200  # a prompt request is served as before
        writer.write(b"GET /healthz HTTP/1.1\r\nHo")
        assert _status(await _until_closed(reader)) == 408
        writer.close()
        reader, writer = await _connect(port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.wait_for(reader.readuntil(b"}"), DEADLINE)
        assert await _until_closed(reader) == b""  # idle after its response: closed at keep-alive
        writer.close()


@pytest.mark.parametrize("kind", KINDS)
async def test_past_the_connection_cap_a_request_is_answered_503(kind):
    async with running(kind) as port:
        held = [await _connect(port) for _ in range(LIMITS.max_connections)]
        reader, writer = await _connect(port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        refused = await _until_closed(reader)
        for _, w in held:
            w.close()
        writer.close()
    assert _status(refused) == 503


@pytest.mark.parametrize("kind", KINDS)
async def test_a_body_over_the_cap_is_refused_413_before_it_is_read(kind):
    async with running(kind) as port:
        reader, writer = await _connect(port)
        writer.write(POST_HEAD % 2_000_000 + b"{")  # over the subgraph's cap and the gateway's engine cap
        raw = await _until_closed(reader)
        writer.close()
    assert _status(raw) == 413
    assert orjson.loads(raw.split(b"\r\n\r\n", 1)[1])["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


@pytest.mark.parametrize("kind", KINDS)
async def test_a_chunked_body_over_the_cap_still_being_sent_gets_its_413_not_a_reset(kind):
    # Refused part-way, the rest of the body is read and dropped before the connection closes: a socket
    # closed with unread data answers with a reset, and the client would never read the 413.
    async with running(kind) as port:
        reader, writer = await _connect(port)
        writer.write(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")

        async def send_body() -> None:
            chunk = b"a" * 4096
            with contextlib.suppress(ConnectionError):
                for _ in range(300):  # 1.2 MB: far over both caps, all sent while the server refuses
                    writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    await writer.drain()
                writer.write(b"0\r\n\r\n")
                await writer.drain()

        sending = asyncio.create_task(send_body())
        raw = await _until_closed(reader)
        await sending
        writer.close()
    assert _status(raw) == 413
    assert orjson.loads(raw.split(b"\r\n\r\n", 1)[1])["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


# -- each subgraph refuses what the gateway refuses, itself (services/common/api/request_limits.py) ------

def _deep(cycles: int) -> str:
    # Project.round -> FundingRound.projects -> edges -> node -> Project.round ...: 4 levels a cycle
    inner = "id"
    for _ in range(cycles):
        inner = f"round {{ projects {{ edges {{ node {{ {inner} }} }} }} }}"
    return f'{{ project(id: "1") {{ {inner} }} }}'


@pytest.fixture(scope="module")
async def subgraph_port(databases):
    async with serve(create_app(service_definition("funding"), manage_database=False, workers=False),
                     free_port()) as base:
        yield base


async def _post(base: str, body: bytes) -> tuple[int, dict]:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=DEADLINE) as http:
        response = await http.post("/graphql", content=body, headers={"content-type": "application/json"})
    return response.status_code, response.json()


def _aliases(count: int) -> bytes:
    return orjson.dumps({"query": "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"})


async def test_200000_aliases_sent_anonymously_to_a_subgraph_are_refused_by_their_size(subgraph_port):
    body = _aliases(200_000)
    assert len(body) > 3_000_000
    status, answer = await _post(subgraph_port, body)
    assert status == 413 and answer["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_aliases_under_the_size_cap_stop_the_parse_at_the_token_limit(subgraph_port):
    body = _aliases(45_000)
    assert len(body) < 1_000_000
    _, answer = await _post(subgraph_port, body)
    assert answer["data"] is None
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["MAX_TOKENS_EXCEEDED"]


@pytest.mark.parametrize("count, code", [(SUBGRAPH_LIMITS.max_aliases, None),
                                         (SUBGRAPH_LIMITS.max_aliases + 1, "MAX_ALIASES_EXCEEDED")])
async def test_a_subgraph_refuses_more_aliases_than_its_limit(subgraph_port, count, code):
    _, answer = await _post(subgraph_port, _aliases(count))
    if code is None:
        assert "errors" not in answer and len(answer["data"]) == count
    else:
        assert answer["data"] is None and [e["extensions"]["code"] for e in answer["errors"]] == [code]


async def test_a_subgraph_refuses_a_document_deeper_than_its_limit(subgraph_port):
    _, shallow = await _post(subgraph_port, orjson.dumps({"query": _deep(2)}))
    assert "MAX_DEPTH_EXCEEDED" not in {e["extensions"]["code"] for e in shallow.get("errors", [])}, shallow
    _, deep = await _post(subgraph_port, orjson.dumps({"query": _deep(5)}))
    assert deep["data"] is None and [e["extensions"]["code"] for e in deep["errors"]] == ["MAX_DEPTH_EXCEEDED"]


async def test_a_document_measured_once_is_refused_or_allowed_the_same_every_time(subgraph_port):
    # The verdict on a document's depth and aliases is kept per document text and operation name.
    deep = "query Shallow { __typename } query Deep " + _deep(5)  # one text, two operations
    for _ in range(3):
        _, answer = await _post(subgraph_port, orjson.dumps({"query": deep, "operationName": "Deep"}))
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["MAX_DEPTH_EXCEEDED"]
        _, answer = await _post(subgraph_port, orjson.dumps({"query": deep, "operationName": "Shallow"}))
        assert answer == {"data": {"__typename": "Query"}}


# -- rate limits at the gateway (services/gateway/policy/rate_limits.py) ---------------------------------

from services.gateway.policy.rate_limits import Rate, RateLimiter, RateLimitSettings  # noqa: E402

from .platform import running_gateway  # noqa: E402
from .support import DAOLI, NANGANG, token  # noqa: E402

SLOW = 0.001  # tokens a second: nothing refills while a test runs
ROUNDS = "{ fundingRounds { totalCount } }"
NOTICES = '{ publicNotices(district: "230102") { title } }'


@asynccontextmanager
async def limited_gateway(subgraphs, **rates):
    limiter = RateLimiter(RateLimitSettings(**{"subject": Rate(1000, 1000), "district": Rate(1000, 1000),
                                               "anonymous": Rate(1000, 1000), **rates}))
    async with running_gateway(subgraphs, alerts=False, rate_limiter=limiter) as base:
        import httpx

        async with httpx.AsyncClient(base_url=base, timeout=DEADLINE) as http:
            async def post(query: str, bearer: str | None = None):
                headers = {"authorization": f"Bearer {bearer}"} if bearer else {}
                return await http.post("/graphql", json={"query": query}, headers=headers)
            yield post


def _refused(response) -> None:
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_subject_past_its_bucket_gets_429_with_retry_after_and_another_subject_does_not(subgraphs):
    first, second = token(DAOLI, "bureau_admin", sub="first"), token(DAOLI, "bureau_admin", sub="second")
    async with limited_gateway(subgraphs, subject=Rate(SLOW, 3)) as post:
        answered = [(await post(ROUNDS, first)).status_code for _ in range(3)]
        refused = await post(ROUNDS, first)
        other = await post(ROUNDS, second)
    assert answered == [200, 200, 200]
    _refused(refused)
    assert other.status_code == 200 and "errors" not in other.json()


async def test_a_district_past_its_bucket_gets_429_and_another_district_does_not(subgraphs):
    async with limited_gateway(subgraphs, district=Rate(SLOW, 4)) as post:
        answered = [(await post(ROUNDS, token(DAOLI, "bureau_admin", sub=f"s{i}"))).status_code for i in range(4)]
        refused = await post(ROUNDS, token(DAOLI, "bureau_admin", sub="fifth"))
        other = await post(ROUNDS, token(NANGANG, "bureau_admin", sub="fifth"))
    assert answered == [200] * 4
    _refused(refused)
    assert other.status_code == 200


async def test_anonymous_public_reads_are_limited_per_client_address(subgraphs):
    async with limited_gateway(subgraphs, anonymous=Rate(SLOW, 2)) as post:
        answered = [(await post(NOTICES)).status_code for _ in range(2)]
        refused = await post(NOTICES)
        with_token = await post(NOTICES, token(DAOLI, "bureau_admin"))
    assert answered == [200, 200]
    _refused(refused)
    assert with_token.status_code == 200  # a token draws on its own buckets, not the address's


async def test_30_aliased_anonymous_public_notices_are_refused_before_any_query(subgraphs):
    many = "{ " + " ".join(f'n{i}: publicNotices(district: "230102") {{ title }}' for i in range(30)) + " }"
    few = "{ " + " ".join(f'n{i}: publicNotices(district: "230102") {{ title }}' for i in range(3)) + " }"
    async with limited_gateway(subgraphs) as post:
        refused, answered = await post(many), await post(few)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "MAX_ALIASES_EXCEEDED"
    assert answered.status_code == 200 and set(answered.json()["data"]) == {"n0", "n1", "n2"}


# -- subscriptions: capped per socket and per subject; one alert resolved once per visibility class ------

import uuid  # noqa: E402

import websockets  # noqa: E402
from prometheus_client import REGISTRY  # noqa: E402

from services.common.events import Envelope  # noqa: E402
from services.contracts import RecoveryOrdered  # noqa: E402
from services.gateway.policy.alerts import Alert  # noqa: E402
from services.gateway.policy.subscriptions import SubscriptionLimits  # noqa: E402

ALERTS = "subscription { fundRecoveryAlerts { kind district order { id } project { title } organization { name } } }"


@asynccontextmanager
async def alerts_gateway(subgraphs, limits: SubscriptionLimits):
    app = create_platform_app(platform_supergraph(subgraphs), alerts=False, subscription_limits=limits)
    async with serve(app, free_port()) as base:
        yield base.replace("http", "ws") + "/graphql", app.state.hub


@asynccontextmanager
async def socket(url: str, bearer: str):
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(orjson.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {bearer}"}}).decode())
        assert orjson.loads(await ws.recv()) == {"type": "connection_ack"}
        yield ws


async def _subscribe(ws, sub_id: str) -> None:
    await ws.send(orjson.dumps({"id": sub_id, "type": "subscribe", "payload": {"query": ALERTS}}).decode())


async def _closed_with(ws) -> int:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), DEADLINE)
    return closed.value.rcvd.code


def _alert(district: str) -> Alert:
    event = RecoveryOrdered(order_id=str(uuid.uuid4()), project_id=str(uuid.uuid4()), project_title="助老食堂",
                            organization_id=str(uuid.uuid4()), organization_name=None, amount_fen=500000,
                            reason="虚列劳务费", ordered_at="2026-01-01T00:00:00+00:00", source="EVALUATION",
                            finding_id=None)
    return Alert(Envelope(type=event.type, district=district, producer="funding", data=event.to_data()), event)


def _subgraph_calls(service: str) -> float:
    return sum(REGISTRY.get_sample_value("civic_http_requests_total",
                                         {"service": service, "path": "/graphql", "status": status}) or 0
               for status in ("200", "400", "500"))


async def _until(predicate) -> None:
    for _ in range(DEADLINE * 50):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("never happened")


async def test_one_subscription_past_the_socket_cap_closes_the_socket_with_4429(subgraphs):
    async with alerts_gateway(subgraphs, SubscriptionLimits(per_socket=3, per_subject=100)) as (url, hub):
        async with socket(url, token(DAOLI, "org_member", org="o1")) as ws:
            for i in range(3):
                await _subscribe(ws, str(i))
            await _until(lambda: len(hub.subscribers) == 3)
            await _subscribe(ws, "3")
            assert await _closed_with(ws) == 4429
        await _until(lambda: not hub.subscribers and not hub.held(_principal(DAOLI, "o1")))


def _principal(district: str, org: str):
    from services.common.kernel.auth import verify_token_until

    return verify_token_until(token(district, "org_member", org=org, sub="member"))[0]


async def test_a_subject_past_its_cap_over_several_sockets_is_closed_with_4429(subgraphs):
    member = token(DAOLI, "org_member", org="o1", sub="member")
    async with alerts_gateway(subgraphs, SubscriptionLimits(per_socket=100, per_subject=4)) as (url, hub):
        async with socket(url, member) as first, socket(url, member) as second:
            for i in range(2):
                await _subscribe(first, f"a{i}")
                await _subscribe(second, f"b{i}")
            await _until(lambda: len(hub.subscribers) == 4)
            await _subscribe(second, "b2")
            assert await _closed_with(second) == 4429
            async with socket(url, token(DAOLI, "org_member", org="o1", sub="someone else")) as other:
                await _subscribe(other, "c0")  # another subject has slots of its own
                await _until(lambda: len(hub.subscribers) == 3)


async def test_one_alert_is_resolved_once_per_visibility_class_and_never_across_districts(subgraphs):
    limits = SubscriptionLimits(per_socket=10, per_subject=10)
    daoli_admins = [token(DAOLI, "bureau_admin", sub=f"admin{i}") for i in range(6)]
    member = token(DAOLI, "org_member", org="o1", sub="member")
    nangang = token(NANGANG, "bureau_admin", sub="admin-nangang")
    async with alerts_gateway(subgraphs, limits) as (url, hub):
        async with contextlib.AsyncExitStack() as stack:
            sockets = [await stack.enter_async_context(socket(url, bearer))
                       for bearer in [*daoli_admins, member, nangang]]
            for ws in sockets:
                await _subscribe(ws, "1")
            await _until(lambda: len(hub.subscribers) == len(sockets))
            before = _subgraph_calls("funding"), _subgraph_calls("registry")
            hub.publish(_alert(DAOLI))
            frames = [orjson.loads(await asyncio.wait_for(ws.recv(), DEADLINE)) for ws in sockets[:-1]]
            with pytest.raises(asyncio.TimeoutError):  # Nangang's subscriber gets nothing of Daoli's
                await asyncio.wait_for(sockets[-1].recv(), 0.5)
            after = _subgraph_calls("funding"), _subgraph_calls("registry")
    assert all(f["type"] == "next" and f["payload"]["data"]["fundRecoveryAlerts"]["district"] == DAOLI
               for f in frames)
    # Two classes see Daoli's alert (its bureau admins, and the org member): one funding and one registry
    # fetch each, not one per subscriber.
    assert (after[0] - before[0], after[1] - before[1]) == (2, 2)


from services.gateway.policy.app import OPERATION_LABELS  # noqa: E402


def _operation_series() -> set[str]:
    return {sample.labels["operation"] for metric in REGISTRY.collect() if metric.name == "civic_gateway_requests"
            for sample in metric.samples if sample.name == "civic_gateway_requests_total"}


async def test_made_up_operation_names_do_not_grow_the_gateways_metrics(gateway):
    # Anyone, without a token, names an operation: past the bound, a new name is counted under "other".
    for i in range(OPERATION_LABELS + 50):
        response = await gateway.http.post("/graphql", json={"query": "{ organizations { totalCount } }",
                                                             "operationName": f"probe{i}"})
        assert response.status_code in (400, 401)
    await gateway.http.post("/graphql", json={"query": "{ organizations { totalCount } }",
                                              "operationName": "x" * 10_000})
    series = _operation_series()
    assert len(series) <= OPERATION_LABELS + 1 and "other" in series
    assert f"probe{OPERATION_LABELS + 49}" not in series and "x" * 10_000 not in series
