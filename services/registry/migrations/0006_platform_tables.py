"""Platform tables under row-level security: the outbox and inbox per district (the relay role sees every
outbox row), and the district directory readable by all but written only for an admitted district.
Grants (audit append-only, the relay role's outbox-only privileges) are applied by db.py's migrate step."""

from tortoise import migrations
from tortoise.migrations import operations as ops

# Helpers that only build SQL from the names given; applied migrations must keep building the same SQL
# (see services/common/data/rls.py).
from services.common.data.rls import guard_directory, isolate_event_tables, restore_event_tables, unguard_directory


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_district_first_unique")]

    operations = [
        ops.RunSQL(
            isolate_event_tables("outbox", "inbox") + guard_directory("district_directory"),
            reverse_sql=unguard_directory("district_directory") + restore_event_tables("outbox", "inbox"),
        )
    ]
