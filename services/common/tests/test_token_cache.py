"""The subgraphs' cache of verified tokens (kernel/token_cache.py): until exp and no longer, per settings,
refusals never kept, bounded."""

from __future__ import annotations

import time

import pytest

from services.common.kernel import token_cache
from services.common.kernel.auth import mint_token
from services.common.kernel.config import AuthSettings
from services.common.kernel.errors import Unauthenticated


@pytest.fixture
def calls(monkeypatch):
    seen = []
    real = token_cache.verify_token_until
    monkeypatch.setattr(token_cache, "verify_token_until", lambda token, settings=None: seen.append(token) or real(token, settings))
    return seen


def token(district: str = "230102", ttl: int = 600) -> str:
    return mint_token(district=district, roles=["bureau_admin"], ttl_seconds=ttl)


def test_a_token_is_verified_once_until_it_expires(calls, monkeypatch):
    cache = token_cache.TokenCache()
    t = token(ttl=30)
    assert cache.verify(t).district == "230102"
    assert cache.verify(t).district == "230102"
    assert len(calls) == 1  # the second request was served from the cache
    now = time.time()
    monkeypatch.setattr(token_cache.time, "time", lambda: now + 31)  # past exp (within the leeway)
    assert cache.verify(t).district == "230102"
    assert len(calls) == 2  # verified afresh, not served from the cache


def test_a_refused_token_is_never_kept(calls):
    cache = token_cache.TokenCache()
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            cache.verify("not-a-jwt")
    assert len(calls) == 2 and len(cache) == 0


def test_other_settings_verify_afresh(calls, monkeypatch):
    cache = token_cache.TokenCache()
    t = token()
    cache.verify(t)
    monkeypatch.setenv("AUTH_JWT_AUDIENCE", "another-platform")
    with pytest.raises(Unauthenticated, match="audience"):
        cache.verify(t)  # the token verified under the old settings is not taken on trust
    assert AuthSettings.from_env().audience == "another-platform" and len(calls) == 2


def test_bounded_oldest_first():
    cache = token_cache.TokenCache(maxsize=2)
    first, second, third = token("230102"), token("230103"), token("230104")
    for t in (first, second, third):
        cache.verify(t)
    assert len(cache) == 2
    assert all(key[0] != first for key in cache._seen)
