"""What funding consumes: districts and organizations from the registry, violations from evaluation."""

from __future__ import annotations

import datetime as dt

from services.common.events.directory import directory_handler, district_changed_handler
from services.common.events import Envelope
from services.common.events.handlers import consumes, handler_table
from services.contracts import GazetteerChanged, OrganizationRegistered, OrganizationStatusChanged, ViolationFound

from .domain.places import follow_entry
from .domain.recovery import order_recovery_for_finding
from .models import DistrictDirectory, KnownOrganization, KnownPlace, OrganizationStatus


def _organization_fields(event: OrganizationRegistered | OrganizationStatusChanged) -> dict:
    return {
        "name": event.name,
        "registration": event.registration,
        "credit_code": event.credit_code,
        "filing_number": event.filing_number,
        "category": event.category,
        "subdistrict": event.subdistrict,
        "community": event.community,
        "status": OrganizationStatus(event.status),
    }


@consumes(OrganizationRegistered)
async def on_organization_registered(event: OrganizationRegistered, envelope: Envelope) -> None:
    # Creates only: a late registration event must not undo a status change that arrived first.
    await KnownOrganization.get_or_create(
        id=event.id, defaults={"district": envelope.district, **_organization_fields(event)}
    )


@consumes(OrganizationStatusChanged)
async def on_organization_status_changed(event: OrganizationStatusChanged, envelope: Envelope) -> None:
    await KnownOrganization.update_or_create(
        id=event.id, defaults={"district": envelope.district, **_organization_fields(event)}
    )


@consumes(GazetteerChanged)
async def on_gazetteer_changed(event: GazetteerChanged, envelope: Envelope) -> None:
    # The event carries the whole entry, so the latest one applied is the entry as the registry has it.
    known = await KnownPlace.get_or_none(id=event.id)
    if known is not None and (known.name, known.code) != (event.name, event.code):
        await follow_entry(envelope.district, event.kind, event.id, known.name, event.name, event.code)
    await KnownPlace.update_or_create(id=event.id, defaults={
        "district": envelope.district, "kind": event.kind, "code": event.code, "name": event.name,
        "subdistrict_id": event.subdistrict_id,
        "retired_at": dt.datetime.fromisoformat(envelope.occurredAt) if event.retired else None})


@consumes(ViolationFound)
async def on_violation_found(event: ViolationFound, envelope: Envelope) -> None:
    await order_recovery_for_finding(envelope.district, event)


handlers = handler_table(
    directory_handler(DistrictDirectory),
    district_changed_handler(DistrictDirectory),
    on_organization_registered,
    on_organization_status_changed,
    on_gazetteer_changed,
    on_violation_found,
)
