"""Evaluation tables. Every tenant table carries `district`, first in each index and unique constraint.

Projects, rounds and organizations belong to other services: they are kept here only as the ids and
names their events brought (a copy for display, never a foreign key into another database).
"""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from services.common.kernel.categories import Category
from services.common.data.models import TenantModel, platform_models


class TenderStatus(str, Enum):
    OPEN = "OPEN"  # bids are being recorded
    DECIDED = "DECIDED"  # an agency has been chosen, with the reason


class PhaseKind(str, Enum):
    INITIAL = "INITIAL"  # 初期
    MIDTERM = "MIDTERM"  # 中期
    FINAL = "FINAL"  # 终期


PHASE_ORDER = [PhaseKind.INITIAL, PhaseKind.MIDTERM, PhaseKind.FINAL]


class PhaseStatus(str, Enum):
    PENDING = "PENDING"
    OPEN = "OPEN"
    COMPLETED = "COMPLETED"


class InspectionMethod(str, Enum):
    DOCUMENT_REVIEW = "DOCUMENT_REVIEW"  # 查阅材料
    SITE_VISIT = "SITE_VISIT"  # 实地踏查
    PHONE_FOLLOW_UP = "PHONE_FOLLOW_UP"  # 电话回访


class Severity(str, Enum):
    INFO = "INFO"
    MINOR = "MINOR"
    MAJOR = "MAJOR"
    VIOLATION = "VIOLATION"


class RectificationStatus(str, Enum):
    OPEN = "OPEN"
    OVERDUE = "OVERDUE"
    COMPLETED = "COMPLETED"


class Rating(str, Enum):
    EXCELLENT = "EXCELLENT"
    GOOD = "GOOD"
    PASS = "PASS"
    FAIL = "FAIL"
    # A FAIL for an unresolved violation whose every recovery order has been settled (README, Rating).
    PASS_AFTER_RECOVERY = "PASS_AFTER_RECOVERY"


class EvaluationAgency(TenantModel):
    """第三方评估机构: usually a company, so any valid credit code (not only civil affairs)."""

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    credit_code = fields.CharField(max_length=18)
    contact = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "evaluation_agency"
        unique_together = (("district", "credit_code"),)
        indexes = (("district", "created_at", "id"),)


class Tender(TenantModel):
    """The tender that picks one agency to evaluate a funding round's projects."""

    id = fields.UUIDField(primary_key=True)
    round_id = fields.CharField(max_length=64)
    round_name = fields.CharField(max_length=200)
    description = fields.TextField(null=True)
    status = fields.CharEnumField(TenderStatus, max_length=8, default=TenderStatus.OPEN)
    chosen_agency: fields.ForeignKeyNullableRelation[EvaluationAgency] = fields.ForeignKeyField(
        "evaluation.EvaluationAgency", related_name="won_tenders", null=True, on_delete=fields.RESTRICT
    )
    decision_reason = fields.TextField(null=True)
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tender"
        unique_together = (("district", "round_id"),)
        indexes = (("district", "created_at", "id"),)


class Bid(TenantModel):
    id = fields.UUIDField(primary_key=True)
    tender: fields.ForeignKeyRelation[Tender] = fields.ForeignKeyField(
        "evaluation.Tender", related_name="bids", on_delete=fields.CASCADE
    )
    agency: fields.ForeignKeyRelation[EvaluationAgency] = fields.ForeignKeyField(
        "evaluation.EvaluationAgency", related_name="bids", on_delete=fields.RESTRICT
    )
    price_fen = fields.BigIntField()
    proposal = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tender_bid"
        unique_together = (("district", "tender_id", "agency_id"),)


class Evaluation(TenantModel):
    """One per awarded project, created from funding.project.awarded."""

    id = fields.UUIDField(primary_key=True)
    project_id = fields.CharField(max_length=64)
    round_id = fields.CharField(max_length=64)
    round_name = fields.CharField(max_length=200)
    year = fields.IntField()
    title = fields.CharField(max_length=300)
    category = fields.CharEnumField(Category, max_length=24)
    organization_id = fields.CharField(max_length=64)
    organization_name = fields.CharField(max_length=200)
    grant_fen = fields.BigIntField()
    subdistrict = fields.CharField(max_length=100, null=True)
    community = fields.CharField(max_length=100, null=True)
    awarded_at = fields.DatetimeField()
    rating = fields.CharEnumField(Rating, max_length=19, null=True)
    rated_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "evaluation"
        unique_together = (("district", "project_id"),)
        indexes = (("district", "created_at", "id"), ("district", "round_id"))


