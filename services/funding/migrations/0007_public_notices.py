"""Published notices (立项公示) through one narrow function, so a public read never sets a tenant.

`public_notices(district)` is owned by `civic_notice_reader`, a role that bypasses row-level security
but may read only the notice columns of `funding_round` and `project`, and returns only projects
SELECTED in a round whose phase is NOTICE. The request's `app.districts` is neither read nor changed:
whatever else the operation asks for still sees only the caller's token's districts.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

READER = "civic_notice_reader"  # created by `services.common.data.db bootstrap` (BYPASSRLS needs a superuser)

FUNCTION = f"""
CREATE FUNCTION public_notices(p_district text)
RETURNS TABLE (project_id uuid, round_name varchar, year int, title varchar, category varchar,
               subdistrict varchar, community varchar, requested_fen bigint,
               notice_started_at timestamptz, notice_ends_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT p.id, r.name, r.year, p.title, p.category, p.subdistrict, p.community, p.requested_fen,
           r.notice_started_at, r.notice_ends_at
      FROM project p JOIN funding_round r ON r.id = p.round_id AND r.district = p.district
     WHERE p_district ~ '^[0-9]{{6}}$' AND p.district = p_district
       AND r.phase = 'NOTICE' AND p.status = 'SELECTED'
     ORDER BY p.created_at, p.id
$$
"""


class Migration(migrations.Migration):
    dependencies = [("funding", "0006_platform_tables")]

    operations = [
        ops.RunSQL(
            [
                f"GRANT USAGE, CREATE ON SCHEMA public TO {READER}",
                f"GRANT SELECT (id, district, name, year, phase, notice_started_at, notice_ends_at) "
                f"ON funding_round TO {READER}",
                f"GRANT SELECT (id, district, round_id, title, category, subdistrict, community, requested_fen, "
                f"status, created_at) ON project TO {READER}",
                FUNCTION,
                f"ALTER FUNCTION public_notices(text) OWNER TO {READER}",
                "REVOKE ALL ON FUNCTION public_notices(text) FROM PUBLIC",
                "GRANT EXECUTE ON FUNCTION public_notices(text) TO civic_app",
                # The reader owns the function; it needs to create nothing more.
                f"REVOKE CREATE ON SCHEMA public FROM {READER}",
            ],
            reverse_sql=[
                "DROP FUNCTION public_notices(text)",
                f"REVOKE ALL ON funding_round, project FROM {READER}",
                f"REVOKE USAGE ON SCHEMA public FROM {READER}",
            ],
        )
    ]
