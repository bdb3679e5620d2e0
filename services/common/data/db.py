"""Tortoise set-up, the two database roles, and the bootstrap/migrate entry point.

    python -m services.common.data.db bootstrap registry funding evaluation

creates the roles and databases where missing (as a superuser), migrates each database as the owner
role, and grants the application role and the relay role what they need. Services never migrate at start.

civic_app    serves requests and applies events: tenant tables under row-level security; the audit trail
             is append-only; the outbox and inbox only its transaction's districts (rls.py).
civic_relay  the outbox relay and pruning: every district's outbox rows and (to prune them) idempotency
             keys, nothing else.
civic_owner  owns the tables and runs migrations.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from urllib.parse import urlsplit

import asyncpg
from tortoise import Tortoise

from services.common.kernel.config import admin_database_url, database_url, owner_database_url, relay_database_url
from services.common.data.connection import TenantConnection, keep_session
from services.common.data.rls import RELAY_ROLE

SERVICES = ("registry", "funding", "evaluation")
APP_ROLE = "civic_app"
OWNER_ROLE = "civic_owner"
# Owns funding's `public_notices` function: reads published notices of any district, nothing else.
NOTICE_READER_ROLE = "civic_notice_reader"
# Owns the registry's `account_for_subject` function: the sign-in's lookup of one subject, nothing else.
ACCOUNT_READER_ROLE = "civic_account_reader"

# Each role's statement_timeout, set on the role by the bootstrap: a runaway query is cancelled by
# PostgreSQL instead of holding a pooled connection. Requests stay under the gateway's subgraph time
# limit; the relay's batches may take longer. The notice reader never logs in (its function runs in the
# caller's civic_app session, under civic_app's limit); its own setting binds any session that does.
STATEMENT_TIMEOUTS = {APP_ROLE: "15s", RELAY_ROLE: "30s", NOTICE_READER_ROLE: "5s", OWNER_ROLE: "0"}


def tortoise_config(services: list[str] | tuple[str, ...], *, owner: bool = False, pool_max: int = 10) -> dict:
    """One connection and one app per service; several services can share one process (tests do)."""
    connections = {}
    apps = {}
    for service in services:
        url = owner_database_url(service) if owner else database_url(service)
        connections[service] = _connection(service, url, pool_max)
        if not owner:
            # The relay and pruning of this service, as civic_relay: `relay_connection(service)`.
            connections[relay_connection(service)] = _connection(relay_connection(service), relay_database_url(service), 2)
        apps[service] = {
            "models": [f"services.{service}.models"],
            "default_connection": service,
            "migrations": f"services.{service}.migrations",
        }
    return {"connections": connections, "apps": apps, "use_tz": True, "timezone": "UTC"}


def relay_connection(service: str) -> str:
    """The Tortoise connection name of a service's relay role (config: <SERVICE>_RELAY_DATABASE_URL)."""
    return f"{service}_relay"


def _connection(name: str, url: str, pool_max: int) -> dict:
    parts = urlsplit(url)
    return {
        "engine": "tortoise.backends.asyncpg",
        "credentials": {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": parts.username or "postgres",
            "password": parts.password or "",
            "database": parts.path.lstrip("/"),
            "minsize": 1,
            "maxsize": pool_max,
            # A dead database must not hang a request forever.
            "command_timeout": 30,
            # BEGIN carries the tenant setting; no reset query on release (data/connection.py).
            "connection_class": TenantConnection,
            "reset": keep_session,
            "server_settings": {"application_name": f"civic-{name}"},
        },
    }


async def start_database(services: list[str] | tuple[str, ...], *, pool_max: int = 10) -> None:
    # Global fallback: Starlette runs the lifespan in another task than the requests.
    await Tortoise.init(config=tortoise_config(services, pool_max=pool_max), _enable_global_fallback=True)


async def stop_database() -> None:
    await Tortoise.close_connections()


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=f"/{name}").geturl()


