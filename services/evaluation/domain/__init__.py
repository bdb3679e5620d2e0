"""Evaluation's rules, as plain functions over models: no GraphQL in here. One module per step of the
process (see the README): the tender picks one agency per round; that agency's evaluators run each
project's evaluation through INITIAL -> MIDTERM -> FINAL, inspecting, sampling beneficiaries for phone
follow-up and recording findings; the bureau supervises rectifications and the rating falls out of the
FINAL phase.

The public functions are re-exported here, so `from . import domain; domain.open_phase(...)` works.
"""

from .agencies import (
    chosen_agency_id, decide_tender, is_round_evaluator, open_tender, record_bid, register_agency, require_round_evaluator,
)
from .evaluations import get_evaluation, open_phase_of, phase_of, utcnow
from .findings import (
    FindingCommand,
    check_overdue_rectifications,
    complete_rectification,
    mark_overdue_rectifications,
    order_rectification,
    record_finding,
    resolve_finding,
)
from .follow_ups import MAX_SEED, draw_follow_up_sample, draw_sample, follow_up_population, population_digest, record_follow_up
from .inspections import CHECKSUM, CHINA, EvidenceRef, InspectionCommand, record_inspection
from .intake import keep_service_records, open_evaluation_for_award
from .funding_copies import keep_recovery_order, keep_round, recovery_settled
from .phases import (
    RATING_THRESHOLDS, SCORE_TOTAL, CriterionScore, CriterionSpec, complete_phase, open_phase, rating_after_recovery,
    rating_for,
)

__all__ = [
    "is_round_evaluator",
    "keep_recovery_order",
    "keep_round",
    "recovery_settled",
    "rating_after_recovery",
    "CHECKSUM",
    "CHINA",
    "MAX_SEED",
    "RATING_THRESHOLDS",
    "SCORE_TOTAL",
    "CriterionScore",
    "CriterionSpec",
    "EvidenceRef",
    "FindingCommand",
    "InspectionCommand",
    "check_overdue_rectifications",
    "chosen_agency_id",
    "complete_phase",
    "complete_rectification",
    "decide_tender",
    "draw_follow_up_sample",
    "draw_sample",
    "follow_up_population",
    "get_evaluation",
    "keep_service_records",
    "mark_overdue_rectifications",
    "open_evaluation_for_award",
    "open_phase",
    "open_phase_of",
    "open_tender",
    "order_rectification",
    "phase_of",
    "population_digest",
    "rating_for",
    "record_bid",
    "record_finding",
    "record_follow_up",
    "record_inspection",
    "register_agency",
    "require_round_evaluator",
    "resolve_finding",
    "utcnow",
]
