"""What funding emits, and the registry and evaluation events it consumes."""

from __future__ import annotations

import logging

from services.common.directory import DISTRICT_ONBOARDED, directory_handler
from services.common.events import Emitter, Envelope

from .models import DistrictDirectory, KnownOrganization, OrganizationStatus, OutboxEvent

log = logging.getLogger("civic.funding.events")

PROJECT_AWARDED = "funding.project.awarded"
TRANCHE_DISBURSED = "funding.tranche.disbursed"
SERVICE_RECORD_REPORTED = "funding.service_record.reported"
RECOVERY_ORDERED = "funding.recovery.ordered"
RECOVERY_SETTLED = "funding.recovery.settled"

ORGANIZATION_REGISTERED = "registry.organization.registered"
ORGANIZATION_STATUS_CHANGED = "registry.organization.status_changed"
VIOLATION_FOUND = "evaluation.violation.found"

emitter = Emitter(producer="funding", outbox=OutboxEvent, connection="funding")


def _organization_fields(data: dict) -> dict:
    return {
        "name": data["name"],
        "registration": data["registration"],
        "credit_code": data.get("creditCode"),
        "filing_number": data.get("filingNumber"),
        "category": data["category"],
        "subdistrict": data["subdistrict"],
        "community": data.get("community"),
        "status": OrganizationStatus(data["status"]),
    }


async def on_organization_registered(envelope: Envelope) -> None:
    # Creates only: a late registration event must not undo a status change that arrived first.
    await KnownOrganization.get_or_create(
        id=envelope.data["id"], defaults={"district": envelope.district, **_organization_fields(envelope.data)}
    )


async def on_organization_status_changed(envelope: Envelope) -> None:
    await KnownOrganization.update_or_create(
        id=envelope.data["id"], defaults={"district": envelope.district, **_organization_fields(envelope.data)}
    )


async def on_violation_found(envelope: Envelope) -> None:
    from . import domain  # domain emits through this module; import late to keep the cycle harmless

    await domain.order_recovery_for_finding(envelope.district, envelope.data)


handlers = {
    DISTRICT_ONBOARDED: directory_handler(DistrictDirectory),
    ORGANIZATION_REGISTERED: on_organization_registered,
    ORGANIZATION_STATUS_CHANGED: on_organization_status_changed,
    VIOLATION_FOUND: on_violation_found,
}
