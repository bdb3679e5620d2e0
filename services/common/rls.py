"""Row-level security: the database itself refuses rows of any district the request has not set."""

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
