"""Sign-in with OpenID Connect (authorization code + PKCE) against a small real provider started here.

The provider is a test double of the city's IdP on a free port: discovery, a JWKS, an authorize endpoint
that approves at once, and a token endpoint that checks the code, the redirect URI, the client and the
PKCE verifier (S256) as a real one does, and signs RS256 id_tokens carrying standard claims only.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from services.gateway.policy.app import create_platform_app
from services.gateway.policy.subgraphs import platform_supergraph
from tests.platform import free_port, serve
from tests.support import DAOLI, HARBIN

from .test_accounts import CITY, CREATE, onboard_with_organizations

CLIENT_ID = "civic-portal"


class Provider:
    """A tiny OpenID Connect provider; `subject` is who signs in next."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.subject = "wang.fang"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/jwks", self.jwks),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
        ])

    async def discovery(self, request: Request) -> JSONResponse:
        return JSONResponse({"issuer": self.base, "authorization_endpoint": f"{self.base}/authorize",
                             "token_endpoint": f"{self.base}/token", "jwks_uri": f"{self.base}/jwks",
                             "response_types_supported": ["code"], "subject_types_supported": ["public"],
                             "id_token_signing_alg_values_supported": ["RS256"],
                             "code_challenge_methods_supported": ["S256"]})

    async def jwks(self, request: Request) -> JSONResponse:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return JSONResponse({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})

    async def authorize(self, request: Request):
        q = request.query_params
        if (q.get("response_type") != "code" or q.get("client_id") != CLIENT_ID
                or q.get("code_challenge_method") != "S256" or not q.get("code_challenge")):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"],
                            "nonce": q.get("nonce"), "subject": self.subject}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302)

    async def token(self, request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        grant = self.codes.pop(str(form.get("code")), None)  # a code is good once
        if (form.get("grant_type") != "authorization_code" or grant is None or form.get("client_id") != CLIENT_ID
                or form.get("redirect_uri") != grant["redirect_uri"]):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier") or "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verification failed"},
                                status_code=400)
        now = int(time.time())
        claims = {"iss": self.base, "sub": grant["subject"], "aud": CLIENT_ID, "iat": now, "exp": now + 600,
                  "nonce": grant["nonce"], "name": "王芳"}
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                             "expires_in": 600, "id_token": id_token})


@asynccontextmanager
async def provider_and_gateway(subgraphs, monkeypatch):
    port = free_port()
    provider = Provider(f"http://127.0.0.1:{port}")
    async with serve(provider.app, port):
        monkeypatch.setenv("OIDC_ISSUER", provider.base)
        monkeypatch.setenv("OIDC_CLIENT_ID", CLIENT_ID)
        app = create_platform_app(platform_supergraph(subgraphs), alerts=False)
        async with serve(app, free_port()) as base:
            async with httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=20) as browser:
                yield provider, browser


async def sign_in(browser: httpx.AsyncClient, return_to: str = "/portal/round") -> httpx.Response:
    """A browser's round trip: login -> provider authorize -> callback; the callback's response."""
    login = await browser.get("/auth/login", params={"return_to": return_to})
    assert login.status_code == 302, login.text
    approved = await browser.get(login.headers["location"])
    assert approved.status_code == 302, approved.text
    return await browser.get(approved.headers["location"])


async def test_authorization_code_with_pkce_signs_a_person_into_their_district(subgraphs, gateway, monkeypatch):
    await onboard_with_organizations(gateway)
    async with provider_and_gateway(subgraphs, monkeypatch) as (provider, browser):
        await gateway.ok(CREATE, {"input": {"subject": "wang.fang", "name": "王芳", "roles": ["BUREAU_ADMIN"],
                                            "district": DAOLI, "issuer": provider.base}}, token=CITY)
        assert (await browser.get("/auth/config")).json() == {"mode": "oidc", "loginUrl": "/auth/login"}
        login = await browser.get("/auth/login", params={"return_to": "/portal/round"})
        authorize = parse_qs(urlsplit(login.headers["location"]).query)
        assert authorize["code_challenge_method"] == ["S256"] and authorize["nonce"] and authorize["state"]
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/auth" in cookie
        approved = await browser.get(login.headers["location"])
        landed = await browser.get(approved.headers["location"])
        assert landed.status_code == 302, landed.text
        where, _, fragment = landed.headers["location"].partition("#token=")
        assert where == "/portal/round"
        assert set(jwt.decode(fragment, options={"verify_signature": False})) <= {
            "iss", "sub", "aud", "iat", "exp", "nonce", "name"}
        seen = await browser.post("/graphql", json={"query": "{ me { subject district } organizations { totalCount } }"},
                                  headers={"authorization": f"Bearer {fragment}"})
        assert seen.json() == {"data": {"me": {"subject": "wang.fang", "district": DAOLI},
                                        "organizations": {"totalCount": 1}}}
        assert (await browser.post("/auth/dev/token", json={"subject": "wang.fang"})).status_code == 404


