"""One project per library entry, unique within the district, (district, entry_id): the entry was a
one-to-one key whose unique constraint spanned districts, the one in funding not starting with
`district` (which Citus requires of a table distributed by it). The foreign key to the entry stays."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint

from services.common.data.migration_ops import StateOnly  # moves migration state only; builds no SQL


class Migration(migrations.Migration):
    dependencies = [('funding', '0004_outbox_without_sent_at_index')]

    initial = False

    operations = [
        # The names are PostgreSQL's for the original inline UNIQUE and ours for the new one.
        ops.RunSQL(
            [
                'ALTER TABLE project DROP CONSTRAINT project_entry_id_key',
                'ALTER TABLE project ADD CONSTRAINT project_district_entry_id_key UNIQUE (district, entry_id)',
            ],
            # Going back fails while two districts hold one value: the old constraint cannot hold then.
            reverse_sql=[
                'ALTER TABLE project DROP CONSTRAINT project_district_entry_id_key',
                'ALTER TABLE project ADD CONSTRAINT project_entry_id_key UNIQUE (entry_id)',
            ],
        ),
        StateOnly(
            ops.AlterField(
                model_name='Project',
                name='entry',
                field=fields.ForeignKeyField('funding.LibraryEntry', source_field='entry_id', db_constraint=True,
                                             to_field='id', related_name='projects', on_delete=OnDelete.CASCADE),
            ),
            ops.AddConstraint(
                model_name='Project',
                constraint=UniqueConstraint(fields=('district', 'entry_id'), name=None),
            ),
        ),
    ]