async def ensure_roles_and_databases(services: list[str]) -> None:
    admin = await asyncpg.connect(admin_database_url())
    try:
        # (role, attributes, URL giving its password): the login roles own nothing and cannot bypass
        # row-level security; the notice reader never logs in and owns only `public_notices`.
        roles = (
            (OWNER_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS", owner_database_url(services[0])),
            (APP_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS", database_url(services[0])),
            (RELAY_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS", relay_database_url(services[0])),
            (NOTICE_READER_ROLE, "NOLOGIN NOSUPERUSER BYPASSRLS", None),
            (ACCOUNT_READER_ROLE, "NOLOGIN NOSUPERUSER BYPASSRLS", None),
        )
        for role, attributes, url in roles:
            if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                password = f" PASSWORD '{urlsplit(url).password or role}'" if url else ""
                await admin.execute(f"CREATE ROLE {role} {attributes}{password}")
        for role, timeout in STATEMENT_TIMEOUTS.items():
            if timeout != "0":  # the owner's migrations may rewrite a table: no limit there
                await admin.execute(f"ALTER ROLE {role} SET statement_timeout = '{timeout}'")
        # Membership lets the owner role hand the function to the reader in a migration.
        await admin.execute(f"GRANT {NOTICE_READER_ROLE}, {ACCOUNT_READER_ROLE} TO {OWNER_ROLE}")
        for service in services:
            name = database_name(database_url(service))
            exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await admin.execute(f'CREATE DATABASE "{name}" OWNER {OWNER_ROLE}')
    finally:
        await admin.close()
    for service in services:
        db = await asyncpg.connect(_with_database(admin_database_url(), database_name(database_url(service))))
        try:
            await db.execute(
                f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}, {RELAY_ROLE};"
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA public "
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE};"
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA public "
                f"GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE};"
            )
        finally:
            await db.close()


# Applied after every migrate (new tables get the default privileges, so the exceptions come after them).
PLATFORM_GRANTS = f"""
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE};
-- The migration recorder's table is the owner's alone.
REVOKE ALL ON tortoise_migrations FROM {APP_ROLE};
-- The audit trail is append-only: no request and no handler can rewrite or erase what was done.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_record FROM {APP_ROLE};
-- Requests and handlers add outbox and inbox rows; marking sent and pruning is the relay's alone.
REVOKE UPDATE, DELETE, TRUNCATE ON outbox, inbox FROM {APP_ROLE};
-- An idempotency key is written once, with its mutation; only pruning (the relay role) removes it.
REVOKE UPDATE, DELETE, TRUNCATE ON idempotency_key FROM {APP_ROLE};
-- Districts join the directory (rls.guard_directory says who may); none leaves it through a request.
REVOKE DELETE, TRUNCATE ON district_directory FROM {APP_ROLE};
-- The relay claims, marks and prunes outbox rows, and touches no tenant table.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {RELAY_ROLE};
GRANT SELECT, UPDATE, DELETE ON outbox TO {RELAY_ROLE};
GRANT SELECT, DELETE ON idempotency_key TO {RELAY_ROLE};
"""


# What the relay role may touch beyond the outbox in one service's own tables: funding's webhook
# dispatcher sends every district's pending deliveries (services/funding/webhooks/dispatcher.py).
SERVICE_RELAY_GRANTS = {
    "funding": f"""
GRANT SELECT ON webhook_subscription TO {RELAY_ROLE};
GRANT SELECT, UPDATE ON webhook_delivery TO {RELAY_ROLE};
GRANT SELECT, INSERT ON webhook_attempt TO {RELAY_ROLE};
GRANT USAGE ON SEQUENCE webhook_attempt_id_seq TO {RELAY_ROLE};
""",
}


async def migrate(services: list[str]) -> None:
    from tortoise.migrations.api import migrate as tortoise_migrate

    await tortoise_migrate(config=tortoise_config(services, owner=True))
    await Tortoise.close_connections()
    for service in services:
        db = await asyncpg.connect(owner_database_url(service))
        try:
            await db.execute(PLATFORM_GRANTS)
            if service in SERVICE_RELAY_GRANTS:
                await db.execute(SERVICE_RELAY_GRANTS[service])
        finally:
            await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.common.data.db")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("bootstrap", "create roles and databases where missing, then migrate"),
        ("migrate", "apply migrations as the owner role"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("services", nargs="*", default=list(SERVICES))
    args = parser.parse_args(argv)
    services = list(args.services) or list(SERVICES)
    if args.command == "bootstrap":
        asyncio.run(ensure_roles_and_databases(services))
    asyncio.run(migrate(services))
    return 0


if __name__ == "__main__":
    sys.exit(main())


# For the `tortoise` CLI (makemigrations): `tortoise -c services.common.data.db.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = tortoise_config(SERVICES, owner=True)
