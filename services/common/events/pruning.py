"""Sent outbox rows are kept a while (to see what was published, and when), then deleted.

The oldest rows are at the head of the table in id order, so each round deletes, of the next `chunk`
rows by id, those sent before the cutoff, and stops at a round that deletes none: the head then holds
only rows still unsent or sent recently. A round reads `chunk` rows of the primary key, never the whole
table, and needs no index on sent_at (which every relay UPDATE would have to maintain).
"""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from services.common.data.models import OutboxBase

PRUNE_EVERY_SECONDS = 600


async def prune_sent(outbox: type[OutboxBase], connection: str, *, keep_for: dt.timedelta, chunk: int = 5000) -> int:
    """Deletes outbox rows sent longer ago than `keep_for` (config.outbox_keep_sent); returns how many."""
    table = outbox._meta.db_table
    deleted = 0
    while True:
        async with in_transaction(connection) as conn:  # one short transaction a round
            rows = await conn.execute_query_dict(
                f'DELETE FROM "{table}" WHERE id IN (SELECT id FROM "{table}" ORDER BY id LIMIT $1) '
                "AND sent_at < now() - $2::interval RETURNING id",
                [chunk, keep_for],
            )
        deleted += len(rows)
        if not rows:
            return deleted
