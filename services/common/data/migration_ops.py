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
