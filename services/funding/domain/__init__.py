"""Funding's rules, as plain functions over models: no GraphQL in here, one module per step of a round.

A round moves NEEDS_INTAKE -> LIBRARY -> REVIEW -> NOTICE -> AWARDED -> CLOSED, forward only (or is
CANCELLED with a reason before any award); each step
is accepted only in its phase. Money is integer fen throughout. The step modules import `common`,
`queries`, `..events` and `..models`, never this package: it only re-exports them for `domain.open_round(...)`.
"""

from __future__ import annotations

from .common import require_phase
from .round import CriterionSpec, open_round, advance_round, update_round, cancel_round, min_notice_days
from .needs import record_need
from .library import merge_needs, unmerge_need
from .review import (
    add_panel_member,
    declare_conflict,
    score_entry,
    review_score,
    entry_score,
    entry_scores,
    select_projects,
    MAX_GRADE,
)
from .notice import close_notice_period, lodge_objection, resolve_objection
from .award import (
    TrancheSpec, AwardCommand, award_project, approve_over_request_grant, schedule_tranche, disburse_tranche,
)
from .delivery import (
    ServiceRecordCommand,
    report_service_record,
    report_service_records,
    report_expense,
    MAX_RECORDS_PER_BATCH,
)
from .recovery import (
    order_recovery, order_recovery_for_finding, settle_recovery, check_overdue_recoveries, mark_overdue_recoveries,
)
from ..queries import published_notices, committed_fen, StatRow, Stats, stats, project_delivery, trail

__all__ = [
    "require_phase",
    "CriterionSpec",
    "open_round",
    "advance_round",
    "update_round",
    "cancel_round",
    "min_notice_days",
    "record_need",
    "merge_needs",
    "unmerge_need",
    "add_panel_member",
    "declare_conflict",
    "score_entry",
    "review_score",
    "entry_score",
    "entry_scores",
    "select_projects",
    "MAX_GRADE",
    "close_notice_period",
    "lodge_objection",
    "resolve_objection",
    "TrancheSpec",
    "AwardCommand",
    "award_project",
    "approve_over_request_grant",
    "schedule_tranche",
    "disburse_tranche",
    "ServiceRecordCommand",
    "report_service_record",
    "report_service_records",
    "report_expense",
    "MAX_RECORDS_PER_BATCH",
    "order_recovery",
    "order_recovery_for_finding",
    "settle_recovery",
    "check_overdue_recoveries",
    "mark_overdue_recoveries",
    "published_notices",
    "committed_fen",
    "StatRow",
    "Stats",
    "stats",
    "project_delivery",
    "trail",
]
