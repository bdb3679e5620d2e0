"""Funding tables. Every tenant table carries `district`, first in each index and unique constraint.

Money is integer fen in columns ending in `_fen`.
"""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from services.common.kernel.categories import Category
from services.common.kernel.divisions import PlaceKind
from services.common.data.models import TenantModel, platform_models


class Phase(str, Enum):
    NEEDS_INTAKE = "NEEDS_INTAKE"
    LIBRARY = "LIBRARY"
    REVIEW = "REVIEW"
    NOTICE = "NOTICE"
    AWARDED = "AWARDED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"  # off the forward order: a mistaken round, cancelled with a reason


PHASES = [p for p in Phase if p is not Phase.CANCELLED]


class CollectionMethod(str, Enum):
    QUESTIONNAIRE = "QUESTIONNAIRE"
    DOOR_TO_DOOR = "DOOR_TO_DOOR"
    FIELD_SURVEY = "FIELD_SURVEY"


class MemberKind(str, Enum):
    EXPERT = "EXPERT"
    RESIDENT_REP = "RESIDENT_REP"
    OFFICIAL = "OFFICIAL"
    ORG_REP = "ORG_REP"


class ProjectStatus(str, Enum):
    SELECTED = "SELECTED"  # on public notice, not yet awarded
    WITHDRAWN = "WITHDRAWN"  # an objection against it was upheld
    # Awarded above its reviewed request, with a reason: waits for a second bureau admin's approval.
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    AWARDED = "AWARDED"


