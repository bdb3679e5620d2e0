"""The bureau's rules (issue 16): a grant above its request waits for a second approver, a project's life
(`ends_on`), service-record contacts, re-scores kept as revisions, recovery deadlines and partial
settlements with payment references, rounds cancelled with a reason. The two new tables get row-level
security here; orders settled before this migration count as settled in full."""

from enum import Enum

from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads

from services.common.data.rls import disable_tenant_isolation, enable_tenant_isolation
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

NEW_TENANT_TABLES = ("review_revision", "recovery_settlement")


# The enums as they are at this migration, literal (see 0001_initial).
class Phase(str, Enum):
    NEEDS_INTAKE = 'NEEDS_INTAKE'
    LIBRARY = 'LIBRARY'
    REVIEW = 'REVIEW'
    NOTICE = 'NOTICE'
    AWARDED = 'AWARDED'
    CLOSED = 'CLOSED'
    CANCELLED = 'CANCELLED'


class ProjectStatus(str, Enum):
    SELECTED = 'SELECTED'
    WITHDRAWN = 'WITHDRAWN'
    AWAITING_APPROVAL = 'AWAITING_APPROVAL'
    AWARDED = 'AWARDED'


class Migration(migrations.Migration):
    dependencies = [('funding', '0008_idempotency_keys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RecoverySettlement',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('funding.RecoveryOrder', source_field='order_id', db_constraint=True, to_field='id', related_name='settlements', on_delete=OnDelete.CASCADE)),
                ('amount_fen', fields.BigIntField()),
                ('payment_reference', fields.CharField(max_length=100)),
                ('paid_on', fields.DateField()),
                ('recorded_by', fields.CharField(max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'recovery_settlement', 'app': 'funding', 'unique_together': (('district', 'order_id', 'payment_reference'),), 'pk_attr': 'id', 'table_description': "Money returned against a recovery order, with the payment's reference."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ReviewRevision',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('review', fields.ForeignKeyField('funding.Review', source_field='review_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('grades', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('comment', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'review_revision', 'app': 'funding', 'indexes': [Index(fields=['district', 'review_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Every grading a member gave an entry, oldest first: a re-score adds one, the latest counts.'},
            bases=['TenantModel'],
        ),
        ops.AlterField(
            model_name='FundingRound',
            name='phase',
            field=fields.CharEnumField(default=Phase.NEEDS_INTAKE, description='NEEDS_INTAKE: NEEDS_INTAKE\nLIBRARY: LIBRARY\nREVIEW: REVIEW\nNOTICE: NOTICE\nAWARDED: AWARDED\nCLOSED: CLOSED\nCANCELLED: CANCELLED', enum_type=Phase, max_length=14),
        ),
        ops.AddField(
            model_name='FundingRound',
            name='cancel_reason',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AlterField(
            model_name='Project',
            name='status',
            field=fields.CharEnumField(default=ProjectStatus.SELECTED, description='SELECTED: SELECTED\nWITHDRAWN: WITHDRAWN\nAWAITING_APPROVAL: AWAITING_APPROVAL\nAWARDED: AWARDED', enum_type=ProjectStatus, max_length=17),
        ),
        ops.AddField(
            model_name='Project',
            name='approved_by',
            field=fields.CharField(null=True, max_length=120),
        ),
        ops.AddField(
            model_name='Project',
            name='awarded_by',
            field=fields.CharField(null=True, max_length=120),
        ),
        ops.AddField(
            model_name='Project',
            name='ends_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Project',
            name='over_request_reason',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='RecoveryOrder',
            name='deadline',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='RecoveryOrder',
            name='overdue_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='RecoveryOrder',
            name='settled_fen',
            field=fields.BigIntField(default=0),
        ),
        ops.AddField(
            model_name='ServiceRecord',
            name='contact',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.RunSQL(
            enable_tenant_isolation(*NEW_TENANT_TABLES)
            # Every district's settled orders: the owner lifts FORCE for this one statement (no app.districts here).
            + ["ALTER TABLE recovery_order NO FORCE ROW LEVEL SECURITY",
               "UPDATE recovery_order SET settled_fen = amount_fen WHERE status = 'SETTLED'",
               "ALTER TABLE recovery_order FORCE ROW LEVEL SECURITY"],
            reverse_sql=disable_tenant_isolation(*NEW_TENANT_TABLES),
        ),
    ]
