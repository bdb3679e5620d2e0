"""The webhook delivery schedule and limits, from the environment (README: Alerts for finance and audit systems)."""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass


def _seconds(name: str, default: float) -> float:
    value = float(os.environ.get(name, default))
    if value <= 0:
        raise ValueError(f"{name} must be above zero")
    return value


@dataclass(frozen=True)
class WebhookSettings:
    retry_base_seconds: float = 10.0  # the first retry waits about this long, each next one twice as long
    retry_max_seconds: float = 3600.0  # no wait between two attempts is longer
    give_up_after_seconds: float = 24 * 3600.0  # retried this long after the first attempt, then FAILED
    secret_grace_seconds: float = 24 * 3600.0  # a rotated-out secret still signs this long
    timeout_seconds: float = 10.0  # one attempt's whole HTTP exchange
    poll_seconds: float = 1.0  # how often the dispatcher looks for due deliveries when idle
    lease_seconds: float = 60.0  # a claimed delivery another dispatcher leaves alone (> timeout)
    concurrency: int = 16  # attempts in flight at once (each a different subscription and order)

    @classmethod
    def from_env(cls) -> "WebhookSettings":
        return cls(
            retry_base_seconds=_seconds("WEBHOOK_RETRY_BASE_SECONDS", cls.retry_base_seconds),
            retry_max_seconds=_seconds("WEBHOOK_RETRY_MAX_SECONDS", cls.retry_max_seconds),
            give_up_after_seconds=_seconds("WEBHOOK_GIVE_UP_AFTER_SECONDS", cls.give_up_after_seconds),
            secret_grace_seconds=_seconds("WEBHOOK_SECRET_GRACE_SECONDS", cls.secret_grace_seconds),
            timeout_seconds=_seconds("WEBHOOK_TIMEOUT_SECONDS", cls.timeout_seconds),
            poll_seconds=_seconds("WEBHOOK_POLL_SECONDS", cls.poll_seconds),
        )

    def retry_delay(self, attempts: int) -> dt.timedelta:
        """Exponential backoff with "equal jitter": half the step fixed, half random, so receivers that come
        back are not hit by every sender at once."""
        step = min(self.retry_max_seconds, self.retry_base_seconds * 2 ** max(0, attempts - 1))
        return dt.timedelta(seconds=step / 2 + random.uniform(0, step / 2))
