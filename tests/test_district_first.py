"""Every index and unique constraint of a tenant table begins with `district` (primary keys aside, which
deploy/citus/distribute.sql rewrites as (district, id)): a uniqueness that spans districts would tell one
district what another holds, and Citus refuses it on a table distributed by district.

The platform tables are under row-level security too but are not distributed (the outbox and inbox stay on
the Citus coordinator, the directory is a reference table), and their uniques are of server-made event ids."""

from __future__ import annotations

INDEXES_NOT_DISTRICT_FIRST = """
SELECT c.relname AS table_name, pg_get_indexdef(x.indexrelid) AS index
  FROM pg_index x
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
 WHERE c.relrowsecurity AND NOT x.indisprimary AND a.attname <> 'district'
   AND c.relname NOT IN ('outbox', 'inbox', 'district_directory')
 ORDER BY 1, 2"""


async def test_every_index_of_a_tenant_table_starts_with_district(databases):
    found = {}
    for service, conn in databases.items():
        tenant_tables = await conn.fetchval("SELECT count(*) FROM pg_class WHERE relrowsecurity")
        assert tenant_tables >= 4, service
        found[service] = [(r["table_name"], r["index"]) for r in await conn.fetch(INDEXES_NOT_DISTRICT_FIRST)]
    assert found == {service: [] for service in databases}
