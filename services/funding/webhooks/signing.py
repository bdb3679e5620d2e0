"""Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` per secret.

Signing is the `standardwebhooks` package's (the specification's reference library); during a rotation's
grace period both secrets sign, space-separated, so a receiver holding either one verifies.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets as random_secrets
from collections.abc import Sequence

from standardwebhooks.webhooks import Webhook

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(random_secrets.token_bytes(32)).decode()


def headers(event_id: str, at: dt.datetime, body: str, secrets: Sequence[str]) -> dict[str, str]:
    """The three headers for one attempt; `webhook-id` is the event's id on every attempt and replay."""
    signatures = " ".join(Webhook(secret).sign(event_id, at, body) for secret in secrets)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": "civic-platform-webhooks/1",
    }
