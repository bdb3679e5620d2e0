"""A project's evaluation from the award event to its final rating, as the agency and bureau work it."""

from __future__ import annotations

import json

import pytest

from tests.support import DAOLI, token
from services.evaluation.domain import rating_for

from .operations import (
    BID, COMPLETE, CRITERIA, DECIDE, DRAW, EVALUATION, FINDING, FOLLOW_UP, INSPECT, OPEN_PHASE, OPEN_TENDER,
    REGISTER_AGENCY, ROUND, awarded, credit, in_days, inspection, round_opened, scores, service_record,
)


async def outbox(databases, event_type: str) -> list[dict]:
    rows = await databases["evaluation"].fetch("SELECT payload FROM outbox WHERE type = $1 ORDER BY id", event_type)
    return [json.loads(r["payload"]) for r in rows]


async def run_phase(evaluation, r, phase: str, points: tuple[int, int], method: str = "DOCUMENT_REVIEW") -> dict:
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": phase, "criteria": CRITERIA}, token=r.evaluator)
    await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": phase, "input": inspection(method)}, token=r.evaluator)
    done = await evaluation.ok(COMPLETE, {"id": r.evaluation_id, "phase": phase, "scores": scores(*points)},
                               token=r.evaluator)
    return done["completeEvaluationPhase"]


async def test_a_project_is_evaluated_from_its_award_to_a_final_rating(evaluation, consumer, tendered, databases):
    r = tendered
    for name in ("张大爷", "李奶奶", "赵阿姨"):
        await consumer.handle(service_record(r.project_id, name))
    fresh = (await evaluation.ok(EVALUATION, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]
    assert fresh["title"] == "银龄互助服务项目" and fresh["grant"] == "100000.00"
    assert fresh["project"] == {"id": r.project_id} and fresh["agency"] == {"name": "评估公司甲"}
    assert [(p["phase"], p["status"]) for p in fresh["phases"]] == [
        ("INITIAL", "PENDING"), ("MIDTERM", "PENDING"), ("FINAL", "PENDING")]
    assert fresh["currentPhase"] == "INITIAL" and fresh["rating"] is None

    opened = await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA},
                                 token=r.evaluator)
    assert opened["openEvaluationPhase"]["criteria"][0] == {"name": "服务成效", "maxPoints": 60, "points": None}
    recorded = await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL", "input": inspection()},
                                   token=r.evaluator)
    assert recorded["recordInspection"]["evidence"] == [
        {"fileName": "台账.pdf", "checksum": inspection()["evidence"][0]["checksum"],
         "location": "archive://2026/daoli/台账.pdf"}]
    initial = await evaluation.ok(COMPLETE, {"id": r.evaluation_id, "phase": "INITIAL", "scores": scores(50, 35)},
                                  token=r.evaluator)
    assert initial["completeEvaluationPhase"] == {"phase": "INITIAL", "status": "COMPLETED", "score": 85,
                                                  "evaluation": {"rating": None}}

    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "MIDTERM", "criteria": CRITERIA}, token=r.evaluator)
    call = await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "MIDTERM", "input": inspection("PHONE_FOLLOW_UP")},
                               token=r.evaluator)
    sample = await evaluation.ok(DRAW, {"id": call["recordInspection"]["id"], "size": 2, "seed": 7}, token=r.evaluator)
    first, second = sample["drawFollowUpSample"]["followUps"]
    await evaluation.ok(FOLLOW_UP, {"id": first["id"], "reached": True, "satisfied": True}, token=r.evaluator)
    await evaluation.ok(FOLLOW_UP, {"id": second["id"], "reached": False}, token=r.evaluator)
    minor = await evaluation.ok(FINDING, {"id": r.evaluation_id, "phase": "MIDTERM",
                                          "input": {"severity": "MINOR", "description": "签到表缺两次签名"}}, token=r.evaluator)
    assert minor["recordFinding"]["rectification"] is None
    await evaluation.ok(COMPLETE, {"id": r.evaluation_id, "phase": "MIDTERM", "scores": scores(52, 36)}, token=r.evaluator)

    final = await run_phase(evaluation, r, "FINAL", (56, 36), method="SITE_VISIT")
    assert final == {"phase": "FINAL", "status": "COMPLETED", "score": 92, "evaluation": {"rating": "EXCELLENT"}}

    done = (await evaluation.ok(EVALUATION, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]
    assert [(p["phase"], p["status"], p["score"]) for p in done["phases"]] == [
        ("INITIAL", "COMPLETED", 85), ("MIDTERM", "COMPLETED", 88), ("FINAL", "COMPLETED", 92)]
    assert done["phases"][1]["findings"] == [{"severity": "MINOR"}]
    assert [i["method"] for i in done["inspections"]] == ["DOCUMENT_REVIEW", "PHONE_FOLLOW_UP", "SITE_VISIT"]
    assert sorted((f["reached"], f["satisfied"]) for f in done["followUps"]) == [(False, None), (True, True)]
    assert done["currentPhase"] is None and done["rating"] == "EXCELLENT"

    completed = await outbox(databases, "evaluation.phase.completed")
    assert [(e["data"]["phase"], e["data"]["score"], e["data"]["rating"]) for e in completed] == [
        ("INITIAL", 85, None), ("MIDTERM", 88, None), ("FINAL", 92, "EXCELLENT")]
    assert {e["data"]["projectId"] for e in completed} == {r.project_id}
    assert {e["district"] for e in completed} == {DAOLI}

    trail = await evaluation.ok("{ evaluationAuditTrail(entityType: \"Phase\") { totalCount } }",
                                token=r.bureau)
    assert trail["evaluationAuditTrail"]["totalCount"] == 6  # three openings, three completions


async def test_an_unresolved_violation_fails_the_project_whatever_its_score(evaluation, tendered, databases):
    r = tendered
    await run_phase(evaluation, r, "INITIAL", (50, 30))
    await run_phase(evaluation, r, "MIDTERM", (50, 30))
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "FINAL", "criteria": CRITERIA}, token=r.evaluator)
    await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "FINAL", "input": inspection("SITE_VISIT")},
                        token=r.evaluator)
    violation = await evaluation.ok(FINDING, {"id": r.evaluation_id, "phase": "FINAL", "input": {
        "severity": "VIOLATION", "description": "虚列劳务费", "amountAtIssue": "12000.50"}}, token=r.evaluator)
    assert violation["recordFinding"]["amountAtIssue"] == "12000.50"
    final = await evaluation.ok(COMPLETE, {"id": r.evaluation_id, "phase": "FINAL", "scores": scores(60, 38)},
                                token=r.evaluator)
    assert final["completeEvaluationPhase"]["score"] == 98
    assert final["completeEvaluationPhase"]["evaluation"] == {"rating": "FAIL"}
    [found] = await outbox(databases, "evaluation.violation.found")
    assert found["data"] == {"evaluationId": r.evaluation_id, "projectId": r.project_id,
                             "findingId": violation["recordFinding"]["id"], "amountFen": 1200050,
                             "description": "虚列劳务费"}


