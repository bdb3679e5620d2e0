"""The bureau's rules (issue 16): funding's rounds and recovery orders as evaluation knows them (so a
tender names a round that exists, and a rating follows settlement), PASS_AFTER_RECOVERY, and the
beneficiaries' contacts for follow-up calls. The two new tables get row-level security here."""

from enum import Enum

from tortoise import migrations
from tortoise.migrations import operations as ops

from services.common.data.rls import disable_tenant_isolation, enable_tenant_isolation
from tortoise import fields
from tortoise.indexes import Index

NEW_TENANT_TABLES = ("known_round", "known_recovery_order")


class Rating(str, Enum):  # literal, as it is at this migration (see 0001_initial)
    EXCELLENT = 'EXCELLENT'
    GOOD = 'GOOD'
    PASS = 'PASS'
    FAIL = 'FAIL'
    PASS_AFTER_RECOVERY = 'PASS_AFTER_RECOVERY'

class Migration(migrations.Migration):
    dependencies = [('evaluation', '0006_idempotency_keys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KnownRecoveryOrder',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order_id', fields.CharField(max_length=64)),
                ('project_id', fields.CharField(max_length=64)),
                ('finding_id', fields.CharField(null=True, max_length=64)),
                ('settled', fields.BooleanField(default=False)),
            ],
            options={'table': 'known_recovery_order', 'app': 'evaluation', 'unique_together': (('district', 'order_id'),), 'indexes': [Index(fields=['district', 'project_id'])], 'pk_attr': 'id', 'table_description': "Funding's recovery orders of evaluated projects, from funding.recovery.ordered and .settled."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='KnownRound',
            fields=[
                ('district', fields.CharField(db_index=True, max_length=6)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round_id', fields.CharField(max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('year', fields.IntField()),
                ('phase', fields.CharField(max_length=14)),
                ('cancel_reason', fields.TextField(null=True, unique=False)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'known_round', 'app': 'evaluation', 'unique_together': (('district', 'round_id'),), 'pk_attr': 'id', 'table_description': "Funding's rounds as evaluation knows them, from funding.round.opened and funding.round.changed."},
            bases=['TenantModel'],
        ),
        ops.AlterField(
            model_name='Evaluation',
            name='rating',
            field=fields.CharEnumField(null=True, description='EXCELLENT: EXCELLENT\nGOOD: GOOD\nPASS: PASS\nFAIL: FAIL\nPASS_AFTER_RECOVERY: PASS_AFTER_RECOVERY', enum_type=Rating, max_length=19),
        ),
        ops.AddField(
            model_name='FollowUp',
            name='contact',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.AddField(
            model_name='ServiceBeneficiary',
            name='contact',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.RunSQL(enable_tenant_isolation(*NEW_TENANT_TABLES), reverse_sql=disable_tenant_isolation(*NEW_TENANT_TABLES)),
    ]
