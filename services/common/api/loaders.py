"""DataLoader helpers. Loaders are created per request: a shared cache would leak rows between tenants."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader
from tortoise.models import Model


def valid_uuid(key: Any) -> UUID | None:
    try:
        return UUID(str(key))
    except ValueError:
        return None


def by_key(model: type[Model], key_field: str = "id", parse: Callable[[Any], Any] = valid_uuid) -> DataLoader:
    """Rows by key, one query per batch; None where row-level security or absence hides a key."""

    async def load(keys: Iterable[Any]) -> list[Model | None]:
        keys = list(keys)
        parsed = [parse(key) for key in keys]
        wanted = [value for value in parsed if value is not None]
        rows = await model.filter(**{f"{key_field}__in": wanted}) if wanted else []
        found = {str(getattr(row, key_field)): row for row in rows}
        return [found.get(str(value)) if value is not None else None for value in parsed]

    return DataLoader(load_fn=load)


def grouped_by(model: type[Model], foreign_key: str, parse: Callable[[Any], Any] = valid_uuid, order_by: str = "created_at") -> DataLoader:
    """Lists of rows per parent key (e.g. projects per organization), one query per batch."""

    async def load(keys: Iterable[Any]) -> list[list[Model]]:
        keys = list(keys)
        parsed = [parse(key) for key in keys]
        wanted = [value for value in parsed if value is not None]
        rows = await model.filter(**{f"{foreign_key}__in": wanted}).order_by(order_by) if wanted else []
        groups: dict[str, list[Model]] = {}
        for row in rows:
            groups.setdefault(str(getattr(row, foreign_key)), []).append(row)
        return [groups.get(str(value), []) if value is not None else [] for value in parsed]

    return DataLoader(load_fn=load)
