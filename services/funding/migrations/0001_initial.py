from enum import Enum

from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
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


class CollectionMethod(str, Enum):
    QUESTIONNAIRE = 'QUESTIONNAIRE'
    DOOR_TO_DOOR = 'DOOR_TO_DOOR'
    FIELD_SURVEY = 'FIELD_SURVEY'


class MemberKind(str, Enum):
    EXPERT = 'EXPERT'
    RESIDENT_REP = 'RESIDENT_REP'
    OFFICIAL = 'OFFICIAL'
    ORG_REP = 'ORG_REP'


class ObjectionStatus(str, Enum):
    OPEN = 'OPEN'
    UPHELD = 'UPHELD'
    DISMISSED = 'DISMISSED'


class OrganizationStatus(str, Enum):
    ACTIVE = 'ACTIVE'
    SUSPENDED = 'SUSPENDED'
    DEREGISTERED = 'DEREGISTERED'


class Phase(str, Enum):
    NEEDS_INTAKE = 'NEEDS_INTAKE'
    LIBRARY = 'LIBRARY'
    REVIEW = 'REVIEW'
    NOTICE = 'NOTICE'
    AWARDED = 'AWARDED'
    CLOSED = 'CLOSED'


class ProjectStatus(str, Enum):
    SELECTED = 'SELECTED'
    WITHDRAWN = 'WITHDRAWN'
    AWARDED = 'AWARDED'


class RecoverySource(str, Enum):
    BUREAU = 'BUREAU'
    EVALUATION = 'EVALUATION'


class RecoveryStatus(str, Enum):
    OPEN = 'OPEN'
    SETTLED = 'SETTLED'


