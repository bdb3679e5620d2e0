"""Prometheus metrics of subgraph fetches: how many, how they ended, how long they took."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from prometheus_client import Counter, Histogram

SUBGRAPH_FETCHES = Counter("gateway_subgraph_fetches_total", "Subgraph fetches", ["subgraph", "outcome"])
SUBGRAPH_LATENCY = Histogram(
    "gateway_subgraph_fetch_seconds",
    "Subgraph fetch latency",
    ["subgraph"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PASS_THROUGH = Counter(
    "gateway_pass_through_responses_total", "Responses that are a subgraph's answer as sent (no shaping needed)"
)


def after_step(record: Callable[..., Any], *args: Any) -> None:
    """Record a metric once the current step of the event loop is done. On the hot path that step ends
    by writing the response, so label lookups and histogram buckets (Python under a lock) wait until the
    answer is on its way instead of delaying it."""
    asyncio.get_running_loop().call_soon(record, *args)
