"""Community service stations (社区社会组织服务站): one per community, checked against the five haves."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.data import audit
from services.common.data.gazetteer import place_columns
from services.common.kernel.auth import BUREAU_ADMIN, Principal
from services.common.kernel.errors import BadInput, Forbidden

from ..models import AuditRecord, ServiceStation
from .gazetteer import resolve


@dataclass
class StationCommand:
    subdistrict: str
    community: str
    has_staff_at_window: bool = False
    has_name_plate: bool = False
    has_computer: bool = False
    has_archive_cabinet: bool = False
    has_archive_materials: bool = False


async def upsert_service_station(principal: Principal, data: StationCommand) -> ServiceStation:
    """One station per community: created the first time, its checklist updated after that."""
    district = principal.home_district
    if not (data.community or "").strip():
        raise BadInput("community must not be empty", field="community")
    sub_place, com_place = await resolve(district, data.subdistrict, data.community)
    subdistrict, community = sub_place.name, com_place.name
    places = place_columns(sub_place, com_place)
    if BUREAU_ADMIN not in principal.roles and principal.subdistrict != subdistrict:
        raise Forbidden(f"a subdistrict officer of {principal.subdistrict} cannot record stations of {subdistrict}", field="subdistrict")
    checklist = {
        "has_staff_at_window": data.has_staff_at_window,
        "has_name_plate": data.has_name_plate,
        "has_computer": data.has_computer,
        "has_archive_cabinet": data.has_archive_cabinet,
        "has_archive_materials": data.has_archive_materials,
    }
    # The community's station: one per community, found by the name it stores (which follows renames).
    station = await ServiceStation.filter(district=district, community=community).select_for_update().first()
    before = audit.snapshot(station)
    if station is None:
        station = await ServiceStation.create(district=district, **places, **checklist)
    else:
        if station.subdistrict != subdistrict:
            raise BadInput(f"community {community} belongs to subdistrict {station.subdistrict}", field="subdistrict")
        for name, value in places.items():  # a station from before the gazetteer takes its entries now
            setattr(station, name, value)
        for name, value in checklist.items():
            setattr(station, name, value)
        await station.save()
    await audit.record(AuditRecord, principal, district=district, action="upsertServiceStation", entity=station, before=before)
    return station