class TrancheStatus(str, Enum):
    PLANNED = 'PLANNED'
    DISBURSED = 'DISBURSED'


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
            options={'table': 'audit_record', 'app': 'funding', 'indexes': [Index(fields=['district', 'entity_type', 'entity_id'])], 'pk_attr': 'id'},
            bases=['AuditBase'],
        ),
        ops.CreateModel(
            name='DistrictDirectory',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=6)),
                ('city_code', fields.CharField(db_index=True, max_length=4)),
                ('name', fields.CharField(max_length=100)),
            ],
            options={'table': 'district_directory', 'app': 'funding', 'pk_attr': 'code'},
            bases=['DistrictDirectoryBase'],
        ),
        ops.CreateModel(
            name='FundingRound',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('year', fields.IntField()),
                ('budget_fen', fields.BigIntField()),
                ('phase', fields.CharEnumField(default=Phase.NEEDS_INTAKE, description='NEEDS_INTAKE: NEEDS_INTAKE\nLIBRARY: LIBRARY\nREVIEW: REVIEW\nNOTICE: NOTICE\nAWARDED: AWARDED\nCLOSED: CLOSED', enum_type=Phase, max_length=14)),
                ('criteria', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('min_reviews', fields.IntField(default=3)),
                ('notice_days', fields.IntField(default=7)),
                ('notice_started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('notice_ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'funding_round', 'app': 'funding', 'indexes': [Index(fields=['district', 'created_at', 'id']), Index(fields=['district', 'year'])], 'pk_attr': 'id', 'table_description': 'A venture round (公益创投): a budgeted fund that moves through the phases once.'},
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
            options={'table': 'inbox', 'app': 'funding', 'unique_together': (('consumer', 'event_id'),), 'pk_attr': 'id'},
            bases=['InboxBase'],
        ),
        ops.CreateModel(
            name='KnownOrganization',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('registration', fields.CharField(max_length=12)),
                ('credit_code', fields.CharField(null=True, max_length=18)),
                ('filing_number', fields.CharField(null=True, max_length=24)),
                ('category', fields.CharField(max_length=24)),
                ('subdistrict', fields.CharField(max_length=100)),
                ('community', fields.CharField(null=True, max_length=100)),
                ('status', fields.CharEnumField(description='ACTIVE: ACTIVE\nSUSPENDED: SUSPENDED\nDEREGISTERED: DEREGISTERED', enum_type=OrganizationStatus, max_length=14)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'known_organization', 'app': 'funding', 'indexes': [Index(fields=['district', 'status'])], 'pk_attr': 'id', 'table_description': "Organizations as funding knows them from registry.organization.* events (never the registry's tables)."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='LibraryEntry',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('funding.FundingRound', source_field='round_id', db_constraint=True, to_field='id', related_name='library_entries', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('category', fields.CharEnumField(description='ELDERLY_CARE: ELDERLY_CARE\nDISABILITY_SUPPORT: DISABILITY_SUPPORT\nPOVERTY_RELIEF: POVERTY_RELIEF\nYOUTH: YOUTH\nCOMMUNITY_GOVERNANCE: COMMUNITY_GOVERNANCE\nNEIGHBOR_MUTUAL_AID: NEIGHBOR_MUTUAL_AID\nVOLUNTEERS: VOLUNTEERS\nSOCIAL_WORK: SOCIAL_WORK\nLEGAL_AID: LEGAL_AID\nOTHER: OTHER', enum_type=Category, max_length=24)),
                ('requested_fen', fields.BigIntField()),
                ('selected', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'library_entry', 'app': 'funding', 'indexes': [Index(fields=['district', 'round_id', 'created_at', 'id'])], 'pk_attr': 'id', 'table_description': 'A project-library entry (项目库): like needs merged by a third party; it keeps its needs.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='LibraryMerge',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('entry', fields.ForeignKeyField('funding.LibraryEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='merges', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharField(max_length=8)),
                ('need_ids', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('actor', fields.CharField(max_length=120)),
                ('reason', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'library_merge', 'app': 'funding', 'indexes': [Index(fields=['district', 'entry_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Who merged (or unmerged) which needs into an entry, and why.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Need',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('funding.FundingRound', source_field='round_id', db_constraint=True, to_field='id', related_name='needs', on_delete=OnDelete.CASCADE)),
                ('subdistrict', fields.CharField(max_length=100)),
                ('community', fields.CharField(max_length=100)),
                ('category', fields.CharEnumField(description='ELDERLY_CARE: ELDERLY_CARE\nDISABILITY_SUPPORT: DISABILITY_SUPPORT\nPOVERTY_RELIEF: POVERTY_RELIEF\nYOUTH: YOUTH\nCOMMUNITY_GOVERNANCE: COMMUNITY_GOVERNANCE\nNEIGHBOR_MUTUAL_AID: NEIGHBOR_MUTUAL_AID\nVOLUNTEERS: VOLUNTEERS\nSOCIAL_WORK: SOCIAL_WORK\nLEGAL_AID: LEGAL_AID\nOTHER: OTHER', enum_type=Category, max_length=24)),
                ('method', fields.CharEnumField(description='QUESTIONNAIRE: QUESTIONNAIRE\nDOOR_TO_DOOR: DOOR_TO_DOOR\nFIELD_SURVEY: FIELD_SURVEY', enum_type=CollectionMethod, max_length=14)),
                ('description', fields.TextField(unique=False)),
                ('recorded_by', fields.CharField(max_length=120)),
                ('library_entry', fields.ForeignKeyField('funding.LibraryEntry', source_field='library_entry_id', null=True, db_constraint=True, to_field='id', related_name='needs', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'need', 'app': 'funding', 'indexes': [Index(fields=['district', 'round_id', 'created_at', 'id']), Index(fields=['district', 'library_entry_id'])], 'pk_attr': 'id', 'table_description': "A residents' need (需求) collected by a subdistrict or community."},
            bases=['TenantModel'],
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
            options={'table': 'outbox', 'app': 'funding', 'pk_attr': 'id'},
            bases=['OutboxBase'],
        ),
        ops.CreateModel(
            name='PanelMember',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('funding.FundingRound', source_field='round_id', db_constraint=True, to_field='id', related_name='panel', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='EXPERT: EXPERT\nRESIDENT_REP: RESIDENT_REP\nOFFICIAL: OFFICIAL\nORG_REP: ORG_REP', enum_type=MemberKind, max_length=14)),
                ('sub', fields.CharField(max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'panel_member', 'app': 'funding', 'unique_together': (('district', 'round_id', 'sub'),), 'pk_attr': 'id', 'table_description': 'A review-panel member of one round, linked to the `sub` of their reviewer token.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ConflictDeclaration',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('funding.PanelMember', source_field='member_id', db_constraint=True, to_field='id', related_name='conflicts', on_delete=OnDelete.CASCADE)),
                ('entry', fields.ForeignKeyField('funding.LibraryEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='conflicts', on_delete=OnDelete.CASCADE)),
                ('reason', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'conflict_declaration', 'app': 'funding', 'unique_together': (('district', 'member_id', 'entry_id'),), 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Project',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('funding.FundingRound', source_field='round_id', db_constraint=True, to_field='id', related_name='projects', on_delete=OnDelete.CASCADE)),
                ('entry', fields.OneToOneField('funding.LibraryEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='project', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('category', fields.CharEnumField(description='ELDERLY_CARE: ELDERLY_CARE\nDISABILITY_SUPPORT: DISABILITY_SUPPORT\nPOVERTY_RELIEF: POVERTY_RELIEF\nYOUTH: YOUTH\nCOMMUNITY_GOVERNANCE: COMMUNITY_GOVERNANCE\nNEIGHBOR_MUTUAL_AID: NEIGHBOR_MUTUAL_AID\nVOLUNTEERS: VOLUNTEERS\nSOCIAL_WORK: SOCIAL_WORK\nLEGAL_AID: LEGAL_AID\nOTHER: OTHER', enum_type=Category, max_length=24)),
                ('subdistrict', fields.CharField(null=True, max_length=100)),
                ('community', fields.CharField(null=True, max_length=100)),
                ('requested_fen', fields.BigIntField()),
                ('status', fields.CharEnumField(default=ProjectStatus.SELECTED, description='SELECTED: SELECTED\nWITHDRAWN: WITHDRAWN\nAWARDED: AWARDED', enum_type=ProjectStatus, max_length=10)),
                ('organization_id', fields.UUIDField(null=True)),
                ('grant_fen', fields.BigIntField(default=0)),
                ('disbursed_fen', fields.BigIntField(default=0)),
                ('awarded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'project', 'app': 'funding', 'indexes': [Index(fields=['district', 'round_id', 'created_at', 'id']), Index(fields=['district', 'organization_id'])], 'pk_attr': 'id', 'table_description': 'A selected entry: on notice, then awarded to an implementing organization with a grant.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Expense',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('funding.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='expenses', on_delete=OnDelete.CASCADE)),
                ('amount_fen', fields.BigIntField()),
                ('spent_on', fields.DateField()),
                ('description', fields.TextField(unique=False)),
                ('reported_by', fields.CharField(max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'expense', 'app': 'funding', 'indexes': [Index(fields=['district', 'project_id', 'created_at', 'id'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Objection',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('funding.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='objections', on_delete=OnDelete.CASCADE)),
                ('lodged_by', fields.CharField(max_length=120)),
                ('reason', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=ObjectionStatus.OPEN, description='OPEN: OPEN\nUPHELD: UPHELD\nDISMISSED: DISMISSED', enum_type=ObjectionStatus, max_length=10)),
                ('resolution', fields.TextField(null=True, unique=False)),
                ('resolved_by', fields.CharField(null=True, max_length=120)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'objection', 'app': 'funding', 'indexes': [Index(fields=['district', 'project_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='RecoveryOrder',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('funding.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='recovery_orders', on_delete=OnDelete.CASCADE)),
                ('amount_fen', fields.BigIntField()),
                ('reason', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=RecoveryStatus.OPEN, description='OPEN: OPEN\nSETTLED: SETTLED', enum_type=RecoveryStatus, max_length=8)),
                ('source', fields.CharEnumField(description='BUREAU: BUREAU\nEVALUATION: EVALUATION', enum_type=RecoverySource, max_length=10)),
                ('finding_id', fields.CharField(null=True, max_length=60)),
                ('evaluation_id', fields.CharField(null=True, max_length=60)),
                ('ordered_by', fields.CharField(max_length=120)),
                ('ordered_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('settled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'recovery_order', 'app': 'funding', 'unique_together': (('district', 'finding_id'),), 'indexes': [Index(fields=['district', 'project_id', 'created_at']), Index(fields=['district', 'status', 'created_at', 'id'])], 'pk_attr': 'id', 'table_description': '追回违规项目资金: an order to return disbursed funds; a fund-recovery alert until settled.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Review',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('funding.PanelMember', source_field='member_id', db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.CASCADE)),
                ('entry', fields.ForeignKeyField('funding.LibraryEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.CASCADE)),
                ('grades', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('comment', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'review', 'app': 'funding', 'unique_together': (('district', 'member_id', 'entry_id'),), 'pk_attr': 'id', 'table_description': "One member's grades (0-10 per published criterion) for one entry."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ServiceRecord',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('funding.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='service_records', on_delete=OnDelete.CASCADE)),
                ('subdistrict', fields.CharField(max_length=100)),
                ('community', fields.CharField(max_length=100)),
                ('service_date', fields.DateField()),
                ('beneficiary', fields.CharField(max_length=100)),
                ('person_times', fields.IntField()),
                ('reported_by', fields.CharField(max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'service_record', 'app': 'funding', 'indexes': [Index(fields=['district', 'project_id', 'created_at', 'id']), Index(fields=['district', 'community'])], 'pk_attr': 'id', 'table_description': 'A service delivered: one beneficiary (a reference, not a name) and the person-times served.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Tranche',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('funding.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='tranches', on_delete=OnDelete.CASCADE)),
                ('sequence', fields.IntField()),
                ('amount_fen', fields.BigIntField()),
                ('due_on', fields.DateField()),
                ('status', fields.CharEnumField(default=TrancheStatus.PLANNED, description='PLANNED: PLANNED\nDISBURSED: DISBURSED', enum_type=TrancheStatus, max_length=10)),
                ('disbursed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tranche', 'app': 'funding', 'unique_together': (('district', 'project_id', 'sequence'),), 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
    ]
