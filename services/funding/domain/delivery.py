"""Step 7: delivery reported by the implementing organization: service records and expenses."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from services.common.data.gazetteer import Place, place_columns, resolve_places
from services.common.kernel.auth import Principal
from services.common.kernel.calendar import local_date, today
from services.common.kernel.errors import BadInput, Conflict, Forbidden
from services.common.kernel.money import format_fen
from services.common.kernel.validation import clean_name, clean_text
from services.contracts import ServiceRecordReported

from .. import events
from ..models import Expense, FundingRound, KnownOrganization, KnownPlace, OrganizationStatus, Phase, Project, ServiceRecord
from .common import audit_record, awarded_project, now, require_phase


async def _own_project(principal: Principal, project_id: Any, doing: str) -> tuple[Project, FundingRound]:
    project, round_ = await awarded_project(project_id, for_update=True)
    if principal.org != str(project.organization_id):
        raise Forbidden("only the implementing organization reports on its project", field="projectId")
    require_phase(round_, Phase.AWARDED, doing=doing)
    org = await KnownOrganization.filter(id=project.organization_id).first()
    if org is None or org.status is not OrganizationStatus.ACTIVE:
        status = org.status.value if org else "unknown"
        raise Conflict(f"the organization is {status}; only an ACTIVE organization reports delivery", field="projectId")
    return project, round_


def _within_project(project: Project, value: dt.date, field: str) -> dt.date:
    """A delivery date within the project's life: from its award to its end, and not in the future."""
    if value > today():
        raise BadInput(f"{value.isoformat()} is in the future", field=field)
    started = local_date(project.awarded_at)
    if value < started:
        raise BadInput(f"{value.isoformat()} is before the project was awarded on {started.isoformat()}", field=field)
    if project.ends_on is not None and value > project.ends_on:
        raise BadInput(f"{value.isoformat()} is after the project ended on {project.ends_on.isoformat()}", field=field)
    return value


CONTACT = re.compile(r"^\+?[0-9][0-9 -]{4,38}$")


def _contact(value: str | None, field: str) -> str | None:
    """A phone number the organization reached the beneficiary on (digits, spaces, dashes, a leading +)."""
    value = clean_text(value, field, required=False, max_length=40)
    if value and not CONTACT.match(value):
        raise BadInput(f"'{value}' is not a phone number", field=field)
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
    contact: str | None = None


async def report_service_record(principal: Principal, command: ServiceRecordCommand) -> ServiceRecord:
    record = await _create_service_record(principal, command)
    await events.emitter.emit(_service_record_reported(record), record.district)
    return record


async def _create_service_record(
    principal: Principal, command: ServiceRecordCommand, checked: dict | None = None, places: dict | None = None
) -> ServiceRecord:
    # A batch checks (and locks) each of its projects once: `checked` keeps them for the operation.
    key = str(command.project_id)
    if checked is not None and key in checked:
        project = checked[key]
    else:
        project, _ = await _own_project(principal, command.project_id, "reporting service records")
        if checked is not None:
            checked[key] = project
    # Picked from the gazetteer: a community named alone brings its own subdistrict. A batch resolves each
    # place it names once (`places`), not once per record.
    place_key = (project.district, command.subdistrict, command.community)
    if places is not None and place_key in places:
        sub_place, com_place = places[place_key]
    else:
        sub_place, com_place = await resolve_places(KnownPlace, project.district, command.subdistrict,
                                                    command.community, subdistrict_required=False)
        if places is not None:
            places[place_key] = (sub_place, com_place)
    if sub_place is None and project.subdistrict:
        sub_place = Place(project.subdistrict, project.subdistrict_code, project.subdistrict_entry_id)
    if sub_place is None:
        raise BadInput("the project spans subdistricts: name the subdistrict served", field="subdistrict")
    if com_place is None:
        raise BadInput("community must not be empty", field="community")
    if not 1 <= command.person_times <= 100_000:
        raise BadInput("person-times are a whole number from 1 to 100000", field="personTimes")
    record = await ServiceRecord.create(
        district=project.district,
        project_id=project.id,
        **place_columns(sub_place, com_place),
        service_date=_within_project(project, command.service_date, "serviceDate"),
        beneficiary=clean_name(command.beneficiary, "beneficiary", max_length=100),
        contact=_contact(command.contact, "contact"),
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
        contact=record.contact,
    )


MAX_RECORDS_PER_BATCH = 1000


async def report_service_records(principal: Principal, commands: list[ServiceRecordCommand]) -> list[ServiceRecord]:
    """Many service records in one operation: the same rules as one record, all or none (one transaction)."""
    if not 1 <= len(commands) <= MAX_RECORDS_PER_BATCH:
        raise BadInput(f"a batch holds 1 to {MAX_RECORDS_PER_BATCH} service records", field="input")
    checked: dict = {}
    places: dict = {}
    records = [await _create_service_record(principal, command, checked, places) for command in commands]
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
        spent_on=_within_project(project, spent_on, "spentOn"),
        description=clean_text(description, "description", max_length=2000),
        reported_by=principal.sub,
    )
    await audit_record(principal, "reportExpense", expense)
    return expense
