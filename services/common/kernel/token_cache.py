"""Verified tokens remembered until they expire: a client sends the same token on every request.

Keyed by the token string and the verification settings it was verified under (a changed key or
audience verifies afresh). An entry lives until the token's exp and no longer; the leeway is not
stretched from here, so a token just past exp is verified again (and refused once past the leeway).
Bounded: the oldest entries go first. A refused token is never remembered.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from services.common.kernel.auth import Principal, verify_token_until
from services.common.kernel.config import AuthSettings

MAX_TOKENS = 10_000


class TokenCache:
    def __init__(self, maxsize: int = MAX_TOKENS) -> None:
        self.maxsize = maxsize
        self._seen: OrderedDict[tuple[str, AuthSettings], tuple[Principal, float]] = OrderedDict()

    def verify(self, token: str, settings: AuthSettings | None = None) -> Principal:
        """verify_token's answer: the Principal, or Unauthenticated for a token it refuses."""
        settings = settings or AuthSettings.from_env()
        key = (token, settings)
        hit = self._seen.get(key)
        now = time.time()
        if hit is not None:
            if hit[1] > now:
                return hit[0]
            del self._seen[key]
        principal, expires = verify_token_until(token, settings)
        if expires > now:
            self._seen[key] = (principal, expires)
            if len(self._seen) > self.maxsize:
                self._seen.popitem(last=False)
        return principal

    def __len__(self) -> int:
        return len(self._seen)

    def clear(self) -> None:
        self._seen.clear()


verified_tokens = TokenCache()
