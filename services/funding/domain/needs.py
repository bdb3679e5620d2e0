"""Step 2: residents' needs recorded per subdistrict and community."""

from __future__ import annotations

from typing import Any

from services.common.kernel.auth import BUREAU_ADMIN, Principal
from services.common.kernel.categories import Category
from services.common.data.gazetteer import place_columns, resolve_places
from services.common.kernel.errors import BadInput, Forbidden
from services.common.kernel.validation import clean_name, clean_text

from ..models import CollectionMethod, KnownPlace, Need, Phase
from .common import audit_record, funding_round, require_phase


async def record_need(
    principal: Principal,
    *,
    round_id: Any,
    subdistrict: str,
    community: str,
    category: Category,
    method: CollectionMethod,
    description: str,
) -> Need:
    round_ = await funding_round(round_id, for_update=False)
    # Picked from the district's gazetteer (funding's copy of the registry's), never free text.
    sub_place, com_place = await resolve_places(KnownPlace, round_.district, subdistrict, community)
    if com_place is None:
        raise BadInput("community must not be empty", field="community")
    subdistrict, community = sub_place.name, com_place.name
    if BUREAU_ADMIN not in principal.roles and principal.subdistrict != subdistrict:
        raise Forbidden(
            f"a subdistrict officer of {principal.subdistrict or 'no subdistrict'} cannot record needs of {subdistrict}",
            field="subdistrict",
        )
    require_phase(round_, Phase.NEEDS_INTAKE, doing="recording needs")
    need = await Need.create(
        district=round_.district,
        round_id=round_.id,
        **place_columns(sub_place, com_place),
        category=category,
        method=method,
        description=clean_text(description, "description", max_length=4000),
        recorded_by=principal.sub,
    )
    await audit_record(principal, "recordNeed", need)
    return need
