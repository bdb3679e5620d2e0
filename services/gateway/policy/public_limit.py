"""How often one client address may call a public mutation without a token (a resident's objection to
a notice): a fixed window per address; past the limit the gateway answers 429 with Retry-After
(rate_limits.RateLimited). This is on top of rate_limits.py's per-address limit on every anonymous request.

The address is the ASGI client's: behind a reverse proxy, run uvicorn with --proxy-headers and
--forwarded-allow-ips so it is the resident's, not the proxy's. Addresses are kept in a bounded map:
the oldest window goes first when it is full.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

from services.common.kernel.config import env

MAX_CLIENTS = 10_000


def public_mutations_per_hour() -> int:
    return max(1, int(env("GATEWAY_PUBLIC_MUTATIONS_PER_HOUR", "10")))


class ClientRateLimit:
    def __init__(self, limit: int, window_seconds: float = 3600.0, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window_seconds, clock
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def retry_after(self, client: str) -> int | None:
        """Count one call by `client`: None when allowed, else the seconds until its window reopens."""
        now = self.clock()
        started, count = self._windows.get(client, (now, 0))
        if now - started >= self.window:
            started, count = now, 0
        if count >= self.limit:
            return max(1, math.ceil(started + self.window - now))
        self._windows[client] = (started, count + 1)
        self._windows.move_to_end(client)
        while len(self._windows) > MAX_CLIENTS:
            self._windows.popitem(last=False)
        return None

