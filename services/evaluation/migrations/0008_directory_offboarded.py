"""The district directory's offboarding time (from registry.district.changed): an offboarded district is read-only."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('evaluation', '0007_bureau_rules')]

    initial = False

    operations = [
        ops.AddField(
            model_name='DistrictDirectory',
            name='offboarded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
