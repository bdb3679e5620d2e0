"""GraphQL scalars shared by the subgraphs."""

from __future__ import annotations

from typing import NewType

import strawberry

from services.common.kernel.money import format_fen, parse_yuan

Money = strawberry.scalar(
    NewType("Money", int),
    description='An amount of CNY: a string of yuan with exactly two decimals, e.g. "2000000.00". '
    "Stored as integer fen; never a float.",
    serialize=format_fen,
    parse_value=parse_yuan,
)
