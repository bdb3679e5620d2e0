"""The registry's GraphQL input types (they keep their GraphQL names; the domain takes commands)."""

from __future__ import annotations

import strawberry

from services.common.kernel.categories import Category

from .. import models
from .types import Role, IncubationStage, OrganizationStatus, PartyOrganization, Registration


@strawberry.input
class OrganizationFilter:
    registration: Registration | None = None
    category: Category | None = None
    status: OrganizationStatus | None = None
    incubation_stage: IncubationStage | None = None
    in_incubator: bool | None = None
    party_organization: PartyOrganization | None = None
    subdistrict: str | None = None
    community: str | None = None
    name_contains: str | None = None


@strawberry.input
class ServiceStationFilter:
    subdistrict: str | None = None
    community: str | None = None
    compliant: bool | None = None


@strawberry.input
class RegisterOrganizationInput:
    name: str
    registration: Registration
    category: Category
    subdistrict: str
    community: str | None = None
    credit_code: str | None = None
    incubation_stage: IncubationStage | None = None
    party_organization: PartyOrganization = models.PartyOrganization.NONE


@strawberry.input
class ServiceStationInput:
    subdistrict: str
    community: str
    has_staff_at_window: bool = False
    has_name_plate: bool = False
    has_computer: bool = False
    has_archive_cabinet: bool = False
    has_archive_materials: bool = False


@strawberry.input
class OnboardDistrictInput:
    code: str
    name: str
    city_code: str


@strawberry.input(description="A person the bureau (or, for bureau admins, the city) puts on the platform.")
class CreateAccountInput:
    subject: str = strawberry.field(description="the identity provider's sub for this person")
    name: str
    roles: list[Role]
    issuer: str | None = strawberry.field(default=None, description="the identity provider; by default the configured one (OIDC_ISSUER)")
    district: str | None = strawberry.field(default=None, description="a city admin names the district of a new bureau admin; a bureau's accounts are its own district's")
    subdistrict: str | None = strawberry.field(default=None, description="subdistrict_officer: where they work")
    organization_id: strawberry.ID | None = strawberry.field(default=None, description="org_member: the organization they act for")
    agency_id: strawberry.ID | None = strawberry.field(default=None, description="evaluator: the evaluation agency they work for")


@strawberry.input
class UpdateAccountInput:
    name: str
    roles: list[Role]
    subdistrict: str | None = None
    organization_id: strawberry.ID | None = None
    agency_id: strawberry.ID | None = None
