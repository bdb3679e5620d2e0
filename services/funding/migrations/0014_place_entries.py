"""Needs, projects and service records reference the gazetteer entry they picked: its id, and its code
kept beside the name. Statistics group by the entry, so a renamed place stays one row and a retired place
and a new one of its name stay two.

Existing rows are backfilled from funding's copy of the gazetteer (`known_place`) where their stored name
is an active entry's of their district; rows that name no entry keep their name and no reference (they
still read, and group by their name). The owner lifts FORCE row-level security for the backfill only
(no app.districts here): every district's rows, each joined to its own district's entries.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

TABLES = ("need", "project", "service_record")
MODELS = ("Need", "Project", "ServiceRecord")
PLACES = ("subdistrict", "community")


def _backfill(table: str) -> list[str]:
    statements = [f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"]
    for column, kind in (("subdistrict", "SUBDISTRICT"), ("community", "COMMUNITY")):
        statements.append(
            f"UPDATE {table} t SET {column}_entry_id = kp.id, {column}_code = kp.code FROM known_place kp"
            f" WHERE kp.district = t.district AND kp.kind = '{kind}' AND kp.name = t.{column}"
            f" AND kp.retired_at IS NULL AND t.{column}_entry_id IS NULL")
    return statements + [f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"]


class Migration(migrations.Migration):
    dependencies = [("funding", "0013_webhooks")]

    initial = False

    operations = [
        *[op for model in MODELS for place in PLACES for op in (
            ops.AddField(model_name=model, name=f"{place}_entry_id", field=fields.UUIDField(null=True)),
            ops.AddField(model_name=model, name=f"{place}_code", field=fields.CharField(null=True, max_length=12)),
        )],
        ops.RunSQL(
            ["ALTER TABLE known_place NO FORCE ROW LEVEL SECURITY",
             *[s for table in TABLES for s in _backfill(table)],
             "ALTER TABLE known_place FORCE ROW LEVEL SECURITY",
             *[f"CREATE INDEX {table}_{place}_entry ON {table} (district, {place}_entry_id)"
               for table in ("need", "service_record") for place in PLACES]],
            reverse_sql=[f"DROP INDEX IF EXISTS {table}_{place}_entry"
                         for table in ("need", "service_record") for place in PLACES],
        ),
    ]
