"""Every mutation leaves an audit row: who, in which district, what, and the entity before and after."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from typing import Any

from tortoise.models import Model

from services.common.kernel.auth import Principal
from services.common.data.models import AuditBase


def snapshot(instance: Model | None, *fields: str) -> dict[str, Any] | None:
    """A JSON-safe picture of a row: the named fields, or all of its data fields."""
    if instance is None:
        return None
    names = fields or tuple(instance._meta.db_fields)
    return {name: _jsonable(getattr(instance, name, None)) for name in names}


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


async def record(
    audit_model: type[AuditBase],
    principal: Principal | None,
    *,
    district: str,
    action: str,
    entity: Model | None = None,
    entity_type: str | None = None,
    entity_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await audit_model.create(
        id=uuid.uuid4(),
        district=district,
        actor=principal.sub if principal else "system",
        action=action,
        entity_type=entity_type or (type(entity).__name__ if entity is not None else "unknown"),
        entity_id=str(entity_id if entity_id is not None else getattr(entity, "pk", "")),
        before=before,
        after=after if after is not None else snapshot(entity),
    )
