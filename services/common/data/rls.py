"""Row-level security: the database itself refuses rows of any district the request has not set.

Migrations call these helpers with literal table names. Applied migrations run them again on every fresh
database, so what a helper builds must not change: a different policy needs a new helper and a new
migration, never an edit here.
"""

from __future__ import annotations

# No setting means no rows: current_setting(..., true) returns '' once used, hence NULLIF.
TENANT_PREDICATE = (
    "district = ANY(string_to_array(NULLIF(current_setting('app.districts', true), ''), ','))"
)


def enable_tenant_isolation(*tables: str) -> list[str]:
    """SQL for a migration: ENABLE and FORCE row-level security with one policy per tenant table."""
    statements: list[str] = []
    for table in tables:
        statements += [
            f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
            f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
            f'CREATE POLICY tenant_isolation ON "{table}" '
            f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})",
        ]
    return statements


def disable_tenant_isolation(*tables: str) -> list[str]:
    statements: list[str] = []
    for table in tables:
        statements += [
            f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"',
            f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
            f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
        ]
    return statements


RELAY_ROLE = "civic_relay"


def isolate_event_tables(outbox: str, inbox: str) -> list[str]:
    """SQL for a migration: the outbox and inbox hold every district's payloads, so the request role sees
    (and writes) only its transaction's districts there, like any tenant table. The relay role, which
    publishes and prunes every district's outbox rows, has a policy of its own on the outbox only."""
    return enable_tenant_isolation(outbox, inbox) + [
        f'CREATE POLICY relay_every_district ON "{outbox}" TO {RELAY_ROLE} USING (true) WITH CHECK (true)',
    ]


def restore_event_tables(outbox: str, inbox: str) -> list[str]:
    return [f'DROP POLICY IF EXISTS relay_every_district ON "{outbox}"'] + disable_tenant_isolation(outbox, inbox)


# A directory row is a district and its city: the code starts with the city's code.
_DIRECTORY_ADMITTED = (
    f"left(code, 4) = city_code AND code = ANY(string_to_array(NULLIF(current_setting('app.districts', true), ''), ','))"
)


def guard_directory(table: str) -> list[str]:
    """SQL for a migration: everyone reads the district directory (a city admin's districts are looked up
    before any tenant is set), but a row is written only by a transaction admitted to that district
    (the registry's onboarding, a consumer applying registry.district.onboarded), and only inside its city."""
    return [
        f'ALTER TABLE "{table}" ADD CONSTRAINT {table}_code_in_city CHECK (left(code, 4) = city_code)',
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'CREATE POLICY directory_read ON "{table}" FOR SELECT USING (true)',
        f'CREATE POLICY directory_insert ON "{table}" FOR INSERT WITH CHECK ({_DIRECTORY_ADMITTED})',
        f'CREATE POLICY directory_update ON "{table}" FOR UPDATE '
        f"USING ({_DIRECTORY_ADMITTED}) WITH CHECK ({_DIRECTORY_ADMITTED})",
    ]


def unguard_directory(table: str) -> list[str]:
    return [
        *(f'DROP POLICY IF EXISTS {name} ON "{table}"' for name in ("directory_read", "directory_insert", "directory_update")),
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS {table}_code_in_city',
    ]
