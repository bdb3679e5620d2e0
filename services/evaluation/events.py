"""What evaluation emits, and the events it consumes from registry and funding."""

from __future__ import annotations

from services.common.directory import DISTRICT_ONBOARDED, directory_handler
from services.common.events import Emitter, Envelope
from services.common.events.handlers import applies_many

from .models import DistrictDirectory, OutboxEvent

# Emitted
PHASE_COMPLETED = "evaluation.phase.completed"
VIOLATION_FOUND = "evaluation.violation.found"
RECTIFICATION_OVERDUE = "evaluation.rectification.overdue"

# Consumed
PROJECT_AWARDED = "funding.project.awarded"
SERVICE_RECORD_REPORTED = "funding.service_record.reported"

emitter = Emitter(producer="evaluation", outbox=OutboxEvent, connection="evaluation")


async def on_project_awarded(envelope: Envelope) -> None:
    from . import domain  # domain emits through this module

    await domain.open_evaluation_for_award(envelope.district, envelope.data, occurred_at=envelope.occurredAt)


@applies_many  # a batch of service records (reportServiceRecords) arrives as a run of these
async def on_service_records_reported(envelopes: list[Envelope]) -> None:
    from . import domain

    await domain.keep_service_records(envelopes[0].district, [e.data for e in envelopes])


HANDLERS = {
    DISTRICT_ONBOARDED: directory_handler(DistrictDirectory),
    PROJECT_AWARDED: on_project_awarded,
    SERVICE_RECORD_REPORTED: on_service_records_reported,
}
