"""The district's gazetteer: its subdistricts (街道) and communities (社区), kept by the bureau.

Every place field of the platform (organizations, stations here; needs, projects and service records in
funding, from its copy) picks an active entry: by its 12-digit statistical division code, its exact name
(NFC, trimmed, inner whitespace collapsed) or its id. A district with no entries yet has nothing to pick:
its bureau keeps its gazetteer first. Rows keep the entry's id and code beside its name, and statistics
group by the entry, so a renamed place stays one row.
"""

from __future__ import annotations

import datetime as dt

from services.common.data import audit
from services.common.data.lookup import one
from services.common.kernel.auth import Principal
from services.common.data.gazetteer import entry_named, place_name, resolve_places
from services.common.kernel.divisions import community_code_problem, subdistrict_code_problem
from services.common.kernel.errors import BadInput, Conflict
from services.common.kernel.validation import clean_text
from services.contracts import GazetteerChanged

from .. import events
from ..models import AuditRecord, District, GazetteerEntry, PlaceKind, ServiceStation, SocialOrganization


async def _lock_gazetteer(district: str) -> None:
    # Changes to one district's gazetteer take turns on its district row, so two same names cannot race in.
    await District.filter(code=district).select_for_update().first()


def _announce(entry: GazetteerEntry) -> GazetteerChanged:
    return GazetteerChanged(id=str(entry.id), kind=entry.kind.value, code=entry.code, name=entry.name,
                            subdistrict_id=str(entry.subdistrict_id) if entry.subdistrict_id else None,
                            retired=entry.retired_at is not None)


async def _check_free(district: str, kind: PlaceKind, name: str, code: str | None, *, other_than=None) -> None:
    same_name = GazetteerEntry.filter(district=district, kind=kind, name=name, retired_at__isnull=True)
    same_code = GazetteerEntry.filter(district=district, code=code) if code else None
    if other_than is not None:
        same_name = same_name.exclude(id=other_than)
        same_code = same_code.exclude(id=other_than) if same_code is not None else None
    if await same_name.exists():
        raise Conflict(f"the gazetteer already has a {kind.value.lower()} named {name}", field="name")
    if same_code is not None and await same_code.exists():
        raise Conflict(f"the gazetteer already has an entry with code {code}", field="code")


async def _follow_entry(district: str, entry: GazetteerEntry) -> None:
    """The rows that picked a renamed (or newly coded) entry show its name and code from now on: the same
    place; funding's rows follow from the event."""
    column = "subdistrict" if entry.kind is PlaceKind.SUBDISTRICT else "community"
    for model in (SocialOrganization, ServiceStation):
        await model.filter(district=district, **{f"{column}_entry_id": entry.id}).update(
            **{column: entry.name, f"{column}_code": entry.code})


async def _checked_code(district: str, kind: PlaceKind, code: str | None, parent: GazetteerEntry | None) -> str | None:
    code = clean_text(code, "code", required=False, max_length=12)
    if code is None:
        return None
    if kind is PlaceKind.SUBDISTRICT:
        problem = subdistrict_code_problem(code, district)
    elif parent is not None and parent.code:
        problem = community_code_problem(code, parent.code)
    else:
        problem = subdistrict_code_problem(code[:9] + "000", district) or community_code_problem(code, code[:9] + "000")
    if problem is not None:
        raise BadInput(problem, field="code")
    return code


async def add_place(principal: Principal, *, kind: PlaceKind, name: str, code: str | None = None,
                    subdistrict: str | None = None) -> GazetteerEntry:
    """Adds a subdistrict, or a community under one of the gazetteer's subdistricts (`subdistrict`: its
    code, name or id)."""
    district = principal.home_district
    name = place_name(name, "name")
    await _lock_gazetteer(district)
    parent = None
    if kind is PlaceKind.COMMUNITY:
        if not subdistrict:
            raise BadInput("a community is added under a subdistrict of the gazetteer", field="subdistrict")
        parent = await entry_named(GazetteerEntry, district, PlaceKind.SUBDISTRICT, subdistrict, "subdistrict")
    elif subdistrict:
        raise BadInput("a subdistrict is not under another subdistrict", field="subdistrict")
    code = await _checked_code(district, kind, code, parent)
    await _check_free(district, kind, name, code)
    entry = await GazetteerEntry.create(district=district, kind=kind, name=name, code=code,
                                        subdistrict_id=parent.id if parent else None)
    await events.emitter.emit(_announce(entry), district)
    await audit.record(AuditRecord, principal, district=district, action="addGazetteerEntry", entity=entry)
    return entry


async def change_place(principal: Principal, entry_id: str, *, name: str | None = None, code: str | None = None,
                       retire: bool = False) -> GazetteerEntry:
    """Renames an entry, records its code, or retires it (kept for the history, picked no more)."""
    district = principal.home_district
    await _lock_gazetteer(district)
    entry = await one(GazetteerEntry, entry_id, field="id", what="gazetteer entry", for_update=True)
    if entry.retired_at is not None:
        raise Conflict(f"{entry.name} is retired from the gazetteer", field="id")
    before = audit.snapshot(entry)
    if retire:
        if entry.kind is PlaceKind.SUBDISTRICT and await GazetteerEntry.exists(
                district=district, subdistrict_id=entry.id, retired_at__isnull=True):
            raise Conflict(f"subdistrict {entry.name} still has communities; retire them first", field="id")
        entry.retired_at = dt.datetime.now(dt.timezone.utc)
    else:
        new_name = place_name(name, "name", required=False) or entry.name
        parent = await GazetteerEntry.get_or_none(id=entry.subdistrict_id) if entry.subdistrict_id else None
        new_code = await _checked_code(district, entry.kind, code, parent) if code is not None else entry.code
        await _check_free(district, entry.kind, new_name, new_code, other_than=entry.id)
        changed = (new_name, new_code) != (entry.name, entry.code)
        entry.name, entry.code = new_name, new_code
        if changed:
            await _follow_entry(district, entry)
    await entry.save()
    await events.emitter.emit(_announce(entry), district)
    await audit.record(AuditRecord, principal, district=district, entity=entry, before=before,
                       action="retireGazetteerEntry" if retire else "renameGazetteerEntry")
    return entry




async def resolve(district: str, subdistrict: str | None, community: str | None, **options):
    """The places a registry command names, from the registry's own gazetteer."""
    return await resolve_places(GazetteerEntry, district, subdistrict, community, **options)
