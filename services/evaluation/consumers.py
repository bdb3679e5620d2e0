"""What evaluation consumes: districts from the registry; rounds, awards, service records and recovery
orders from funding."""

from __future__ import annotations

from services.common.events.directory import directory_handler
from services.common.events import Envelope
from services.common.events.handlers import consumes, handler_table
from services.contracts import (
    ProjectAwarded, RecoveryOrdered, RecoverySettled, RoundChanged, RoundOpened, ServiceRecordReported,
)

from . import domain
from .models import DistrictDirectory


@consumes(ProjectAwarded)
async def on_project_awarded(event: ProjectAwarded, envelope: Envelope) -> None:
    await domain.open_evaluation_for_award(envelope.district, event)


# A batch of service records (reportServiceRecords) arrives as a run of these: kept in one INSERT.
@consumes(ServiceRecordReported, many=True)
async def on_service_records_reported(events: list[ServiceRecordReported], envelopes: list[Envelope]) -> None:
    await domain.keep_service_records(envelopes[0].district, events)


@consumes(RoundOpened)
async def on_round_opened(event: RoundOpened, envelope: Envelope) -> None:
    await domain.keep_round(envelope.district, event)


@consumes(RoundChanged)
async def on_round_changed(event: RoundChanged, envelope: Envelope) -> None:
    await domain.keep_round(envelope.district, event)


@consumes(RecoveryOrdered)
async def on_recovery_ordered(event: RecoveryOrdered, envelope: Envelope) -> None:
    await domain.keep_recovery_order(envelope.district, event)


@consumes(RecoverySettled)
async def on_recovery_settled(event: RecoverySettled, envelope: Envelope) -> None:
    await domain.recovery_settled(envelope.district, event)


handlers = handler_table(
    directory_handler(DistrictDirectory), on_round_opened, on_round_changed, on_project_awarded,
    on_service_records_reported, on_recovery_ordered, on_recovery_settled,
)
