"""The platform gateway: the engine plus tokens at the edge, alerts over websockets, city rollups."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import orjson

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from services.common.kernel.config import AuthSettings, amqp_url, development
from services.common.kernel.errors import DomainError
from services.common.kernel.limits import gateway_mutation_timeout
from services.common.runtime.http_limits import BodyLimits, HttpLimits
from services.contracts import asyncapi

from ..engine.errors import RequestError
from ..engine.gateway import EncodedResponse, Gateway
from ..engine.http_server import json_response, parse_json_body, read_body, read_get_request
from ..engine.metrics import after_step
from ..engine.options import EngineOptions
from ..engine.planner import select_operation
from .alerts import AlertHub
from .city import CITY_SDL, city_overview
from .idempotency import KEY_HEADER, REPLAY_MARKER, forward_key, replay_header
from .rate_limits import RateLimited, RateLimiter
from .subscriptions import SubscriptionLimits, serve_subscriptions
from .tokens import VerifiedTokens, forward_authorization, is_public_operation, public_root_fields, unauthenticated

ALERT_SDL = """
extend schema { subscription: Subscription }

type Subscription {
  "Each recovery order raised, settled or past its deadline in the caller's district (a city admin: every district of the city)."
  fundRecoveryAlerts: FundRecoveryAlert!
}

enum RecoveryAlertKind { ORDERED SETTLED OVERDUE }

