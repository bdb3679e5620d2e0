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
from services.common.kernel.errors import CLIENT_CODES, DomainError
from services.common.kernel.limits import gateway_mutation_timeout
from services.common.runtime.http_limits import BodyLimits, HttpLimits
from services.common.runtime.metrics import BoundedLabel
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
from .callers import Callers, refusal
from .explorer import EXPLORER_HEADERS, explorer_enabled, explorer_page
from .portal import portal_routes
from .public_limit import ClientRateLimit, public_mutations_per_hour
from .signin import signin_routes
from .subscriptions import SubscriptionLimits, serve_subscriptions
from .tokens import is_public_mutation, is_public_operation, public_root_fields, unauthenticated

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


# Operation names are the client's to choose, anonymous ones too: only so many get a series of their own.
OPERATION_LABELS = 200
operation_label = BoundedLabel(OPERATION_LABELS)


def _record(operation: str, outcome: str, seconds: float) -> None:
    REQUESTS.labels(operation, outcome).inc()
    LATENCY.labels(operation).observe(seconds)


class CallerContext:
    def __init__(self, principal) -> None:
        self.principal = principal


def platform_options() -> EngineOptions:
    # A mutation is waited for as long as the subgraph lets it run, plus its margin (kernel/limits.py).
    # Production hides the details of INTERNAL errors only: a refusal's message and field are the client's.
    return EngineOptions(redact_subgraph_errors=not development(), unredacted_error_codes=CLIENT_CODES,
                         introspection=development() or explorer_enabled(), mutation_timeout=gateway_mutation_timeout(),
                         kept_response_extensions=(REPLAY_MARKER,))


def create_platform_app(supergraph_sdl: str, *, options: EngineOptions | None = None, transport=None,
                        alerts: bool = True, http_limits: HttpLimits | None = None,
                        rate_limiter: RateLimiter | None = None,
                        subscription_limits: SubscriptionLimits | None = None) -> Starlette:
    # Refuse to start without a usable token key or sign-in set-up (ConfigurationError), not on the first request.
    AuthSettings.from_env()
    gateway = Gateway(
        supergraph_sdl,
        options=options or platform_options(),
        transport=transport,
        extra_sdl=CITY_SDL + ALERT_SDL,
        local_resolvers={"Query.cityOverview": city_overview},
    )
    hub = AlertHub(amqp_url("gateway"))
    callers = Callers(_registry_url(gateway), transport=transport)
    public_fields = public_root_fields(gateway.supergraph)
    public_mutations = public_root_fields(gateway.supergraph, "mutation")
    public_limit = ClientRateLimit(public_mutations_per_hour())
    limiter = rate_limiter or RateLimiter()
    subscription_limits = subscription_limits or SubscriptionLimits.from_env()

    async def run(payload: Any, headers: Mapping[str, str], method: str, client: str | None) -> EncodedResponse:
        """One client operation: the caller and rate limits at the edge, then the engine with only the
        account's platform token (and an Idempotency-Key) forwarded. RateLimited goes up to the endpoint, which adds its Retry-After
        header."""
        started = time.perf_counter()
        name = payload.get("operationName") or "-" if isinstance(payload, dict) else "-"
        name = operation_label(name if isinstance(name, str) else "-")
        try:
            if isinstance(payload, list):
                raise RequestError("batched requests are not enabled", "BATCHING_NOT_ENABLED")
            if not isinstance(payload, dict):
                raise RequestError("request body must be a JSON object", "BAD_REQUEST")
            try:
                caller = await callers.caller(headers.get("authorization"))
            except DomainError as error:
                REQUESTS.labels(name, "unauthenticated").inc()
                status, body = refusal(error)
                return EncodedResponse(status, orjson.dumps(body), True)
            principal = caller.principal if caller else None
            if principal is None:
                public = _public_operation(gateway, payload, public_fields, public_mutations)
                if public is None:
                    REQUESTS.labels(name, "unauthenticated").inc()
                    return EncodedResponse(401, orjson.dumps(unauthenticated()), True)
                kind, reads = public
                # Each public field is a query on a subgraph's pool: an anonymous operation gets a few.
                if reads > limiter.settings.public_fields:
                    raise RequestError(f"an operation without a token reads at most {limiter.settings.public_fields}"
                                       f" public fields; this one reads {reads}", "MAX_ALIASES_EXCEEDED")
                # A resident's objection: a few an hour from one address.
                if kind == "mutation" and (wait := public_limit.retry_after(client or "-")) is not None:
                    raise RateLimited(wait, "address's public submissions")
            limiter.check(principal, client)
            response = await gateway.execute_encoded(
                payload, forward_key(headers, {"authorization": caller.authorization} if caller else {}),
                CallerContext(principal),
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
        if "text/html" in request.headers.get("accept", "") and explorer_enabled():
            page = explorer_page()
            if page is not None:
                return HTMLResponse(page, headers=EXPLORER_HEADERS)
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
        await serve_subscriptions(ws, gateway, hub, callers, subscription_limits)

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
            await callers.aclose()
            await gateway.aclose()

    app = Starlette(
        routes=[
            Route("/graphql", _AsgiEndpoint(graphql_post), methods=["POST"]),
            Route("/graphql", graphql_get, methods=["GET"]),
            WebSocketRoute("/graphql", websocket),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *signin_routes(callers),
            *portal_routes(),
            Route("/asyncapi.json", asyncapi_document, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    # A body comes in whole, in time and under the engine's cap, before anything reads it.
    app.add_middleware(BodyLimits, limits=http_limits or HttpLimits.from_env(), max_body_bytes=max_body_bytes)
    app.state.gateway = gateway
    app.state.hub = hub
    app.state.rate_limiter = limiter
    app.state.callers = callers
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


def _registry_url(gateway: Gateway) -> str | None:
    """Where accounts are looked up: the registry subgraph's URL in the supergraph."""
    return next((sub.url for sub in gateway.supergraph.subgraphs.values() if sub.name == "registry"), None)


def _public_operation(gateway: Gateway, payload: dict, public_fields: frozenset[str],
                      public_mutations: frozenset[str]) -> tuple[str, int] | None:
    """("query" or "mutation", how many public root fields it reads) for an operation made only of public
    root fields (as the supergraph marks them), which needs no token (a public mutation is rate limited
    per address); None when it needs one."""
    query = payload.get("query")
    if not isinstance(query, str):
        return None
    try:
        operation, _ = select_operation(gateway.parse_and_validate(query), payload.get("operationName"))
    except Exception:  # noqa: BLE001 - the engine reports parse and validation errors itself
        return None
    if is_public_mutation(operation, public_mutations):
        kind = "mutation"
    elif operation.operation.value != "mutation" and is_public_operation(operation, public_fields):
        kind = "query"
    else:
        return None
    return kind, sum(1 for node in operation.selection_set.selections if node.name.value != "__typename")

