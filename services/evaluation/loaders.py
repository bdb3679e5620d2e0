"""Evaluation's DataLoaders, created per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from services.common.api.loaders import by_key, grouped_by

from .models import Bid, Evaluation, EvaluationAgency, Finding, FollowUp, Inspection, Phase, Rectification, Tender


@dataclass
class EvaluationLoaders:
    evaluation: DataLoader = field(default_factory=lambda: by_key(Evaluation))
    agency: DataLoader = field(default_factory=lambda: by_key(EvaluationAgency))
    phase: DataLoader = field(default_factory=lambda: by_key(Phase))
    tender: DataLoader = field(default_factory=lambda: by_key(Tender))
    tender_by_round: DataLoader = field(default_factory=lambda: by_key(Tender, key_field="round_id", parse=str))
    bids_by_tender: DataLoader = field(default_factory=lambda: grouped_by(Bid, "tender_id"))
    evaluations_by_project: DataLoader = field(default_factory=lambda: grouped_by(Evaluation, "project_id", parse=str))
    phases_by_evaluation: DataLoader = field(
        default_factory=lambda: grouped_by(Phase, "evaluation_id", order_by="position")
    )
    inspections_by_evaluation: DataLoader = field(default_factory=lambda: grouped_by(Inspection, "evaluation_id"))
    inspections_by_phase: DataLoader = field(default_factory=lambda: grouped_by(Inspection, "phase_id"))
    follow_ups_by_evaluation: DataLoader = field(default_factory=lambda: grouped_by(FollowUp, "evaluation_id"))
    follow_ups_by_inspection: DataLoader = field(
        default_factory=lambda: grouped_by(FollowUp, "inspection_id", order_by="position")
    )
    findings_by_evaluation: DataLoader = field(default_factory=lambda: grouped_by(Finding, "evaluation_id"))
    findings_by_phase: DataLoader = field(default_factory=lambda: grouped_by(Finding, "phase_id"))
    rectifications_by_evaluation: DataLoader = field(
        default_factory=lambda: grouped_by(Rectification, "evaluation_id")
    )
    rectifications_by_finding: DataLoader = field(default_factory=lambda: grouped_by(Rectification, "finding_id"))
