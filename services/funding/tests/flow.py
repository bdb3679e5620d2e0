"""The operations a district portal sends, and short ways through a round for tests that need one."""

from __future__ import annotations

import datetime as dt
import uuid

from services.common.events import Envelope
from services.common.kernel.calendar import today
from tests.support import token

OPEN = """mutation($input: OpenRoundInput!) { openRound(input: $input) {
  id name year budget phase minReviews noticeDays criteria { name weight } } }"""
ADVANCE = "mutation($id: ID!, $to: Phase!) { advanceRound(id: $id, to: $to) { id phase noticeEndsAt } }"
PUBLISH = "mutation($roundId: ID!) { publishNotice(roundId: $roundId) { id phase noticeEndsAt } }"
NEED = """mutation($input: RecordNeedInput!) { recordNeed(input: $input) {
  id subdistrict community category method description libraryEntry { id } } }"""
MERGE = """mutation($input: MergeNeedsInput!) { mergeNeeds(input: $input) {
  id title category requested needs { id } merges { action actor reason needIds } } }"""
UNMERGE = "mutation($needId: ID!, $reason: String!) { unmergeNeed(needId: $needId, reason: $reason) { id needs { id } } }"
PANEL = "mutation($input: PanelMemberInput!) { addPanelMember(input: $input) { id name kind sub } }"
CONFLICT = "mutation($entryId: ID!, $reason: String!) { declareConflict(entryId: $entryId, reason: $reason) { id } }"
SCORE = "mutation($input: ScoreEntryInput!) { scoreEntry(input: $input) { id score reviews { score } } }"
SELECT = """mutation($roundId: ID!) { selectProjects(roundId: $roundId) {
  id projects(first: 50) { totalCount edges { node { id title status requested } } } } }"""
CLOSE_NOTICE = "mutation($roundId: ID!) { closeNoticePeriod(roundId: $roundId) { id noticeEndsAt } }"
OBJECT = "mutation($projectId: ID!, $reason: String!) { lodgeObjection(projectId: $projectId, reason: $reason) { id status } }"
RESOLVE = """mutation($id: ID!, $outcome: ObjectionOutcome!, $resolution: String!) {
  resolveObjection(id: $id, outcome: $outcome, resolution: $resolution) { id status resolution project { id status } } }"""
AWARD = """mutation($input: AwardProjectInput!) { awardProject(input: $input) {
  id status grant disbursed organization { id } organizationName tranches { id sequence amount dueOn status } } }"""
SCHEDULE = "mutation($input: ScheduleTrancheInput!) { scheduleTranche(input: $input) { id sequence amount status } }"
DISBURSE = "mutation($id: ID!) { disburseTranche(trancheId: $id) { id sequence amount status } }"
RECORD = "mutation($input: ServiceRecordInput!) { reportServiceRecord(input: $input) { id subdistrict community personTimes } }"
EXPENSE = "mutation($input: ExpenseInput!) { reportExpense(input: $input) { id amount } }"
ORDER = "mutation($input: OrderRecoveryInput!) { orderRecovery(input: $input) { id amount status source reason } }"
SETTLE = """mutation($id: ID!, $input: SettleRecoveryInput! = {paymentReference: "HRB-PAY-0001"}) {
  settleRecovery(id: $id, input: $input) { id status settled outstanding settledAt } }"""
PROJECT = """query($id: ID!) { project(id: $id) { id title status grant disbursed beneficiaries personTimes
  tranches { id amount status } recoveryOrders { id amount status source reason findingId }
  expenses { totalCount } serviceRecords { totalCount } } }"""
ROUND = """query($id: ID!) { fundingRound(id: $id) { id name phase budget committed disbursed recovered
  beneficiaries personTimes trail { needs entries selected withdrawn awarded } } }"""

CRITERIA = [{"name": "需求契合度", "weight": 40}, {"name": "可行性", "weight": 30}, {"name": "社会效益", "weight": 30}]
TODAY_DATE = today()  # China's calendar, as funding's rules read dates
TODAY = TODAY_DATE.isoformat()


