"""The rules a bureau expects of evaluation (issue 16): tenders for rounds that exist, inspections within the
project's life, contacts for the calls, and a rating that follows the money coming back."""

from __future__ import annotations

import uuid

from tests.support import DAOLI, NANGANG, token

from .operations import (
    COMPLETE, CRITERIA, DRAW, FINDING, INSPECT, OPEN_PHASE, OPEN_TENDER, ROUND, inspection, recovery_envelope,
    round_changed, round_opened, scores, service_record,
)
from .test_evaluation_flow import run_phase

FOLLOW_UPS = """query($id: ID!) { evaluation(id: $id) { followUps { beneficiary contact } } }"""
RATING = """query($id: ID!) { evaluation(id: $id) { rating findings { severity resolved } } }"""


async def test_a_tender_opens_only_for_an_existing_live_round_of_the_district_with_its_name(evaluation, consumer):
    bureau = token(DAOLI, "bureau_admin")
    unknown = await evaluation.error(OPEN_TENDER, {"input": {"roundId": ROUND, "roundName": "2026年公益创投"}}, token=bureau)
    assert unknown["extensions"] == {"code": "NOT_FOUND", "field": "input.roundId"}
    assert await consumer.handle(round_opened(district=NANGANG))  # another district's round of the same id
    elsewhere = await evaluation.error(OPEN_TENDER, {"input": {"roundId": ROUND, "roundName": "2026年公益创投"}}, token=bureau)
    assert elsewhere["extensions"] == {"code": "NOT_FOUND", "field": "input.roundId"}

    assert await consumer.handle(round_opened())
    wrong = await evaluation.error(OPEN_TENDER, {"input": {"roundId": ROUND, "roundName": "2025年公益创投"}}, token=bureau)
    assert wrong["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.roundName"} and "2026年公益创投" in wrong["message"]

    # A rename arrives; an older change arriving after it does not undo it.
    assert await consumer.handle(round_changed(name="2026年公益创投(更正)", phase="NEEDS_INTAKE", cancel_reason=None,
                                               changed_at="2026-01-07T09:00:00+08:00"))
    assert await consumer.handle(round_changed(name="2026年公益创投", phase="NEEDS_INTAKE", cancel_reason=None,
                                               changed_at="2026-01-06T09:00:00+08:00"))
    stale = await evaluation.error(OPEN_TENDER, {"input": {"roundId": ROUND, "roundName": "2026年公益创投"}}, token=bureau)
    assert stale["extensions"]["field"] == "input.roundName"
    opened = await evaluation.ok(OPEN_TENDER, {"input": {"roundId": ROUND, "roundName": "2026年公益创投(更正)"}}, token=bureau)
    assert opened["openEvaluationTender"]["status"] == "OPEN"

    other = str(uuid.uuid4())
    assert await consumer.handle(round_opened(round_id=other))
    assert await consumer.handle(round_changed(round_id=other))
    cancelled = await evaluation.error(OPEN_TENDER, {"input": {"roundId": other, "roundName": "2026年公益创投"}}, token=bureau)
    assert cancelled["extensions"] == {"code": "CONFLICT", "field": "input.roundId"} and "预算科目有误" in cancelled["message"]


async def test_an_inspection_dated_before_the_award_is_refused(evaluation, tendered):
    r = tendered  # awarded on 2026-03-01 (China)
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA}, token=r.evaluator)
    early = await evaluation.error(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL",
                                             "input": inspection(inspectedOn="2026-02-28")}, token=r.evaluator)
    assert early["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.inspectedOn"} and "2026-03-01" in early["message"]
    same_day = await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL",
                                             "input": inspection(inspectedOn="2026-03-01")}, token=r.evaluator)
    assert same_day["recordInspection"]["inspectedOn"] == "2026-03-01"


async def test_a_follow_up_carries_the_reported_contact_in_full_only_for_the_round_evaluator(evaluation, consumer, tendered):
    r = tendered
    assert await consumer.handle(service_record(r.project_id, "GL-001", contact="13812345678"))
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA}, token=r.evaluator)
    made = await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL", "input": inspection("PHONE_FOLLOW_UP")},
                               token=r.evaluator)
    await evaluation.ok(DRAW, {"id": made["recordInspection"]["id"], "size": 1, "seed": 7}, token=r.evaluator)
    full = await evaluation.ok(FOLLOW_UPS, {"id": r.evaluation_id}, token=r.evaluator)
    assert full["evaluation"]["followUps"] == [{"beneficiary": "GL-001", "contact": "13812345678"}]
    for other in (r.bureau, r.rival):
        masked = await evaluation.ok(FOLLOW_UPS, {"id": r.evaluation_id}, token=other)
        assert masked["evaluation"]["followUps"] == [{"beneficiary": "GL-001", "contact": "138****5678"}]


async def _failed_for_a_violation(evaluation, r, final: tuple[int, int]) -> str:
    await run_phase(evaluation, r, "INITIAL", (50, 30))
    await run_phase(evaluation, r, "MIDTERM", (50, 30))
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "FINAL", "criteria": CRITERIA}, token=r.evaluator)
    await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "FINAL", "input": inspection("SITE_VISIT")},
                        token=r.evaluator)
    violation = await evaluation.ok(FINDING, {"id": r.evaluation_id, "phase": "FINAL", "input": {
        "severity": "VIOLATION", "description": "虚列劳务费", "amountAtIssue": "1000.00"}}, token=r.evaluator)
    done = await evaluation.ok(COMPLETE, {"id": r.evaluation_id, "phase": "FINAL", "scores": scores(*final)},
                               token=r.evaluator)
    assert done["completeEvaluationPhase"]["evaluation"] == {"rating": "FAIL"}
    return violation["recordFinding"]["id"]


async def test_a_fail_for_a_violation_becomes_pass_after_recovery_once_every_order_is_settled(evaluation, consumer, tendered):
    r = tendered
    finding = await _failed_for_a_violation(evaluation, r, (55, 30))
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    assert await consumer.handle(recovery_envelope("ordered", r.project_id, first, finding_id=finding))
    assert await consumer.handle(recovery_envelope("ordered", r.project_id, second))
    assert await consumer.handle(recovery_envelope("settled", r.project_id, first))
    halfway = (await evaluation.ok(RATING, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]
    assert halfway["rating"] == "FAIL" and halfway["findings"] == [{"severity": "VIOLATION", "resolved": True}]
    assert await consumer.handle(recovery_envelope("settled", r.project_id, second))
    after = (await evaluation.ok(RATING, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]
    assert after["rating"] == "PASS_AFTER_RECOVERY"


async def test_a_fail_by_score_stays_fail_after_recovery(evaluation, consumer, tendered):
    r = tendered
    finding = await _failed_for_a_violation(evaluation, r, (30, 20))
    order = str(uuid.uuid4())
    assert await consumer.handle(recovery_envelope("ordered", r.project_id, order, finding_id=finding))
    assert await consumer.handle(recovery_envelope("settled", r.project_id, order))
    assert (await evaluation.ok(RATING, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]["rating"] == "FAIL"


async def test_money_recovered_before_the_final_phase_caps_the_rating_at_pass_after_recovery(evaluation, consumer, tendered):
    r = tendered
    await run_phase(evaluation, r, "INITIAL", (50, 30))
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "MIDTERM", "criteria": CRITERIA}, token=r.evaluator)
    await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "MIDTERM", "input": inspection("SITE_VISIT")},
                        token=r.evaluator)
    violation = await evaluation.ok(FINDING, {"id": r.evaluation_id, "phase": "MIDTERM", "input": {
        "severity": "VIOLATION", "description": "虚列劳务费", "amountAtIssue": "1000.00"}}, token=r.evaluator)
    order = str(uuid.uuid4())
    assert await consumer.handle(recovery_envelope("ordered", r.project_id, order,
                                                   finding_id=violation["recordFinding"]["id"]))
    assert await consumer.handle(recovery_envelope("settled", r.project_id, order))
    await evaluation.ok(COMPLETE, {"id": r.evaluation_id, "phase": "MIDTERM", "scores": scores(50, 30)}, token=r.evaluator)
    final = await run_phase(evaluation, r, "FINAL", (58, 38))
    assert final["score"] == 96 and final["evaluation"] == {"rating": "PASS_AFTER_RECOVERY"}
