"""What the registry emits. It consumes nothing: it is the source of districts and organizations."""

from __future__ import annotations

from services.common.events import Emitter
from services.contracts import OrganizationRegistered, OrganizationStatusChanged

from .models import OutboxEvent, SocialOrganization

emitter = Emitter(producer="registry", outbox=OutboxEvent, connection="registry")


def organization_fields(org: SocialOrganization) -> dict:
    """The organization as other services keep it: enough to award and to show, nothing more."""
    return {
        "id": str(org.id),
        "name": org.name,
        "registration": org.registration.value,
        "credit_code": org.credit_code,
        "filing_number": org.filing_number,
        "category": org.category.value,
        "subdistrict": org.subdistrict,
        "community": org.community,
        "status": org.status.value,
    }


def organization_registered(org: SocialOrganization) -> OrganizationRegistered:
    return OrganizationRegistered(**organization_fields(org))


def organization_status_changed(org: SocialOrganization, previous: str, reason: str) -> OrganizationStatusChanged:
    return OrganizationStatusChanged(**organization_fields(org), previous_status=previous, reason=reason)
