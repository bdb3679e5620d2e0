"""People and their tokens: the city's identity provider (IdP) says who someone is, the platform says
what they may do.

An IdP token carries standard claims only (iss, sub, aud, exp, iat, maybe name). The gateway verifies
it (`idp_auth_settings`), maps (iss, sub) to the platform's account (the registry's `account` table) and
forwards to the subgraphs a short-lived *platform token* it signs itself (`sign_platform_token`) with the
claims the subgraphs read (district, city, roles, subdistrict, org, agency). Subgraphs verify platform
tokens only, with the `AUTH_*` settings (config.AuthSettings): the platform's own key, never the IdP's.

Development has an IdP of its own (`DEV_IDP_ISSUER`, HS256 with a development secret), which the gateway's
`POST /auth/dev/token` signs for; production names an OpenID Connect issuer (`OIDC_ISSUER`).
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass, replace

import jwt

from services.common.kernel.config import AuthSettings, ConfigurationError, development

DEV_IDP_ISSUER = "civic-dev-idp"
DEV_IDP_AUDIENCE = "civic-portal"
# Development only, like config.DEVELOPMENT_SECRET; never accepted once CIVIC_ENV is not development.
DEV_IDP_SECRET = "dev-only-identity-provider-secret-change-me-0123456789"
# The audience of the gateway's calls to the registry's account lookup: a platform token for people is
# never accepted there, nor this one anywhere else.
INTERNAL_AUDIENCE_SUFFIX = ":internal"
GATEWAY_SUBJECT = "civic-gateway"


@dataclass(frozen=True)
class IdentitySettings:
    """Where people's tokens come from and how long the platform trusts its mapping of them."""

    mode: str  # "development" (the development IdP) or "oidc"
    issuer: str
    client_id: str
    client_secret: str | None
    redirect_uri: str | None
    account_cache_seconds: int  # a deactivated account is refused at most this long after the change
    platform_token_seconds: int  # lifetime of the platform token the gateway forwards
    signing_key: str | None  # PEM private key for platform tokens (production); development signs HS256
    signing_key_id: str | None

    @property
    def oidc(self) -> bool:
        return self.mode == "oidc"

    @classmethod
    def from_env(cls) -> "IdentitySettings":
        return _identity_settings((
            development(),
            os.environ.get("OIDC_ISSUER", ""),
            os.environ.get("OIDC_CLIENT_ID", ""),
            os.environ.get("OIDC_CLIENT_SECRET"),
            os.environ.get("OIDC_REDIRECT_URI"),
            os.environ.get("ACCOUNT_CACHE_SECONDS", "30"),
            os.environ.get("PLATFORM_TOKEN_SECONDS", "300"),
            os.environ.get("PLATFORM_TOKEN_PRIVATE_KEY"),
            os.environ.get("PLATFORM_TOKEN_PRIVATE_KEY_FILE"),
            os.environ.get("PLATFORM_TOKEN_KEY_ID"),
        ))


@functools.lru_cache(maxsize=8)
def _identity_settings(values: tuple) -> IdentitySettings:
    dev, issuer, client_id, client_secret, redirect_uri, cache, lifetime, key, key_file, kid = values
    if key_file:
        try:
            with open(key_file, encoding="utf-8") as fh:
                key = fh.read()
        except OSError as exc:
            raise ConfigurationError(f"PLATFORM_TOKEN_PRIVATE_KEY_FILE={key_file} cannot be read: {exc.strerror}") from None
    if issuer and not client_id:
        raise ConfigurationError("OIDC_ISSUER is set but OIDC_CLIENT_ID is not: the IdP's tokens name it as aud")
    if not dev:
        if not issuer:
            raise ConfigurationError("CIVIC_ENV is not development and OIDC_ISSUER is unset: production signs "
                                     "people in with the city's OpenID Connect provider")
        if not key:
            raise ConfigurationError("CIVIC_ENV is not development and PLATFORM_TOKEN_PRIVATE_KEY_FILE is unset: "
                                     "the gateway signs the platform tokens the subgraphs verify")
    settings = IdentitySettings(
        mode="oidc" if issuer else "development",
        issuer=issuer or DEV_IDP_ISSUER,
        client_id=client_id or DEV_IDP_AUDIENCE,
        client_secret=client_secret or None,
        redirect_uri=redirect_uri or None,
        account_cache_seconds=_whole(cache, "ACCOUNT_CACHE_SECONDS", 0, 300),
        platform_token_seconds=_whole(lifetime, "PLATFORM_TOKEN_SECONDS", 30, 3600),
        signing_key=key or None,
        signing_key_id=kid or None,
    )
    if settings.platform_token_seconds <= settings.account_cache_seconds:
        raise ConfigurationError("PLATFORM_TOKEN_SECONDS must exceed ACCOUNT_CACHE_SECONDS: a forwarded token "
                                 "must outlive the cached mapping it was signed from")
    if key:
        _signing_algorithm(key)  # a key of another kind stops the start, not the first request
    return settings


