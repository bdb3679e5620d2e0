"""Rate limits at the gateway's edge: token buckets per subject, per district, and per client address for
anonymous public reads (`publicNotices`). A refused request is HTTP 429 with `Retry-After` and a GraphQL
error `RATE_LIMITED`, before any plan runs.

A subject's bucket is keyed by its issuer-scoped `sub` and district (the same person in two districts has
two); a district's bucket is shared by every token of that district, so one district cannot take the
subgraphs' pools from the others; a city admin's is its city's. Buckets live in this process (each gateway
replica limits on its own: the figures are per replica) in a bounded LRU, so unique subjects cannot grow memory.
"""

from __future__ import annotations

import math
import os
import time
from collections import OrderedDict
from dataclasses import dataclass

from services.common.kernel.auth import Principal

from ..engine.errors import RequestError

RATE_LIMITED = "RATE_LIMITED"
MAX_BUCKETS = 100_000


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int


@dataclass(frozen=True)
class RateLimitSettings:
    enabled: bool = True                                 # RATE_LIMITS=0 turns every bucket off (bench, proof)
    subject: Rate = Rate(50.0, 100)                      # RATE_LIMIT_SUBJECT=per_second/burst
    district: Rate = Rate(200.0, 400)                    # RATE_LIMIT_DISTRICT
    anonymous: Rate = Rate(5.0, 20)                      # RATE_LIMIT_ANONYMOUS: per client address
    public_fields: int = 3                               # PUBLIC_MAX_ROOT_FIELDS: public fields in one anonymous operation

    @classmethod
    def from_env(cls) -> RateLimitSettings:
        env = os.environ.get
        return cls(
            enabled=env("RATE_LIMITS", "1") != "0",
            subject=_rate(env("RATE_LIMIT_SUBJECT"), cls.subject),
            district=_rate(env("RATE_LIMIT_DISTRICT"), cls.district),
            anonymous=_rate(env("RATE_LIMIT_ANONYMOUS"), cls.anonymous),
            public_fields=int(env("PUBLIC_MAX_ROOT_FIELDS", cls.public_fields)),
        )


def _rate(text: str | None, default: Rate) -> Rate:
    if not text:
        return default
    per_second, _, burst = text.partition("/")
    return Rate(float(per_second), int(burst or max(1, math.ceil(float(per_second)))))


class RateLimited(RequestError):
    def __init__(self, retry_after: float, what: str) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"too many requests for this {what}; retry after {self.retry_after} s", RATE_LIMITED, 429)

    def response(self) -> dict:
        body = super().response()
        body["errors"][0]["extensions"]["retryAfter"] = self.retry_after
        return body

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return [(b"retry-after", b"%d" % self.retry_after)]


class _Bucket:
    __slots__ = ("tokens", "at")

    def __init__(self, burst: int, now: float) -> None:
        self.tokens, self.at = float(burst), now


class RateLimiter:
    def __init__(self, settings: RateLimitSettings | None = None, clock=time.monotonic) -> None:
        self.settings = settings or RateLimitSettings.from_env()
        self._clock = clock
        self._buckets: OrderedDict[tuple, _Bucket] = OrderedDict()

    def check(self, principal: Principal | None, client: str | None) -> None:
        """Take one token from each bucket the caller draws on; RateLimited when one is empty (and then
        none is taken, so a refused request costs the caller's other buckets nothing)."""
        if not self.settings.enabled:
            return
        s = self.settings
        if principal is None:
            wanted = [(("client", client or "-"), s.anonymous, "client address")]
        else:
            tenant = principal.district or f"city:{principal.city}"
            wanted = [(("subject", tenant, principal.sub), s.subject, "subject"),
                      (("district", tenant), s.district, "district")]
        now = self._clock()
        buckets = [(self._bucket(key, rate, now), rate, what) for key, rate, what in wanted]
        for bucket, rate, what in buckets:
            bucket.tokens = min(rate.burst, bucket.tokens + (now - bucket.at) * rate.per_second)
            bucket.at = now
            if bucket.tokens < 1:
                raise RateLimited((1 - bucket.tokens) / rate.per_second, what)
        for bucket, _, _ in buckets:
            bucket.tokens -= 1

    def _bucket(self, key: tuple, rate: Rate, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(rate.burst, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket
