"""Needs, projects and service records reference the gazetteer entry they picked: its id, and its code
kept beside the name. Statistics group by the entry, so a renamed place stays one row and a retired place
and a new one of its name stay two.

Existing rows are backfilled from funding's copy of the gazetteer (`known_place`) where their stored name
is an active entry's of their district; rows that name no entry keep their name and no reference (they
still read, and group by their name). The owner lifts FORCE row-level security for the backfill only
(no app.districts here): every district's rows, each joined to its own district's entries.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from services.common.data.migration_ops import PLACES, place_entry_backfill, place_entry_fields


class Migration(migrations.Migration):
    dependencies = [("funding", "0013_webhooks")]

    initial = False

    operations = [
        *place_entry_fields("Need", "Project", "ServiceRecord"),
        ops.RunSQL(
            [*place_entry_backfill("known_place", "need", "project", "service_record"),
             *[f"CREATE INDEX {table}_{place}_entry ON {table} (district, {place}_entry_id)"
               for table in ("need", "service_record") for place in PLACES]],
            reverse_sql=[f"DROP INDEX IF EXISTS {table}_{place}_entry"
                         for table in ("need", "service_record") for place in PLACES],
        ),
    ]