def organization_envelope(district: str, *, org_id: str | None = None, name: str = "共乐为老服务中心",
                          status: str = "ACTIVE", event: str = "registry.organization.registered",
                          category: str = "ELDERLY_CARE") -> Envelope:
    data = {
        "id": org_id or str(uuid.uuid4()), "name": name, "registration": "FILED", "creditCode": None,
        "filingNumber": f"{district}-BA-00001", "category": category, "subdistrict": "新阳路街道",
        "community": "共乐社区", "status": status,
    }
    if event.endswith("status_changed"):
        data.update(previousStatus="ACTIVE", reason="年检不合格")
    return Envelope(type=event, district=district, producer="registry", data=data)


async def know_organization(consumer, district: str, **kwargs) -> str:
    envelope = organization_envelope(district, **kwargs)
    assert await consumer.handle(envelope)
    return envelope.data["id"]


def violation_envelope(district: str, project_id: str, amount_fen: int, *, finding_id: str | None = None) -> Envelope:
    return Envelope(
        type="evaluation.violation.found", district=district, producer="evaluation",
        data={"evaluationId": str(uuid.uuid4()), "projectId": project_id, "findingId": finding_id or str(uuid.uuid4()),
              "amountFen": amount_fen, "description": "挪用项目资金用于机构日常开支"},
    )


async def awarded_project(funding, bureau_token: str, district: str, org_id: str, *, grant: str = "100000.00",
                          tranches: list[str] = ("60000.00", "40000.00")) -> dict:
    """The shortest way through a round: one need, one entry, one review, the notice closed early, one award."""
    reviewer_sub = f"reviewer-{uuid.uuid4().hex[:6]}"
    rnd = (await funding.ok(OPEN, {"input": {"name": "测试创投", "year": 2024, "budget": "200000.00",
                                               "criteria": CRITERIA, "minReviews": 1, "noticeDays": 7}},
                            token=bureau_token))["openRound"]
    need = (await funding.ok(NEED, {"input": {"roundId": rnd["id"], "subdistrict": "新阳路街道", "community": "共乐社区",
                                              "category": "ELDERLY_CARE", "method": "QUESTIONNAIRE",
                                              "description": "独居老人午餐"}}, token=bureau_token))["recordNeed"]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=bureau_token)
    entry = (await funding.ok(MERGE, {"input": {"needIds": [need["id"]], "reason": "单一需求", "title": "助老食堂",
                                                "requested": grant}}, token=bureau_token))["mergeNeeds"]
    await funding.ok(PANEL, {"input": {"roundId": rnd["id"], "name": "专家甲", "kind": "EXPERT", "sub": reviewer_sub}},
                     token=bureau_token)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=bureau_token)
    await funding.ok(SCORE, {"input": {"entryId": entry["id"], "grades": grades(8, 8, 8)}},
                     token=token(district, "reviewer", sub=reviewer_sub))
    selected = (await funding.ok(SELECT, {"roundId": rnd["id"]}, token=bureau_token))["selectProjects"]
    project_id = selected["projects"]["edges"][0]["node"]["id"]
    await funding.ok(PUBLISH, {"roundId": rnd["id"]}, token=bureau_token)
    await funding.ok(CLOSE_NOTICE, {"roundId": rnd["id"]}, token=bureau_token)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "AWARDED"}, token=bureau_token)
    project = (await funding.ok(AWARD, {"input": {"projectId": project_id, "organizationId": org_id, "grant": grant,
                                                  "tranches": [{"amount": a, "dueOn": TODAY} for a in tranches]}},
                                token=bureau_token))["awardProject"]
    return {"round": rnd["id"], "entry": entry["id"], "need": need["id"], "project": project_id,
            "tranches": [t["id"] for t in project["tranches"]]}


def grades(*values: int) -> list[dict]:
    return [{"criterion": c["name"], "grade": v} for c, v in zip(CRITERIA, values)]
