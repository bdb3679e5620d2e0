"""The write side of the outbox: an event row inserted in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from tortoise import connections

from services.contracts import EventContract

from services.common.data.models import OutboxBase
from services.common.events.envelope import Envelope

NOTIFY_CHANNEL = "civic_outbox"


# Migrations call this (0003_outbox_notify): an applied migration runs it again on every fresh database,
# so what it builds must not change; a different trigger needs a new function and a new migration.
def outbox_notify_trigger(table: str = "outbox") -> list[str]:
    """SQL for a migration: one NOTIFY per INSERT statement on the outbox, sent by PostgreSQL at commit.

    A statement trigger instead of a NOTIFY from the emitter: no extra round trip per event, and the
    relay still wakes only for committed rows (notifications of a rolled-back transaction are dropped).
    """
    return [
        f"CREATE FUNCTION {table}_notify() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{NOTIFY_CHANNEL}', ''); RETURN NULL; END $$",
        f'CREATE TRIGGER {table}_notify AFTER INSERT ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_notify()",
    ]


def drop_outbox_notify_trigger(table: str = "outbox") -> list[str]:
    return [f'DROP TRIGGER IF EXISTS {table}_notify ON "{table}"', f"DROP FUNCTION IF EXISTS {table}_notify()"]


class Emitter:
    """What a service uses to emit events. Call `emit` inside the business transaction.

    Domain code emits contract objects (`services.contracts`); `emit_data` is the untyped form the
    plumbing's own tests and the proofs use for event types of their own.
    """

    def __init__(self, producer: str, outbox: type[OutboxBase], connection: str) -> None:
        self.producer = producer
        self.outbox = outbox
        self.connection = connection
        table = outbox._meta.db_table
        self._insert = (
            f'INSERT INTO "{table}" (event_id, type, district, occurred_at, payload) VALUES ($1, $2, $3, $4, $5::jsonb)'
        )
        self._insert_many = (
            f'INSERT INTO "{table}" (event_id, type, district, occurred_at, payload) '
            "SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])"
        )

    async def emit(self, event: EventContract, district: str) -> Envelope:
        return await self.emit_data(event.type, district, event.to_data())

    async def emit_many(self, events: list[tuple[EventContract, str]]) -> list[Envelope]:
        """Several events (contract, district) in one INSERT: for operations that change many rows at once."""
        return await self.emit_data_many([(event.type, district, event.to_data()) for event, district in events])

    async def emit_data(self, event_type: str, district: str, data: dict[str, Any]) -> Envelope:
        envelope = Envelope(type=event_type, district=district, producer=self.producer, data=data)
        # The caller's transaction when there is one (Tortoise keeps it in a context variable), joined
        # as it is: a nested in_transaction would cost a SAVEPOINT and a RELEASE per event.
        conn = connections.get(self.connection)
        await conn.execute_query(
            self._insert,
            [envelope.id, event_type, district, dt.datetime.fromisoformat(envelope.occurredAt),
             orjson.dumps(envelope.to_dict()).decode()],
        )
        return envelope

    async def emit_data_many(self, events: list[tuple[str, str, dict[str, Any]]]) -> list[Envelope]:
        """Several events (type, district, data) in one INSERT."""
        envelopes = [Envelope(type=t, district=d, producer=self.producer, data=data) for t, d, data in events]
        if envelopes:
            await connections.get(self.connection).execute_query(
                self._insert_many,
                [[e.id for e in envelopes], [e.type for e in envelopes], [e.district for e in envelopes],
                 [dt.datetime.fromisoformat(e.occurredAt) for e in envelopes],
                 [orjson.dumps(e.to_dict()).decode() for e in envelopes]],
            )
        return envelopes
