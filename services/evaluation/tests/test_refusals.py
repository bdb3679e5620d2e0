"""Every bad input is refused with a clear error, and nothing changes."""

from __future__ import annotations

from tests.support import DAOLI, token

from .operations import COMPLETE, CRITERIA, EVALUATION, FINDING, INSPECT, OPEN_PHASE, in_days, inspection, scores


async def view(evaluation, r) -> dict:
    return (await evaluation.ok(EVALUATION, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]


async def open_initial(evaluation, r) -> None:
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA}, token=r.evaluator)


async def test_a_phase_cannot_open_before_the_one_before_it_is_completed(evaluation, tendered):
    r = tendered
    error = await evaluation.error(OPEN_PHASE, {"id": r.evaluation_id, "phase": "MIDTERM", "criteria": CRITERIA},
                                   token=r.evaluator)
    assert error["extensions"] == {"code": "CONFLICT", "field": "phase"}
    assert "INITIAL" in error["message"]
    await open_initial(evaluation, r)
    final = await evaluation.error(OPEN_PHASE, {"id": r.evaluation_id, "phase": "FINAL", "criteria": CRITERIA},
                                   token=r.evaluator)
    assert final["extensions"]["field"] == "phase"
    twice = await evaluation.error(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA},
                                   token=r.evaluator)
    assert "already OPEN" in twice["message"]
    assert [p["status"] for p in (await view(evaluation, r))["phases"]] == ["OPEN", "PENDING", "PENDING"]


async def test_a_phase_cannot_complete_without_an_inspection(evaluation, tendered):
    r = tendered
    await open_initial(evaluation, r)
    error = await evaluation.error(COMPLETE, {"id": r.evaluation_id, "phase": "INITIAL", "scores": scores(50, 30)},
                                   token=r.evaluator)
    assert error["extensions"] == {"code": "CONFLICT", "field": "phase"}
    assert "inspection" in error["message"]
    assert (await view(evaluation, r))["phases"][0]["status"] == "OPEN"


async def test_criteria_must_add_up_and_scores_must_fit_them(evaluation, tendered):
    r = tendered
    lopsided = await evaluation.error(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL",
                                                   "criteria": [{"name": "服务成效", "maxPoints": 70}]}, token=r.evaluator)
    assert lopsided["extensions"] == {"code": "BAD_USER_INPUT", "field": "criteria"}
    assert (await view(evaluation, r))["phases"][0]["status"] == "PENDING"
    await open_initial(evaluation, r)
    await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL", "input": inspection()}, token=r.evaluator)
    over = await evaluation.error(COMPLETE, {"id": r.evaluation_id, "phase": "INITIAL", "scores": scores(61, 30)},
                                  token=r.evaluator)
    assert over["extensions"] == {"code": "BAD_USER_INPUT", "field": "scores.0.points"}
    partial = await evaluation.error(COMPLETE, {"id": r.evaluation_id, "phase": "INITIAL",
                                                "scores": scores(50, 30)[:1]}, token=r.evaluator)
    assert "财务规范" in partial["message"]
    phase = (await view(evaluation, r))["phases"][0]
    assert (phase["status"], phase["score"]) == ("OPEN", None)


async def test_a_finding_on_a_completed_phase_is_refused(evaluation, tendered, databases):
    r = tendered
    await open_initial(evaluation, r)
    await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL", "input": inspection()}, token=r.evaluator)
    await evaluation.ok(COMPLETE, {"id": r.evaluation_id, "phase": "INITIAL", "scores": scores(50, 30)}, token=r.evaluator)
    error = await evaluation.error(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
        "severity": "VIOLATION", "description": "迟报", "amountAtIssue": "100.00"}}, token=r.evaluator)
    assert error["extensions"] == {"code": "CONFLICT", "field": "phase"}
    assert "completed" in error["message"]
    late = await evaluation.error(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL", "input": inspection()},
                                  token=r.evaluator)
    assert late["extensions"]["field"] == "phase"
    assert (await view(evaluation, r))["findings"] == []
    assert await databases["evaluation"].fetchval("SELECT count(*) FROM outbox WHERE type = 'evaluation.violation.found'") == 0


