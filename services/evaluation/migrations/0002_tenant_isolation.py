"""Row-level security on every tenant table, and a partial index for the outbox relay."""

from tortoise import migrations
from tortoise.migrations import operations as ops

# These helpers only build SQL from the names given; should they ever change what they build, an applied
# migration would change too, so a change to them needs a migration of its own (see services/common/data/rls.py).
from services.common.data.rls import disable_tenant_isolation, enable_tenant_isolation

# The tenant tables as they were at this migration (every table of 0001_initial with a district
# column; the outbox and inbox were isolated later, in their own migration). A literal, not the live
# models' list: a tenant table added later gets its row-level security in its own migration, and this
# one keeps doing what it did when it was applied.
TENANT_TABLES = (
    "evaluation_agency",
    "tender",
    "tender_bid",
    "evaluation",
    "evaluation_phase",
    "inspection",
    "service_beneficiary",
    "follow_up",
    "finding",
    "rectification",
    "audit_record",
)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [
        ops.RunSQL(
            enable_tenant_isolation(*TENANT_TABLES)
            + ["CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL"],
            reverse_sql=["DROP INDEX outbox_unsent"] + disable_tenant_isolation(*TENANT_TABLES),
        )
    ]
