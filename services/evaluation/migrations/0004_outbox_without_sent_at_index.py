"""The outbox drops its plain index on sent_at: the relay finds unsent rows by the partial index
outbox_unsent, and every INSERT and UPDATE paid for the second index."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('evaluation', '0003_outbox_notify')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='OutboxEvent',
            name='sent_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
