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

from services.common.config import AuthSettings, amqp_url, development
from services.common.errors import DomainError

from ..engine.errors import RequestError
from ..engine.gateway import EncodedResponse, Gateway
from ..engine.http_server import json_response, parse_json_body, read_body, read_get_request
from ..engine.metrics import after_step
from ..engine.options import EngineOptions
from ..engine.planner import select_operation
from .alerts import AlertHub
from .city import CITY_SDL, city_overview
from .subscriptions import serve_subscriptions
from .tokens import VerifiedTokens, forward_authorization, is_public_operation, public_root_fields, unauthenticated

ALERT_SDL = """
extend schema { subscription: Subscription }

type Subscription {
  "Each recovery order raised or settled in the caller's district (a city admin: every district of the city)."
  fundRecoveryAlerts: FundRecoveryAlert!
}

enum RecoveryAlertKind { ORDERED SETTLED }

type FundRecoveryAlert {
  kind: RecoveryAlertKind!
  eventId: ID!
  district: String!
  occurredAt: String!
  orderId: ID!
  projectId: ID!
  organizationId: ID
  amount: Money!
  reason: String
  source: String
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
    return EngineOptions(redact_subgraph_errors=not development(), introspection=development())


def create_platform_app(supergraph_sdl: str, *, options: EngineOptions | None = None, transport=None,
                        alerts: bool = True) -> Starlette:
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

    async def run(payload: Any, headers: Mapping[str, str], method: str) -> EncodedResponse:
        """One client operation: token at the edge, then the engine with only Authorization forwarded."""
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
            if principal is None and not _public(gateway, payload, public_fields):
                REQUESTS.labels(name, "unauthenticated").inc()
                return EncodedResponse(401, orjson.dumps(unauthenticated()), True)
            response = await gateway.execute_encoded(
                payload, forward_authorization(headers), CallerContext(principal), http_method=method
            )
        except RequestError as error:
            response = EncodedResponse(error.status, orjson.dumps(error.response()), True)
        after_step(_record, name, "error" if response.has_errors else "ok", time.perf_counter() - started)
        return response

    max_body_bytes = gateway.options.max_body_bytes

    async def answer_post(request: Request) -> EncodedResponse:
        try:
            body = await read_body(request.scope, request.receive, max_body_bytes)
            if body is None:
                raise RequestError("request body too large", "REQUEST_TOO_LARGE", 413)
            payload = parse_json_body(body)
        except RequestError as error:
            return EncodedResponse(error.status, orjson.dumps(error.response()), True)
        return await run(payload, request.headers, "POST")

    async def graphql(request: Request) -> Response:
        """POST and GET /graphql: the answer is JSON bytes made by the engine, sent as they are."""
        if request.method == "POST":
            response = await answer_post(request)
        elif "text/html" in request.headers.get("accept", "") and development():
            return HTMLResponse(GRAPHIQL)
        else:
            try:
                payload = read_get_request(request)
            except RequestError as error:
                return json_response(error.status, error.response())
            response = await run(payload, request.headers, "GET")
        return Response(response.body, status_code=response.status, media_type="application/json")

    async def websocket(ws: WebSocket) -> None:
        await serve_subscriptions(ws, gateway, hub)

    async def healthz(request: Request) -> Response:
        return json_response(200, {"status": "ok", "service": "gateway"})

    async def readyz(request: Request) -> Response:
        open_circuits = [name for name, breaker in gateway.client.breakers.items() if breaker.state == "open"]
        return json_response(200 if not open_circuits else 503, {"ready": not open_circuits, "openCircuits": open_circuits})

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

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
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", websocket),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
        ],
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    app.state.hub = hub
    return app


def _public(gateway: Gateway, payload: dict, public_fields: frozenset[str]) -> bool:
    """An operation made only of public root fields (as the supergraph marks them) needs no token."""
    query = payload.get("query")
    if not isinstance(query, str):
        return False
    try:
        operation, _ = select_operation(gateway.parse_and_validate(query), payload.get("operationName"))
    except Exception:  # noqa: BLE001 - the engine reports parse and validation errors itself
        return False
    return is_public_operation(operation, public_fields)


GRAPHIQL = """<!doctype html><html><head><title>Civic platform GraphiQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql/graphiql.min.css"/></head>
<body style="margin:0"><div id="graphiql" style="height:100vh"></div>
<script crossorigin src="https://unpkg.com/react/umd/react.production.min.js"></script>
<script crossorigin src="https://unpkg.com/react-dom/umd/react-dom.production.min.js"></script>
<script crossorigin src="https://unpkg.com/graphiql/graphiql.min.js"></script>
<script>ReactDOM.render(React.createElement(GraphiQL,{fetcher:GraphiQL.createFetcher({url:'/graphql'})}),
document.getElementById('graphiql'));</script></body></html>"""
