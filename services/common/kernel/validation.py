"""Input checks every service's domain rules share: free text and ids, refused with the field at fault."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.common.kernel.errors import BadInput


def clean_text(value: str | None, field: str, *, required: bool = True, max_length: int = 200) -> str | None:
    """Trimmed text; empty is refused when required (else None), over-long and control characters always."""
    value = (value or "").strip()
    if any(ord(ch) < 32 and ch not in "\t\n\r" or ch == "\x7f" for ch in value):
        # PostgreSQL refuses NUL in text outright; other control characters are never meant.
        raise BadInput(f"{field} must not contain control characters", field=field)
    if not value:
        if required:
            raise BadInput(f"{field} must not be empty", field=field)
        return None
    if len(value) > max_length:
        raise BadInput(f"{field} is longer than {max_length} characters", field=field)
    return value


def parse_uuid(value: Any, field: str, what: str) -> UUID:
    """An id the client sent; `what` names it in the error, e.g. "a funding round"."""
    try:
        return UUID(str(value))
    except ValueError:
        raise BadInput(f"'{value}' is not {what} id", field=field) from None
