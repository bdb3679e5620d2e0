"""What the registry emits. It consumes nothing: it is the source of districts and organizations."""

from __future__ import annotations

from services.common.events import Emitter

from .models import OutboxEvent

DISTRICT_ONBOARDED = "registry.district.onboarded"
ORGANIZATION_REGISTERED = "registry.organization.registered"
ORGANIZATION_STATUS_CHANGED = "registry.organization.status_changed"

emitter = Emitter(producer="registry", outbox=OutboxEvent, connection="registry")


def organization_data(org) -> dict:
    """The organization as other services keep it: enough to award and to show, nothing more."""
    return {
        "id": str(org.id),
        "name": org.name,
        "registration": org.registration.value,
        "creditCode": org.credit_code,
        "filingNumber": org.filing_number,
        "category": org.category.value,
        "subdistrict": org.subdistrict,
        "community": org.community,
        "status": org.status.value,
    }