async def test_a_callback_whose_state_or_cookie_is_not_this_sign_ins_is_refused(subgraphs, gateway, monkeypatch):
    await onboard_with_organizations(gateway)
    async with provider_and_gateway(subgraphs, monkeypatch) as (provider, browser):
        login = await browser.get("/auth/login")
        approved = await browser.get(login.headers["location"])
        callback = urlsplit(approved.headers["location"])
        params = parse_qs(callback.query)
        wrong_state = await browser.get("/auth/callback", params={"code": params["code"][0], "state": "other"})
        assert wrong_state.status_code == 401
        assert "state" in wrong_state.json()["errors"][0]["message"]
        browser.cookies.clear()
        no_cookie = await browser.get("/auth/callback", params={"code": params["code"][0], "state": params["state"][0]})
        assert no_cookie.status_code == 401


async def test_a_provider_subject_without_an_account_is_refused_at_the_callback(subgraphs, gateway, monkeypatch):
    await onboard_with_organizations(gateway)
    async with provider_and_gateway(subgraphs, monkeypatch) as (provider, browser):
        provider.subject = "stranger"
        landed = await sign_in(browser)
        assert landed.status_code == 401
        assert "no account on the platform" in landed.json()["errors"][0]["message"]


async def test_the_provider_refuses_a_code_without_its_pkce_verifier(subgraphs, gateway, monkeypatch):
    """The double is a real check: a code is redeemed only with the verifier its challenge came from."""
    async with provider_and_gateway(subgraphs, monkeypatch) as (provider, browser):
        login = await browser.get("/auth/login")
        approved = await browser.get(login.headers["location"])
        code = parse_qs(urlsplit(approved.headers["location"]).query)["code"][0]
        redirect = parse_qs(urlsplit(login.headers["location"]).query)["redirect_uri"][0]
        refused = await browser.post(f"{provider.base}/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "client_id": CLIENT_ID,
            "code_verifier": secrets.token_urlsafe(48)})
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


async def test_return_to_stays_on_this_site(subgraphs, gateway, monkeypatch):
    await onboard_with_organizations(gateway)
    async with provider_and_gateway(subgraphs, monkeypatch) as (provider, browser):
        await gateway.ok(CREATE, {"input": {"subject": "wang.fang", "name": "王芳", "roles": ["BUREAU_ADMIN"],
                                            "district": DAOLI, "issuer": provider.base}}, token=CITY)
        landed = await sign_in(browser, return_to="//evil.example/")
        assert landed.headers["location"].startswith("/portal/#token=")


async def test_in_production_the_subgraphs_verify_the_gateways_own_rs256_platform_token(subgraphs, gateway, monkeypatch):
    """The production path end to end: the IdP's RS256 id_token at the edge; the gateway signs a platform token
    with PLATFORM_TOKEN_PRIVATE_KEY; the registry's lookup and every subgraph verify with AUTH_JWT_PUBLIC_KEY."""
    from .test_accounts import rsa_pem

    await onboard_with_organizations(gateway)  # set up in development, with platform tokens
    port = free_port()
    provider = Provider(f"http://127.0.0.1:{port}")
    await gateway.ok(CREATE, {"input": {"subject": "wang.fang", "name": "王芳", "roles": ["BUREAU_ADMIN"],
                                        "district": DAOLI, "issuer": provider.base}}, token=CITY)
    private, public = rsa_pem()
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.delenv("AUTH_JWT_SECRET", raising=False)
    monkeypatch.setenv("AUTH_JWT_PUBLIC_KEY", public)
    monkeypatch.setenv("PLATFORM_TOKEN_PRIVATE_KEY", private)
    async with serve(provider.app, port):
        monkeypatch.setenv("OIDC_ISSUER", provider.base)
        monkeypatch.setenv("OIDC_CLIENT_ID", CLIENT_ID)
        app = create_platform_app(platform_supergraph(subgraphs), alerts=False)
        async with serve(app, free_port()) as base:
            async with httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=20) as browser:
                landed = await sign_in(browser)
                assert landed.status_code == 302, landed.text
                id_token = landed.headers["location"].partition("#token=")[2]
                seen = await browser.post("/graphql", json={"query": "{ me { subject } organizations { totalCount } }"},
                                          headers={"authorization": f"Bearer {id_token}"})
                assert seen.json() == {"data": {"me": {"subject": "wang.fang"}, "organizations": {"totalCount": 1}}}
                # What the gateway forwarded is RS256 and the platform's, and the subgraphs take nothing else.
                forwarded = (await app.state.callers.caller(f"Bearer {id_token}")).authorization.split()[1]
                assert jwt.get_unverified_header(forwarded)["alg"] == "RS256"
                registry = subgraphs["registry"]
                direct = await browser.post(registry, json={"query": "{ organizations { totalCount } }"},
                                            headers={"authorization": f"Bearer {id_token}"})
                assert direct.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
                accepted = await browser.post(registry, json={"query": "{ organizations { totalCount } }"},
                                              headers={"authorization": f"Bearer {forwarded}"})
                assert accepted.json() == {"data": {"organizations": {"totalCount": 1}}}
