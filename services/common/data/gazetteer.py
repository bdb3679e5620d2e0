"""Resolving a place a client named (a 12-digit code, an exact name, or an entry id) in a district's
gazetteer: the registry's own table, or funding's copy of it (the same columns).

Only the district's active entries resolve: a name is normalized first (NFC, trimmed, inner whitespace
collapsed) and must then be an entry's exactly. A district whose bureau has kept no gazetteer yet has no
places to pick, so every place field is refused there, naming the field and the known entries (none).
A row stores the entry it picked (`place_columns`): its id and code beside its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.common.kernel.divisions import PlaceKind, normalize_name
from services.common.kernel.validation import clean_name
from services.common.kernel.errors import BadInput


@dataclass(frozen=True)
class Place:
    """What a place field stores: the entry's id, its name and its code (None where the entry has none)."""

    name: str
    code: str | None = None
    id: Any = None

    @classmethod
    def of(cls, entry: Any) -> "Place":
        return cls(entry.name, entry.code, entry.id)


def place_columns(subdistrict: Place | None, community: Place | None) -> dict[str, Any]:
    """The columns a row keeps of the places it names (name, entry id, code): statistics group by the entry."""
    columns: dict[str, Any] = {}
    for column, place in (("subdistrict", subdistrict), ("community", community)):
        columns[column] = place.name if place else None
        columns[f"{column}_entry_id"] = place.id if place else None
        columns[f"{column}_code"] = place.code if place else None
    return columns


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
    subdistrict when both are given."""
    sub_name = place_name(subdistrict, subdistrict_field, required=subdistrict_required)
    com_name = place_name(community, community_field, required=False)
    sub = await entry_named(model, district, PlaceKind.SUBDISTRICT, sub_name, subdistrict_field) if sub_name else None
    com = (await entry_named(model, district, PlaceKind.COMMUNITY, com_name, community_field, parent=sub)
           if com_name else None)
    if com is not None and sub is None:
        sub = await model.get_or_none(district=district, id=com.subdistrict_id)
    return (Place.of(sub) if sub else None), (Place.of(com) if com else None)
