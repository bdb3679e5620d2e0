"""Every list a client sends has a maximum: each item becomes rows, events and audit records, and an
unbounded list is a request nobody can bound. Checked when the input is built (an input type's
`__post_init__`, or a mutation's list argument), before any domain code or database work."""

from __future__ import annotations

from collections.abc import Sized

from services.common.kernel.errors import BadInput


def at_most(maximum: int, field: str, items: Sized | None) -> None:
    """BAD_USER_INPUT naming `field` (its GraphQL name) when `items` holds more than `maximum`."""
    if items is not None and len(items) > maximum:
        raise BadInput(f"{field} holds at most {maximum} items; this one holds {len(items)}", field=field)