type FundRecoveryAlert {
  kind: RecoveryAlertKind!
  eventId: ID!
  district: String!
  occurredAt: String!
  orderId: ID!
  projectId: ID!
  organizationId: ID
  "ORDERED, SETTLED: the order's amount; OVERDUE: what is still outstanding"
  amount: Money!
  reason: String
  source: String
  "OVERDUE: the deadline that passed (an ISO date)"
  deadline: String
  order: RecoveryOrder
  project: Project
  organization: SocialOrganization
}
"""

REQUESTS = Counter("civic_gateway_requests_total", "Gateway operations", ["operation", "outcome"])
LATENCY = Histogram("civic_gateway_request_seconds", "Gateway operation latency", ["operation"],
                    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))


def _record(operation: str, outcome: str, seconds: float) -> None:
    REQUESTS.labels(operation, outcome).inc()
    LATENCY.labels(operation).observe(seconds)


class CallerContext:
    def __init__(self, principal) -> None:
        self.principal = principal


def platform_options() -> EngineOptions:
    # A mutation is waited for as long as the subgraph lets it run, plus its margin (kernel/limits.py).
    return EngineOptions(redact_subgraph_errors=not development(), introspection=development(),
                         mutation_timeout=gateway_mutation_timeout(), kept_response_extensions=(REPLAY_MARKER,))


def create_platform_app(supergraph_sdl: str, *, options: EngineOptions | None = None, transport=None,
                        alerts: bool = True, http_limits: HttpLimits | None = None,
                        rate_limiter: RateLimiter | None = None,
                        subscription_limits: SubscriptionLimits | None = None) -> Starlette:
    # Refuse to start without a usable token key (ConfigurationError), not on the first request.
    AuthSettings.from_env()
    gateway = Gateway(
        supergraph_sdl,
        options=options or platform_options(),
        transport=transport,
        extra_sdl=CITY_SDL + ALERT_SDL,
        local_resolvers={"Query.cityOverview": city_overview},
    )
    hub = AlertHub(amqp_url("gateway"))
    tokens = VerifiedTokens()
    public_fields = public_root_fields(gateway.supergraph)
    limiter = rate_limiter or RateLimiter()
    subscription_limits = subscription_limits or SubscriptionLimits.from_env()

    async def run(payload: Any, headers: Mapping[str, str], method: str, client: str | None) -> EncodedResponse:
        """One client operation: token and rate limits at the edge, then the engine with only Authorization
        (and an Idempotency-Key) forwarded. RateLimited goes up to the endpoint, which adds its Retry-After
        header."""
        started = time.perf_counter()
        name = payload.get("operationName") or "-" if isinstance(payload, dict) else "-"
        try:
            if isinstance(payload, list):
                raise RequestError("batched requests are not enabled", "BATCHING_NOT_ENABLED")
            if not isinstance(payload, dict):
                raise RequestError("request body must be a JSON object", "BAD_REQUEST")
            try:
                principal = tokens.principal(headers.get("authorization"))
            except DomainError as error:
                REQUESTS.labels(name, "unauthenticated").inc()
                return EncodedResponse(401, orjson.dumps(unauthenticated(error)), True)
            if principal is None:
                reads = _public_reads(gateway, payload, public_fields)
                if reads is None:
                    REQUESTS.labels(name, "unauthenticated").inc()
                    return EncodedResponse(401, orjson.dumps(unauthenticated()), True)
                # Each public field is a query on a subgraph's pool: an anonymous operation gets a few.
                if reads > limiter.settings.public_fields:
                    raise RequestError(f"an operation without a token reads at most {limiter.settings.public_fields}"
                                       f" public fields; this one reads {reads}", "MAX_ALIASES_EXCEEDED")
            limiter.check(principal, client)
            response = await gateway.execute_encoded(
                payload, forward_key(headers, forward_authorization(headers)), CallerContext(principal),
                http_method=method,
            )
        except RateLimited:
            REQUESTS.labels(name, "rate_limited").inc()
            raise
        except RequestError as error:
            response = EncodedResponse(error.status, orjson.dumps(error.response()), True)
        after_step(_record, name, "error" if response.has_errors else "ok", time.perf_counter() - started)
        return response

    max_body_bytes = gateway.options.max_body_bytes

    async def graphql_post(scope: dict, receive: Any, send: Any) -> None:
        """POST /graphql, the hot path: a lean ASGI endpoint behind Starlette's routing (so middleware
        applies), reading the body with the cap and sending the engine's JSON bytes as they are."""
        try:
            body = await read_body(scope, receive, max_body_bytes)
            if body is None:
                raise RequestError("request body too large", "REQUEST_TOO_LARGE", 413)
            client = scope.get("client")
            response = await run(parse_json_body(body), _edge_headers(scope), "POST", client[0] if client else None)
            response, extra = replay_header(response)
        except RequestError as error:
            response = EncodedResponse(error.status, orjson.dumps(error.response()), True)
            extra = error.headers if isinstance(error, RateLimited) else []
        await send({"type": "http.response.start", "status": response.status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", b"%d" % len(response.body)), *extra]})
        await send({"type": "http.response.body", "body": response.body})

    async def graphql_get(request: Request) -> Response:
        if "text/html" in request.headers.get("accept", "") and development():
            return HTMLResponse(GRAPHIQL)
        try:
            payload = read_get_request(request)
        except RequestError as error:
            return json_response(error.status, error.response())
        try:
            response = await run(payload, request.headers, "GET", request.client.host if request.client else None)
        except RateLimited as error:
            return Response(orjson.dumps(error.response()), status_code=429, media_type="application/json",
                            headers={"retry-after": str(error.retry_after)})
        return Response(response.body, status_code=response.status, media_type="application/json")

    async def websocket(ws: WebSocket) -> None:
        await serve_subscriptions(ws, gateway, hub, subscription_limits)

    async def healthz(request: Request) -> Response:
        return json_response(200, {"status": "ok", "service": "gateway"})

    async def readyz(request: Request) -> Response:
        open_circuits = [name for name, breaker in gateway.client.breakers.items() if breaker.state == "open"]
        return json_response(200 if not open_circuits else 503, {"ready": not open_circuits, "openCircuits": open_circuits})

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    asyncapi_body = asyncapi.render().encode()  # the same text as deploy/asyncapi.json (tests/test_asyncapi.py)

    async def asyncapi_document(request: Request) -> Response:
        # The event contract is public: it names routing keys and shapes, never a district's data.
        return Response(asyncapi_body, media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if alerts:
            await hub.start()
        try:
            yield
        finally:
            await hub.close()
            await gateway.aclose()

    app = Starlette(
        routes=[
            Route("/graphql", _AsgiEndpoint(graphql_post), methods=["POST"]),
            Route("/graphql", graphql_get, methods=["GET"]),
            WebSocketRoute("/graphql", websocket),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Route("/asyncapi.json", asyncapi_document, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    # A body comes in whole, in time and under the engine's cap, before anything reads it.
    app.add_middleware(BodyLimits, limits=http_limits or HttpLimits.from_env(), max_body_bytes=max_body_bytes)
    app.state.gateway = gateway
    app.state.hub = hub
    app.state.rate_limiter = limiter
    return app


class _AsgiEndpoint:
    """A plain ASGI callable as a Route endpoint (Starlette wraps functions as request handlers, not
    other callables): POST /graphql goes through the router without a Request or Response object."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


_EDGE_HEADERS = (b"authorization", KEY_HEADER.encode())


def _edge_headers(scope: dict) -> dict[str, str]:
    """The request headers the policy reads (Authorization, Idempotency-Key), from the raw ASGI scope."""
    found = {}
    for name, value in scope["headers"]:
        if name in _EDGE_HEADERS:  # ASGI servers send lower-case names
            found[name.decode()] = value.decode("latin-1")
    return found


def _public_reads(gateway: Gateway, payload: dict, public_fields: frozenset[str]) -> int | None:
    """How many public root fields (as the supergraph marks them) an operation reads, when it is made only
    of those and so needs no token; None when it needs one."""
    query = payload.get("query")
    if not isinstance(query, str):
        return None
    try:
        operation, _ = select_operation(gateway.parse_and_validate(query), payload.get("operationName"))
    except Exception:  # noqa: BLE001 - the engine reports parse and validation errors itself
        return None
    if not is_public_operation(operation, public_fields):
        return None
    return sum(1 for node in operation.selection_set.selections if node.name.value != "__typename")


GRAPHIQL = """<!doctype html><html><head><title>Civic platform GraphiQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql/graphiql.min.css"/></head>
<body style="margin:0"><div id="graphiql" style="height:100vh"></div>
<script crossorigin src="https://unpkg.com/react/umd/react.production.min.js"></script>
<script crossorigin src="https://unpkg.com/react-dom/umd/react-dom.production.min.js"></script>
<script crossorigin src="https://unpkg.com/graphiql/graphiql.min.js"></script>
<script>ReactDOM.render(React.createElement(GraphiQL,{fetcher:GraphiQL.createFetcher({url:'/graphql'})}),
document.getElementById('graphiql'));</script></body></html>"""
