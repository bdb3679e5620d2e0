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


class InspectionMethod(str, Enum):
    DOCUMENT_REVIEW = 'DOCUMENT_REVIEW'
    SITE_VISIT = 'SITE_VISIT'
    PHONE_FOLLOW_UP = 'PHONE_FOLLOW_UP'


class PhaseKind(str, Enum):
    INITIAL = 'INITIAL'
    MIDTERM = 'MIDTERM'
    FINAL = 'FINAL'


class PhaseStatus(str, Enum):
    PENDING = 'PENDING'
    OPEN = 'OPEN'
    COMPLETED = 'COMPLETED'


class Rating(str, Enum):
    EXCELLENT = 'EXCELLENT'
    GOOD = 'GOOD'
    PASS = 'PASS'
    FAIL = 'FAIL'


class RectificationStatus(str, Enum):
    OPEN = 'OPEN'
    OVERDUE = 'OVERDUE'
    COMPLETED = 'COMPLETED'


class Severity(str, Enum):
    INFO = 'INFO'
    MINOR = 'MINOR'
    MAJOR = 'MAJOR'
    VIOLATION = 'VIOLATION'


class TenderStatus(str, Enum):
    OPEN = 'OPEN'
    DECIDED = 'DECIDED'


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
            options={'table': 'audit_record', 'app': 'evaluation', 'indexes': [Index(fields=['district', 'entity_type', 'entity_id'])], 'pk_attr': 'id'},
            bases=['AuditBase'],
        ),
        ops.CreateModel(
            name='DistrictDirectory',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=6)),
                ('city_code', fields.CharField(db_index=True, max_length=4)),
                ('name', fields.CharField(max_length=100)),
            ],
            options={'table': 'district_directory', 'app': 'evaluation', 'pk_attr': 'code'},
            bases=['DistrictDirectoryBase'],
        ),
        ops.CreateModel(
            name='Evaluation',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('project_id', fields.CharField(max_length=64)),
                ('round_id', fields.CharField(max_length=64)),
                ('round_name', fields.CharField(max_length=200)),
                ('year', fields.IntField()),
                ('title', fields.CharField(max_length=300)),
                ('category', fields.CharEnumField(description='ELDERLY_CARE: ELDERLY_CARE\nDISABILITY_SUPPORT: DISABILITY_SUPPORT\nPOVERTY_RELIEF: POVERTY_RELIEF\nYOUTH: YOUTH\nCOMMUNITY_GOVERNANCE: COMMUNITY_GOVERNANCE\nNEIGHBOR_MUTUAL_AID: NEIGHBOR_MUTUAL_AID\nVOLUNTEERS: VOLUNTEERS\nSOCIAL_WORK: SOCIAL_WORK\nLEGAL_AID: LEGAL_AID\nOTHER: OTHER', enum_type=Category, max_length=24)),
                ('organization_id', fields.CharField(max_length=64)),
                ('organization_name', fields.CharField(max_length=200)),
                ('grant_fen', fields.BigIntField()),
                ('subdistrict', fields.CharField(null=True, max_length=100)),
                ('community', fields.CharField(null=True, max_length=100)),
                ('awarded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('rating', fields.CharEnumField(null=True, description='EXCELLENT: EXCELLENT\nGOOD: GOOD\nPASS: PASS\nFAIL: FAIL', enum_type=Rating, max_length=10)),
                ('rated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'evaluation', 'app': 'evaluation', 'unique_together': (('district', 'project_id'),), 'indexes': [Index(fields=['district', 'created_at', 'id']), Index(fields=['district', 'round_id'])], 'pk_attr': 'id', 'table_description': 'One per awarded project, created from funding.project.awarded.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='EvaluationAgency',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('credit_code', fields.CharField(max_length=18)),
                ('contact', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'evaluation_agency', 'app': 'evaluation', 'unique_together': (('district', 'credit_code'),), 'indexes': [Index(fields=['district', 'created_at', 'id'])], 'pk_attr': 'id', 'table_description': '第三方评估机构: usually a company, so any valid credit code (not only civil affairs).'},
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
            options={'table': 'inbox', 'app': 'evaluation', 'unique_together': (('consumer', 'event_id'),), 'pk_attr': 'id'},
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
            options={'table': 'outbox', 'app': 'evaluation', 'pk_attr': 'id'},
            bases=['OutboxBase'],
        ),
        ops.CreateModel(
            name='Phase',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('evaluation', fields.ForeignKeyField('evaluation.Evaluation', source_field='evaluation_id', db_constraint=True, to_field='id', related_name='phases', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='INITIAL: INITIAL\nMIDTERM: MIDTERM\nFINAL: FINAL', enum_type=PhaseKind, max_length=8)),
                ('position', fields.SmallIntField()),
                ('status', fields.CharEnumField(default=PhaseStatus.PENDING, description='PENDING: PENDING\nOPEN: OPEN\nCOMPLETED: COMPLETED', enum_type=PhaseStatus, max_length=10)),
                ('criteria', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('score', fields.IntField(null=True)),
                ('summary', fields.TextField(null=True, unique=False)),
                ('opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'evaluation_phase', 'app': 'evaluation', 'unique_together': (('district', 'evaluation_id', 'kind'),), 'pk_attr': 'id', 'table_description': 'INITIAL, MIDTERM, FINAL: opened with published criteria, completed with a score against them.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Finding',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('evaluation', fields.ForeignKeyField('evaluation.Evaluation', source_field='evaluation_id', db_constraint=True, to_field='id', related_name='findings', on_delete=OnDelete.CASCADE)),
                ('phase', fields.ForeignKeyField('evaluation.Phase', source_field='phase_id', db_constraint=True, to_field='id', related_name='findings', on_delete=OnDelete.CASCADE)),
                ('severity', fields.CharEnumField(description='INFO: INFO\nMINOR: MINOR\nMAJOR: MAJOR\nVIOLATION: VIOLATION', enum_type=Severity, max_length=10)),
                ('description', fields.TextField(unique=False)),
                ('amount_fen', fields.BigIntField(null=True)),
                ('resolved', fields.BooleanField(default=False)),
                ('resolution', fields.TextField(null=True, unique=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'finding', 'app': 'evaluation', 'indexes': [Index(fields=['district', 'evaluation_id'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Inspection',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('evaluation', fields.ForeignKeyField('evaluation.Evaluation', source_field='evaluation_id', db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.CASCADE)),
                ('phase', fields.ForeignKeyField('evaluation.Phase', source_field='phase_id', db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.CASCADE)),
                ('method', fields.CharEnumField(description='DOCUMENT_REVIEW: DOCUMENT_REVIEW\nSITE_VISIT: SITE_VISIT\nPHONE_FOLLOW_UP: PHONE_FOLLOW_UP', enum_type=InspectionMethod, max_length=16)),
                ('inspected_on', fields.DateField()),
                ('inspector', fields.CharField(max_length=120)),
                ('notes', fields.TextField(null=True, unique=False)),
                ('evidence', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('sample_size', fields.IntField(null=True)),
                ('sample_seed', fields.BigIntField(null=True)),
                ('sample_population', fields.IntField(null=True)),
                ('sample_population_digest', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'inspection', 'app': 'evaluation', 'indexes': [Index(fields=['district', 'evaluation_id'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='FollowUp',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('evaluation', fields.ForeignKeyField('evaluation.Evaluation', source_field='evaluation_id', db_constraint=True, to_field='id', related_name='follow_ups', on_delete=OnDelete.CASCADE)),
                ('inspection', fields.ForeignKeyField('evaluation.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='follow_ups', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('beneficiary', fields.CharField(max_length=200)),
                ('community', fields.CharField(null=True, max_length=100)),
                ('reached', fields.BooleanField(null=True)),
                ('satisfied', fields.BooleanField(null=True)),
                ('notes', fields.TextField(null=True, unique=False)),
                ('called_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'follow_up', 'app': 'evaluation', 'unique_together': (('district', 'inspection_id', 'position'),), 'indexes': [Index(fields=['district', 'evaluation_id'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Rectification',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('evaluation', fields.ForeignKeyField('evaluation.Evaluation', source_field='evaluation_id', db_constraint=True, to_field='id', related_name='rectifications', on_delete=OnDelete.CASCADE)),
                ('finding', fields.ForeignKeyField('evaluation.Finding', source_field='finding_id', db_constraint=True, to_field='id', related_name='rectifications', on_delete=OnDelete.CASCADE)),
                ('deadline', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=RectificationStatus.OPEN, description='OPEN: OPEN\nOVERDUE: OVERDUE\nCOMPLETED: COMPLETED', enum_type=RectificationStatus, max_length=10)),
                ('completion_note', fields.TextField(null=True, unique=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('overdue_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'rectification', 'app': 'evaluation', 'unique_together': (('district', 'finding_id'),), 'indexes': [Index(fields=['district', 'evaluation_id']), Index(fields=['district', 'status', 'deadline'])], 'pk_attr': 'id', 'table_description': '整改: ordered with a deadline; once overdue it is reported exactly once.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ServiceBeneficiary',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project_id', fields.CharField(max_length=64)),
                ('record_id', fields.CharField(max_length=64)),
                ('beneficiary', fields.CharField(max_length=200)),
                ('community', fields.CharField(null=True, max_length=100)),
                ('service_date', fields.DateField(null=True)),
                ('person_times', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'service_beneficiary', 'app': 'evaluation', 'unique_together': (('district', 'record_id'),), 'indexes': [Index(fields=['district', 'project_id'])], 'pk_attr': 'id', 'table_description': "A service record's beneficiary, from funding.service_record.reported: the follow-up population."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Tender',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('round_id', fields.CharField(max_length=64)),
                ('round_name', fields.CharField(max_length=200)),
                ('description', fields.TextField(null=True, unique=False)),
                ('status', fields.CharEnumField(default=TenderStatus.OPEN, description='OPEN: OPEN\nDECIDED: DECIDED', enum_type=TenderStatus, max_length=8)),
                ('chosen_agency', fields.ForeignKeyField('evaluation.EvaluationAgency', source_field='chosen_agency_id', null=True, db_constraint=True, to_field='id', related_name='won_tenders', on_delete=OnDelete.RESTRICT)),
                ('decision_reason', fields.TextField(null=True, unique=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tender', 'app': 'evaluation', 'unique_together': (('district', 'round_id'),), 'indexes': [Index(fields=['district', 'created_at', 'id'])], 'pk_attr': 'id', 'table_description': "The tender that picks one agency to evaluate a funding round's projects."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Bid',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tender', fields.ForeignKeyField('evaluation.Tender', source_field='tender_id', db_constraint=True, to_field='id', related_name='bids', on_delete=OnDelete.CASCADE)),
                ('agency', fields.ForeignKeyField('evaluation.EvaluationAgency', source_field='agency_id', db_constraint=True, to_field='id', related_name='bids', on_delete=OnDelete.RESTRICT)),
                ('price_fen', fields.BigIntField()),
                ('proposal', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tender_bid', 'app': 'evaluation', 'unique_together': (('district', 'tender_id', 'agency_id'),), 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
    ]
