"""Organizations and service stations reference the gazetteer entry they picked: its id, and its code
kept beside the name. Statistics group by the entry, so a renamed place stays one row and a retired place
and a new one of its name stay two.

Existing rows are backfilled where their stored name is an active entry's of their district; rows that
name no entry keep their name and no reference (they still read, and group by their name). The owner
lifts FORCE row-level security for the backfill only (no app.districts here).
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

TABLES = ("social_organization", "service_station")
MODELS = ("SocialOrganization", "ServiceStation")
PLACES = ("subdistrict", "community")


def _backfill(table: str) -> list[str]:
    statements = [f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"]
    for column, kind in (("subdistrict", "SUBDISTRICT"), ("community", "COMMUNITY")):
        statements.append(
            f"UPDATE {table} t SET {column}_entry_id = g.id, {column}_code = g.code FROM gazetteer_entry g"
            f" WHERE g.district = t.district AND g.kind = '{kind}' AND g.name = t.{column}"
            f" AND g.retired_at IS NULL AND t.{column}_entry_id IS NULL")
    return statements + [f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"]


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_accounts")]

    initial = False

    operations = [
        *[op for model in MODELS for place in PLACES for op in (
            ops.AddField(model_name=model, name=f"{place}_entry_id", field=fields.UUIDField(null=True)),
            ops.AddField(model_name=model, name=f"{place}_code", field=fields.CharField(null=True, max_length=12)),
        )],
        ops.RunSQL(
            ["ALTER TABLE gazetteer_entry NO FORCE ROW LEVEL SECURITY",
             *[s for table in TABLES for s in _backfill(table)],
             "ALTER TABLE gazetteer_entry FORCE ROW LEVEL SECURITY"],
            reverse_sql=[],
        ),
    ]
