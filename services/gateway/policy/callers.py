"""Who is calling: the identity provider's token in, the platform's account and a platform token out.

An IdP token carries standard claims only (iss, sub, aud, exp, iat). The gateway verifies it with the
IdP's keys (the development IdP's secret, or the OIDC issuer's JWKS), asks the registry for the account
of (iss, sub) (`POST /internal/accounts/resolve`, services/registry/signin.py), and signs a short-lived
platform token with the account's district, city, roles, subdistrict, org and agency: that token, and
never the client's, is what the subgraphs get. Claims an IdP token carries beyond the standard ones
(a smuggled `district` or `roles`) are never read.

A mapping is remembered per token for ACCOUNT_CACHE_SECONDS (and never past the IdP token's exp), so a
deactivated account is refused within that long. In development the platform's own tokens (`mint_token`,
`civic token`) are accepted at the edge too, as before; in production only the IdP's are.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import jwt

from services.common.kernel.auth import NOT_A_JWT, Principal, bearer_token, principal_from_claims, verify_claims
from services.common.kernel.config import AuthSettings
from services.common.kernel.errors import DomainError, Forbidden, Unauthenticated, Unavailable
from services.common.kernel.identity import (
    DEV_IDP_ISSUER, IdentitySettings, dev_idp_auth_settings, sign_internal_token, sign_platform_token,
)
from services.common.kernel.token_cache import MAX_TOKENS

from .oidc import OidcProvider

RESOLVE_PATH = "/internal/accounts/resolve"
DEVELOPMENT_PATH = "/internal/accounts/development"


@dataclass(frozen=True)
class Caller:
    principal: Principal
    authorization: str  # the header the subgraphs get: the platform token
    expires: float  # the client token's exp: a socket outlives no token


class Callers:
    def __init__(self, registry_url: str | None, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], float] = time.time, maxsize: int = MAX_TOKENS) -> None:
        self.identity = IdentitySettings.from_env()
        # The registry's own base (from the supergraph); a supergraph without it maps no IdP token.
        self.registry_base = registry_url.removesuffix("/graphql") if registry_url else None
        self.oidc = OidcProvider(self.identity, transport=transport) if self.identity.oidc else None
        self.clock = clock
        self.maxsize = maxsize
        self._http = httpx.AsyncClient(transport=transport, timeout=5)
        self._seen: OrderedDict[tuple[str, AuthSettings], tuple[Caller, float]] = OrderedDict()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self.oidc:
            await self.oidc.aclose()

    async def caller(self, authorization: str | None) -> Caller | None:
        """The verified caller, None without a token; a refused one raises Unauthenticated or Forbidden."""
        token = bearer_token(authorization)
        if not token:
            return None
        platform = AuthSettings.from_env()
        key = (token, platform)
        now = self.clock()
        hit = self._seen.get(key)
        if hit is not None:
            if hit[1] > now:
                return hit[0]
            del self._seen[key]
        caller, until = await self._verify(token, platform, now)
        if until > now:
            self._seen[key] = (caller, until)
            if len(self._seen) > self.maxsize:
                self._seen.popitem(last=False)
        return caller

    async def _verify(self, token: str, platform: AuthSettings, now: float) -> tuple[Caller, float]:
        issuer = _unverified_issuer(token)
        if issuer == platform.issuer:
            if platform.production:
                raise Unauthenticated("sign in with the city's identity provider: the gateway accepts its tokens, "
                                      "not platform tokens")
            claims = verify_claims(token, platform)
            return Caller(principal_from_claims(claims), f"Bearer {token}", float(claims["exp"])), float(claims["exp"])
        claims = await self._verify_idp(token, issuer, platform)
        if not isinstance(claims["sub"], str) or not claims["sub"].strip():
            raise Unauthenticated("the token's sub claim must be a non-empty string")
        account = await self._resolve(claims["iss"], claims["sub"])
        lifetime = self.identity.platform_token_seconds
        forwarded = sign_platform_token({k: v for k, v in account.items() if k != "name"}, lifetime=lifetime,
                                        platform=platform, identity=self.identity)
        principal = principal_from_claims(account)
        expires = float(claims["exp"])
        # Remembered briefly: an account deactivated meanwhile is refused once this lapses.
        until = min(now + self.identity.account_cache_seconds, expires, now + lifetime - 30)
        return Caller(principal, f"Bearer {forwarded}", expires), until

    async def _verify_idp(self, token: str, issuer: str | None, platform: AuthSettings) -> dict:
        if self.oidc is not None and issuer == self.identity.issuer:
            settings = await self.oidc.auth_settings(platform)
            # PyJWKClient fetches keys with urllib: off the event loop.
            return await asyncio.to_thread(verify_claims, token, settings)
        if self.oidc is None and not platform.production and issuer == DEV_IDP_ISSUER:
            return verify_claims(token, dev_idp_auth_settings(platform))
        raise Unauthenticated("the token comes from another issuer")

    async def _registry(self, method: str, path: str, body: dict | None = None) -> dict:
        """A call to the registry's internal routes with the gateway's own token."""
        if self.registry_base is None:
            raise Unavailable("this supergraph has no registry to look accounts up in")
        internal = sign_internal_token(AuthSettings.from_env(), self.identity)
        try:
            response = await self._http.request(method, self.registry_base + path, json=body,
                                                headers={"authorization": f"Bearer {internal}"})
        except httpx.HTTPError:
            raise Unavailable("the account directory (registry) cannot be reached; retry") from None
        if response.status_code != 200:
            raise Unavailable(f"the account directory answered {response.status_code}; retry")
        return response.json()

    async def development_accounts(self) -> list[dict]:
        """The development sign-in page's list: every active account of the development IdP."""
        return (await self._registry("GET", DEVELOPMENT_PATH)).get("accounts", [])

    async def _resolve(self, issuer: str, subject: str) -> dict:
        body = await self._registry("POST", RESOLVE_PATH, {"issuer": issuer, "subject": subject})
        if "claims" in body:
            return body["claims"]
        kind = Forbidden if body.get("refused") == "FORBIDDEN" else Unauthenticated
        raise kind(body.get("message") or "no account for this identity")

    def __len__(self) -> int:
        return len(self._seen)


def _unverified_issuer(token: str) -> str | None:
    """Which key to verify with; the claims are verified afterwards with that issuer's fixed keys only."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        raise Unauthenticated(NOT_A_JWT) from None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) else None


def refusal(error: DomainError) -> tuple[int, dict]:
    """HTTP status and body for a caller refused at the edge."""
    status = 403 if error.code == "FORBIDDEN" else (503 if error.code == "SERVICE_UNAVAILABLE" else 401)
    return status, {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