async def test_a_major_finding_opens_a_rectification_that_caps_the_rating_until_it_is_done(evaluation, tendered):
    r = tendered
    await run_phase(evaluation, r, "INITIAL", (50, 30))
    await run_phase(evaluation, r, "MIDTERM", (50, 30))
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "FINAL", "criteria": CRITERIA}, token=r.evaluator)
    await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "FINAL", "input": inspection()}, token=r.evaluator)
    major = await evaluation.ok(FINDING, {"id": r.evaluation_id, "phase": "FINAL", "input": {
        "severity": "MAJOR", "description": "档案不全", "rectificationDeadline": in_days(14)}}, token=r.evaluator)
    assert major["recordFinding"]["rectification"]["status"] == "OPEN"
    final = await evaluation.ok(COMPLETE, {"id": r.evaluation_id, "phase": "FINAL", "scores": scores(58, 37)},
                                token=r.evaluator)
    assert final["completeEvaluationPhase"]["evaluation"] == {"rating": "PASS"}  # 95 points, rectification open
    done = await evaluation.ok("mutation($id: ID!) { completeRectification(id: $id, note: \"已补齐\") { status } }",
                               {"id": major["recordFinding"]["rectification"]["id"]}, token=r.bureau)
    assert done["completeRectification"]["status"] == "COMPLETED"
    view = (await evaluation.ok(EVALUATION, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]
    assert view["findings"] == [{"severity": "MAJOR", "resolved": True}]


@pytest.mark.parametrize(
    ("score", "violation", "pending", "rating"),
    [(100, False, False, "EXCELLENT"), (90, False, False, "EXCELLENT"), (89, False, False, "GOOD"),
     (80, False, False, "GOOD"), (79, False, False, "PASS"), (60, False, False, "PASS"), (59, False, False, "FAIL"),
     (95, True, False, "FAIL"), (95, False, True, "PASS"), (50, False, True, "FAIL")],
)
def test_rating_thresholds_follow_the_readme(score, violation, pending, rating):
    assert rating_for(score, unresolved_violation=violation, rectification_pending=pending).value == rating


async def test_a_tender_records_the_bids_the_decision_and_its_reason(evaluation, consumer):
    bureau = token(DAOLI, "bureau_admin")
    assert await consumer.handle(round_opened())
    ids = [(await evaluation.ok(REGISTER_AGENCY, {"input": {"name": f"评估公司{n}", "creditCode": credit(n)}},
                                token=bureau))["registerEvaluationAgency"]["id"] for n in range(3)]
    tender = (await evaluation.ok(OPEN_TENDER, {"input": {"roundId": ROUND, "roundName": "2026年公益创投"}},
                                  token=bureau))["openEvaluationTender"]
    for agency, price in zip(ids[:2], ("200000.00", "188000.00")):
        await evaluation.ok(BID, {"tenderId": tender["id"], "input": {"agencyId": agency, "price": price}}, token=bureau)
    outsider = await evaluation.error(DECIDE, {"tenderId": tender["id"], "agencyId": ids[2], "reason": "熟悉"},
                                      token=bureau)
    assert outsider["extensions"] == {"code": "BAD_USER_INPUT", "field": "agencyId"}
    decided = (await evaluation.ok(DECIDE, {"tenderId": tender["id"], "agencyId": ids[1], "reason": "报价最低且技术达标"},
                                   token=bureau))["decideEvaluationTender"]
    assert decided["status"] == "DECIDED" and decided["decisionReason"] == "报价最低且技术达标"
    assert decided["chosenAgency"]["name"] == "评估公司1"
    assert [(b["agency"]["name"], b["price"]) for b in decided["bids"]] == [
        ("评估公司0", "200000.00"), ("评估公司1", "188000.00")]
    again = await evaluation.error(DECIDE, {"tenderId": tender["id"], "agencyId": ids[0], "reason": "改选"}, token=bureau)
    assert again["extensions"]["code"] == "CONFLICT"
    listed = await evaluation.ok("{ tenders { status chosenAgency { name } } }", token=bureau)
    assert listed["tenders"] == [{"status": "DECIDED", "chosenAgency": {"name": "评估公司1"}}]


async def test_an_agency_with_a_wrong_check_character_is_refused(evaluation):
    bureau = token(DAOLI, "bureau_admin")
    good = credit(5)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    error = await evaluation.error(REGISTER_AGENCY, {"input": {"name": "某评估公司", "creditCode": bad}}, token=bureau)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.creditCode"}
    assert "check character" in error["message"]
    assert (await evaluation.ok("{ agencies { id } }", token=bureau))["agencies"] == []
    member = await evaluation.error(REGISTER_AGENCY, {"input": {"name": "某评估公司", "creditCode": good}},
                                    token=token(DAOLI, "evaluator"))
    assert member["extensions"]["code"] == "FORBIDDEN"


async def test_an_agency_code_is_checked_in_full_but_may_come_from_another_city(evaluation):
    from services.common.kernel.credit_code import check_character

    bureau = token(DAOLI, "bureau_admin")
    made_up = "91230102YYYYYYYYY"  # its check character will hold, its organization code does not
    error = await evaluation.error(REGISTER_AGENCY, {"input": {"name": "某评估公司", "creditCode": made_up + check_character(made_up)}},
                                   token=bureau)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.creditCode"}
    assert "the organization code (positions 9-17) 'YYYYYYYYY' fails its own check" in error["message"]
    # A company registered in Fuzhou (350100) may bid in Harbin: a published valid code.
    fuzhou = await evaluation.ok(REGISTER_AGENCY, {"input": {"name": "福州评估公司", "creditCode": "91350100M000100Y43"}},
                                 token=bureau)
    assert fuzhou["registerEvaluationAgency"]["creditCode"] == "91350100M000100Y43"
