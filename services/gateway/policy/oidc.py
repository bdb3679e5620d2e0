"""The city's OpenID Connect provider: discovery, its JWKS, and the authorization code flow with PKCE.

Everything about the provider comes from `{OIDC_ISSUER}/.well-known/openid-configuration`, fetched on
first use and kept; its signing keys through PyJWT's PyJWKClient (re-fetched every 5 minutes or on an
unknown kid). The browser's half of a sign-in (state, nonce, PKCE verifier, where to go back) travels in
a signed, HttpOnly, SameSite=Lax cookie scoped to /auth, for ten minutes.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from dataclasses import replace
from urllib.parse import urlencode

import httpx
import jwt

from services.common.kernel.auth import verify_claims
from services.common.kernel.config import ASYMMETRIC_ALGORITHMS, DEVELOPMENT_SECRET, AuthSettings
from services.common.kernel.errors import Unauthenticated, Unavailable
from services.common.kernel.identity import IdentitySettings

COOKIE = "civic_signin"
COOKIE_SECONDS = 600


class OidcProvider:
    def __init__(self, identity: IdentitySettings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.identity = identity
        self._http = httpx.AsyncClient(transport=transport, timeout=10)
        self._discovery: dict | None = None
        self._jwks_client: jwt.PyJWKClient | None = None
        # The cookie's key: derived from the platform's signing key (production) so no new secret is needed.
        seed = (identity.signing_key or DEVELOPMENT_SECRET).encode()
        self._cookie_key = hashlib.sha256(b"civic-signin-cookie\0" + seed).hexdigest()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def discovery(self) -> dict:
        if self._discovery is None:
            url = self.identity.issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                response = await self._http.get(url)
                response.raise_for_status()
                document = response.json()
            except (httpx.HTTPError, ValueError):
                raise Unavailable(f"the identity provider's discovery document ({url}) cannot be read") from None
            if document.get("issuer") != self.identity.issuer:
                raise Unavailable("the identity provider's discovery names another issuer than OIDC_ISSUER")
            self._discovery = document
        return self._discovery

    async def auth_settings(self, platform: AuthSettings) -> AuthSettings:
        """How the provider's tokens are verified: its JWKS, RS256/ES256, aud = our client id."""
        if self._jwks_client is None:
            document = await self.discovery()
            self._jwks_client = jwt.PyJWKClient(document["jwks_uri"], cache_keys=True, lifespan=300, timeout=5)
        return replace(platform, algorithms=ASYMMETRIC_ALGORITHMS, secret=None, public_key=None, jwks=None,
                       jwks_client=self._jwks_client, audience=self.identity.client_id, issuer=self.identity.issuer)

    async def authorization_url(self, redirect_uri: str, return_to: str) -> tuple[str, str]:
        """Where to send the browser, and the cookie that remembers this sign-in's secrets."""
        document = await self.discovery()
        state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        query = urlencode({
            "response_type": "code", "client_id": self.identity.client_id, "redirect_uri": redirect_uri,
            "scope": "openid profile", "state": state, "nonce": nonce,
            "code_challenge": pkce_challenge(verifier), "code_challenge_method": "S256",
        })
        cookie = jwt.encode({"state": state, "nonce": nonce, "verifier": verifier, "returnTo": return_to,
                             "redirectUri": redirect_uri, "exp": int(time.time()) + COOKIE_SECONDS},
                            self._cookie_key, algorithm="HS256")
        return f"{document['authorization_endpoint']}?{query}", cookie

    def remembered(self, cookie: str | None, state: str | None) -> dict:
        """The sign-in this callback belongs to; a missing, forged, expired or other sign-in's cookie is refused."""
        if not cookie:
            raise Unauthenticated("this sign-in was not started here (no sign-in cookie); start again")
        try:
            saved = jwt.decode(cookie, self._cookie_key, algorithms=["HS256"])
        except jwt.PyJWTError:
            raise Unauthenticated("this sign-in has expired or its cookie was altered; start again") from None
        if not state or not secrets.compare_digest(str(saved.get("state")), state):
            raise Unauthenticated("the sign-in's state does not match; start again")
        return saved

    async def exchange(self, code: str, saved: dict, platform: AuthSettings) -> tuple[str, dict]:
        """The code for tokens at the token endpoint (with the PKCE verifier); the verified id_token's claims."""
        document = await self.discovery()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": saved["redirectUri"],
                "client_id": self.identity.client_id, "code_verifier": saved["verifier"]}
        auth = (self.identity.client_id, self.identity.client_secret) if self.identity.client_secret else None
        try:
            response = await self._http.post(document["token_endpoint"], data=form, auth=auth)
        except httpx.HTTPError:
            raise Unavailable("the identity provider's token endpoint cannot be reached; retry") from None
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        if response.status_code != 200 or not isinstance(body.get("id_token"), str):
            raise Unauthenticated(f"the identity provider refused the code: {body.get('error', response.status_code)}")
        claims = await asyncio.to_thread(verify_claims, body["id_token"], await self.auth_settings(platform))
        if not secrets.compare_digest(str(claims.get("nonce")), saved["nonce"]):
            raise Unauthenticated("the id_token's nonce is not this sign-in's")
        return body["id_token"], claims


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(verifier)) without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
