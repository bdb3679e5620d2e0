"""Prometheus metrics shared by every service process, and the middleware that counts each request."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter, Histogram

REQUESTS = Counter("civic_http_requests_total", "HTTP requests", ["service", "path", "status"])
LATENCY = Histogram(
    "civic_http_request_seconds",
    "HTTP request latency",
    ["service", "path"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
# The label of every value past a bound: a series per probed URL or per made-up operation name would grow
# the metrics without end.
OTHER = "other"


class BoundedLabel:
    """A label whose values a client chooses (the gateway's operation names): the first `cap` distinct
    values, each at most `longest` characters, keep their own series; every other value counts as OTHER."""

    def __init__(self, cap: int, longest: int = 100) -> None:
        self.cap = cap
        self.longest = longest
        self.seen: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self.seen:
            return value
        if len(self.seen) < self.cap and len(value) <= self.longest:
            self.seen.add(value)
            return value
        return OTHER


class RequestMetrics:
    """ASGI middleware: each HTTP request counted by path and status, and timed by path.

    The labelled series are looked up once per (path, status), not on every request: `labels()` takes
    a lock and builds its key each time, a measurable share of a hot read."""

    def __init__(self, app: Any, service: str, paths: Iterable[str]) -> None:
        self.app = app
        self.service = service
        self.paths = frozenset(paths)
        self._counts: dict[tuple[str, int], Any] = {}
        self._latencies: dict[str, Any] = {}

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note_status(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            path = scope.get("path", "")
            if path not in self.paths:
                path = OTHER
            self._latency(path).observe(time.perf_counter() - started)
            self._count(path, status).inc()

    def _count(self, path: str, status: int) -> Any:
        series = self._counts.get((path, status))
        if series is None:
            series = self._counts[(path, status)] = REQUESTS.labels(self.service, path, str(status))
        return series

    def _latency(self, path: str) -> Any:
        series = self._latencies.get(path)
        if series is None:
            series = self._latencies[path] = LATENCY.labels(self.service, path)
        return series
