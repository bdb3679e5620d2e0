"""Pure rules: money in fen and token claims (credit codes: test_credit_code.py)."""

from __future__ import annotations

import time

import jwt
import pytest

from services.common.kernel.auth import principal_from_claims, verify_token
from services.common.kernel.config import AuthSettings
from services.common.kernel.errors import BadInput, Unauthenticated
from services.common.kernel.money import format_fen, parse_yuan


@pytest.mark.parametrize(("text", "fen"), [("2000000.00", 200_000_000), ("0.01", 1), ("12.50", 1250), ("7.00", 700)])
def test_yuan_strings_become_exact_fen(text, fen):
    assert parse_yuan(text) == fen
    assert parse_yuan(format_fen(fen)) == fen


@pytest.mark.parametrize("text", ["-1.00", "1.001", "1e3", "abc", "", "01.00", "1,000.00",
                                  # the contract is exactly two decimals: no whole yuan, no one decimal, no spaces
                                  "100", "12.5", " 5.00", "5.00 ", "١٠٠.٠٠"])
def test_malformed_amounts_are_refused(text):
    with pytest.raises(BadInput):
        parse_yuan(text)


def test_money_is_printed_with_exactly_two_decimals():
    assert format_fen(200_000_000) == "2000000.00"
    assert format_fen(5) == "0.05"


def _claims(**overrides):
    now = int(time.time())
    claims = {"sub": "u1", "roles": ["bureau_admin"], "city": "2301", "district": "230102",
              "iss": "civic-platform", "aud": "civic-platform", "iat": now, "exp": now + 60}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def test_a_district_outside_the_tokens_city_is_refused():
    with pytest.raises(Unauthenticated, match="does not belong"):
        principal_from_claims(_claims(district="230202"))


def test_a_token_without_a_district_is_refused_unless_it_is_a_city_admins():
    with pytest.raises(Unauthenticated, match="no district"):
        principal_from_claims(_claims(district=None))
    assert principal_from_claims(_claims(district=None, roles=["city_admin"])).districts == ()


@pytest.mark.parametrize(
    "forge",
    [
        lambda s: jwt.encode(_claims(), "another-secret-of-sufficient-length-0123456789", algorithm="HS256"),
        lambda s: jwt.encode(_claims(exp=int(time.time()) - 10 - s.leeway), s.secret, algorithm="HS256"),
        lambda s: jwt.encode(_claims(aud="someone-else"), s.secret, algorithm="HS256"),
        lambda s: jwt.encode(_claims(iss="someone-else"), s.secret, algorithm="HS256"),
        lambda s: jwt.encode(_claims(), None, algorithm="none"),
        lambda s: jwt.encode(_claims(roles=["superuser"]), s.secret, algorithm="HS256"),
    ],
    ids=["wrong-signature", "expired", "audience", "issuer", "alg-none", "unknown-role"],
)
def test_forged_or_stale_tokens_are_refused(forge):
    settings = AuthSettings.from_env()
    with pytest.raises(Unauthenticated):
        verify_token(forge(settings), settings)
