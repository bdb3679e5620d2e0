"""Funding's Mutation root: each field turns its input into a domain command and returns the row it changed."""

from __future__ import annotations

import strawberry
from services.common.kernel.errors import BadInput
from services.common.api.permissions import BureauAdmin, BureauOrCity, BureauOrOfficer, DistrictUser, OrgMember, Public, Reviewer

from .. import models
from ..domain import award, delivery, library, needs, notice, recovery, review, webhooks
from ..domain import round as rounds
from .inputs import (
    AwardProjectInput,
    ExpenseInput,
    GradeInput,
    MergeNeedsInput,
    ObjectionOutcome,
    OpenRoundInput,
    OrderRecoveryInput,
    PanelMemberInput,
    Phase,
    RecordNeedInput,
    ScheduleTrancheInput,
    ScoreEntryInput,
    ServiceRecordInput,
    SettleRecoveryInput,
    UpdateRoundInput,
)
from .types import FundingRound, LibraryEntry, Need, Objection, PanelMember, Project, RecoveryOrder
from .values import Expense, PublicObjectionReceipt, ServiceRecord, Tranche
from .webhooks import RegisterWebhookInput, WebhookDelivery, WebhookSecret, WebhookSubscription


def _grades(grades: list[GradeInput]) -> dict[str, int]:
    out: dict[str, int] = {}
    for g in grades:
        name = g.criterion.strip()
        if name in out:
            raise BadInput(f"criterion '{name}' is graded twice", field="grades")
        out[name] = g.grade
    return out


def _service_record(input: ServiceRecordInput) -> delivery.ServiceRecordCommand:
    return delivery.ServiceRecordCommand(
        project_id=input.project_id, community=input.community, service_date=input.service_date,
        beneficiary=input.beneficiary, person_times=input.person_times, subdistrict=input.subdistrict,
        contact=input.contact,
    )