class ObjectionStatus(str, Enum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"
    DISMISSED = "DISMISSED"


class TrancheStatus(str, Enum):
    PLANNED = "PLANNED"
    DISBURSED = "DISBURSED"


class RecoveryStatus(str, Enum):
    OPEN = "OPEN"
    SETTLED = "SETTLED"


class RecoverySource(str, Enum):
    BUREAU = "BUREAU"
    EVALUATION = "EVALUATION"


class OrganizationStatus(str, Enum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    DEREGISTERED = "DEREGISTERED"


class FundingRound(TenantModel):
    """A venture round (公益创投): a budgeted fund that moves through the phases once."""

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    year = fields.IntField()
    budget_fen = fields.BigIntField()
    phase = fields.CharEnumField(Phase, max_length=14, default=Phase.NEEDS_INTAKE)
    cancel_reason = fields.TextField(null=True)
    # Published review criteria: [{"name": ..., "weight": int}], fixed when the round opens.
    criteria = fields.JSONField()
    min_reviews = fields.IntField(default=3)
    notice_days = fields.IntField(default=7)
    notice_started_at = fields.DatetimeField(null=True)
    notice_ends_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "funding_round"
        indexes = (("district", "created_at", "id"), ("district", "year"))


class LibraryEntry(TenantModel):
    """A project-library entry (项目库): like needs merged by a third party; it keeps its needs."""

    id = fields.UUIDField(primary_key=True)
    round = fields.ForeignKeyField("funding.FundingRound", related_name="library_entries", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    category = fields.CharEnumField(Category, max_length=24)
    requested_fen = fields.BigIntField()
    selected = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "library_entry"
        indexes = (("district", "round_id", "created_at", "id"),)


class Need(TenantModel):
    """A residents' need (需求) collected by a subdistrict or community."""

    id = fields.UUIDField(primary_key=True)
    round = fields.ForeignKeyField("funding.FundingRound", related_name="needs", on_delete=fields.CASCADE)
    subdistrict = fields.CharField(max_length=100)
    community = fields.CharField(max_length=100)
    category = fields.CharEnumField(Category, max_length=24)
    # The gazetteer entries picked (services/common/data/gazetteer.py): statistics group by them.
    subdistrict_entry_id = fields.UUIDField(null=True)
    subdistrict_code = fields.CharField(max_length=12, null=True)
    community_entry_id = fields.UUIDField(null=True)
    community_code = fields.CharField(max_length=12, null=True)
    method = fields.CharEnumField(CollectionMethod, max_length=14)
    description = fields.TextField()
    recorded_by = fields.CharField(max_length=120)
    library_entry = fields.ForeignKeyField(
        "funding.LibraryEntry", related_name="needs", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "need"
        indexes = (("district", "round_id", "created_at", "id"), ("district", "library_entry_id"))


class LibraryMerge(TenantModel):
    """Who merged (or unmerged) which needs into an entry, and why."""

    id = fields.UUIDField(primary_key=True)
    entry = fields.ForeignKeyField("funding.LibraryEntry", related_name="merges", on_delete=fields.CASCADE)
    action = fields.CharField(max_length=8)  # MERGE | UNMERGE
    need_ids = fields.JSONField()
    actor = fields.CharField(max_length=120)
    reason = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "library_merge"
        indexes = (("district", "entry_id", "created_at"),)


class PanelMember(TenantModel):
    """A review-panel member of one round, linked to the `sub` of their reviewer token."""

    id = fields.UUIDField(primary_key=True)
    round = fields.ForeignKeyField("funding.FundingRound", related_name="panel", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(MemberKind, max_length=14)
    sub = fields.CharField(max_length=120)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "panel_member"
        unique_together = (("district", "round_id", "sub"),)


class ConflictDeclaration(TenantModel):
    id = fields.UUIDField(primary_key=True)
    member = fields.ForeignKeyField("funding.PanelMember", related_name="conflicts", on_delete=fields.CASCADE)
    entry = fields.ForeignKeyField("funding.LibraryEntry", related_name="conflicts", on_delete=fields.CASCADE)
    reason = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "conflict_declaration"
        unique_together = (("district", "member_id", "entry_id"),)


class Review(TenantModel):
    """One member's grades (0-10 per published criterion) for one entry."""

    id = fields.UUIDField(primary_key=True)
    member = fields.ForeignKeyField("funding.PanelMember", related_name="reviews", on_delete=fields.CASCADE)
    entry = fields.ForeignKeyField("funding.LibraryEntry", related_name="reviews", on_delete=fields.CASCADE)
    grades = fields.JSONField()  # {"criterion name": 0..10}
    comment = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "review"
        unique_together = (("district", "member_id", "entry_id"),)


class ReviewRevision(TenantModel):
    """Every grading a member gave an entry, oldest first: a re-score adds one, the latest counts."""

    id = fields.UUIDField(primary_key=True)
    review = fields.ForeignKeyField("funding.Review", related_name="revisions", on_delete=fields.CASCADE)
    grades = fields.JSONField()
    comment = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "review_revision"
        indexes = (("district", "review_id", "created_at"),)


class Project(TenantModel):
    """A selected entry: on notice, then awarded to an implementing organization with a grant."""

    id = fields.UUIDField(primary_key=True)
    round = fields.ForeignKeyField("funding.FundingRound", related_name="projects", on_delete=fields.CASCADE)
    # One project per entry, unique within the district (Meta), not by a one-to-one key spanning districts.
    entry = fields.ForeignKeyField("funding.LibraryEntry", related_name="projects", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    category = fields.CharEnumField(Category, max_length=24)
    subdistrict = fields.CharField(max_length=100, null=True)
    community = fields.CharField(max_length=100, null=True)
    # The gazetteer entries picked (services/common/data/gazetteer.py): statistics group by them.
    subdistrict_entry_id = fields.UUIDField(null=True)
    subdistrict_code = fields.CharField(max_length=12, null=True)
    community_entry_id = fields.UUIDField(null=True)
    community_code = fields.CharField(max_length=12, null=True)
    requested_fen = fields.BigIntField()
    status = fields.CharEnumField(ProjectStatus, max_length=17, default=ProjectStatus.SELECTED)
    organization_id = fields.UUIDField(null=True)
    grant_fen = fields.BigIntField(default=0)
    # A grant above the request: its reason, who awarded it and the second bureau admin who approved it.
    over_request_reason = fields.TextField(null=True)
    awarded_by = fields.CharField(max_length=120, null=True)
    approved_by = fields.CharField(max_length=120, null=True)
    # The project's life: from the award's date to this day (tranches, records, expenses fall within it).
    ends_on = fields.DateField(null=True)
    # Kept under the project's row lock, so concurrent tranches never overdraw the grant.
    disbursed_fen = fields.BigIntField(default=0)
    awarded_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "project"
        unique_together = (("district", "entry_id"),)
        indexes = (("district", "round_id", "created_at", "id"), ("district", "organization_id"))


class Objection(TenantModel):
    id = fields.UUIDField(primary_key=True)
    project = fields.ForeignKeyField("funding.Project", related_name="objections", on_delete=fields.CASCADE)
    lodged_by = fields.CharField(max_length=120)  # the subject, or "public" for a resident without an account
    contact = fields.CharField(max_length=120, null=True)  # a resident's contact, for the bureau's answer
    reason = fields.TextField()
    status = fields.CharEnumField(ObjectionStatus, max_length=10, default=ObjectionStatus.OPEN)
    resolution = fields.TextField(null=True)
    resolved_by = fields.CharField(max_length=120, null=True)
    resolved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "objection"
        indexes = (("district", "project_id", "created_at"),)


class Tranche(TenantModel):
    id = fields.UUIDField(primary_key=True)
    project = fields.ForeignKeyField("funding.Project", related_name="tranches", on_delete=fields.CASCADE)
    sequence = fields.IntField()
    amount_fen = fields.BigIntField()
    due_on = fields.DateField()
    status = fields.CharEnumField(TrancheStatus, max_length=10, default=TrancheStatus.PLANNED)
    disbursed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tranche"
        unique_together = (("district", "project_id", "sequence"),)


class ServiceRecord(TenantModel):
    """A service delivered: one beneficiary (a reference, not a name) and the person-times served."""

    id = fields.UUIDField(primary_key=True)
    project = fields.ForeignKeyField("funding.Project", related_name="service_records", on_delete=fields.CASCADE)
    subdistrict = fields.CharField(max_length=100)
    community = fields.CharField(max_length=100)
    service_date = fields.DateField()
    # The gazetteer entries picked (services/common/data/gazetteer.py): statistics group by them.
    subdistrict_entry_id = fields.UUIDField(null=True)
    subdistrict_code = fields.CharField(max_length=12, null=True)
    community_entry_id = fields.UUIDField(null=True)
    community_code = fields.CharField(max_length=12, null=True)
    beneficiary = fields.CharField(max_length=100)
    # How the organization reaches the beneficiary (a phone number), for the evaluators' follow-up calls.
    contact = fields.CharField(max_length=40, null=True)
    person_times = fields.IntField()
    reported_by = fields.CharField(max_length=120)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "service_record"
        indexes = (("district", "project_id", "created_at", "id"), ("district", "community"))


class Expense(TenantModel):
    id = fields.UUIDField(primary_key=True)
    project = fields.ForeignKeyField("funding.Project", related_name="expenses", on_delete=fields.CASCADE)
    amount_fen = fields.BigIntField()
    spent_on = fields.DateField()
    description = fields.TextField()
    reported_by = fields.CharField(max_length=120)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "expense"
        indexes = (("district", "project_id", "created_at", "id"),)


class RecoveryOrder(TenantModel):
    """追回违规项目资金: an order to return disbursed funds; a fund-recovery alert until settled."""

    id = fields.UUIDField(primary_key=True)
    project = fields.ForeignKeyField("funding.Project", related_name="recovery_orders", on_delete=fields.CASCADE)
    amount_fen = fields.BigIntField()
    reason = fields.TextField()
    status = fields.CharEnumField(RecoveryStatus, max_length=8, default=RecoveryStatus.OPEN)
    deadline = fields.DateField(null=True)
    settled_fen = fields.BigIntField(default=0)  # the sum of its settlements, never above amount_fen
    overdue_at = fields.DatetimeField(null=True)  # when funding.recovery.overdue was raised (once)
    source = fields.CharEnumField(RecoverySource, max_length=10)
    # One order per evaluation finding, however often the finding's event arrives.
    finding_id = fields.CharField(max_length=60, null=True)
    evaluation_id = fields.CharField(max_length=60, null=True)
    ordered_by = fields.CharField(max_length=120)
    ordered_at = fields.DatetimeField(auto_now_add=True)
    settled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "recovery_order"
        unique_together = (("district", "finding_id"),)
        indexes = (("district", "project_id", "created_at"), ("district", "status", "created_at", "id"))


class RecoverySettlement(TenantModel):
    """Money returned against a recovery order, with the payment's reference."""

    id = fields.UUIDField(primary_key=True)
    order = fields.ForeignKeyField("funding.RecoveryOrder", related_name="settlements", on_delete=fields.CASCADE)
    amount_fen = fields.BigIntField()
    payment_reference = fields.CharField(max_length=100)
    paid_on = fields.DateField()
    recorded_by = fields.CharField(max_length=120)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "recovery_settlement"
        unique_together = (("district", "order_id", "payment_reference"),)


class KnownOrganization(TenantModel):
    """Organizations as funding knows them from registry.organization.* events (never the registry's tables)."""

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    registration = fields.CharField(max_length=12)
    credit_code = fields.CharField(max_length=18, null=True)
    filing_number = fields.CharField(max_length=24, null=True)
    category = fields.CharField(max_length=24)
    subdistrict = fields.CharField(max_length=100)
    community = fields.CharField(max_length=100, null=True)
    status = fields.CharEnumField(OrganizationStatus, max_length=14)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "known_organization"
        indexes = (("district", "status"),)


class KnownPlace(TenantModel):
    """The district's gazetteer as funding knows it from registry.gazetteer.changed: what needs and service
    records pick their subdistrict and community from (services/common/data/gazetteer.py)."""

    id = fields.UUIDField(primary_key=True)
    kind = fields.CharEnumField(PlaceKind, max_length=12)
    code = fields.CharField(max_length=12, null=True)
    name = fields.CharField(max_length=100)
    subdistrict_id = fields.UUIDField(null=True)
    retired_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "known_place"
        indexes = (("district", "kind", "name"), ("district", "code"))


class WebhookDeliveryStatus(str, Enum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


class WebhookSubscription(Model):
    """An HTTPS endpoint a bureau (its district) or a city admin (its city: `district` is NULL) registered
    for fund-recovery alerts. Row-level security: a district's row by `district`; a city's row by `city`
    against `app.city`, which only a city admin's own operation sets (migration 0013_webhooks)."""

    district = fields.CharField(max_length=6, null=True)
    city = fields.CharField(max_length=4)
    id = fields.UUIDField(primary_key=True)
    url = fields.TextField()
    description = fields.CharField(max_length=200, default="")
    event_types = fields.JSONField()  # event type names, e.g. ["funding.recovery.ordered"]
    secret = fields.TextField()  # whsec_<base64>; shown once, kept to sign
    previous_secret = fields.TextField(null=True)  # still signs beside the new one until previous_secret_until
    previous_secret_until = fields.DatetimeField(null=True)
    secret_rotated_at = fields.DatetimeField(null=True)
    active = fields.BooleanField(default=True)
    created_by = fields.CharField(max_length=120)
    created_at = fields.DatetimeField(auto_now_add=True)
    disabled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_subscription"
        indexes = (("district", "city", "created_at"),)


class WebhookDelivery(Model):
    """One event for one subscription: its body is fixed when it is created, so every attempt sends the
    same bytes under the same `webhook-id` (the event's id)."""

    district = fields.CharField(max_length=6, null=True)  # the alert's district; NULL for a city's test event
    city = fields.CharField(max_length=4)
    id = fields.UUIDField(primary_key=True)
    seq = fields.BigIntField()  # identity: the order deliveries of one subscription and order go out in
    subscription_id = fields.UUIDField()
    event_id = fields.UUIDField()
    event_type = fields.CharField(max_length=80)
    order_key = fields.CharField(max_length=60)  # the recovery order (a test event: its own id)
    body = fields.TextField()
    status = fields.CharEnumField(WebhookDeliveryStatus, max_length=10, default=WebhookDeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    first_attempt_at = fields.DatetimeField(null=True)  # retries end this long after it (RetryPolicy)
    next_attempt_at = fields.DatetimeField(null=True)
    lease_until = fields.DatetimeField(null=True)
    last_status_code = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        unique_together = (("district", "subscription_id", "event_id"),)


class WebhookAttempt(Model):
    district = fields.CharField(max_length=6, null=True)
    city = fields.CharField(max_length=4)
    id = fields.BigIntField(primary_key=True)
    delivery_id = fields.UUIDField()
    number = fields.IntField()
    attempted_at = fields.DatetimeField()
    status_code = fields.IntField(null=True)
    error = fields.TextField(null=True)
    latency_ms = fields.IntField()
    next_retry_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_attempt"
        indexes = (("district", "delivery_id", "number"),)


OutboxEvent, InboxEvent, AuditRecord, DistrictDirectory = PLATFORM = platform_models(__name__)

TENANT_TABLES = (
    "funding_round",
    "library_entry",
    "need",
    "library_merge",
    "panel_member",
    "conflict_declaration",
    "review",
    "project",
    "objection",
    "tranche",
    "service_record",
    "expense",
    "recovery_order",
    "known_organization",
    "known_place",
    "audit_record",
    "review_revision",
    "recovery_settlement",
)

__all__ = [
    "AuditRecord",
    "ConflictDeclaration",
    "DistrictDirectory",
    "Expense",
    "FundingRound",
    "InboxEvent",
    "KnownOrganization",
    "KnownPlace",
    "LibraryEntry",
    "LibraryMerge",
    "Model",
    "Need",
    "Objection",
    "OutboxEvent",
    "PanelMember",
    "Project",
    "RecoveryOrder",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookDeliveryStatus",
    "WebhookSubscription",
    "Review",
    "ReviewRevision",
    "RecoverySettlement",
    "ServiceRecord",
    "Tranche",
]
