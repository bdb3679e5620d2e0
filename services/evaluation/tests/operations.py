"""The GraphQL operations and event envelopes the evaluation tests use, written as a portal would."""

from __future__ import annotations

import datetime as dt
import uuid

from services.common.kernel.credit_code import make_credit_code
from services.common.events import Envelope
from tests.support import DAOLI

ROUND = "7b0e3a52-5d0c-4c1e-9d7a-2f3c1b0a9e11"
CRITERIA = [{"name": "服务成效", "maxPoints": 60}, {"name": "财务规范", "maxPoints": 40}]
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

REGISTER_AGENCY = """mutation($input: RegisterEvaluationAgencyInput!) {
  registerEvaluationAgency(input: $input) { id name creditCode } }"""
OPEN_TENDER = """mutation($input: OpenEvaluationTenderInput!) { openEvaluationTender(input: $input) { id status } }"""
BID = """mutation($tenderId: ID!, $input: TenderBidInput!) {
  recordTenderBid(tenderId: $tenderId, input: $input) { id bids { price agency { name } } } }"""
DECIDE = """mutation($tenderId: ID!, $agencyId: ID!, $reason: String!) {
  decideEvaluationTender(tenderId: $tenderId, agencyId: $agencyId, reason: $reason) {
    status decisionReason decidedAt chosenAgency { id name } bids { price agency { name } } } }"""
OPEN_PHASE = """mutation($id: ID!, $phase: EvaluationPhaseKind!, $criteria: [EvaluationCriterionInput!]!) {
  openEvaluationPhase(evaluationId: $id, phase: $phase, criteria: $criteria) {
    phase status criteria { name maxPoints points } } }"""
INSPECT = """mutation($id: ID!, $phase: EvaluationPhaseKind!, $input: InspectionInput!) {
  recordInspection(evaluationId: $id, phase: $phase, input: $input) {
    id phase method inspectedOn inspector evidence { fileName checksum location } } }"""
DRAW = """mutation($id: ID!, $size: Int!, $seed: Int) {
  drawFollowUpSample(inspectionId: $id, size: $size, seed: $seed) {
    sample { size seed population populationDigest } followUps { id position beneficiary community } } }"""
FOLLOW_UP = """mutation($id: ID!, $reached: Boolean!, $satisfied: Boolean) {
  recordFollowUp(id: $id, reached: $reached, satisfied: $satisfied) { beneficiary reached satisfied calledAt } }"""
COMPLETE = """mutation($id: ID!, $phase: EvaluationPhaseKind!, $scores: [EvaluationScoreInput!]!) {
  completeEvaluationPhase(evaluationId: $id, phase: $phase, scores: $scores, summary: "完成") {
    phase status score evaluation { rating } } }"""
FINDING = """mutation($id: ID!, $phase: EvaluationPhaseKind!, $input: FindingInput!) {
  recordFinding(evaluationId: $id, phase: $phase, input: $input) {
    id phase severity amountAtIssue resolved rectification { id deadline status } } }"""
EVALUATION = """query($id: ID!) { evaluation(id: $id) {
  id title projectId roundName grant rating currentPhase project { id } agency { name }
  phases { phase status score findings { severity } inspections { method } }
  inspections { method } followUps { beneficiary reached satisfied }
  findings { severity resolved } rectifications { status } } }"""


def credit(n: int) -> str:
    """A company's credit code (authority 9): evaluation agencies are usually companies."""
    return make_credit_code("230102", n, authority="9", kind="1")


def awarded(project_id: str, *, district: str = DAOLI, round_id: str = ROUND, grant_fen: int = 10_000_000,
            title: str = "银龄互助服务项目") -> Envelope:
    return Envelope(
        type="funding.project.awarded",
        district=district,
        producer="funding",
        data={
            "projectId": project_id, "roundId": round_id, "roundName": "2026年公益创投", "year": 2026,
            "title": title, "category": "ELDERLY_CARE", "organizationId": str(uuid.uuid4()),
            "organizationName": "道里区夕阳红服务中心", "grantFen": grant_fen, "subdistrict": "新阳路街道",
            "community": "共乐社区", "awardedAt": "2026-03-01T09:00:00+08:00",
        },
    )


def round_opened(*, district: str = DAOLI, round_id: str = ROUND, name: str = "2026年公益创投") -> Envelope:
    return Envelope(type="funding.round.opened", district=district, producer="funding",
                    data={"roundId": round_id, "name": name, "year": 2026, "openedAt": "2026-01-05T09:00:00+08:00"})


def round_changed(*, district: str = DAOLI, round_id: str = ROUND, name: str = "2026年公益创投", phase: str = "CANCELLED",
                  cancel_reason: str | None = "预算科目有误", changed_at: str = "2026-01-06T09:00:00+08:00") -> Envelope:
    return Envelope(type="funding.round.changed", district=district, producer="funding",
                    data={"roundId": round_id, "name": name, "year": 2026, "phase": phase, "cancelReason": cancel_reason,
                          "changedAt": changed_at})


def recovery_envelope(kind: str, project_id: str, order_id: str, *, finding_id: str | None = None,
                      district: str = DAOLI) -> Envelope:
    """funding.recovery.ordered or .settled for an order of the project."""
    common = {"orderId": order_id, "projectId": project_id, "organizationId": str(uuid.uuid4()), "amountFen": 100_000}
    if kind == "ordered":
        data = {**common, "projectTitle": "银龄互助服务项目", "organizationName": "道里区夕阳红服务中心", "reason": "违规",
                "orderedAt": "2026-05-01T09:00:00+08:00", "source": "EVALUATION", "findingId": finding_id}
    else:
        data = {**common, "settledAt": "2026-05-20T09:00:00+08:00"}
    return Envelope(type=f"funding.recovery.{kind}", district=district, producer="funding", data=data)


def service_record(project_id: str, beneficiary: str, *, district: str = DAOLI, record_id: str | None = None,
                   contact: str | None = None) -> Envelope:
    return Envelope(
        type="funding.service_record.reported",
        district=district,
        producer="funding",
        data={
            "projectId": project_id, "recordId": record_id or str(uuid.uuid4()), "beneficiary": beneficiary,
            "community": "共乐社区", "serviceDate": "2026-04-02", "personTimes": 3, "contact": contact,
        },
    )


def onboarded(code: str, name: str) -> Envelope:
    return Envelope(type="registry.district.onboarded", district=code, producer="registry",
                    data={"code": code, "name": name, "cityCode": code[:4]})


def inspection(method: str = "DOCUMENT_REVIEW", **extra) -> dict:
    """Dated today (China's calendar): never before an award, whether the award event says March or today."""
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    return {"method": method, "inspectedOn": today, "inspector": "王评估",
            "evidence": [{"fileName": "台账.pdf", "checksum": SHA, "location": "archive://2026/daoli/台账.pdf"}], **extra}


def scores(service: int, finance: int) -> list[dict]:
    return [{"criterion": "服务成效", "points": service}, {"criterion": "财务规范", "points": finance}]


def in_days(days: float) -> str:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)).isoformat()
