"""The outbox wakes its relay from PostgreSQL: one NOTIFY per INSERT statement, delivered at commit."""

from tortoise import migrations
from tortoise.migrations import operations as ops

# A helper that only builds SQL from the table name; migrations run it again on every fresh database, so
# what it builds must not change (services/common/events/outbox.py).
from services.common.events.outbox import drop_outbox_notify_trigger, outbox_notify_trigger


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_tenant_isolation")]

    operations = [ops.RunSQL(outbox_notify_trigger(), reverse_sql=drop_outbox_notify_trigger())]
