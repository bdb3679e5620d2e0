"""Step 3: the project library: like needs merged into entries (and unmerged), each move with its reason."""

from __future__ import annotations

from typing import Any

from services.common.data import audit
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput, Conflict, NotFound
from services.common.data.lookup import one
from services.common.kernel.money import format_fen
from services.common.kernel.validation import clean_name, clean_text, parse_uuid

from ..models import LibraryEntry, LibraryMerge, Need, Phase
from .common import audit_record, funding_round, require_phase


async def merge_needs(
    principal: Principal,
    *,
    need_ids: list[Any],
    reason: str,
    entry_id: Any = None,
    title: str | None = None,
    requested_fen: int | None = None,
) -> LibraryEntry:
    """Merge like needs into a new entry, or into an existing one when `entry_id` is given."""
    reason = clean_text(reason, "reason", max_length=2000)
    if not need_ids:
        raise BadInput("name at least one need to merge", field="needIds")
    ids = [parse_uuid(value, "needIds", "a need") for value in need_ids]
    if len(set(ids)) != len(ids):
        raise BadInput("a need is named twice", field="needIds")
    needs = await Need.filter(id__in=ids).select_for_update().order_by("created_at")
    if len(needs) != len(ids):
        missing = sorted({str(i) for i in ids} - {str(n.id) for n in needs})
        raise NotFound(f"no need {missing[0]} in this district", field="needIds")
    if len({n.round_id for n in needs}) != 1:
        raise BadInput("needs of different rounds cannot be merged", field="needIds")
    round_ = await funding_round(needs[0].round_id, for_update=False)
    require_phase(round_, Phase.LIBRARY, doing="merging needs")
    for need in needs:
        if need.library_entry_id is not None:
            raise Conflict(f"need {need.id} already belongs to a library entry; unmerge it first", field="needIds")
    if entry_id is not None:
        entry = await one(LibraryEntry, entry_id, field="entryId", what="library entry", for_update=True)
        if entry.round_id != round_.id:
            raise BadInput("the entry belongs to another round", field="entryId")
    else:
        title = clean_name(title, "title")
        if requested_fen is None or requested_fen <= 0:
            raise BadInput("a new entry needs the amount it requests, above zero", field="requested")
        if requested_fen > round_.budget_fen:
            raise BadInput(f"the request exceeds the round's budget of {format_fen(round_.budget_fen)}", field="requested")
        categories = {n.category for n in needs}
        if len(categories) != 1:
            raise BadInput("only like needs merge: these needs are of different categories", field="needIds")
        entry = await LibraryEntry.create(
            district=round_.district, round_id=round_.id, title=title, category=needs[0].category, requested_fen=requested_fen
        )
    for need in needs:
        if need.category is not entry.category:
            raise BadInput(
                f"need {need.id} is {need.category.value}, the entry is {entry.category.value}: only like needs merge",
                field="needIds",
            )
    await Need.filter(id__in=ids).update(library_entry_id=entry.id)
    merge = await LibraryMerge.create(
        district=entry.district, entry_id=entry.id, action="MERGE", need_ids=[str(i) for i in ids],
        actor=principal.sub, reason=reason,
    )
    await audit_record(principal, "mergeNeeds", merge)
    return entry


async def unmerge_need(principal: Principal, need_id: Any, reason: str) -> LibraryEntry:
    reason = clean_text(reason, "reason", max_length=2000)
    need = await one(Need, need_id, field="needId", what="need", for_update=True)
    round_ = await funding_round(need.round_id, for_update=False)
    require_phase(round_, Phase.LIBRARY, doing="unmerging needs")
    if need.library_entry_id is None:
        raise BadInput("this need belongs to no library entry", field="needId")
    entry = await LibraryEntry.get(id=need.library_entry_id)
    before = audit.snapshot(need)
    need.library_entry_id = None
    await need.save(update_fields=["library_entry_id"])
    merge = await LibraryMerge.create(
        district=entry.district, entry_id=entry.id, action="UNMERGE", need_ids=[str(need.id)],
        actor=principal.sub, reason=reason,
    )
    await audit_record(principal, "unmergeNeed", need, before)
    await audit_record(principal, "unmergeNeed", merge)
    return entry
