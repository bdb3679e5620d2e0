"""The bureau supervises: it orders rectification with a deadline and resolves violations."""

from __future__ import annotations

from .operations import CRITERIA, EVALUATION, FINDING, OPEN_PHASE, in_days

ORDER = "mutation($id: ID!, $deadline: DateTime!) { orderRectification(findingId: $id, deadline: $deadline) { id status } }"
COMPLETE = "mutation($id: ID!) { completeRectification(id: $id, note: \"已整改并复核\") { status completionNote } }"
RESOLVE = "mutation($id: ID!) { resolveFinding(id: $id, resolution: \"资金已退回\") { resolved resolution } }"


async def test_the_bureau_orders_rectification_of_a_minor_finding_and_the_agency_confirms_it(evaluation, tendered):
    r = tendered
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA}, token=r.evaluator)
    finding = (await evaluation.ok(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
        "severity": "MINOR", "description": "宣传材料未标注资助方"}}, token=r.evaluator))["recordFinding"]
    past = await evaluation.error(ORDER, {"id": finding["id"], "deadline": in_days(-0.1)}, token=r.bureau)
    assert past["extensions"] == {"code": "BAD_USER_INPUT", "field": "deadline"}
    by_agency = await evaluation.error(ORDER, {"id": finding["id"], "deadline": in_days(7)}, token=r.evaluator)
    assert by_agency["extensions"]["code"] == "FORBIDDEN"
    ordered = (await evaluation.ok(ORDER, {"id": finding["id"], "deadline": in_days(7)}, token=r.bureau))["orderRectification"]
    assert ordered["status"] == "OPEN"
    twice = await evaluation.error(ORDER, {"id": finding["id"], "deadline": in_days(8)}, token=r.bureau)
    assert twice["extensions"]["code"] == "CONFLICT"
    rival = await evaluation.error(COMPLETE, {"id": ordered["id"]}, token=r.rival)
    assert rival["extensions"]["code"] == "FORBIDDEN"
    done = await evaluation.ok(COMPLETE, {"id": ordered["id"]}, token=r.evaluator)
    assert done["completeRectification"] == {"status": "COMPLETED", "completionNote": "已整改并复核"}
    seen = (await evaluation.ok(EVALUATION, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]
    assert seen["findings"] == [{"severity": "MINOR", "resolved": True}]
    assert seen["rectifications"] == [{"status": "COMPLETED"}]


async def test_only_the_bureau_resolves_a_violation(evaluation, tendered):
    r = tendered
    await evaluation.ok(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA}, token=r.evaluator)
    finding = (await evaluation.ok(FINDING, {"id": r.evaluation_id, "phase": "INITIAL", "input": {
        "severity": "VIOLATION", "description": "虚报服务人次", "amountAtIssue": "3000.00"}}, token=r.evaluator))["recordFinding"]
    refused = await evaluation.error(RESOLVE, {"id": finding["id"]}, token=r.evaluator)
    assert refused["extensions"]["code"] == "FORBIDDEN"
    resolved = await evaluation.ok(RESOLVE, {"id": finding["id"]}, token=r.bureau)
    assert resolved["resolveFinding"] == {"resolved": True, "resolution": "资金已退回"}
    again = await evaluation.error(RESOLVE, {"id": finding["id"]}, token=r.bureau)
    assert again["extensions"] == {"code": "CONFLICT", "field": "id"}
