"""Prometheus metrics shared by every service process."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("civic_http_requests_total", "HTTP requests", ["service", "path", "status"])
LATENCY = Histogram(
    "civic_http_request_seconds",
    "HTTP request latency",
    ["service", "path"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
