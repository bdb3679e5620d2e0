"""Step 7: delivery reported by the implementing organization: service records and expenses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.common.data.gazetteer import Place, resolve_places
from services.common.kernel.auth import Principal
from services.common.kernel.errors import BadInput, Forbidden
from services.common.kernel.money import format_fen
from services.common.kernel.validation import clean_text
from services.contracts import ServiceRecordReported

from .. import events
from ..models import Expense, FundingRound, KnownPlace, Phase, Project, ServiceRecord
from .common import audit_record, awarded_project, now, require_phase


async def _own_project(principal: Principal, project_id: Any, doing: str) -> tuple[Project, FundingRound]:
    project, round_ = await awarded_project(project_id, for_update=True)
    if principal.org != str(project.organization_id):
        raise Forbidden("only the implementing organization reports on its project", field="projectId")
    require_phase(round_, Phase.AWARDED, doing=doing)
    return project, round_


def _past_date(value: dt.date, field: str) -> dt.date:
    if value > now().date():
        raise BadInput(f"{value.isoformat()} is in the future", field=field)
    return value


@dataclass
class ServiceRecordCommand:
    """Report one service delivered to one beneficiary of a project."""

    project_id: Any
    community: str
    service_date: dt.date
    beneficiary: str
    person_times: int
    subdistrict: str | None = None


async def report_service_record(principal: Principal, command: ServiceRecordCommand) -> ServiceRecord:
    record = await _create_service_record(principal, command)
    await events.emitter.emit(_service_record_reported(record), record.district)
    return record


async def _create_service_record(principal: Principal, command: ServiceRecordCommand,
                                 places: dict | None = None) -> ServiceRecord:
    project, _ = await _own_project(principal, command.project_id, "reporting service records")
    # Picked from the gazetteer: a community named alone brings its own subdistrict. A batch resolves each
    # place it names once (`places`), not once per record.
    key = (project.district, command.subdistrict, command.community)
    if places is not None and key in places:
        sub_place, com_place = places[key]
    else:
        sub_place, com_place = await resolve_places(KnownPlace, project.district, command.subdistrict,
                                                    command.community, subdistrict_required=False)
        if places is not None:
            places[key] = (sub_place, com_place)
    if sub_place is None and project.subdistrict:
        sub_place = Place(project.subdistrict)
    if sub_place is None:
        raise BadInput("the project spans subdistricts: name the subdistrict served", field="subdistrict")
    if com_place is None:
        raise BadInput("community must not be empty", field="community")
    subdistrict = sub_place.name
    if not 1 <= command.person_times <= 100_000:
        raise BadInput("person-times are a whole number from 1 to 100000", field="personTimes")
    record = await ServiceRecord.create(
        district=project.district,
        project_id=project.id,
        subdistrict=subdistrict,
        community=com_place.name,
        service_date=_past_date(command.service_date, "serviceDate"),
        beneficiary=clean_text(command.beneficiary, "beneficiary", max_length=100),
        person_times=command.person_times,
        reported_by=principal.sub,
    )
    await audit_record(principal, "reportServiceRecord", record)
    return record


def _service_record_reported(record: ServiceRecord) -> ServiceRecordReported:
    return ServiceRecordReported(
        project_id=str(record.project_id),
        record_id=str(record.id),
        beneficiary=record.beneficiary,
        community=record.community,
        service_date=record.service_date.isoformat(),
        person_times=record.person_times,
    )


MAX_RECORDS_PER_BATCH = 1000


async def report_service_records(principal: Principal, commands: list[ServiceRecordCommand]) -> list[ServiceRecord]:
    """Many service records in one operation: the same rules as one record, all or none (one transaction)."""
    if not 1 <= len(commands) <= MAX_RECORDS_PER_BATCH:
        raise BadInput(f"a batch holds 1 to {MAX_RECORDS_PER_BATCH} service records", field="input")
    places: dict = {}
    records = [await _create_service_record(principal, command, places) for command in commands]
    # One INSERT for the batch's events, in the same transaction as its records.
    await events.emitter.emit_many(
        [(_service_record_reported(r), r.district) for r in records]
    )
    return records


async def report_expense(
    principal: Principal, *, project_id: Any, amount_fen: int, spent_on: dt.date, description: str
) -> Expense:
    project, _ = await _own_project(principal, project_id, "reporting expenses")
    if amount_fen <= 0:
        raise BadInput("an expense is an amount above zero", field="amount")
    spent = sum(e.amount_fen for e in await Expense.filter(project_id=project.id))
    if spent + amount_fen > project.grant_fen:
        raise BadInput(
            f"expenses would reach {format_fen(spent + amount_fen)}, above the grant of {format_fen(project.grant_fen)}",
            field="amount",
        )
    expense = await Expense.create(
        district=project.district,
        project_id=project.id,
        amount_fen=amount_fen,
        spent_on=_past_date(spent_on, "spentOn"),
        description=clean_text(description, "description", max_length=2000),
        reported_by=principal.sub,
    )
    await audit_record(principal, "reportExpense", expense)
    return expense
