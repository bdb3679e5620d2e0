"""The idempotency-key store (services/common/data/idempotency.py): a mutation sent with an Idempotency-Key
keeps its response here, in its own transaction, under the tenant policy with district first in the
primary key; the relay role prunes keys older than 24 h. Grants (write-once for civic_app, prune-only for
civic_relay) are applied by db.py's migrate step."""

from tortoise import migrations
from tortoise.migrations import operations as ops

# A helper that only builds SQL from the name given; applied migrations must keep building the same SQL.
from services.common.data.idempotency import create_table_sql, drop_table_sql


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_platform_tables")]

    operations = [ops.RunSQL(create_table_sql("idempotency_key"), reverse_sql=drop_table_sql("idempotency_key"))]
