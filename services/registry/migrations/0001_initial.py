from enum import Enum

from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

# The enums as they were at this migration, literal: the live ones (services/*/models.py,
# services/common/kernel/categories.py) may gain or lose members later, and an applied migration must keep
# describing the state it created. makemigrations compares fields by their description (the values),
# not by the enum class, so these compare equal to the models' while the values are the same.


class Category(Enum):
    ELDERLY_CARE = 'ELDERLY_CARE'
    DISABILITY_SUPPORT = 'DISABILITY_SUPPORT'
    POVERTY_RELIEF = 'POVERTY_RELIEF'
    YOUTH = 'YOUTH'
    COMMUNITY_GOVERNANCE = 'COMMUNITY_GOVERNANCE'
    NEIGHBOR_MUTUAL_AID = 'NEIGHBOR_MUTUAL_AID'
    VOLUNTEERS = 'VOLUNTEERS'
    SOCIAL_WORK = 'SOCIAL_WORK'
    LEGAL_AID = 'LEGAL_AID'
    OTHER = 'OTHER'


class IncubationStage(str, Enum):
    STARTUP = 'STARTUP'
    GROWTH = 'GROWTH'
    HUB = 'HUB'
    GRADUATED = 'GRADUATED'


class OrganizationStatus(str, Enum):
    ACTIVE = 'ACTIVE'
    SUSPENDED = 'SUSPENDED'
    DEREGISTERED = 'DEREGISTERED'


class PartyOrganization(str, Enum):
    NONE = 'NONE'
    INDEPENDENT = 'INDEPENDENT'
    JOINT = 'JOINT'


class Registration(str, Enum):
    REGISTERED = 'REGISTERED'
    FILED = 'FILED'


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditRecord',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('actor', fields.CharField(max_length=120)),
                ('action', fields.CharField(max_length=80)),
                ('entity_type', fields.CharField(max_length=60)),
                ('entity_id', fields.CharField(max_length=60)),
                ('before', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_record', 'app': 'registry', 'indexes': [Index(fields=['district', 'entity_type', 'entity_id'])], 'pk_attr': 'id'},
            bases=['AuditBase'],
        ),
        ops.CreateModel(
            name='District',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=6)),
                ('name', fields.CharField(max_length=100)),
                ('city_code', fields.CharField(max_length=4)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'district', 'app': 'registry', 'pk_attr': 'code'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='DistrictDirectory',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=6)),
                ('city_code', fields.CharField(db_index=True, max_length=4)),
                ('name', fields.CharField(max_length=100)),
            ],
            options={'table': 'district_directory', 'app': 'registry', 'pk_attr': 'code'},
            bases=['DistrictDirectoryBase'],
        ),
        ops.CreateModel(
            name='FilingCounter',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('next_number', fields.IntField(default=1)),
            ],
            options={'table': 'filing_counter', 'app': 'registry', 'unique_together': (('district',),), 'pk_attr': 'id', 'table_description': 'The next filing number per district: one row, incremented under its row lock.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='InboxEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('consumer', fields.CharField(max_length=80)),
                ('event_id', fields.UUIDField()),
                ('type', fields.CharField(max_length=80)),
                ('district', fields.CharField(max_length=6)),
                ('handled_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'inbox', 'app': 'registry', 'unique_together': (('consumer', 'event_id'),), 'pk_attr': 'id'},
            bases=['InboxBase'],
        ),
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.UUIDField(unique=True)),
                ('type', fields.CharField(max_length=80)),
                ('district', fields.CharField(max_length=6)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('payload', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('sent_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox', 'app': 'registry', 'pk_attr': 'id'},
            bases=['OutboxBase'],
        ),
        ops.CreateModel(
            name='ServiceStation',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('subdistrict', fields.CharField(max_length=100)),
                ('community', fields.CharField(max_length=100)),
                ('has_staff_at_window', fields.BooleanField(default=False)),
                ('has_name_plate', fields.BooleanField(default=False)),
                ('has_computer', fields.BooleanField(default=False)),
                ('has_archive_cabinet', fields.BooleanField(default=False)),
                ('has_archive_materials', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'service_station', 'app': 'registry', 'unique_together': (('district', 'community'),), 'indexes': [Index(fields=['district', 'created_at', 'id']), Index(fields=['district', 'subdistrict'])], 'pk_attr': 'id', 'table_description': '社区社会组织服务站, checked against the "five haves".'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='SocialOrganization',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('registration', fields.CharEnumField(description='REGISTERED: REGISTERED\nFILED: FILED', enum_type=Registration, max_length=12)),
                ('credit_code', fields.CharField(null=True, unique=True, max_length=18)),
                ('filing_number', fields.CharField(null=True, max_length=24)),
                ('category', fields.CharEnumField(description='ELDERLY_CARE: ELDERLY_CARE\nDISABILITY_SUPPORT: DISABILITY_SUPPORT\nPOVERTY_RELIEF: POVERTY_RELIEF\nYOUTH: YOUTH\nCOMMUNITY_GOVERNANCE: COMMUNITY_GOVERNANCE\nNEIGHBOR_MUTUAL_AID: NEIGHBOR_MUTUAL_AID\nVOLUNTEERS: VOLUNTEERS\nSOCIAL_WORK: SOCIAL_WORK\nLEGAL_AID: LEGAL_AID\nOTHER: OTHER', enum_type=Category, max_length=24)),
                ('subdistrict', fields.CharField(max_length=100)),
                ('community', fields.CharField(null=True, max_length=100)),
                ('incubation_stage', fields.CharEnumField(null=True, description='STARTUP: STARTUP\nGROWTH: GROWTH\nHUB: HUB\nGRADUATED: GRADUATED', enum_type=IncubationStage, max_length=12)),
                ('party_organization', fields.CharEnumField(default=PartyOrganization.NONE, description='NONE: NONE\nINDEPENDENT: INDEPENDENT\nJOINT: JOINT', enum_type=PartyOrganization, max_length=12)),
                ('status', fields.CharEnumField(default=OrganizationStatus.ACTIVE, description='ACTIVE: ACTIVE\nSUSPENDED: SUSPENDED\nDEREGISTERED: DEREGISTERED', enum_type=OrganizationStatus, max_length=14)),
                ('status_reason', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'social_organization', 'app': 'registry', 'unique_together': (('district', 'filing_number'),), 'indexes': [Index(fields=['district', 'created_at', 'id']), Index(fields=['district', 'registration']), Index(fields=['district', 'category']), Index(fields=['district', 'status'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
    ]
