"""The platform app served by plain uvicorn over a real socket: POST /graphql goes through Starlette's
routing like every other request (so middleware applies to it), one keep-alive connection carries
both the refused and the answered request, and the body cap answers 413."""

from __future__ import annotations

import asyncio
import json
import socket
from contextlib import asynccontextmanager

import httpx
import uvicorn
from starlette.middleware.base import BaseHTTPMiddleware

from services.common.kernel.auth import mint_token
from services.gateway.policy.app import create_platform_app
from services.gateway.policy.subgraphs import platform_supergraph

QUERY = {"query": "{ organizations(first: 1) { totalCount edges { node { id } } } }"}
ANSWER = {"data": {"organizations": {"totalCount": 0, "edges": []}}}


@asynccontextmanager
async def serving(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def platform_app():
    registry = httpx.MockTransport(lambda request: httpx.Response(200, json=ANSWER))
    urls = {name: f"http://{name}.test/graphql" for name in ("registry", "funding", "evaluation")}
    return create_platform_app(platform_supergraph(urls), transport=registry, alerts=False)


async def test_the_platform_app_answers_post_graphql_through_starlette_and_its_middleware():
    app = platform_app()
    seen: list[str] = []

    async def record(request, call_next):
        seen.append(f"{request.method} {request.url.path}")
        return await call_next(request)

    app.add_middleware(BaseHTTPMiddleware, dispatch=record)
    token = mint_token(district="230102", roles=["bureau_admin"], sub="serving-test")
    async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
        refused = await client.post("/graphql", json=QUERY)
        assert refused.status_code == 401
        answered = await client.post("/graphql", json=QUERY, headers={"authorization": f"Bearer {token}"})
        assert answered.status_code == 200 and answered.json() == ANSWER
        assert answered.headers["content-type"] == "application/json"
        assert (await client.get("/healthz")).status_code == 200
    assert seen == ["POST /graphql", "POST /graphql", "GET /healthz"]


async def test_a_body_over_the_cap_is_refused_with_413():
    app = platform_app()
    cap = app.state.gateway.options.max_body_bytes
    async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
        response = await client.post("/graphql", content=b" " * (cap + 1), headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
        bad = await client.post("/graphql", content=b"{nope", headers={"content-type": "application/json"})
        assert bad.status_code == 400 and json.loads(bad.content)["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
