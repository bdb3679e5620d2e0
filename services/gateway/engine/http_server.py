"""The engine's HTTP server side: a Starlette app serving POST/GET /graphql and /healthz.

The route is a thin wrapper over `Gateway.execute_encoded`; a policy layer can reuse
`graphql_routes(gateway, ...)` or the body readers here (policy/app.py does). Served by plain uvicorn.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, Awaitable, Callable, Mapping

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import RequestError
from .gateway import Gateway, LocalResolver
from .options import EngineOptions

# request headers -> headers sent to every subgraph (default: none)
ForwardHeaders = Callable[[Mapping[str, str]], Mapping[str, str]]
# request -> context object handed to local resolvers
ContextFactory = Callable[[Request], Awaitable[Any] | Any]


def json_response(status: int, payload: Any) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


def _error(error: RequestError) -> Response:
    return json_response(error.status, error.response())


def read_get_request(request: Request) -> dict[str, Any]:
    """A GET /graphql's operation from its query string."""
    params = request.query_params
    payload: dict[str, Any] = {"query": params.get("query"), "operationName": params.get("operationName")}
    for name in ("variables", "extensions"):
        if params.get(name):
            try:
                payload[name] = orjson.loads(params[name])
            except orjson.JSONDecodeError:
                raise RequestError(f"`{name}` is not valid JSON", "BAD_REQUEST")
    return payload


async def _read_request(request: Request, options: EngineOptions) -> Any:
    if request.method == "GET":
        return read_get_request(request)
    return await read_json_body(request.scope, request.receive, options.max_body_bytes)


async def read_json_body(scope: dict, receive: Any, max_bytes: int) -> Any:
    """A request's JSON body straight from ASGI messages, refused past `max_bytes` (declared or sent)."""
    body = await read_body(scope, receive, max_bytes)
    if body is None:
        raise RequestError("request body too large", "REQUEST_TOO_LARGE", 413)
    return parse_json_body(body)


async def read_body(scope: dict, receive: Any, max_bytes: int) -> bytes | None:
    """A request's body from ASGI messages; None when it is (or says it is) over `max_bytes`."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            if value.isdigit() and int(value) > max_bytes:
                return None
            break
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            raise RequestError("request body incomplete", "BAD_REQUEST")
        body += message.get("body", b"")
        if len(body) > max_bytes:
            return None
        if not message.get("more_body", False):
            return body


def parse_json_body(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RequestError("request body is not valid JSON", "BAD_REQUEST")


def graphql_routes(
    gateway: Gateway,
    *,
    forward_headers: ForwardHeaders | None = None,
    context_factory: ContextFactory | None = None,
    path: str = "/graphql",
) -> list[Route]:
    options = gateway.options

    async def graphql_endpoint(request: Request) -> Response:
        try:
            payload = await _read_request(request, options)
        except RequestError as error:
            return _error(error)
        headers = dict(forward_headers(request.headers)) if forward_headers else {}
        context = context_factory(request) if context_factory else None
        if hasattr(context, "__await__"):
            context = await context
        if isinstance(payload, list):
            if not options.allow_batching:
                return _error(RequestError("batched requests are not enabled", "BATCHING_NOT_ENABLED"))
            if len(payload) > options.max_batch_size:
                return _error(RequestError("too many operations in batch", "BATCH_TOO_LARGE"))
            results = [
                (await gateway.execute_with_status(item, headers, context, http_method=request.method))[1]
                for item in payload
            ]
            return json_response(200, results)
        response = await gateway.execute_encoded(payload, headers, context, http_method=request.method)
        return Response(response.body, status_code=response.status, media_type="application/json")

    return [Route(path, graphql_endpoint, methods=["GET", "POST"])]


async def healthz(_: Request) -> Response:
    return json_response(200, {"status": "ok"})


def create_engine_app(
    supergraph_sdl: str,
    *,
    options: EngineOptions | None = None,
    forward_headers: ForwardHeaders | None = None,
    context_factory: ContextFactory | None = None,
    extra_sdl: str | None = None,
    local_resolvers: Mapping[str, LocalResolver] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    gateway = Gateway(
        supergraph_sdl, options=options, transport=transport, extra_sdl=extra_sdl, local_resolvers=local_resolvers
    )
    routes = graphql_routes(gateway, forward_headers=forward_headers, context_factory=context_factory)
    routes.append(Route("/healthz", healthz))

    @asynccontextmanager
    async def lifespan(app):
        yield
        await gateway.aclose()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gateway = gateway
    return app
