"""A resident's objection to a project on notice (立项公示), lodged without an account.

`lodge_public_objection(district, project, contact, text)` is owned by `civic_notice_reader`, the role
that already reads published notices across districts. It may add an OPEN objection, with the resident's
contact, to a project SELECTED in a round on NOTICE whose period has not ended, and nothing else: no
update, no delete, no other table. The row lands in the district's `objection` table, so the bureau sees
and resolves it like any other. The request's `app.districts` is neither read nor changed.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

READER = "civic_notice_reader"  # created by `services.common.data.db bootstrap` (BYPASSRLS needs a superuser)

FUNCTION = """
CREATE FUNCTION lodge_public_objection(p_district text, p_project uuid, p_contact text, p_text text)
RETURNS TABLE (objection_id uuid, lodged_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_district !~ '^[0-9]{6}$' OR NOT EXISTS (
        SELECT 1 FROM project p JOIN funding_round r ON r.id = p.round_id AND r.district = p.district
         WHERE p.district = p_district AND p.id = p_project AND p.status = 'SELECTED'
           AND r.phase = 'NOTICE' AND r.notice_ends_at > now()) THEN
        RETURN;
    END IF;
    RETURN QUERY
        INSERT INTO objection (id, district, project_id, lodged_by, contact, reason, status, created_at)
        VALUES (gen_random_uuid(), p_district, p_project, 'public', p_contact, p_text, 'OPEN', now())
        RETURNING objection.id, objection.created_at;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("funding", "0011_public_notice_communities")]

    operations = [
        ops.RunSQL(
            [
                "ALTER TABLE objection ADD COLUMN contact varchar(120) NULL",
                f"GRANT USAGE, CREATE ON SCHEMA public TO {READER}",
                f"GRANT INSERT (id, district, project_id, lodged_by, contact, reason, status, created_at), "
                f"SELECT (id, created_at) ON objection TO {READER}",
                FUNCTION,
                f"ALTER FUNCTION lodge_public_objection(text, uuid, text, text) OWNER TO {READER}",
                "REVOKE ALL ON FUNCTION lodge_public_objection(text, uuid, text, text) FROM PUBLIC",
                "GRANT EXECUTE ON FUNCTION lodge_public_objection(text, uuid, text, text) TO civic_app",
                f"REVOKE CREATE ON SCHEMA public FROM {READER}",
            ],
            reverse_sql=[
                "DROP FUNCTION lodge_public_objection(text, uuid, text, text)",
                f"REVOKE ALL ON objection FROM {READER}",
                "ALTER TABLE objection DROP COLUMN contact",
            ],
        )
    ]
