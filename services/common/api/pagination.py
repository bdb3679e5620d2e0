"""Relay-style connections with keyset cursors over (created_at, id): stable while rows are added."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
import strawberry.federation
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from services.common.kernel.errors import BadInput

T = TypeVar("T")
MAX_PAGE = 100


# Shareable: every subgraph publishes the same connection shapes.
@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.federation.type(shareable=True)
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.federation.type(shareable=True)
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    # The COUNT runs only when a client selects totalCount: most pages never ask, and it is a round trip
    # and a scan of its own. It runs in the operation's transaction, like the page.
    count_rows: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self.count_rows()


class ReadRow:
    """One row of a page as the nodes' `from_row` read it: its columns as attributes, `pk`, and the
    model's own properties (computed from those columns), without building a model instance."""

    __slots__ = ("_values", "_model", "pk")

    def __init__(self, values: dict[str, Any], model: type) -> None:
        self._values = values
        self._model = model
        self.pk = values[model._meta.pk_attr]

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            pass
        derived = getattr(self._model, name, None)
        if isinstance(derived, property) and derived.fget is not None:
            return derived.fget(self)
        raise AttributeError(f"{self._model.__name__} row has no column or property {name!r}")


def encode_cursor(created_at: dt.datetime, pk: Any) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{pk}".encode()).decode()


BAD_CURSOR = "the cursor is not one this API gave out"
_BIGINT = range(-(2**63), 2**63)


def decode_cursor(cursor: str, model: Any = None) -> tuple[dt.datetime, Any]:
    """The cursor's (created_at, id), each checked to be what the column holds (an aware timestamp, an id
    of the model's key type), so a tampered cursor is refused here and never reaches the database."""
    try:
        stamp, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        created_at = dt.datetime.fromisoformat(stamp)
        if created_at.tzinfo is None:
            raise ValueError("naive timestamp")
        if model is not None:
            pk = model._meta.pk.to_python_value(pk)
        if isinstance(pk, int) and pk not in _BIGINT:
            raise ValueError("id out of range")
        return created_at, pk
    except (ValueError, TypeError, UnicodeError):
        raise BadInput(BAD_CURSOR, field="after") from None


async def paginate(
    queryset: QuerySet,
    *,
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], Any] = lambda row: row,
    time_field: str = "created_at",
) -> Connection:
    size = MAX_PAGE if first is None else first
    if size < 0 or size > MAX_PAGE:
        raise BadInput(f"first must be between 0 and {MAX_PAGE}", field="first")
    page = queryset.order_by(time_field, "id")
    if after:
        stamp, pk = decode_cursor(after, queryset.model)
        page = page.filter(Q(**{f"{time_field}__gt": stamp}) | Q(**{time_field: stamp, "id__gt": pk}))
    # A read-only page: plain rows (a column's Python value by its name), no model instances.
    rows = [ReadRow(values, queryset.model) for values in await page.limit(size + 1).values()]
    has_next = len(rows) > size
    rows = rows[:size]
    edges = [Edge(node=to_node(row), cursor=encode_cursor(getattr(row, time_field), row.pk)) for row in rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count_rows=queryset.count,
    )
