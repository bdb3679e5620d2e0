"""Finding one row of the caller's district by the id a client sent: the one lookup every service uses."""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.models import Model

from services.common.kernel.errors import NotFound
from services.common.kernel.validation import parse_uuid

M = TypeVar("M", bound=Model)


async def one(model: type[M], value: Any, *, field: str, what: str, for_update: bool) -> M:
    """The row whose id the client sent, or NOT_FOUND naming the field.

    Row-level security hides other districts' rows, so "not yours" and "no such" read the same.
    `for_update` is always stated: a command that changes the row (or decides on it) locks it until
    its transaction ends; a read does not.
    """
    article = "an" if what[:1] in "aeiou" else "a"
    query = model.filter(id=parse_uuid(value, field, f"{article} {what}"))
    row = await (query.select_for_update() if for_update else query).first()
    if row is None:
        raise NotFound(f"no {what} {value} in this district", field=field)
    return row
