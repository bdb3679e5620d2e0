"""Published notices show the communities a project serves: the communities of the needs it was merged
from (a project merged from needs of several communities has no single `community`, which read as null).

The function keeps its shape (owned by `civic_notice_reader`, no tenant read or set); the reader may now
also read the three columns of `need` that say which community a library entry's needs came from, and
the project's `entry_id` that joins them.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

READER = "civic_notice_reader"

FUNCTION = f"""
CREATE FUNCTION public_notices(p_district text)
RETURNS TABLE (project_id uuid, round_name varchar, year int, title varchar, category varchar,
               subdistrict varchar, community varchar, communities varchar[], requested_fen bigint,
               notice_started_at timestamptz, notice_ends_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT p.id, r.name, r.year, p.title, p.category, p.subdistrict, p.community,
           ARRAY(SELECT DISTINCT n.community FROM need n
                  WHERE n.district = p.district AND n.library_entry_id = p.entry_id ORDER BY n.community),
           p.requested_fen, r.notice_started_at, r.notice_ends_at
      FROM project p JOIN funding_round r ON r.id = p.round_id AND r.district = p.district
     WHERE p_district ~ '^[0-9]{{6}}$' AND p.district = p_district
       AND r.phase = 'NOTICE' AND p.status = 'SELECTED'
     ORDER BY p.created_at, p.id
$$
"""

OLD_FUNCTION = f"""
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


def _install(function: str) -> list[str]:
    return [
        "DROP FUNCTION public_notices(text)",
        f"GRANT CREATE ON SCHEMA public TO {READER}",
        function,
        f"ALTER FUNCTION public_notices(text) OWNER TO {READER}",
        "REVOKE ALL ON FUNCTION public_notices(text) FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION public_notices(text) TO civic_app",
        f"REVOKE CREATE ON SCHEMA public FROM {READER}",
    ]


class Migration(migrations.Migration):
    dependencies = [("funding", "0010_gazetteer_copy_and_offboarding")]

    operations = [
        ops.RunSQL(
            [f"GRANT SELECT (district, library_entry_id, community) ON need TO {READER}",
             f"GRANT SELECT (entry_id) ON project TO {READER}", *_install(FUNCTION)],
            reverse_sql=[*_install(OLD_FUNCTION), f"REVOKE SELECT (entry_id) ON project FROM {READER}",
                         f"REVOKE ALL ON need FROM {READER}"],
        )
    ]
