"""The whole platform in one test process: three subgraphs over real HTTP, their workers, the gateway."""

from __future__ import annotations

import asyncio
import socket
from contextlib import asynccontextmanager
from typing import AsyncIterator

import uvicorn

from services.common.runtime.subgraph import create_app
from services.gateway.policy.app import create_platform_app
from services.gateway.policy.subgraphs import SUBGRAPHS, platform_supergraph


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports: each socket stays bound until all are chosen (one after another, the
    kernel may hand out a port it just freed, and two services would be told the same one)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@asynccontextmanager
async def serve(app, port: int, **settings) -> AsyncIterator[str]:
    """`settings`: more uvicorn.Config arguments (the HTTP limits: `HttpLimits(...).uvicorn_settings()`)."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                                           **settings))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def service_definition(name: str):
    module = __import__(f"services.{name}.service", fromlist=["service"])
    return module.service


@asynccontextmanager
async def running_subgraphs(workers: bool = True) -> AsyncIterator[dict[str, str]]:
    """Each subgraph on its own port, with its outbox relay and consumer when `workers`."""
    urls: dict[str, str] = {}
    async with _serve_all(list(SUBGRAPHS), workers, urls):
        yield urls


@asynccontextmanager
async def _serve_all(names: list[str], workers: bool, urls: dict[str, str]):
    if not names:
        yield
        return
    name, rest = names[0], names[1:]
    app = create_app(service_definition(name), manage_database=False, workers=workers)
    async with serve(app, free_port()) as base:
        urls[name] = f"{base}/graphql"
        async with _serve_all(rest, workers, urls):
            yield


@asynccontextmanager
async def running_gateway(subgraph_urls: dict[str, str], **options) -> AsyncIterator[str]:
    """`options` go to create_platform_app; `http_limits` also to uvicorn (head timeout, keep-alive, cap)."""
    app = create_platform_app(platform_supergraph(subgraph_urls), **options)
    limits = options.get("http_limits")
    async with serve(app, free_port(), **(limits.uvicorn_settings() if limits else {})) as base:
        yield base
