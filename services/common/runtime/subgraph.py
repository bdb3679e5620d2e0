"""Builds a service's Starlette app from its definition: /graphql /healthz /readyz /metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from tortoise import connections

from services.common.kernel.config import AuthSettings, run_workers
from services.common.api.context import RequestContext, build_context
from services.common.data.db import start_database, stop_database
from services.common.runtime.http_limits import BodyLimits, HttpLimits
from services.common.runtime.metrics import RequestMetrics
from services.common.api.operation import format_error
from services.common.runtime.service import ServiceDefinition
from services.common.runtime.workers import ServiceWorkers


class SubgraphGraphQL(GraphQL):
    """Strawberry's ASGI app with our context (verified caller, fresh loaders) and error format."""

    def __init__(self, service: ServiceDefinition) -> None:
        # No IDE here: Strawberry's loads its scripts from a public CDN. The gateway serves a self-hosted
        # explorer (services/gateway/policy/explorer.py) for the whole supergraph.
        super().__init__(service.schema, graphql_ide=None)
        self.service = service

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        return await build_context(
            self.service, request.headers.get("authorization"), request=request, response=response
        )

    def encode_json(self, data: object) -> str | bytes:
        # orjson writes a page of rows several times faster than json.dumps, and UTF-8 as it is.
        try:
            return orjson.dumps(data)
        except orjson.JSONEncodeError:  # what orjson refuses (an int past 64 bits), json.dumps still writes
            return super().encode_json(data)

    async def process_result(self, request: Any, result: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            schema = self.service.schema._schema  # graphql-core's schema under Strawberry's (as permissions.py)
            body["errors"] = [format_error(error, schema) for error in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        return body


def create_app(service: ServiceDefinition, *, manage_database: bool = True, workers: bool | None = None,
               http_limits: HttpLimits | None = None) -> Starlette:
    """`manage_database=False` when the caller (a test session) has initialised Tortoise itself;
    `http_limits` defaults to the environment's (HTTP_* settings)."""
    # Refuse to start without a usable token key (ConfigurationError), not on the first request.
    AuthSettings.from_env()
    start_workers = run_workers() if workers is None else workers
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await start_database([service.name])
        if start_workers:
            state["workers"] = ServiceWorkers(service)
            await state["workers"].start()
        try:
            yield
        finally:
            if "workers" in state:
                await state["workers"].stop()
            if manage_database:
                await stop_database()

    async def healthz(request: Request) -> Response:
        # 200 while the process is up; the broker detail is what its workers' connections report.
        body: dict[str, Any] = {"status": "ok", "service": service.name}
        if "workers" in state:
            body["broker"] = state["workers"].broker_states()
        return JSONResponse(body)

    async def readyz(request: Request) -> Response:
        # Only what serving a request needs: the database. Requests never wait for the broker (events go
        # to the outbox), so a broker outage must not take every replica out of its Service.
        ready = await _database_ready(service.name)
        return JSONResponse({"ready": ready, "database": ready}, status_code=200 if ready else 503)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    graphql = SubgraphGraphQL(service)
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        *service.routes,
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    # A body comes in whole, in time and under the cap, before anything parses it.
    app.add_middleware(BodyLimits, limits=http_limits or HttpLimits.from_env())
    app.add_middleware(RequestMetrics, service=service.name, paths=[route.path for route in routes])
    app.state.service = service
    return app


async def _database_ready(connection: str) -> bool:
    try:
        await asyncio.wait_for(connections.get(connection).execute_query("SELECT 1"), 2)
        return True
    except Exception:
        return False
