"""Counts grouped by one column, for the statistics every bureau asks for."""

from __future__ import annotations

import strawberry
import strawberry.federation
from tortoise.functions import Count


@strawberry.federation.type(shareable=True)
class CountBy:
    key: str
    count: int


async def count_by(queryset, field: str) -> list[CountBy]:
    rows = await queryset.annotate(n=Count("id")).group_by(field).order_by(field).values(field, "n")
    return [CountBy(key=getattr(row[field], "value", row[field]) or "NONE", count=row["n"]) for row in rows]
