"""Settings from the environment, with working local defaults. README has the table."""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass, field
from typing import Any

import jwt

SERVICE_PORTS = {"gateway": 4000, "registry": 4001, "funding": 4002, "evaluation": 4003}


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def database_url(service: str) -> str:
    """The application role's URL: it owns nothing and cannot bypass row-level security."""
    return env(
        f"{service.upper()}_DATABASE_URL",
        f"postgres://civic_app:civic_app@127.0.0.1:5432/civic_{service}",
    )


def owner_database_url(service: str) -> str:
    """The owner role's URL: runs migrations, never serves requests."""
    return env(
        f"{service.upper()}_OWNER_DATABASE_URL",
        f"postgres://civic_owner:civic_owner@127.0.0.1:5432/civic_{service}",
    )


def relay_database_url(service: str) -> str:
    """The relay role's URL: the outbox relay and pruning read every district's outbox rows, and nothing else."""
    return env(
        f"{service.upper()}_RELAY_DATABASE_URL",
        f"postgres://civic_relay:civic_relay@127.0.0.1:5432/civic_{service}",
    )


def admin_database_url() -> str:
    """A superuser, used only by `bootstrap` to create the roles and databases."""
    return env("POSTGRES_ADMIN_URL", "postgres://postgres:postgres@127.0.0.1:5432/postgres")


class ConfigurationError(RuntimeError):
    """A setting a process cannot start without; the message names the variable to set."""


# Development only: tokens signed with this are accepted only while CIVIC_ENV is development.
DEVELOPMENT_SECRET = "dev-only-secret-change-me-in-production-0123456789"
# The city identity provider signs with one of these; HS256 (a shared secret) is for development.
ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")
MAX_LEEWAY_SECONDS = 60


@dataclass(frozen=True)
class AuthSettings:
    """How tokens are verified. Built once per distinct environment (from_env caches), checked as built."""

    algorithms: tuple[str, ...]  # fixed here, never taken from a token's header
    secret: str | None  # HS256, development only; mint_token signs with it
    public_key: str | None  # one PEM key (AUTH_JWT_PUBLIC_KEY / _FILE)
    audience: str
    issuer: str
    leeway: int = MAX_LEEWAY_SECONDS  # seconds of clock skew forgiven on exp, nbf and iat
    max_lifetime: int = 12 * 3600  # exp - iat above this is refused
    jwks: Any = field(default=None, compare=False)  # jwt.PyJWKSet from AUTH_JWKS_FILE
    jwks_client: Any = field(default=None, compare=False)  # jwt.PyJWKClient for AUTH_JWKS_URL
    production: bool = False

    @classmethod
    def from_env(cls) -> "AuthSettings":
        """The settings, or ConfigurationError: called at every process's start-up, so a bad key stops it there."""
        values = (
            development(),
            env("AUTH_JWT_ALGORITHM", ""),
            os.environ.get("AUTH_JWT_SECRET"),
            os.environ.get("AUTH_JWT_PUBLIC_KEY"),
            os.environ.get("AUTH_JWT_PUBLIC_KEY_FILE"),
            os.environ.get("AUTH_JWKS_URL"),
            os.environ.get("AUTH_JWKS_FILE"),
            env("AUTH_JWT_AUDIENCE", "civic-platform"),
            env("AUTH_JWT_ISSUER", "civic-platform"),
            env("AUTH_JWT_LEEWAY_SECONDS", str(MAX_LEEWAY_SECONDS)),
            env("AUTH_JWT_MAX_LIFETIME_SECONDS", str(12 * 3600)),
        )
        return _auth_settings(values)


