"""The per-district gazetteer (subdistricts and communities, under row-level security), the bureau's own
credit code, and offboarding (a district, and every service's directory row of it)."""

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
    dependencies = [('registry', '0007_idempotency_keys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='GazetteerEntry',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='SUBDISTRICT: SUBDISTRICT\nCOMMUNITY: COMMUNITY', enum_type=PlaceKind, max_length=12)),
                ('code', fields.CharField(null=True, max_length=12)),
                ('name', fields.CharField(max_length=100)),
                ('subdistrict_id', fields.UUIDField(null=True)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'gazetteer_entry', 'app': 'registry', 'unique_together': (('district', 'code'),), 'indexes': [Index(fields=['district', 'kind', 'name'])], 'pk_attr': 'id', 'table_description': 'A subdistrict or community of the district, kept by its bureau: what every place field picks from.'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='District',
            name='bureau_credit_code',
            field=fields.CharField(null=True, max_length=18),
        ),
        ops.AddField(
            model_name='District',
            name='offboard_reason',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='District',
            name='offboarded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='DistrictDirectory',
            name='offboarded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunSQL(enable_tenant_isolation("gazetteer_entry"), reverse_sql=disable_tenant_isolation("gazetteer_entry")),
    ]
