"""Resolving a place a client named (a 12-digit code, an exact name, or an entry id) in a district's
gazetteer: the registry's own table, or funding's copy of it (the same columns).

A district whose gazetteer is still empty keeps accepting names as given (normalized: NFC, trimmed,
inner whitespace collapsed) until its bureau adds its first entry; from then on only entries resolve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.common.kernel.divisions import PlaceKind, normalize_name
from services.common.kernel.validation import clean_name
from services.common.kernel.errors import BadInput


@dataclass(frozen=True)
class Place:
    """What a place field stores: the entry's name and its code (None where unknown, or no gazetteer yet)."""

    name: str
    code: str | None = None
    entry: Any = None


def place_name(value: str | None, field: str, *, required: bool = True) -> str | None:
    return clean_name(value, field, required=required, max_length=100)


async def entry_named(model: Any, district: str, kind: PlaceKind, value: str, field: str, parent: Any = None) -> Any:
    """The active entry a client named by code, exact name or id; BAD_USER_INPUT naming the field if none."""
    given = normalize_name(value)
    query = model.filter(district=district, kind=kind, retired_at__isnull=True)
    if parent is not None:
        query = query.filter(subdistrict_id=parent.id)
    found = await query.filter(code=given).first() if given.isdigit() else await query.filter(name=given).first()
    if found is None and len(given) == 36:
        try:
            found = await query.filter(id=given).first()
        except ValueError:
            found = None
    if found is None:
        known = [e.name for e in await query.order_by("name").limit(12)]
        where = f" of {parent.name}" if parent is not None else ""
        raise BadInput(f"'{given}' is not a {kind.value.lower()}{where} in district {district}'s gazetteer"
                       f" (known: {', '.join(known) or 'none'})", field=field)
    return found


async def resolve_places(model: Any, district: str, subdistrict: str | None, community: str | None, *,
                         subdistrict_field: str = "subdistrict", community_field: str = "community",
                         subdistrict_required: bool = True) -> tuple[Place | None, Place | None]:
    """The subdistrict and community a command names, as gazetteer entries; a community must lie in the
    subdistrict when both are given. Without a gazetteer yet, the names as given (normalized)."""
    sub_name = place_name(subdistrict, subdistrict_field, required=subdistrict_required)
    com_name = place_name(community, community_field, required=False)
    sub = await entry_named(model, district, PlaceKind.SUBDISTRICT, sub_name, subdistrict_field) if sub_name else None
    com = (await entry_named(model, district, PlaceKind.COMMUNITY, com_name, community_field, parent=sub)
           if com_name else None)
    if com is not None and sub is None:
        sub = await model.get_or_none(district=district, id=com.subdistrict_id)
    return ((Place(sub.name, sub.code, sub) if sub else None), (Place(com.name, com.code, com) if com else None))