# Who may call each field is its permission class; declared() puts the roles before each description.
@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="open a round with its budget and published review criteria.",
    )
    async def open_round(self, info: strawberry.Info, input: OpenRoundInput) -> FundingRound:
        principal = info.context.principal
        row = await rounds.open_round(
            principal, name=input.name, year=input.year, budget_fen=input.budget,
            criteria=[rounds.CriterionSpec(name=c.name, weight=c.weight) for c in input.criteria],
            min_reviews=input.min_reviews, notice_days=input.notice_days,
        )
        return FundingRound.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="new terms for a round, while needs intake is open.",
    )
    async def update_round(self, info: strawberry.Info, input: UpdateRoundInput) -> FundingRound:
        principal = info.context.principal
        row = await rounds.update_round(
            principal, input.id, name=input.name, year=input.year, budget_fen=input.budget,
            criteria=[rounds.CriterionSpec(name=c.name, weight=c.weight) for c in input.criteria],
            min_reviews=input.min_reviews, notice_days=input.notice_days,
        )
        return FundingRound.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="cancel a mistaken round, with the reason, before any award (kept for the archive).",
    )
    async def cancel_round(self, info: strawberry.Info, id: strawberry.ID, reason: str) -> FundingRound:
        principal = info.context.principal
        return FundingRound.from_row(await rounds.cancel_round(principal, id, reason))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="close a round at its end (AWARDED -> CLOSED): every tranche paid, no recovery open.",
    )
    async def close_round(self, info: strawberry.Info, id: strawberry.ID) -> FundingRound:
        principal = info.context.principal
        return FundingRound.from_row(await rounds.advance_round(principal, id, models.Phase.CLOSED))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="move a round one phase forward (NOTICE publishes the notice).",
    )
    async def advance_round(self, info: strawberry.Info, id: strawberry.ID, to: Phase) -> FundingRound:
        principal = info.context.principal
        return FundingRound.from_row(await rounds.advance_round(principal, id, to))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="publish the selected projects (REVIEW -> NOTICE).",
    )
    async def publish_notice(self, info: strawberry.Info, round_id: strawberry.ID) -> FundingRound:
        principal = info.context.principal
        return FundingRound.from_row(await rounds.advance_round(principal, round_id, models.Phase.NOTICE))

    @strawberry.mutation(
        permission_classes=[BureauOrOfficer],
        description="record a residents' need (an officer only in their own subdistrict).",
    )
    async def record_need(self, info: strawberry.Info, input: RecordNeedInput) -> Need:
        principal = info.context.principal
        row = await needs.record_need(
            principal, round_id=input.round_id, subdistrict=input.subdistrict, community=input.community,
            category=input.category, method=input.method, description=input.description,
        )
        return Need.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="merge like needs into a library entry, recording why.",
    )
    async def merge_needs(self, info: strawberry.Info, input: MergeNeedsInput) -> LibraryEntry:
        principal = info.context.principal
        row = await library.merge_needs(
            principal, need_ids=input.need_ids, reason=input.reason, entry_id=input.entry_id,
            title=input.title, requested_fen=input.requested,
        )
        return LibraryEntry.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="take a need out of its entry (until review starts).",
    )
    async def unmerge_need(self, info: strawberry.Info, need_id: strawberry.ID, reason: str) -> LibraryEntry:
        principal = info.context.principal
        return LibraryEntry.from_row(await library.unmerge_need(principal, need_id, reason))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="seat a panel member by the subject of a reviewer account (`accounts(role: REVIEWER)`).",
    )
    async def add_panel_member(self, info: strawberry.Info, input: PanelMemberInput) -> PanelMember:
        principal = info.context.principal
        row = await review.add_panel_member(principal, round_id=input.round_id, name=input.name, kind=input.kind, sub=input.sub)
        return PanelMember.from_row(row)

    @strawberry.mutation(
        permission_classes=[Reviewer],
        description="declare a conflict of interest with an entry; it cannot be scored by you.",
    )
    async def declare_conflict(self, info: strawberry.Info, entry_id: strawberry.ID, reason: str) -> LibraryEntry:
        principal = info.context.principal
        declaration = await review.declare_conflict(principal, entry_id, reason)
        return LibraryEntry.from_row(await models.LibraryEntry.get(id=declaration.entry_id))

    @strawberry.mutation(permission_classes=[Reviewer], description="grade an entry 0-10 on every published criterion.")
    async def score_entry(self, info: strawberry.Info, input: ScoreEntryInput) -> LibraryEntry:
        principal = info.context.principal
        graded = await review.score_entry(principal, input.entry_id, _grades(input.grades), input.comment)
        return LibraryEntry.from_row(await models.LibraryEntry.get(id=graded.entry_id))

    @strawberry.mutation(permission_classes=[BureauAdmin], description="select entries by score within the budget.")
    async def select_projects(self, info: strawberry.Info, round_id: strawberry.ID) -> FundingRound:
        principal = info.context.principal
        return FundingRound.from_row(await review.select_projects(principal, round_id))

    @strawberry.mutation(permission_classes=[BureauAdmin], description="end the notice period now.")
    async def close_notice_period(self, info: strawberry.Info, round_id: strawberry.ID) -> FundingRound:
        principal = info.context.principal
        return FundingRound.from_row(await notice.close_notice_period(principal, round_id))

    @strawberry.mutation(permission_classes=[DistrictUser], description="object to a project on notice.")
    async def lodge_objection(self, info: strawberry.Info, project_id: strawberry.ID, reason: str) -> Objection:
        principal = info.context.principal
        return Objection.from_row(await notice.lodge_objection(principal, project_id, reason))

    @strawberry.mutation(
        permission_classes=[Public],
        description="a resident's objection to a project on the district's public notice, without an account: "
                    "a contact for the bureau's answer (the gateway limits how often one client may lodge).",
    )
    async def lodge_public_objection(
        self, info: strawberry.Info, district: str, project_id: strawberry.ID, contact: str, text: str
    ) -> PublicObjectionReceipt:
        lodged = await notice.lodge_public_objection(district, project_id, contact, text)
        return PublicObjectionReceipt(received=True, lodged_at=lodged["lodged_at"])

    @strawberry.mutation(permission_classes=[BureauAdmin], description="UPHELD drops the project; DISMISSED keeps it.")
    async def resolve_objection(
        self, info: strawberry.Info, id: strawberry.ID, outcome: ObjectionOutcome, resolution: str
    ) -> Objection:
        principal = info.context.principal
        row = await notice.resolve_objection(principal, id, models.ObjectionStatus(outcome.value), resolution)
        return Objection.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="an ACTIVE organization, a grant within the budget, a tranche schedule.",
    )
    async def award_project(self, info: strawberry.Info, input: AwardProjectInput) -> Project:
        principal = info.context.principal
        row = await award.award_project(principal, award.AwardCommand(
            project_id=input.project_id, organization_id=input.organization_id, grant_fen=input.grant,
            tranches=[award.TrancheSpec(amount_fen=t.amount, due_on=t.due_on) for t in input.tranches],
            ends_on=input.ends_on, over_request_reason=input.over_request_reason,
        ))
        return Project.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="approve a grant above its request (another bureau admin than the one who awarded it).",
    )
    async def approve_over_request_grant(self, info: strawberry.Info, project_id: strawberry.ID) -> Project:
        principal = info.context.principal
        return Project.from_row(await award.approve_over_request_grant(principal, project_id))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="add a tranche, within what remains of the grant.",
    )
    async def schedule_tranche(self, info: strawberry.Info, input: ScheduleTrancheInput) -> Tranche:
        principal = info.context.principal
        return Tranche.from_row(await award.schedule_tranche(principal, input.project_id, input.amount, input.due_on))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="pay a planned tranche (never to a suspended organization).",
    )
    async def disburse_tranche(self, info: strawberry.Info, tranche_id: strawberry.ID) -> Tranche:
        principal = info.context.principal
        return Tranche.from_row(await award.disburse_tranche(principal, tranche_id))

    @strawberry.mutation(
        permission_classes=[OrgMember],
        description="a service delivered (only members of the implementing organization).",
    )
    async def report_service_record(self, info: strawberry.Info, input: ServiceRecordInput) -> ServiceRecord:
        principal = info.context.principal
        row = await delivery.report_service_record(principal, _service_record(input))
        return ServiceRecord.from_row(row)

    @strawberry.mutation(permission_classes=[OrgMember], description="up to 1000 service records at once, same rules as "
                        "reportServiceRecord; one bad record rejects them all.")
    async def report_service_records(self, info: strawberry.Info, input: list[ServiceRecordInput]) -> list[ServiceRecord]:
        principal = info.context.principal
        rows = await delivery.report_service_records(principal, [_service_record(i) for i in input])
        return [ServiceRecord.from_row(row) for row in rows]

    @strawberry.mutation(
        permission_classes=[OrgMember],
        description="an expense against the grant (only members of the implementing organization).",
    )
    async def report_expense(self, info: strawberry.Info, input: ExpenseInput) -> Expense:
        principal = info.context.principal
        row = await delivery.report_expense(
            principal, project_id=input.project_id, amount_fen=input.amount, spent_on=input.spent_on,
            description=input.description,
        )
        return Expense.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="order disbursed funds back (a fund-recovery alert).",
    )
    async def order_recovery(self, info: strawberry.Info, input: OrderRecoveryInput) -> RecoveryOrder:
        principal = info.context.principal
        row = await recovery.order_recovery(principal, project_id=input.project_id, amount_fen=input.amount,
                                            reason=input.reason, deadline=input.deadline)
        return RecoveryOrder.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="money came back, with its payment reference; SETTLED once the whole order is returned.",
    )
    async def settle_recovery(self, info: strawberry.Info, id: strawberry.ID, input: SettleRecoveryInput) -> RecoveryOrder:
        principal = info.context.principal
        row = await recovery.settle_recovery(principal, id, payment_reference=input.payment_reference,
                                             amount_fen=input.amount, paid_on=input.paid_on)
        return RecoveryOrder.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauOrCity],
        description="register an HTTPS endpoint for fund-recovery alerts (a bureau: its district's; a city admin: "
                    "every district of its city); the signing secret is shown this once.",
    )
    async def register_webhook(self, info: strawberry.Info, input: RegisterWebhookInput) -> WebhookSecret:
        row, secret = await webhooks.register(
            info.context.principal, url=input.url, event_types=[t.value for t in input.event_types],
            description=input.description or "",
        )
        return WebhookSecret(subscription=WebhookSubscription.from_row(row), secret=secret)

    @strawberry.mutation(
        permission_classes=[BureauOrCity],
        description="a new signing secret, shown this once; the previous one keeps signing for a grace period.",
    )
    async def rotate_webhook_secret(self, info: strawberry.Info, id: strawberry.ID) -> WebhookSecret:
        row, secret = await webhooks.rotate_secret(info.context.principal, id)
        return WebhookSecret(subscription=WebhookSubscription.from_row(row), secret=secret)

    @strawberry.mutation(permission_classes=[BureauOrCity], description="stop a webhook; pending deliveries fail.")
    async def disable_webhook(self, info: strawberry.Info, id: strawberry.ID) -> WebhookSubscription:
        return WebhookSubscription.from_row(await webhooks.disable(info.context.principal, id))

    @strawberry.mutation(permission_classes=[BureauOrCity], description="send a signed webhook.test event.")
    async def send_test_webhook_event(self, info: strawberry.Info, id: strawberry.ID) -> WebhookDelivery:
        return WebhookDelivery.from_row(await webhooks.send_test_event(info.context.principal, id))

    @strawberry.mutation(
        permission_classes=[BureauOrCity],
        description="send a delivered or failed delivery again, under the same webhook-id.",
    )
    async def replay_webhook_delivery(self, info: strawberry.Info, id: strawberry.ID) -> WebhookDelivery:
        return WebhookDelivery.from_row(await webhooks.replay(info.context.principal, id))
