"""Organizations and service stations reference the gazetteer entry they picked: its id, and its code
kept beside the name. Statistics group by the entry, so a renamed place stays one row and a retired place
and a new one of its name stay two.

Existing rows are backfilled where their stored name is an active entry's of their district; rows that
name no entry keep their name and no reference (they still read, and group by their name). The owner
lifts FORCE row-level security for the backfill only (no app.districts here).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from services.common.data.migration_ops import place_entry_backfill, place_entry_fields


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_accounts")]

    initial = False

    operations = [
        *place_entry_fields("SocialOrganization", "ServiceStation"),
        ops.RunSQL(place_entry_backfill("gazetteer_entry", "social_organization", "service_station"), reverse_sql=[]),
    ]
