"""Input checks every service's domain rules share: free text, names and places, ids, refused with the
field at fault."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from uuid import UUID

from services.common.kernel.errors import BadInput

# C0 controls but tab, newline and carriage return; DEL; C1 controls. PostgreSQL refuses NUL in text
# outright, and none of the others is ever meant: every string input is checked for them
# (services/common/api/input_errors.py), the domain's text again here.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Invisible characters that make two spellings of one name: zero-width space/non-joiner/joiner, word
# joiner, BOM, soft hyphen, and the bidirectional controls (LRM/RLM/ALM, embeddings, overrides, isolates).
_INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_WHITESPACE = re.compile(r"\s+")


def has_control_characters(value: str) -> bool:
    return _CONTROL.search(value) is not None


def clean_text(value: str | None, field: str, *, required: bool = True, max_length: int = 200) -> str | None:
    """NFC and trimmed; empty is refused when required (else None), over-long and control characters always."""
    value = unicodedata.normalize("NFC", value or "").strip()
    if has_control_characters(value):
        raise BadInput(f"{field} must not contain control characters", field=field)
    if not value:
        if required:
            raise BadInput(f"{field} must not be empty", field=field)
        return None
    if len(value) > max_length:
        raise BadInput(f"{field} is longer than {max_length} characters", field=field)
    return value


def clean_name(value: str | None, field: str, *, required: bool = True, max_length: int = 200) -> str | None:
    """A name or a place, in the one spelling uniqueness and statistics count: clean_text, inner whitespace
    collapsed to one space; zero-width and bidirectional control characters refused (they would make
    `安静社区` and `安静社区\u200b` two communities that look the same)."""
    if value is not None:
        if _INVISIBLE.search(value):
            raise BadInput(f"{field} must not contain zero-width or text-direction characters", field=field)
        if has_control_characters(value):  # before collapsing: \s would take some controls for spaces
            raise BadInput(f"{field} must not contain control characters", field=field)
        value = _WHITESPACE.sub(" ", value)
    return clean_text(value, field, required=required, max_length=max_length)


def parse_uuid(value: Any, field: str, what: str) -> UUID:
    """An id the client sent; `what` names it in the error, e.g. "a funding round"."""
    try:
        return UUID(str(value))
    except ValueError:
        raise BadInput(f"'{value}' is not {what} id", field=field) from None
