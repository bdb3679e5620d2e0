"""HTTP calls to subgraphs: one shared client (http_client.py; httpx for injected test transports),
a timeout and a circuit breaker per subgraph, and retries for query operations only."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Mapping

import httpx
import orjson

from .collapsing import InFlight, flight_key
from .metrics import SUBGRAPH_FETCHES, SUBGRAPH_LATENCY, after_step
from .http_client import Http1Poster
from .transport import HttpxPoster, Poster, TransportFailure


class SubgraphFetchError(Exception):
    def __init__(self, subgraph: str, message: str, code: str = "SUBGRAPH_REQUEST_FAILED"):
        super().__init__(message)
        self.subgraph = subgraph
        self.code = code


@dataclass
class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after `cooldown` seconds one
    trial request is let through (half-open) and decides whether to close."""

    threshold: int = 5
    cooldown: float = 10.0
    failures: int = 0
    opened_at: float | None = None
    trial_in_flight: bool = False
    clock: callable = field(default=time.monotonic, repr=False)

    def allow(self) -> bool:
        if self.opened_at is None:
            return True
        if self.clock() - self.opened_at >= self.cooldown and not self.trial_in_flight:
            self.trial_in_flight = True
            return True
        return False

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self.trial_in_flight = False

    def record_failure(self) -> None:
        self.failures += 1
        self.trial_in_flight = False
        if self.failures >= self.threshold:
            self.opened_at = self.clock()

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if self.clock() - self.opened_at >= self.cooldown else "open"


class SubgraphClient:
    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        timeouts: Mapping[str, float] | None = None,
        mutation_timeout: float | None = None,
        query_retries: int = 1,
        breaker_threshold: int = 5,
        breaker_cooldown: float = 10.0,
        collapse_queries: bool = True,
    ):
        self.urls = dict(urls)
        # Identical queries in flight share one call (collapsing.py); None sends every one.
        self.in_flight: InFlight | None = InFlight() if collapse_queries else None
        if http_client is not None or transport is not None:
            self.poster: Poster = HttpxPoster(http_client or httpx.AsyncClient(transport=transport))
        else:
            self.poster = Http1Poster()
        self.timeout = timeout
        self.timeouts = dict(timeouts or {})
        # A mutation's calls wait as long as the subgraph's own limit allows (kernel/limits.py), no longer.
        self.mutation_timeout = mutation_timeout
        self.query_retries = query_retries
        self.breakers = {name: CircuitBreaker(breaker_threshold, breaker_cooldown) for name in self.urls}
        # Metric children resolved once: a labels() lookup per call is measurable on the hot path.
        self._ok = {name: SUBGRAPH_FETCHES.labels(name, "ok") for name in self.urls}
        self._with_errors = {name: SUBGRAPH_FETCHES.labels(name, "errors") for name in self.urls}
        self._latency = {name: SUBGRAPH_LATENCY.labels(name) for name in self.urls}

    async def aclose(self) -> None:
        await self.poster.aclose()

    async def fetch(self, subgraph: str, body: bytes, headers: Mapping[str, str], *, is_query: bool) -> tuple[dict, bytes]:
        """The subgraph's answer parsed, and its bytes as received (for a pass-through response)."""
        breaker = self.breakers[subgraph]
        attempts = 1 + (self.query_retries if is_query else 0)
        last: SubgraphFetchError | None = None
        for attempt in range(attempts):
            if not breaker.allow():
                raise SubgraphFetchError(subgraph, f"circuit open for subgraph '{subgraph}'", "SUBGRAPH_UNAVAILABLE")
            started = time.perf_counter()
            try:
                payload, content = await self._post(subgraph, body, headers, collapse=is_query, mutation=not is_query)
            except SubgraphFetchError as error:
                SUBGRAPH_FETCHES.labels(subgraph, error.code).inc()
                breaker.record_failure()
                last = error
                if attempt + 1 < attempts:
                    await asyncio.sleep(0.05 * (attempt + 1))
                continue
            after_step(self._latency[subgraph].observe, time.perf_counter() - started)
            (self._with_errors if payload.get("errors") else self._ok)[subgraph].inc()
            breaker.record_success()
            return payload, content
        assert last is not None
        raise last

    async def _post(self, subgraph: str, body: bytes, headers: Mapping[str, str], *,
                    collapse: bool = False, mutation: bool = False) -> tuple[dict, bytes]:
        if mutation and self.mutation_timeout is not None:
            timeout = self.mutation_timeout
        else:
            timeout = self.timeouts.get(subgraph, self.timeout)

        def send():
            return self.poster.post(self.urls[subgraph], body, headers, timeout)

        try:
            if collapse and self.in_flight is not None:
                status, content = await self.in_flight.run(flight_key(subgraph, body, headers), send)
            else:
                status, content = await send()
        except TimeoutError:
            raise SubgraphFetchError(subgraph, f"subgraph '{subgraph}' timed out after {timeout}s", "SUBGRAPH_TIMEOUT")
        except TransportFailure as error:
            raise SubgraphFetchError(subgraph, f"subgraph '{subgraph}' request failed: {error}")
        if status >= 500 or status in (404, 408, 429):
            raise SubgraphFetchError(subgraph, f"subgraph '{subgraph}' returned HTTP {status}")
        try:
            payload = orjson.loads(content)
        except orjson.JSONDecodeError:
            raise SubgraphFetchError(subgraph, f"subgraph '{subgraph}' returned invalid JSON (HTTP {status})")
        if not isinstance(payload, dict) or ("data" not in payload and "errors" not in payload):
            raise SubgraphFetchError(subgraph, f"subgraph '{subgraph}' returned a malformed response")
        return payload, content
