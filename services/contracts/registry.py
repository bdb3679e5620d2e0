"""Events the registry emits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .base import EventContract
from .values import CategoryName, OrganizationStatusName

RegistrationName = Literal["REGISTERED", "FILED"]


@dataclass(frozen=True)
class DistrictOnboarded(EventContract):
    """A district (tenant) joined its city; every service keeps the district -> city directory from it."""

    type = "registry.district.onboarded"
    code: str
    name: str
    city_code: str


@dataclass(frozen=True)
class DistrictChanged(EventContract):
    """A district renamed or offboarded (read-only from `offboardedAt` on, kept for the archive)."""

    type = "registry.district.changed"
    code: str
    name: str
    city_code: str
    offboarded_at: str | None  # ISO timestamp


PlaceKindName = Literal["SUBDISTRICT", "COMMUNITY"]


@dataclass(frozen=True)
class GazetteerChanged(EventContract):
    """A gazetteer entry added, renamed or retired: funding keeps a copy of the district's gazetteer."""

    type = "registry.gazetteer.changed"
    id: str
    kind: PlaceKindName
    code: str | None  # the 12-digit statistical division code, where known
    name: str
    subdistrict_id: str | None  # a community's subdistrict
    retired: bool


@dataclass(frozen=True)
class _Organization(EventContract):
    """An organization as other services keep it: enough to award and to show, nothing more."""

    id: str
    name: str
    registration: RegistrationName
    credit_code: str | None
    filing_number: str | None
    category: CategoryName
    subdistrict: str
    community: str | None
    status: OrganizationStatusName


@dataclass(frozen=True)
class OrganizationRegistered(_Organization):
    type = "registry.organization.registered"


@dataclass(frozen=True)
class OrganizationStatusChanged(_Organization):
    """Suspended, reactivated or deregistered: funding refuses to pay a suspended organization."""

    type = "registry.organization.status_changed"
    previous_status: OrganizationStatusName
    reason: str
