"""Row-level security on every tenant table, and a partial index for the outbox relay."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from services.common.rls import disable_tenant_isolation, enable_tenant_isolation
from services.funding.models import TENANT_TABLES


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [
        ops.RunSQL(
            enable_tenant_isolation(*TENANT_TABLES)
            + ["CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL"],
            reverse_sql=["DROP INDEX outbox_unsent"] + disable_tenant_isolation(*TENANT_TABLES),
        )
    ]
