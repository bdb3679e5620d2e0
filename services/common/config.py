"""Settings from the environment, with working local defaults. README has the table."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

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


@dataclass(frozen=True)
class AuthSettings:
    algorithm: str
    secret: str
    public_key: str | None
    audience: str
    issuer: str

    @classmethod
    def from_env(cls) -> "AuthSettings":
        key_file = os.environ.get("AUTH_JWT_PUBLIC_KEY_FILE")
        public_key = os.environ.get("AUTH_JWT_PUBLIC_KEY")
        if key_file:
            with open(key_file, encoding="utf-8") as fh:
                public_key = fh.read()
        return cls(
            algorithm=env("AUTH_JWT_ALGORITHM", "RS256" if public_key else "HS256"),
            secret=env("AUTH_JWT_SECRET", "dev-only-secret-change-me-in-production-0123456789"),
            public_key=public_key,
            audience=env("AUTH_JWT_AUDIENCE", "civic-platform"),
            issuer=env("AUTH_JWT_ISSUER", "civic-platform"),
        )


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