class Phase(TenantModel):
    """INITIAL, MIDTERM, FINAL: opened with published criteria, completed with a score against them."""

    id = fields.UUIDField(primary_key=True)
    evaluation: fields.ForeignKeyRelation[Evaluation] = fields.ForeignKeyField(
        "evaluation.Evaluation", related_name="phases", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(PhaseKind, max_length=8)
    position = fields.SmallIntField()
    status = fields.CharEnumField(PhaseStatus, max_length=10, default=PhaseStatus.PENDING)
    # [{"name", "maxPoints", "points"}]: maxPoints published at opening, points given at completion.
    criteria = fields.JSONField(default=list)
    score = fields.IntField(null=True)
    summary = fields.TextField(null=True)
    opened_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "evaluation_phase"
        unique_together = (("district", "evaluation_id", "kind"),)


class Inspection(TenantModel):
    id = fields.UUIDField(primary_key=True)
    evaluation: fields.ForeignKeyRelation[Evaluation] = fields.ForeignKeyField(
        "evaluation.Evaluation", related_name="inspections", on_delete=fields.CASCADE
    )
    phase: fields.ForeignKeyRelation[Phase] = fields.ForeignKeyField(
        "evaluation.Phase", related_name="inspections", on_delete=fields.CASCADE
    )
    method = fields.CharEnumField(InspectionMethod, max_length=16)
    inspected_on = fields.DateField()
    inspector = fields.CharField(max_length=120)
    notes = fields.TextField(null=True)
    # [{"fileName", "checksum", "location"}]: references to evidence kept elsewhere, never the file.
    evidence = fields.JSONField(default=list)
    # PHONE_FOLLOW_UP only: the drawn sample, reproducible from seed + sorted population.
    sample_size = fields.IntField(null=True)
    sample_seed = fields.BigIntField(null=True)
    sample_population = fields.IntField(null=True)
    sample_population_digest = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "inspection"
        indexes = (("district", "evaluation_id"),)


class KnownRound(TenantModel):
    """Funding's rounds as evaluation knows them, from funding.round.opened and funding.round.changed."""

    id = fields.BigIntField(primary_key=True)
    round_id = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    year = fields.IntField()
    phase = fields.CharField(max_length=14)
    cancel_reason = fields.TextField(null=True)
    changed_at = fields.DatetimeField()  # the event's own time: an older change never overwrites a newer one

    class Meta:
        table = "known_round"
        unique_together = (("district", "round_id"),)


class KnownRecoveryOrder(TenantModel):
    """Funding's recovery orders of evaluated projects, from funding.recovery.ordered and .settled."""

    id = fields.BigIntField(primary_key=True)
    order_id = fields.CharField(max_length=64)
    project_id = fields.CharField(max_length=64)
    finding_id = fields.CharField(max_length=64, null=True)
    settled = fields.BooleanField(default=False)

    class Meta:
        table = "known_recovery_order"
        unique_together = (("district", "order_id"),)
        indexes = (("district", "project_id"),)


class ServiceBeneficiary(TenantModel):
    """A service record's beneficiary, from funding.service_record.reported: the follow-up population."""

    id = fields.BigIntField(primary_key=True)
    project_id = fields.CharField(max_length=64)
    record_id = fields.CharField(max_length=64)
    beneficiary = fields.CharField(max_length=200)
    contact = fields.CharField(max_length=40, null=True)  # as the organization reported it
    community = fields.CharField(max_length=100, null=True)
    service_date = fields.DateField(null=True)
    person_times = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "service_beneficiary"
        unique_together = (("district", "record_id"),)
        indexes = (("district", "project_id"),)


class FollowUp(TenantModel):
    id = fields.UUIDField(primary_key=True)
    evaluation: fields.ForeignKeyRelation[Evaluation] = fields.ForeignKeyField(
        "evaluation.Evaluation", related_name="follow_ups", on_delete=fields.CASCADE
    )
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "evaluation.Inspection", related_name="follow_ups", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    beneficiary = fields.CharField(max_length=200)
    contact = fields.CharField(max_length=40, null=True)  # whom the evaluator calls; masked in lists
    community = fields.CharField(max_length=100, null=True)
    reached = fields.BooleanField(null=True)
    satisfied = fields.BooleanField(null=True)
    notes = fields.TextField(null=True)
    called_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "follow_up"
        unique_together = (("district", "inspection_id", "position"),)
        indexes = (("district", "evaluation_id"),)


class Finding(TenantModel):
    id = fields.UUIDField(primary_key=True)
    evaluation: fields.ForeignKeyRelation[Evaluation] = fields.ForeignKeyField(
        "evaluation.Evaluation", related_name="findings", on_delete=fields.CASCADE
    )
    phase: fields.ForeignKeyRelation[Phase] = fields.ForeignKeyField(
        "evaluation.Phase", related_name="findings", on_delete=fields.CASCADE
    )
    severity = fields.CharEnumField(Severity, max_length=10)
    description = fields.TextField()
    amount_fen = fields.BigIntField(null=True)
    resolved = fields.BooleanField(default=False)
    resolution = fields.TextField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "finding"
        indexes = (("district", "evaluation_id"),)


class Rectification(TenantModel):
    """整改: ordered with a deadline; once overdue it is reported exactly once."""

    id = fields.UUIDField(primary_key=True)
    evaluation: fields.ForeignKeyRelation[Evaluation] = fields.ForeignKeyField(
        "evaluation.Evaluation", related_name="rectifications", on_delete=fields.CASCADE
    )
    finding: fields.ForeignKeyRelation[Finding] = fields.ForeignKeyField(
        "evaluation.Finding", related_name="rectifications", on_delete=fields.CASCADE
    )
    deadline = fields.DatetimeField()
    status = fields.CharEnumField(RectificationStatus, max_length=10, default=RectificationStatus.OPEN)
    completion_note = fields.TextField(null=True)
    completed_at = fields.DatetimeField(null=True)
    overdue_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "rectification"
        unique_together = (("district", "finding_id"),)
        indexes = (("district", "evaluation_id"), ("district", "status", "deadline"))


OutboxEvent, InboxEvent, AuditRecord, DistrictDirectory = PLATFORM = platform_models(__name__)

TENANT_TABLES = (
    "evaluation_agency",
    "tender",
    "tender_bid",
    "evaluation",
    "evaluation_phase",
    "inspection",
    "service_beneficiary",
    "follow_up",
    "finding",
    "rectification",
    "audit_record",
    "known_round",
    "known_recovery_order",
)

__all__ = [
    "AuditRecord",
    "Bid",
    "DistrictDirectory",
    "Evaluation",
    "EvaluationAgency",
    "Finding",
    "FollowUp",
    "InboxEvent",
    "Inspection",
    "KnownRecoveryOrder",
    "KnownRound",
    "Model",
    "OutboxEvent",
    "Phase",
    "Rectification",
    "ServiceBeneficiary",
    "Tender",
]
