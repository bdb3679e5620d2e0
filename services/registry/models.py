"""Registry tables. Every tenant table carries `district`, first in each index and unique constraint."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from services.common.kernel.categories import Category
from services.common.kernel.divisions import PlaceKind
from services.common.data.models import TenantModel, platform_models


class Registration(str, Enum):
    REGISTERED = "REGISTERED"  # 登记注册: has a unified social credit code
    FILED = "FILED"  # 备案: the platform issues a filing number


class IncubationStage(str, Enum):
    STARTUP = "STARTUP"
    GROWTH = "GROWTH"
    HUB = "HUB"
    GRADUATED = "GRADUATED"  # 出壳


class PartyOrganization(str, Enum):
    NONE = "NONE"
    INDEPENDENT = "INDEPENDENT"
    JOINT = "JOINT"


class OrganizationStatus(str, Enum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    DEREGISTERED = "DEREGISTERED"


class District(TenantModel):
    # A district is its own tenant: `district` equals `code`.
    code = fields.CharField(max_length=6, primary_key=True)
    name = fields.CharField(max_length=100)
    city_code = fields.CharField(max_length=4)
    bureau_credit_code = fields.CharField(max_length=18, null=True)  # the bureau's own, for open data
    # Offboarded: kept for the archive and readable, never written again (api/operation.py refuses).
    offboarded_at = fields.DatetimeField(null=True)
    offboard_reason = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "district"


class GazetteerEntry(TenantModel):
    """A subdistrict or community of the district, kept by its bureau: what every place field picks from."""

    id = fields.UUIDField(primary_key=True)
    kind = fields.CharEnumField(PlaceKind, max_length=12)
    code = fields.CharField(max_length=12, null=True)  # the statistical division code, where known
    name = fields.CharField(max_length=100)
    subdistrict_id = fields.UUIDField(null=True)  # a community's subdistrict
    retired_at = fields.DatetimeField(null=True)  # retired entries stay for the history, picked no more
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "gazetteer_entry"
        unique_together = (("district", "code"),)
        indexes = (("district", "kind", "name"),)


class SocialOrganization(TenantModel):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    registration = fields.CharEnumField(Registration, max_length=12)
    # Unique within the district (see Meta), not across districts: a uniqueness spanning districts would
    # tell a bureau that another district holds a code. The city admin's report finds such codes.
    credit_code = fields.CharField(max_length=18, null=True)
    filing_number = fields.CharField(max_length=24, null=True)
    category = fields.CharEnumField(Category, max_length=24)
    subdistrict = fields.CharField(max_length=100)
    community = fields.CharField(max_length=100, null=True)
    # The gazetteer entries picked (services/common/data/gazetteer.py): statistics group by them.
    subdistrict_entry_id = fields.UUIDField(null=True)
    subdistrict_code = fields.CharField(max_length=12, null=True)
    community_entry_id = fields.UUIDField(null=True)
    community_code = fields.CharField(max_length=12, null=True)
    incubation_stage = fields.CharEnumField(IncubationStage, max_length=12, null=True)
    party_organization = fields.CharEnumField(PartyOrganization, max_length=12, default=PartyOrganization.NONE)
    status = fields.CharEnumField(OrganizationStatus, max_length=14, default=OrganizationStatus.ACTIVE)
    status_reason = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "social_organization"
        unique_together = (("district", "filing_number"), ("district", "credit_code"))
        indexes = (
            ("district", "created_at", "id"),
            ("district", "registration"),
            ("district", "category"),
            ("district", "status"),
        )


class FilingCounter(TenantModel):
    """The next filing number per district: one row, incremented under its row lock."""

    id = fields.IntField(primary_key=True)
    next_number = fields.IntField(default=1)

    class Meta:
        table = "filing_counter"
        unique_together = (("district",),)


class ServiceStation(TenantModel):
    """社区社会组织服务站, checked against the "five haves"."""

    id = fields.UUIDField(primary_key=True)
    subdistrict = fields.CharField(max_length=100)
    community = fields.CharField(max_length=100)
    # The gazetteer entries picked (services/common/data/gazetteer.py): statistics group by them.
    subdistrict_entry_id = fields.UUIDField(null=True)
    subdistrict_code = fields.CharField(max_length=12, null=True)
    community_entry_id = fields.UUIDField(null=True)
    community_code = fields.CharField(max_length=12, null=True)
    has_staff_at_window = fields.BooleanField(default=False)
    has_name_plate = fields.BooleanField(default=False)
    has_computer = fields.BooleanField(default=False)
    has_archive_cabinet = fields.BooleanField(default=False)
    has_archive_materials = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service_station"
        unique_together = (("district", "community"),)
        indexes = (("district", "created_at", "id"), ("district", "subdistrict"))

    @property
    def compliant(self) -> bool:
        return all(
            (
                self.has_staff_at_window,
                self.has_name_plate,
                self.has_computer,
                self.has_archive_cabinet,
                self.has_archive_materials,
            )
        )


class Account(TenantModel):
    """A person on the platform: the identity provider's (issuer, subject) and what the platform lets them do.

    The IdP's token says only who someone is; this row says the district, roles, subdistrict,
    organization and agency. A city admin's account is kept at the city's own division code
    (`<city>00`, e.g. 230100), which is no district's. (district, issuer, subject) is unique: a subject
    known in another district is no refusal here, so no bureau learns who works elsewhere; sign-in
    refuses a subject active in two places (registry `account_for_subject`).
    """

    id = fields.UUIDField(primary_key=True)
    issuer = fields.CharField(max_length=255)
    subject = fields.CharField(max_length=255)
    name = fields.CharField(max_length=100)
    roles = fields.JSONField()  # a list of role names (services.common.kernel.auth.ROLES)
    subdistrict = fields.CharField(max_length=100, null=True)
    organization_id = fields.UUIDField(null=True)
    agency_id = fields.UUIDField(null=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "account"
        unique_together = (("district", "issuer", "subject"),)
        indexes = (("district", "created_at", "id"),)


OutboxEvent, InboxEvent, AuditRecord, DistrictDirectory = PLATFORM = platform_models(__name__)

TENANT_TABLES = ("district", "social_organization", "filing_counter", "service_station", "account", "audit_record",
                 "gazetteer_entry")

__all__ = [
    "Account",
    "AuditRecord",
    "District",
    "DistrictDirectory",
    "FilingCounter",
    "GazetteerEntry",
    "InboxEvent",
    "Model",
    "OutboxEvent",
    "PlaceKind",
    "ServiceStation",
    "SocialOrganization",
]
