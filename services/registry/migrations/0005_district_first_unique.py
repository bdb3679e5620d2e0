"""A credit code is unique within a district, (district, credit_code), no longer across districts: the
global constraint told a bureau that some other district had registered a code (CONFLICT), and it was the
one unique constraint not starting with `district` (which Citus requires of a table distributed by it).
Codes registered in two districts of a city show in the city admin's `duplicateCreditCodes` report."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint

from services.common.data.migration_ops import StateOnly  # moves migration state only; builds no SQL


class Migration(migrations.Migration):
    dependencies = [('registry', '0004_outbox_without_sent_at_index')]

    initial = False

    operations = [
        # The names are PostgreSQL's for the original inline UNIQUE and ours for the new one.
        ops.RunSQL(
            [
                'ALTER TABLE social_organization DROP CONSTRAINT social_organization_credit_code_key',
                'ALTER TABLE social_organization ADD CONSTRAINT social_organization_district_credit_code_key '
                'UNIQUE (district, credit_code)',
            ],
            # Going back fails while two districts hold one value: the old constraint cannot hold then.
            reverse_sql=[
                'ALTER TABLE social_organization DROP CONSTRAINT social_organization_district_credit_code_key',
                'ALTER TABLE social_organization ADD CONSTRAINT social_organization_credit_code_key UNIQUE (credit_code)',
            ],
        ),
        StateOnly(
            ops.AlterField(
                model_name='SocialOrganization',
                name='credit_code',
                field=fields.CharField(null=True, max_length=18),
            ),
            ops.AddConstraint(
                model_name='SocialOrganization',
                constraint=UniqueConstraint(fields=('district', 'credit_code'), name=None),
            ),
        ),
    ]
