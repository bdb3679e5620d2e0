"""Read from the catalog, not from a list kept in code: every table with a `district` column, in every
service's database, has row-level security enabled and forced, and a policy. A new tenant table
without them fails here the day its migration lands."""

from __future__ import annotations

TENANT_TABLES = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'district' AND NOT a.attisdropped)
 ORDER BY c.relname"""


async def test_every_table_with_a_district_column_is_under_row_level_security(databases):
    unprotected, checked = [], 0
    for service, conn in databases.items():
        for row in await conn.fetch(TENANT_TABLES):
            checked += 1
            if not (row["relrowsecurity"] and row["relforcerowsecurity"] and row["policies"]):
                unprotected.append(f"{service}.{row['relname']} (enabled={row['relrowsecurity']}, "
                                   f"forced={row['relforcerowsecurity']}, policies={row['policies']})")
    assert checked >= 20, f"only {checked} tenant tables found: is the catalog query right?"
    assert not unprotected, unprotected


async def test_every_tenant_policy_reads_the_transactions_districts(databases):
    """A policy on a tenant table that does not test `app.districts` (say `USING (true)` for the application
    role) opens the table. (The district directory, keyed by `code`, is readable by design.)"""
    loose = []
    for service, conn in databases.items():
        rows = await conn.fetch("""
            SELECT c.relname, p.polname,
                   coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' ||
                   coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') AS qual,
                   ARRAY(SELECT rolname FROM pg_roles WHERE oid = ANY(p.polroles)) AS roles
              FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
             WHERE EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'district')""")
        for row in rows:
            applies_to_app = not row["roles"] or "civic_app" in row["roles"] or "public" in row["roles"]
            if applies_to_app and "app.districts" not in row["qual"]:
                loose.append(f"{service}.{row['relname']}.{row['polname']}: {row['qual']}")
    assert not loose, loose