@functools.lru_cache(maxsize=16)
def _auth_settings(values: tuple) -> AuthSettings:
    # Cached by the variables' values: verify_token runs per request, and a PyJWKClient keeps its fetched keys.
    (dev, algorithm, secret, public_key, key_file, jwks_url, jwks_file, audience, issuer, leeway, lifetime) = values
    if key_file:
        public_key = _read(key_file, "AUTH_JWT_PUBLIC_KEY_FILE")
    sources = [name for name, value in (("AUTH_JWKS_URL", jwks_url), ("AUTH_JWKS_FILE", jwks_file),
                                        ("AUTH_JWT_PUBLIC_KEY(_FILE)", public_key)) if value]
    if len(sources) > 1:
        raise ConfigurationError(f"set one verification key source, not {' and '.join(sources)}")
    if not dev:
        # No fallback: a process that would accept the development secret lets anyone mint a city admin.
        if secret:
            raise ConfigurationError("AUTH_JWT_SECRET (HS256) is for development only; unset it in production")
        if not sources:
            raise ConfigurationError(
                "CIVIC_ENV is not development and no token key is configured: set AUTH_JWT_PUBLIC_KEY_FILE to the "
                "platform's public key, which verifies the platform tokens the gateway signs (or AUTH_JWKS_URL / "
                "AUTH_JWKS_FILE for the same key as a JWKS)")
    default = ",".join(ASYMMETRIC_ALGORITHMS) if (jwks_url or jwks_file) else ("RS256" if public_key else "HS256")
    algorithms = tuple(a.strip() for a in (algorithm or default).split(",") if a.strip())
    unknown = set(algorithms) - {*ASYMMETRIC_ALGORITHMS, "HS256"}
    if unknown or not algorithms:
        raise ConfigurationError(f"AUTH_JWT_ALGORITHM must name {', '.join(ASYMMETRIC_ALGORITHMS)} or HS256, "
                                 f"not {algorithm!r}")
    if "HS256" in algorithms:
        if not dev:
            raise ConfigurationError("AUTH_JWT_ALGORITHM=HS256 is for development only; production tokens are "
                                     f"{' or '.join(ASYMMETRIC_ALGORITHMS)} (AUTH_JWKS_URL)")
        # A shared secret beside public keys invites algorithm confusion; one family per configuration.
        if len(algorithms) > 1 or sources:
            raise ConfigurationError("AUTH_JWT_ALGORITHM=HS256 cannot be combined with a public key or JWKS")
    elif not sources:
        raise ConfigurationError(f"AUTH_JWT_ALGORITHM={algorithm} needs AUTH_JWKS_URL, AUTH_JWKS_FILE or "
                                 "AUTH_JWT_PUBLIC_KEY(_FILE)")
    jwks = jwks_client = None
    if jwks_file:
        try:
            jwks = jwt.PyJWKSet.from_json(_read(jwks_file, "AUTH_JWKS_FILE"))
        except (jwt.PyJWKSetError, jwt.InvalidKeyError, ValueError) as exc:
            raise ConfigurationError(f"AUTH_JWKS_FILE {jwks_file} is not a usable JWKS: {exc}") from None
    if jwks_url:
        # Keys are fetched on first use and re-fetched after `lifespan` or on an unknown kid (key rotation).
        jwks_client = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5)
    return AuthSettings(
        algorithms=algorithms,
        secret=(secret or DEVELOPMENT_SECRET) if dev else None,
        public_key=public_key,
        audience=audience,
        issuer=issuer,
        leeway=_seconds(leeway, "AUTH_JWT_LEEWAY_SECONDS", 0, MAX_LEEWAY_SECONDS),
        max_lifetime=_seconds(lifetime, "AUTH_JWT_MAX_LIFETIME_SECONDS", 1, 7 * 24 * 3600),
        jwks=jwks,
        jwks_client=jwks_client,
        production=not dev,
    )


def _read(path: str, variable: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise ConfigurationError(f"{variable}={path} cannot be read: {exc.strerror}") from None


def _seconds(text: str, variable: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ConfigurationError(f"{variable} must be a whole number of seconds from {low} to {high}, not {text!r}")
    return value


def amqp_url(service: str | None = None) -> str:
    """A service's broker URL: its own user (`<SERVICE>_AMQP_URL`, allowed only its own routing keys and
    queues: events/broker_users.py), else AMQP_URL. Without a service: AMQP_URL (tools, tests)."""
    if service is None:
        return env("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    return env(f"{service.upper()}_AMQP_URL", env("AMQP_URL", f"amqp://civic_{service}:civic_{service}@127.0.0.1:5672/"))


def development() -> bool:
    """Development mode shows GraphiQL and error details; production hides both."""
    return env("CIVIC_ENV", "development") == "development"


def outbox_keep_sent() -> dt.timedelta:
    """How long sent outbox rows are kept before the workers delete them."""
    return dt.timedelta(days=float(env("OUTBOX_KEEP_SENT_DAYS", "7")))


def run_workers() -> bool:
    """Whether a service process also runs its outbox relay and event consumer."""
    return env("RUN_WORKERS", "1") == "1"
