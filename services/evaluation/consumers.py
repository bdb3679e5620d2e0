"""What evaluation consumes: districts from the registry, awards and service records from funding."""

from __future__ import annotations

from services.common.events.directory import directory_handler, district_changed_handler
from services.common.events import Envelope
from services.common.events.handlers import consumes, handler_table
from services.contracts import ProjectAwarded, ServiceRecordReported

from . import domain
from .models import DistrictDirectory


@consumes(ProjectAwarded)
async def on_project_awarded(event: ProjectAwarded, envelope: Envelope) -> None:
    await domain.open_evaluation_for_award(envelope.district, event)


# A batch of service records (reportServiceRecords) arrives as a run of these: kept in one INSERT.
@consumes(ServiceRecordReported, many=True)
async def on_service_records_reported(events: list[ServiceRecordReported], envelopes: list[Envelope]) -> None:
    await domain.keep_service_records(envelopes[0].district, events)


handlers = handler_table(directory_handler(DistrictDirectory), district_changed_handler(DistrictDirectory),
                         on_project_awarded, on_service_records_reported)
