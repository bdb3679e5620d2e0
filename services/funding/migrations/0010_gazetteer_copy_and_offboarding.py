"""Funding's copy of each district's gazetteer (from registry.gazetteer.changed, under row-level
security), and the directory's offboarding time (from registry.district.changed)."""

from enum import Enum
from uuid import uuid4

from tortoise import migrations
from tortoise.migrations import operations as ops

from services.common.data.rls import disable_tenant_isolation, enable_tenant_isolation
from tortoise import fields
from tortoise.indexes import Index



class PlaceKind(str, Enum):  # literal, as at this migration
    SUBDISTRICT = 'SUBDISTRICT'
    COMMUNITY = 'COMMUNITY'


class Migration(migrations.Migration):
    dependencies = [('funding', '0009_bureau_rules')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KnownPlace',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='SUBDISTRICT: SUBDISTRICT\nCOMMUNITY: COMMUNITY', enum_type=PlaceKind, max_length=12)),
                ('code', fields.CharField(null=True, max_length=12)),
                ('name', fields.CharField(max_length=100)),
                ('subdistrict_id', fields.UUIDField(null=True)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'known_place', 'app': 'funding', 'indexes': [Index(fields=['district', 'kind', 'name']), Index(fields=['district', 'code'])], 'pk_attr': 'id', 'table_description': "The district's gazetteer as funding knows it from registry.gazetteer.changed: what needs and service"},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='DistrictDirectory',
            name='offboarded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunSQL(enable_tenant_isolation("known_place"), reverse_sql=disable_tenant_isolation("known_place")),
    ]