def _whole(text: str, variable: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ConfigurationError(f"{variable} must be a whole number of seconds from {low} to {high}, not {text!r}")
    return value


def default_issuer() -> str:
    """The issuer a new account's subject belongs to when the bureau names none: the configured IdP."""
    return os.environ.get("OIDC_ISSUER") or DEV_IDP_ISSUER


def dev_idp_auth_settings(platform: AuthSettings) -> AuthSettings:
    """How development IdP tokens are verified: HS256 with the development IdP's secret, its own iss/aud."""
    return replace(platform, algorithms=("HS256",), secret=DEV_IDP_SECRET, public_key=None, jwks=None,
                   jwks_client=None, audience=DEV_IDP_AUDIENCE, issuer=DEV_IDP_ISSUER)


def mint_dev_idp_token(subject: str, *, name: str | None = None, ttl_seconds: int = 8 * 3600) -> str:
    """What the development IdP hands out: standard claims only, like a city's IdP."""
    if not development():
        raise ConfigurationError("the development identity provider exists in development only")
    now = int(time.time())
    claims = {"iss": DEV_IDP_ISSUER, "aud": DEV_IDP_AUDIENCE, "sub": subject, "iat": now, "exp": now + ttl_seconds}
    if name:
        claims["name"] = name
    return jwt.encode(claims, DEV_IDP_SECRET, algorithm="HS256")


def _signing_algorithm(key: str) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        loaded = load_pem_private_key(key.encode(), password=None)
    except (ValueError, TypeError):
        raise ConfigurationError("PLATFORM_TOKEN_PRIVATE_KEY is not an unencrypted PEM private key") from None
    if isinstance(loaded, rsa.RSAPrivateKey):
        return "RS256"
    if isinstance(loaded, ec.EllipticCurvePrivateKey):
        return "ES256"
    raise ConfigurationError("PLATFORM_TOKEN_PRIVATE_KEY must be an RSA or EC (P-256) key")


def sign_platform_token(claims: dict, *, lifetime: int, platform: AuthSettings, identity: IdentitySettings) -> str:
    """A token the subgraphs accept: the platform's issuer and audience, signed with the platform's key
    (PLATFORM_TOKEN_PRIVATE_KEY in production; the development HS256 secret in development)."""
    now = int(time.time())
    body = {**claims, "iss": platform.issuer, "aud": platform.audience, "iat": now, "exp": now + lifetime}
    if identity.signing_key:
        headers = {"kid": identity.signing_key_id} if identity.signing_key_id else None
        return jwt.encode(body, identity.signing_key, algorithm=_signing_algorithm(identity.signing_key), headers=headers)
    if platform.production or platform.secret is None or "HS256" not in platform.algorithms:
        raise ConfigurationError("set PLATFORM_TOKEN_PRIVATE_KEY_FILE: the platform's key signs the tokens the "
                                 "subgraphs verify with AUTH_JWT_PUBLIC_KEY(_FILE)")
    return jwt.encode(body, platform.secret, algorithm="HS256")


def internal_auth_settings(platform: AuthSettings) -> AuthSettings:
    """The gateway-to-registry lookup's tokens: the platform's key, an audience of their own."""
    return replace(platform, audience=platform.audience + INTERNAL_AUDIENCE_SUFFIX)


def sign_internal_token(platform: AuthSettings, identity: IdentitySettings) -> str:
    return sign_platform_token({"sub": GATEWAY_SUBJECT}, lifetime=60, platform=internal_auth_settings(platform),
                               identity=identity)
