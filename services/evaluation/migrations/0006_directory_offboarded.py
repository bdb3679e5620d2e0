from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('evaluation', '0005_platform_tables')]

    initial = False

    operations = [
        ops.AddField(
            model_name='DistrictDirectory',
            name='offboarded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
