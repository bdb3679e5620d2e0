"""Relay-style connections with keyset cursors over (created_at, id): stable while rows are added."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
import strawberry.federation

from services.common.api.projection import Projection
from services.common.data.reads import ReadList
from services.common.kernel.errors import BadInput

T = TypeVar("T")
MAX_PAGE = 100


# Shareable: every subgraph publishes the same connection shapes.
@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    # The first and last rows' keyset positions; their cursors are encoded only when a client selects them.
    start: strawberry.Private[tuple[dt.datetime, Any] | None]
    end: strawberry.Private[tuple[dt.datetime, Any] | None]

    @strawberry.field
    def start_cursor(self) -> str | None:
        return encode_cursor(*self.start) if self.start else None

    @strawberry.field
    def end_cursor(self) -> str | None:
        return encode_cursor(*self.end) if self.end else None


@strawberry.federation.type(shareable=True)
class Edge(Generic[T]):
    node: T
    # The row's keyset position; its cursor is encoded only when a client selects it.
    position: strawberry.Private[tuple[dt.datetime, Any]]

    @strawberry.field
    def cursor(self) -> str:
        return encode_cursor(*self.position)


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
    rows: ReadList,
    *,
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], Any] = lambda row: row,
    time_field: str = "created_at",
    projection: Projection | None = None,
) -> Connection:
    """`projection` (api/projection.py): the page reads only the columns its nodes show, and builds them."""
    size = MAX_PAGE if first is None else first
    if size < 0 or size > MAX_PAGE:
        raise BadInput(f"first must be between 0 and {MAX_PAGE}", field="first")
    position = decode_cursor(after, rows.model) if after else None
    # A read-only page: plain rows (data/reads.py), no model instances.
    only = None if projection is None else projection.columns
    page = await rows.page(size + 1, time_field=time_field, after=position, only=only)
    if projection is not None:
        to_node = projection.node
    has_next = len(page) > size
    page = page[:size]
    edges = [Edge(node=to_node(row), position=(getattr(row, time_field), row.pk)) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start=edges[0].position if edges else None,
            end=edges[-1].position if edges else None,
        ),
        count_rows=rows.count,
    )
