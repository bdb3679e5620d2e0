"""The platform's people: `account`, a tenant table (district first, row-level security), and one narrow
function the sign-in reads it through.

`account_for_subject(issuer, subject)` is owned by `civic_account_reader` (BYPASSRLS, no login), which
may read only the account columns the sign-in needs: the gateway knows a caller by the identity
provider's (issuer, subject) before it knows the district, so the lookup cannot go through the tenant
policy. It returns that one subject's rows, nothing else; `app.districts` is neither read nor set.
"""

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from uuid import uuid4

from services.common.data.rls import disable_tenant_isolation, enable_tenant_isolation

READER = "civic_account_reader"  # created by `services.common.data.db bootstrap` (BYPASSRLS needs a superuser)
COLUMNS = "id, district, issuer, subject, name, roles, subdistrict, organization_id, agency_id, active, created_at"

FUNCTION = f"""
CREATE FUNCTION account_for_subject(p_issuer text, p_subject text)
RETURNS TABLE (id uuid, district varchar, issuer varchar, subject varchar, name varchar, roles jsonb,
               subdistrict varchar, organization_id uuid, agency_id uuid, active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.id, a.district, a.issuer, a.subject, a.name, a.roles, a.subdistrict, a.organization_id,
           a.agency_id, a.active
      FROM account a
     WHERE a.issuer = p_issuer AND a.subject = p_subject
     ORDER BY a.created_at, a.id
$$
"""


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_idempotency_keys")]

    operations = [
        ops.CreateModel(
            name="Account",
            fields=[
                ("district", fields.CharField(db_index=True, max_length=6)),
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ("issuer", fields.CharField(max_length=255)),
                ("subject", fields.CharField(max_length=255)),
                ("name", fields.CharField(max_length=100)),
                ("roles", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ("subdistrict", fields.CharField(null=True, max_length=100)),
                ("organization_id", fields.UUIDField(null=True)),
                ("agency_id", fields.UUIDField(null=True)),
                ("active", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "account", "app": "registry",
                     "unique_together": (("district", "issuer", "subject"),),
                     "indexes": [Index(fields=["district", "created_at", "id"])], "pk_attr": "id"},
            bases=["TenantModel"],
        ),
        ops.RunSQL(
            enable_tenant_isolation("account") + [
                f"GRANT USAGE, CREATE ON SCHEMA public TO {READER}",
                f"GRANT SELECT ({COLUMNS}) ON account TO {READER}",
                FUNCTION,
                f"ALTER FUNCTION account_for_subject(text, text) OWNER TO {READER}",
                "REVOKE ALL ON FUNCTION account_for_subject(text, text) FROM PUBLIC",
                "GRANT EXECUTE ON FUNCTION account_for_subject(text, text) TO civic_app",
                f"REVOKE CREATE ON SCHEMA public FROM {READER}",
            ],
            reverse_sql=[
                "DROP FUNCTION account_for_subject(text, text)",
                f"REVOKE ALL ON account FROM {READER}",
                f"REVOKE USAGE ON SCHEMA public FROM {READER}",
            ] + disable_tenant_isolation("account"),
        ),
    ]
