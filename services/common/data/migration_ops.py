"""Migration operations of our own."""

from __future__ import annotations

from tortoise.migrations import operations as ops


class StateOnly(ops.TortoiseOperation):
    """Moves the migration state (what makemigrations compares models.py with) without touching the
    database: for a change whose SQL a RunSQL beside it spells out with literal names, because the names
    Tortoise would derive are not those PostgreSQL gave the original constraints."""

    def __init__(self, *operations: ops.TortoiseOperation) -> None:
        self.operations = operations

    def describe(self) -> str:
        return "State only: " + "; ".join(op.describe() for op in self.operations)

    def state_forward(self, app_label, state) -> None:
        for operation in self.operations:
            operation.state_forward(app_label, state)


PLACES = ("subdistrict", "community")


def place_entry_fields(*models: str) -> list[ops.TortoiseOperation]:
    """Each model's `<place>_entry_id` and `<place>_code` beside its subdistrict and community names."""
    from tortoise import fields

    return [op for model in models for place in PLACES for op in (
        ops.AddField(model_name=model, name=f"{place}_entry_id", field=fields.UUIDField(null=True)),
        ops.AddField(model_name=model, name=f"{place}_code", field=fields.CharField(null=True, max_length=12)),
    )]


def place_entry_backfill(entries: str, *tables: str) -> list[str]:
    """SQL giving each row of `tables` the active entry of `entries` (a gazetteer table) its stored place
    names, in its own district. Run by the owner with FORCE row-level security lifted for the backfill
    only (there is no app.districts in a migration)."""
    statements = [f"ALTER TABLE {entries} NO FORCE ROW LEVEL SECURITY"]
    for table in tables:
        statements.append(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        for column in PLACES:
            statements.append(
                f"UPDATE {table} t SET {column}_entry_id = g.id, {column}_code = g.code FROM {entries} g"
                f" WHERE g.district = t.district AND g.kind = '{column.upper()}' AND g.name = t.{column}"
                f" AND g.retired_at IS NULL AND t.{column}_entry_id IS NULL")
        statements.append(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    return statements + [f"ALTER TABLE {entries} FORCE ROW LEVEL SECURITY"]
