"""Step 4, inspections: a document review, site visit or phone follow-up, with references to its
evidence (never the file itself)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from services.common.data import audit
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput
from services.common.kernel.validation import clean_text

from ..models import AuditRecord, Inspection, InspectionMethod, PhaseKind
from .agencies import require_round_evaluator
from .evaluations import get_evaluation, open_phase_of, utcnow

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")  # calendar dates (inspection days) are local dates
CHECKSUM = re.compile(r"^(sha256:)?[0-9a-fA-F]{64}$")


@dataclass
class EvidenceRef:
    file_name: str
    checksum: str
    location: str


@dataclass
class InspectionCommand:
    method: InspectionMethod
    inspected_on: dt.date
    inspector: str
    notes: str | None = None
    evidence: list[EvidenceRef] = field(default_factory=list)


async def record_inspection(principal: Principal, evaluation_id: str, kind: PhaseKind, data: InspectionCommand) -> Inspection:
    evaluation = await get_evaluation(evaluation_id, for_update=True)
    await require_round_evaluator(principal, evaluation)
    phase = await open_phase_of(evaluation, kind, doing="recording an inspection")
    if data.inspected_on > utcnow().astimezone(CHINA).date():
        raise BadInput(f"an inspection cannot be dated in the future ({data.inspected_on})", field="inspectedOn")
    awarded_on = evaluation.awarded_at.astimezone(CHINA).date()
    if data.inspected_on < awarded_on:
        raise BadInput(f"an inspection on {data.inspected_on} is before the project was awarded on {awarded_on}",
                       field="inspectedOn")
    inspector = clean_text(data.inspector, "inspector", max_length=120)
    notes = clean_text(data.notes, "notes", required=False, max_length=8000)
    evidence = []
    for n, ref in enumerate(data.evidence):
        checksum = (ref.checksum or "").strip()
        if not CHECKSUM.match(checksum):
            raise BadInput(
                f"evidence checksum '{checksum}' is not a SHA-256 digest (64 hexadecimal characters)",
                field=f"evidence[{n}].checksum",
            )
        evidence.append(
            {
                "fileName": clean_text(ref.file_name, f"evidence[{n}].fileName", max_length=255),
                "checksum": checksum.lower().removeprefix("sha256:"),
                "location": clean_text(ref.location, f"evidence[{n}].location", max_length=500),
            }
        )
    inspection = await Inspection.create(
        district=evaluation.district,
        evaluation=evaluation,
        phase=phase,
        method=data.method,
        inspected_on=data.inspected_on,
        inspector=inspector,
        notes=notes,
        evidence=evidence,
    )
    await audit.record(AuditRecord, principal, district=evaluation.district, action="recordInspection", entity=inspection)
    return inspection