async def test_an_evaluator_of_another_agency_can_write_nothing(evaluation, tendered):
    r = tendered
    rival = await evaluation.error(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA},
                                   token=r.rival)
    assert rival["extensions"]["code"] == "FORBIDDEN"
    assert "chosen" in rival["message"]
    await open_initial(evaluation, r)
    for attempt in (
        (INSPECT, {"id": r.evaluation_id, "phase": "INITIAL", "input": inspection()}),
        (FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {"severity": "INFO", "description": "x"}}),
    ):
        error = await evaluation.error(*attempt, token=r.rival)
        assert error["extensions"]["code"] == "FORBIDDEN"
    bureau = await evaluation.error(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
        "severity": "INFO", "description": "x"}}, token=r.bureau)
    assert bureau["extensions"]["code"] == "FORBIDDEN"  # role first: the bureau supervises, the agency evaluates
    no_agency = await evaluation.error(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL", "input": inspection()},
                                       token=token(DAOLI, "evaluator"))
    assert no_agency["extensions"]["code"] == "FORBIDDEN"
    seen = await view(evaluation, r)
    assert seen["inspections"] == [] and seen["findings"] == []


async def test_a_rectification_deadline_in_the_past_is_refused(evaluation, tendered):
    r = tendered
    await open_initial(evaluation, r)
    past = await evaluation.error(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
        "severity": "MAJOR", "description": "未按计划开展活动", "rectificationDeadline": in_days(-1)}}, token=r.evaluator)
    assert past["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.rectificationDeadline"}
    assert "past" in past["message"]
    missing = await evaluation.error(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
        "severity": "MAJOR", "description": "未按计划开展活动"}}, token=r.evaluator)
    assert missing["extensions"]["field"] == "input.rectificationDeadline"
    seen = await view(evaluation, r)
    assert seen["findings"] == [] and seen["rectifications"] == []


async def test_an_amount_at_issue_must_be_a_violation_within_the_grant(evaluation, tendered):
    r = tendered
    await open_initial(evaluation, r)
    minor = await evaluation.error(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
        "severity": "MINOR", "description": "x", "amountAtIssue": "10.00"}}, token=r.evaluator)
    assert minor["extensions"]["field"] == "input.amountAtIssue"
    beyond = await evaluation.error(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
        "severity": "VIOLATION", "description": "x", "amountAtIssue": "100000.01"}}, token=r.evaluator)
    assert beyond["extensions"]["field"] == "input.amountAtIssue"
    assert (await view(evaluation, r))["findings"] == []


async def test_evidence_needs_a_sha256_checksum_and_a_place(evaluation, tendered):
    r = tendered
    await open_initial(evaluation, r)
    bad = inspection()
    bad["evidence"][0]["checksum"] = "abc123"
    error = await evaluation.error(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL", "input": bad}, token=r.evaluator)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.evidence.0.checksum"}
    future = await evaluation.error(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL",
                                              "input": inspection(inspectedOn="2099-01-01")}, token=r.evaluator)
    assert future["extensions"]["field"] == "input.inspectedOn"
    assert (await view(evaluation, r))["inspections"] == []


async def test_every_input_list_has_a_maximum_and_one_more_is_refused_naming_the_list(evaluation, tendered):
    r = tendered
    many_criteria = [{"name": f"c{i}", "maxPoints": 5} for i in range(21)]
    criteria = await evaluation.error(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": many_criteria},
                                      token=r.evaluator)
    evidence = [{"fileName": f"f{i}.jpg", "checksum": "sha256:00", "location": "s3://x"} for i in range(51)]
    inspected = await evaluation.error(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL",
                                                 "input": {**inspection(), "evidence": evidence}}, token=r.evaluator)
    many_scores = [{"criterion": f"c{i}", "points": 1} for i in range(21)]
    scored = await evaluation.error(COMPLETE, {"id": r.evaluation_id, "phase": "INITIAL", "scores": many_scores},
                                    token=r.evaluator)
    assert [e["extensions"] for e in (criteria, inspected, scored)] == [
        {"code": "BAD_USER_INPUT", "field": "criteria"}, {"code": "BAD_USER_INPUT", "field": "input.evidence"},
        {"code": "BAD_USER_INPUT", "field": "scores"}]
    assert (await view(evaluation, r))["phases"][0]["status"] == "PENDING"
