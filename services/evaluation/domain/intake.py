"""Step 2, the consumers' side: an award opens its project's evaluation, and reported service records
become the follow-up population."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.common.data import audit
from services.common.kernel.categories import Category
from services.contracts import ProjectAwarded, ServiceRecordReported

from ..models import PHASE_ORDER, AuditRecord, Evaluation, Phase, ServiceBeneficiary


async def open_evaluation_for_award(district: str, award: ProjectAwarded) -> Evaluation | None:
    """funding.project.awarded: one evaluation per project, its three phases waiting to be opened."""
    if await Evaluation.exists(project_id=award.project_id):
        return None
    evaluation = await Evaluation.create(
        district=district,
        project_id=award.project_id,
        round_id=award.round_id,
        round_name=award.round_name,
        year=award.year,
        title=award.title,
        category=Category(award.category),
        organization_id=award.organization_id,
        organization_name=award.organization_name,
        grant_fen=award.grant_fen,
        subdistrict=award.subdistrict,
        community=award.community,
        awarded_at=dt.datetime.fromisoformat(award.awarded_at),
    )
    for position, kind in enumerate(PHASE_ORDER):
        await Phase.create(district=district, evaluation=evaluation, kind=kind, position=position)
    await audit.record(AuditRecord, None, district=district, action="openEvaluation", entity=evaluation)
    return evaluation


async def keep_service_records(district: str, records: Sequence[ServiceRecordReported]) -> None:
    """funding.service_record.reported: the beneficiaries join their projects' follow-up populations.

    One INSERT for the lot (a batch of service records arrives as a run of events); a record already
    kept is skipped by the (district, record_id) unique constraint."""
    await ServiceBeneficiary.bulk_create([_beneficiary(district, record) for record in records], ignore_conflicts=True)


def _beneficiary(district: str, record: ServiceRecordReported) -> ServiceBeneficiary:
    return ServiceBeneficiary(
        district=district,
        project_id=record.project_id,
        record_id=record.record_id,
        beneficiary=record.beneficiary.strip(),
        contact=record.contact,
        community=record.community,
        service_date=dt.date.fromisoformat(record.service_date[:10]),
        person_times=record.person_times,
    )
