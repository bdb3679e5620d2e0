"""Credentials and token claims: no development key in production, JWKS by kid, time rules, plain refusals."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings as hypothesis_settings, strategies as st

from services.common.kernel.auth import mint_token, principal_from_claims, verify_token
from services.common.kernel.config import DEVELOPMENT_SECRET, AuthSettings, ConfigurationError
from services.common.kernel.errors import Unauthenticated

ROOT = Path(__file__).resolve().parents[3]
AUTH_VARIABLES = ("AUTH_JWT_ALGORITHM", "AUTH_JWT_SECRET", "AUTH_JWT_PUBLIC_KEY", "AUTH_JWT_PUBLIC_KEY_FILE",
                  "AUTH_JWKS_URL", "AUTH_JWKS_FILE", "AUTH_JWT_LEEWAY_SECONDS", "AUTH_JWT_MAX_LIFETIME_SECONDS")


@pytest.fixture(autouse=True)
def clean_auth_env(monkeypatch):
    for name in AUTH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVIC_ENV", "development")


def claims(**overrides) -> dict:
    now = int(time.time())
    base = {"sub": "u1", "roles": ["bureau_admin"], "city": "2301", "district": "230102",
            "iss": "civic-platform", "aud": "civic-platform", "iat": now, "exp": now + 600}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(payload, secret: str = DEVELOPMENT_SECRET, header: dict | None = None) -> str:
    """Signed by hand: jwt.encode refuses some of the odd claims these tests need to send."""
    signing_input = b64(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(
        json.dumps(payload).encode())
    return f"{signing_input}.{b64(hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest())}"


def dev_token(**overrides) -> str:
    return hs256(claims(**overrides))


# --- Finding 1: production never falls back to the development secret ---------------------------------

def test_production_without_a_key_refuses_to_start_and_never_accepts_the_development_secret(monkeypatch):
    forged_city_admin = dev_token(roles=["city_admin"], district=None)
    assert verify_token(forged_city_admin).is_city_admin  # development: the dev secret is the default
    monkeypatch.setenv("CIVIC_ENV", "production")
    with pytest.raises(ConfigurationError, match="AUTH_JWKS_URL"):
        AuthSettings.from_env()
    with pytest.raises(ConfigurationError):
        verify_token(forged_city_admin)


def test_services_and_the_gateway_refuse_to_start_in_production_without_a_key(monkeypatch):
    from services.common.runtime.subgraph import create_app
    from services.gateway.policy.app import create_platform_app
    from services.registry.service import service

    monkeypatch.setenv("CIVIC_ENV", "production")
    with pytest.raises(ConfigurationError, match="AUTH_JWKS_URL"):
        create_app(service, manage_database=False, workers=False)
    with pytest.raises(ConfigurationError, match="AUTH_JWKS_URL"):
        create_platform_app((ROOT / "deploy" / "supergraph.graphql").read_text(), alerts=False)


@pytest.mark.parametrize("variables", [
    {"AUTH_JWT_SECRET": "a-long-random-shared-secret-0123456789abcdef"},
    {"AUTH_JWT_ALGORITHM": "HS256", "AUTH_JWKS_URL": "https://idp.example/jwks.json"},
    {"AUTH_JWT_SECRET": "a-long-random-shared-secret-0123456789abcdef", "AUTH_JWKS_URL": "https://idp.example/j"},
], ids=["secret-only", "hs256-with-jwks", "secret-beside-jwks"])
def test_production_refuses_hs256_configuration(monkeypatch, variables):
    monkeypatch.setenv("CIVIC_ENV", "production")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="development only"):
        AuthSettings.from_env()


def test_mint_token_is_for_development_only(monkeypatch, jwks_file):
    assert mint_token(district="230102", roles=["bureau_admin"])
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.setenv("AUTH_JWKS_FILE", str(jwks_file))
    with pytest.raises(ConfigurationError, match="development"):
        mint_token(district="230102", roles=["bureau_admin"])


@pytest.mark.parametrize(("name", "value"), [("AUTH_JWT_LEEWAY_SECONDS", "600"), ("AUTH_JWT_LEEWAY_SECONDS", "x"),
                                             ("AUTH_JWT_MAX_LIFETIME_SECONDS", "0"), ("AUTH_JWT_ALGORITHM", "none")])
def test_bad_time_or_algorithm_settings_stop_the_process(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        AuthSettings.from_env()


# --- Finding 2: a city role never rides along with a district role ---------------------------------

@pytest.mark.parametrize("overrides", [
    {"roles": ["city_admin", "bureau_admin"], "district": "230103"},
    {"roles": ["city_admin", "evaluator"], "district": "230103"},
    {"roles": ["bureau_admin", "city_admin"], "district": None},
    {"roles": ["city_admin"], "district": "230103"},
], ids=["city+bureau", "city+evaluator", "city+bureau-no-district", "city-with-district"])
def test_a_city_admin_token_is_city_wide_and_nothing_else(overrides):
    with pytest.raises(Unauthenticated, match="city_admin token carries no district"):
        principal_from_claims(claims(**overrides))
    with pytest.raises(Unauthenticated):
        verify_token(dev_token(**overrides))


def test_a_plain_city_admin_and_a_plain_district_token_still_pass():
    assert principal_from_claims(claims(roles=["city_admin"], district=None)).districts == ()
    assert principal_from_claims(claims(roles=["bureau_admin", "reviewer"])).districts == ("230102",)


# --- Time rules ----------------------------------------------------------------------------------------

def test_leeway_forgives_a_little_clock_skew_and_no_more(monkeypatch):
    now = int(time.time())
    assert verify_token(dev_token(exp=now - 20, iat=now - 600))  # default leeway 60 s
    with pytest.raises(Unauthenticated, match="^the token has expired$"):
        verify_token(dev_token(exp=now - 90, iat=now - 600))
    assert verify_token(dev_token(iat=now + 20))
    with pytest.raises(Unauthenticated, match="not valid yet"):
        verify_token(dev_token(iat=now + 120, exp=now + 600))
    with pytest.raises(Unauthenticated, match="not valid yet"):
        verify_token(dev_token(nbf=now + 120))
    monkeypatch.setenv("AUTH_JWT_LEEWAY_SECONDS", "0")
    with pytest.raises(Unauthenticated, match="expired"):
        verify_token(dev_token(exp=now - 1, iat=now - 600))


def test_iat_is_required_and_lifetimes_are_bounded(monkeypatch):
    now = int(time.time())
    with pytest.raises(Unauthenticated, match="no iat claim"):
        verify_token(dev_token(iat=None))
    assert verify_token(dev_token(iat=now, exp=now + 43200))
    with pytest.raises(Unauthenticated, match="longer than"):
        verify_token(dev_token(iat=now, exp=now + 43201))
    monkeypatch.setenv("AUTH_JWT_MAX_LIFETIME_SECONDS", "300")
    with pytest.raises(Unauthenticated, match="longer than the 300 seconds"):
        verify_token(dev_token(iat=now, exp=now + 600))


# --- Malformed claims: Unauthenticated in plain words, never a 500 ---------------------------------------

ODD_CLAIMS = [
    {"roles": "city_admin"}, {"roles": [["bureau_admin"]]}, {"roles": [{"r": 1}]}, {"roles": [1]}, {"roles": []},
    {"roles": ["superuser"]}, {"roles": None}, {"sub": 7}, {"sub": ["u"]}, {"sub": ""}, {"sub": None},
    {"district": 230102}, {"district": ["230102"]}, {"district": {"code": "230102"}}, {"district": "23010x"},
    {"city": 2301}, {"city": None}, {"city": ["2301"]}, {"subdistrict": 5}, {"org": {"id": 1}}, {"agency": ["a"]},
    {"org": ""},
    # Control characters: the sub reaches the audit trail, and PostgreSQL refuses NUL in text.
    {"sub": "u\x00"}, {"subdistrict": "新阳路街道\x00"}, {"org": "o\x1b"}, {"agency": "a\x7f"},
]


@pytest.mark.parametrize("overrides", ODD_CLAIMS, ids=[json.dumps(o, ensure_ascii=False) for o in ODD_CLAIMS])
def test_odd_claim_values_are_unauthenticated(overrides):
    with pytest.raises(Unauthenticated):
        principal_from_claims(claims(**overrides))
    with pytest.raises(Unauthenticated):
        verify_token(dev_token(**overrides))


@pytest.mark.parametrize("overrides", [{"exp": "9999999999"}, {"exp": True}, {"iat": "0"}, {"exp": [1]},
                                       {"exp": {"t": 1}}, {"iat": None}, {"nbf": "1"}, {"aud": 5}, {"iss": ["x"]}])
def test_odd_registered_claims_are_unauthenticated(overrides):
    with pytest.raises(Unauthenticated):
        verify_token(dev_token(**overrides))


@pytest.mark.parametrize("token", ["not.a.token", "a.b", "eyJhbGciOiJIUzI1NiJ9.e30.x", "....", "ä.ö.ü",
                                   "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "W10.e30.c2ln", "e30.W10.c2ln"])
def test_garbage_tokens_get_a_plain_message(token):
    with pytest.raises(Unauthenticated) as refused:
        verify_token(token)
    message = refused.value.message
    assert message.startswith("the token"), message
    for internal in ("padding", "binascii", "Invalid", "utf-8", "codec", "json"):
        assert internal not in message


def test_a_wrong_signature_says_so_plainly():
    forged = jwt.encode(claims(), "another-secret-of-sufficient-length-0123456789", algorithm="HS256")
    with pytest.raises(Unauthenticated, match="^the token's signature does not verify$"):
        verify_token(forged)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
CLAIM_NAMES = st.sampled_from(["sub", "roles", "city", "district", "subdistrict", "org", "agency", "exp", "iat",
                               "nbf", "aud", "iss"])


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.dictionaries(CLAIM_NAMES, JSON_VALUES | st.sampled_from(
    ["city_admin", ["city_admin"], ["bureau_admin"], "2301", "230102", ["bureau_admin", "city_admin"]]), max_size=5))
def test_any_claim_values_give_a_principal_or_unauthenticated_and_nothing_else(overrides):
    for attempt in (lambda: principal_from_claims(claims(**overrides)), lambda: verify_token(dev_token(**overrides))):
        try:
            principal = attempt()
        except Unauthenticated:
            continue
        assert isinstance(principal.sub, str) and principal.roles
        assert principal.is_city_admin == (principal.district is None)


# --- JWKS: RS256 and ES256 by kid, from a file and from the identity provider's URL -----------------------

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(private_key, kid: str) -> dict:
    public = jwt.algorithms.RSAAlgorithm if isinstance(private_key, rsa.RSAPrivateKey) else jwt.algorithms.ECAlgorithm
    return {**json.loads(public.to_jwk(private_key.public_key())), "kid": kid, "use": "sig"}


JWKS = {"keys": [jwk(RSA_KEY, "city-rsa-1"), jwk(EC_KEY, "city-ec-1")]}


def signed(private_key, algorithm: str, kid: str | None, **overrides) -> str:
    headers = {"kid": kid} if kid else {}
    return jwt.encode(claims(**overrides), private_key, algorithm=algorithm, headers=headers)


def pem(private_key) -> str:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.fixture
def jwks_file(tmp_path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(JWKS))
    return path


@pytest.fixture
def jwks_url():
    body = json.dumps(JWKS).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()
    server.server_close()


@pytest.fixture(params=["file", "url"])
def production_jwks(request, monkeypatch) -> AuthSettings:
    monkeypatch.setenv("CIVIC_ENV", "production")
    if request.param == "file":
        monkeypatch.setenv("AUTH_JWKS_FILE", str(request.getfixturevalue("jwks_file")))
    else:
        monkeypatch.setenv("AUTH_JWKS_URL", request.getfixturevalue("jwks_url"))
    settings = AuthSettings.from_env()
    assert settings.algorithms == ("RS256", "ES256") and settings.secret is None
    return settings


def test_rs256_and_es256_tokens_verify_by_kid(production_jwks):
    assert verify_token(signed(RSA_KEY, "RS256", "city-rsa-1"), production_jwks).district == "230102"
    assert verify_token(signed(EC_KEY, "ES256", "city-ec-1", roles=["city_admin"], district=None),
                        production_jwks).is_city_admin


@pytest.mark.parametrize(("forge", "message"), [
    (lambda: signed(OTHER_RSA_KEY, "RS256", "city-rsa-1"), "signature does not verify"),
    (lambda: signed(OTHER_RSA_KEY, "RS256", "someone-elses-key"), "not one the identity provider publishes"),
    (lambda: signed(RSA_KEY, "RS256", None), "kid"),
    (lambda: signed(EC_KEY, "ES256", "city-rsa-1"), "algorithm is not accepted"),
    (lambda: jwt.encode(claims(), None, algorithm="none", headers={"kid": "city-rsa-1"}), "algorithm"),
    (lambda: jwt.encode(claims(), DEVELOPMENT_SECRET, algorithm="HS256", headers={"kid": "city-rsa-1"}), "algorithm"),
    (lambda: signed(RSA_KEY, "RS256", "city-rsa-1", exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
     "expired"),
], ids=["other-key-same-kid", "unknown-kid", "no-kid", "es256-under-rsa-kid", "alg-none", "hs256-dev-secret",
        "expired"])
def test_tokens_not_signed_by_the_identity_providers_keys_are_refused(production_jwks, forge, message):
    with pytest.raises(Unauthenticated, match=message):
        verify_token(forge(), production_jwks)


def test_hs256_signed_with_the_public_key_is_refused(monkeypatch, tmp_path):
    """Algorithm confusion: the public PEM used as an HMAC secret must not pass as RS256."""
    key_file = tmp_path / "idp.pem"
    key_file.write_text(pem(RSA_KEY))
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.setenv("AUTH_JWT_PUBLIC_KEY_FILE", str(key_file))
    settings = AuthSettings.from_env()
    assert settings.algorithms == ("RS256",)
    assert verify_token(signed(RSA_KEY, "RS256", None), settings)
    # PyJWT itself refuses to HMAC with a PEM, so the forger signs by hand.
    with pytest.raises(Unauthenticated, match="algorithm is not accepted"):
        verify_token(hs256(claims(), secret=pem(RSA_KEY)), settings)


def test_a_jwks_file_that_is_not_a_jwks_stops_the_process(monkeypatch, tmp_path):
    bad = tmp_path / "jwks.json"
    bad.write_text('{"keys": [{"kty": "nope"}]}')
    monkeypatch.setenv("AUTH_JWKS_FILE", str(bad))
    with pytest.raises(ConfigurationError, match="AUTH_JWKS_FILE"):
        AuthSettings.from_env()
    monkeypatch.setenv("AUTH_JWKS_FILE", str(tmp_path / "missing.json"))
    with pytest.raises(ConfigurationError, match="AUTH_JWKS_FILE"):
        AuthSettings.from_env()


# --- The gateway's cache of verified tokens -----------------------------------------------------------

async def test_the_gateway_cache_keeps_no_token_past_its_exp(monkeypatch):
    from services.gateway.policy import callers as edge

    calls = []
    real = edge.verify_claims
    monkeypatch.setattr(edge, "verify_claims", lambda token, settings=None: calls.append(token) or real(token, settings))
    now = time.time()
    clock = [now]
    cache = edge.Callers(None, clock=lambda: clock[0])
    token = dev_token(exp=int(now) + 30)
    assert (await cache.caller(f"Bearer {token}")).principal.district == "230102"
    assert (await cache.caller(f"Bearer {token}")).principal.district == "230102"
    assert len(calls) == 1  # the second request was served from the cache
    clock[0] = now + 31  # past exp, within the leeway
    assert await cache.caller(f"Bearer {token}")
    assert len(calls) == 2  # verified afresh, not served from the cache
    monkeypatch.setattr(jwt.api_jwt, "datetime", _clock_at(now + 120), raising=False)
    clock[0] = now + 120  # past the leeway: refused
    with pytest.raises(Unauthenticated, match="expired"):
        await cache.caller(f"Bearer {token}")
    await cache.aclose()


def _clock_at(moment: float):
    """PyJWT's clock (datetime.now) moved to `moment`."""
    import datetime as dt

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.fromtimestamp(moment, tz)

    return Clock


@pytest.mark.parametrize("token", ["garbage", "not.a.token", "a.b", "eyJhbGciOiJIUzI1NiJ9.e30.x", "....", "ä.ö.ü",
                                   "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", "W10.e30.c2ln", "e30.W10.c2ln",
                                   "eyJhbGciOiJSUzI1NiIsImtpZCI6ImNpdHktcnNhLTEifQ.e30.!!!"])
def test_garbage_tokens_get_the_plain_message_under_the_identity_providers_keys_too(production_jwks, token):
    with pytest.raises(Unauthenticated) as refused:
        verify_token(token, production_jwks)
    message = refused.value.message
    assert message.startswith("the token"), message
    for internal in ("padding", "binascii", "Invalid", "utf-8", "codec", "json", "Expecting", "decode"):
        assert internal not in message, message
