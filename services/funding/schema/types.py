"""Funding's GraphQL object types and federated entities: thin views over rows and `domain` reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from services.common.kernel.categories import Category
from services.common.api.pagination import Connection, paginate
from services.common.api.permissions import verified_caller
from services.common.api.scalars import Money
from services.common.data.reads import read_list

from .. import models
from .. import queries as reports
from ..domain.review import entry_score, review_score
from .inputs import (
    CollectionMethod,
    MemberKind,
    ObjectionStatus,
    Phase,
    ProjectStatus,
    RecoverySource,
    RecoveryStatus,
)
from .values import (
    Criterion,
    Expense,
    FundingStats,
    Grade,
    ServiceRecord,
    Trail,
    Tranche,
    node_id,
    round_stats,
    score_of,
)


@strawberry.federation.type(keys=["id"], description="A venture round (公益创投): a budgeted fund, phase by phase.")
class FundingRound:
    id: strawberry.ID
    district: str
    name: str
    year: int
    budget: Money
    phase: Phase
    criteria: list[Criterion]
    min_reviews: int = strawberry.field(description="Reviews an entry needs before it has a score")
    notice_days: int
    notice_started_at: dt.datetime | None
    notice_ends_at: dt.datetime | None
    cancel_reason: str | None
    created_at: dt.datetime
    row: strawberry.Private[Any]

    # The fields that are one column each, as from_row copies them (a page showing only these reads only
    # these: api/projection.py).
    COLUMNS = {"id": "id", "district": "district", "name": "name", "year": "year", "budget": "budget_fen",
        "phase": "phase", "min_reviews": "min_reviews", "notice_days": "notice_days",
        "notice_started_at": "notice_started_at", "notice_ends_at": "notice_ends_at",
        "cancel_reason": "cancel_reason", "created_at": "created_at"}

    @classmethod
    def from_row(cls, row: models.FundingRound) -> "FundingRound":
        return cls(
            id=node_id(row.id), district=row.district, name=row.name, year=row.year, budget=row.budget_fen,
            phase=row.phase, criteria=[Criterion(name=c["name"], weight=c["weight"]) for c in row.criteria],
            min_reviews=row.min_reviews, notice_days=row.notice_days, notice_started_at=row.notice_started_at,
            notice_ends_at=row.notice_ends_at, cancel_reason=row.cancel_reason, created_at=row.created_at, row=row,
        )

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID, **_: object) -> "FundingRound | None":
        verified_caller(info.context)
        row = await info.context.loaders.round.load(id)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def needs(self, first: int | None = 20, after: str | None = None, subdistrict: str | None = None) -> Connection[Need]:
        rows = read_list(models.Need).filter(round_id=self.row.id)
        if subdistrict:
            rows = rows.filter(subdistrict=subdistrict)
        return await paginate(rows, first=first, after=after, to_node=Need.from_row)

    @strawberry.field
    async def library_entries(
        self, first: int | None = 20, after: str | None = None, selected: bool | None = None
    ) -> Connection[LibraryEntry]:
        rows = read_list(models.LibraryEntry).filter(round_id=self.row.id)
        if selected is not None:
            rows = rows.filter(selected=selected)
        return await paginate(rows, first=first, after=after, to_node=LibraryEntry.from_row)

    @strawberry.field
    async def projects(
        self, first: int | None = 20, after: str | None = None, status: ProjectStatus | None = None
    ) -> Connection[Project]:
        rows = read_list(models.Project).filter(round_id=self.row.id)
        if status is not None:
            rows = rows.filter(status=status)
        return await paginate(rows, first=first, after=after, to_node=Project.from_row)

    @strawberry.field(description="The review panel")
    async def panel(self) -> list[PanelMember]:
        return [PanelMember.from_row(m) for m in await models.PanelMember.filter(round_id=self.row.id).order_by("created_at")]

    @strawberry.field(description="Grants of awarded projects")
    async def committed(self, info: strawberry.Info) -> Money:
        return (await round_stats(info, self.row.id)).committed_fen

    @strawberry.field
    async def disbursed(self, info: strawberry.Info) -> Money:
        return (await round_stats(info, self.row.id)).disbursed_fen

    @strawberry.field(description="Settled recovery orders")
    async def recovered(self, info: strawberry.Info) -> Money:
        return (await round_stats(info, self.row.id)).recovered_fen

    @strawberry.field(description="Distinct beneficiaries of the round's projects")
    async def beneficiaries(self, info: strawberry.Info) -> int:
        return (await round_stats(info, self.row.id)).beneficiaries

    @strawberry.field
    async def person_times(self, info: strawberry.Info) -> int:
        return (await round_stats(info, self.row.id)).person_times

    @strawberry.field
    async def stats(self, info: strawberry.Info) -> FundingStats:
        return FundingStats.from_stats(await round_stats(info, self.row.id))

    @strawberry.field
    async def trail(self) -> Trail:
        return Trail(**await reports.trail(self.row.id))


@strawberry.type(description="A residents' need (需求), tied to a subdistrict, a community and a category.")
class Need:
    id: strawberry.ID
    subdistrict: str
    community: str
    category: Category
    method: CollectionMethod
    description: str
    recorded_by: str
    created_at: dt.datetime
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: models.Need) -> "Need":
        return cls(
            id=node_id(row.id), subdistrict=row.subdistrict, community=row.community, category=row.category,
            method=row.method, description=row.description, recorded_by=row.recorded_by, created_at=row.created_at, row=row,
        )

    @strawberry.field
    async def library_entry(self, info: strawberry.Info) -> LibraryEntry | None:
        if self.row.library_entry_id is None:
            return None
        row = await info.context.loaders.entry.load(self.row.library_entry_id)
        return LibraryEntry.from_row(row) if row else None

    @strawberry.field
    async def round(self, info: strawberry.Info) -> FundingRound | None:
        row = await info.context.loaders.round.load(self.row.round_id)
        return FundingRound.from_row(row) if row else None


@strawberry.type
class PanelMember:
    id: strawberry.ID
    name: str
    kind: MemberKind
    sub: str

    @classmethod
    def from_row(cls, row: models.PanelMember) -> "PanelMember":
        return cls(id=node_id(row.id), name=row.name, kind=row.kind, sub=row.sub)


@strawberry.type(description="A grading as it was given: a re-score adds one, the latest counts.")
class ReviewRevision:
    grades: list[Grade]
    score: float
    comment: str | None
    at: dt.datetime


@strawberry.type(description="One panel member's grades for one entry.")
class Review:
    id: strawberry.ID
    grades: list[Grade]
    score: float = strawberry.field(description="Weighted mean of the grades, 0-10")
    comment: str | None
    conflicted: bool = strawberry.field(description="The member declared a conflict of interest: not counted")
    row: strawberry.Private[Any]
    criteria: strawberry.Private[list]

    @strawberry.field
    async def member(self, info: strawberry.Info) -> PanelMember | None:
        row = await info.context.loaders.panel_member.load(self.row.member_id)
        return PanelMember.from_row(row) if row else None

    @strawberry.field(description="Every grading the member gave, oldest first; the last is the one counted")
    async def history(self, info: strawberry.Info) -> list[ReviewRevision]:
        criteria = self.criteria
        rows = await models.ReviewRevision.filter(review_id=self.row.id).order_by("created_at", "id")
        return [
            ReviewRevision(grades=[Grade(criterion=c["name"], grade=r.grades.get(c["name"], 0)) for c in criteria],
                           score=score_of(review_score(criteria, r.grades)), comment=r.comment, at=r.created_at)
            for r in rows
        ]


@strawberry.type
class ConflictOfInterest:
    id: strawberry.ID
    member: PanelMember
    reason: str
    declared_at: dt.datetime


@strawberry.type(description="Who merged or unmerged which needs, and why.")
class LibraryMerge:
    id: strawberry.ID
    action: str
    need_ids: list[strawberry.ID]
    actor: str
    reason: str
    at: dt.datetime


@strawberry.type(description="A project-library entry (项目库): like needs merged; it keeps its needs.")
class LibraryEntry:
    id: strawberry.ID
    title: str
    category: Category
    requested: Money
    selected: bool
    created_at: dt.datetime
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: models.LibraryEntry) -> "LibraryEntry":
        return cls(
            id=node_id(row.id), title=row.title, category=row.category, requested=row.requested_fen,
            selected=row.selected, created_at=row.created_at, row=row,
        )

    @strawberry.field
    async def needs(self, info: strawberry.Info) -> list[Need]:
        return [Need.from_row(n) for n in await info.context.loaders.needs_by_entry.load(self.row.id)]

    async def _scored(self, info: strawberry.Info):
        round_ = await info.context.loaders.round.load(self.row.round_id)
        reviews = await info.context.loaders.reviews_by_entry.load(self.row.id)
        conflicted = set(
            await models.ConflictDeclaration.filter(entry_id=self.row.id).values_list("member_id", flat=True)
        )
        return round_, reviews, conflicted

    @strawberry.field
    async def reviews(self, info: strawberry.Info) -> list[Review]:
        round_, reviews, conflicted = await self._scored(info)
        return [
            Review(
                id=node_id(r.id),
                grades=[Grade(criterion=c["name"], grade=r.grades.get(c["name"], 0)) for c in round_.criteria],
                score=score_of(review_score(round_.criteria, r.grades)),
                comment=r.comment,
                conflicted=r.member_id in conflicted,
                row=r,
                criteria=round_.criteria,
            )
            for r in reviews
        ]

    @strawberry.field(description="Mean of the counted reviews' weighted scores, 0-10; null below the round's minimum")
    async def score(self, info: strawberry.Info) -> float | None:
        round_, reviews, conflicted = await self._scored(info)
        return score_of(entry_score(round_, reviews, conflicted))

    @strawberry.field
    async def conflicts(self, info: strawberry.Info) -> list[ConflictOfInterest]:
        rows = await models.ConflictDeclaration.filter(entry_id=self.row.id).order_by("created_at")
        out = []
        for c in rows:
            member = await info.context.loaders.panel_member.load(c.member_id)
            out.append(ConflictOfInterest(id=node_id(c.id), member=PanelMember.from_row(member), reason=c.reason, declared_at=c.created_at))
        return out

    @strawberry.field
    async def merges(self) -> list[LibraryMerge]:
        rows = await models.LibraryMerge.filter(entry_id=self.row.id).order_by("created_at")
        return [
            LibraryMerge(id=node_id(m.id), action=m.action, need_ids=[node_id(n) for n in m.need_ids], actor=m.actor,
                         reason=m.reason, at=m.created_at)
            for m in rows
        ]


@strawberry.type
class Objection:
    id: strawberry.ID
    reason: str
    status: ObjectionStatus
    resolution: str | None
    lodged_at: dt.datetime
    resolved_at: dt.datetime | None
    public: bool = strawberry.field(description="lodged by a resident on the public notice page, without an account")
    contact: str | None = strawberry.field(description="the resident's contact, for the bureau's answer")
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: models.Objection) -> "Objection":
        return cls(id=node_id(row.id), reason=row.reason, status=row.status, resolution=row.resolution,
                   lodged_at=row.created_at, resolved_at=row.resolved_at, public=row.contact is not None,
                   contact=row.contact, row=row)

    @strawberry.field
    async def project(self, info: strawberry.Info) -> Project | None:
        row = await info.context.loaders.project.load(self.row.project_id)
        return Project.from_row(row) if row else None


@strawberry.federation.type(keys=["id"], description="A selected library entry: on notice, then awarded and delivered.")
class Project:
    id: strawberry.ID
    district: str
    title: str
    category: Category
    subdistrict: str | None
    community: str | None
    requested: Money
    grant: Money
    disbursed: Money
    status: ProjectStatus
    awarded_at: dt.datetime | None
    ends_on: dt.date | None = strawberry.field(description="The project's last day: its life runs from the award to it")
    over_request_reason: str | None = strawberry.field(description="Why the grant is above the reviewed request")
    awarded_by: str | None
    approved_by: str | None = strawberry.field(description="The second bureau admin of a grant above its request")
    row: strawberry.Private[Any]

    # The fields that are one column each, as from_row copies them (a page showing only these reads only
    # these: api/projection.py).
    COLUMNS = {"id": "id", "district": "district", "title": "title", "category": "category",
        "subdistrict": "subdistrict", "community": "community", "requested": "requested_fen",
        "grant": "grant_fen", "disbursed": "disbursed_fen", "status": "status", "awarded_at": "awarded_at",
        "ends_on": "ends_on", "over_request_reason": "over_request_reason", "awarded_by": "awarded_by",
        "approved_by": "approved_by"}

    @classmethod
    def from_row(cls, row: models.Project) -> "Project":
        return cls(
            id=node_id(row.id), district=row.district, title=row.title, category=row.category, subdistrict=row.subdistrict,
            community=row.community, requested=row.requested_fen, grant=row.grant_fen, disbursed=row.disbursed_fen,
            status=row.status, awarded_at=row.awarded_at, ends_on=row.ends_on,
            over_request_reason=row.over_request_reason, awarded_by=row.awarded_by, approved_by=row.approved_by, row=row,
        )

    @strawberry.field(description="The sum of the project's expenses")
    async def spent(self, info: strawberry.Info) -> Money:
        return await info.context.loaders.spent_by_project.load(self.row.id)

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID, **_: object) -> "Project | None":
        verified_caller(info.context)
        row = await info.context.loaders.project.load(id)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def round(self, info: strawberry.Info) -> FundingRound | None:
        row = await info.context.loaders.round.load(self.row.round_id)
        return FundingRound.from_row(row) if row else None

    @strawberry.field
    async def library_entry(self, info: strawberry.Info) -> LibraryEntry | None:
        row = await info.context.loaders.entry.load(self.row.entry_id)
        return LibraryEntry.from_row(row) if row else None

    @strawberry.field(description="The implementing organization (a registry entity), once awarded")
    def organization(self) -> SocialOrganization | None:
        if self.row.organization_id is None:
            return None
        return SocialOrganization(id=node_id(self.row.organization_id))

    @strawberry.field(description="The organization's name as funding knows it from registry events")
    async def organization_name(self, info: strawberry.Info) -> str | None:
        if self.row.organization_id is None:
            return None
        org = await info.context.loaders.organization.load(self.row.organization_id)
        return org.name if org else None

    @strawberry.field
    async def tranches(self, info: strawberry.Info) -> list[Tranche]:
        return [Tranche.from_row(t) for t in await info.context.loaders.tranches_by_project.load(self.row.id)]

    @strawberry.field(description="Distinct beneficiaries served")
    async def beneficiaries(self) -> int:
        return (await reports.project_delivery([self.row.id])).get(str(self.row.id), (0, 0))[0]

    @strawberry.field
    async def person_times(self) -> int:
        return (await reports.project_delivery([self.row.id])).get(str(self.row.id), (0, 0))[1]

    @strawberry.field
    async def service_records(self, first: int | None = 20, after: str | None = None) -> Connection[ServiceRecord]:
        rows = read_list(models.ServiceRecord).filter(project_id=self.row.id)
        return await paginate(rows, first=first, after=after, to_node=ServiceRecord.from_row)

    @strawberry.field
    async def expenses(self, first: int | None = 20, after: str | None = None) -> Connection[Expense]:
        rows = read_list(models.Expense).filter(project_id=self.row.id)
        return await paginate(rows, first=first, after=after, to_node=Expense.from_row)

    @strawberry.field
    async def recovery_orders(self, info: strawberry.Info) -> list[RecoveryOrder]:
        return [RecoveryOrder.from_row(o) for o in await info.context.loaders.orders_by_project.load(self.row.id)]

    @strawberry.field
    async def objections(self, info: strawberry.Info) -> list[Objection]:
        return [Objection.from_row(o) for o in await info.context.loaders.objections_by_project.load(self.row.id)]


@strawberry.type(description="Money returned against a recovery order, with its payment reference.")
class RecoverySettlement:
    amount: Money
    payment_reference: str
    paid_on: dt.date
    recorded_by: str
    recorded_at: dt.datetime


@strawberry.federation.type(keys=["id"], description="追回违规项目资金: a fund-recovery order, OPEN until the money returns.")
class RecoveryOrder:
    id: strawberry.ID
    district: str
    amount: Money
    reason: str
    status: RecoveryStatus
    source: RecoverySource
    finding_id: str | None
    ordered_at: dt.datetime
    deadline: dt.date | None
    settled: Money = strawberry.field(description="The sum of its settlements")
    outstanding: Money
    overdue_at: dt.datetime | None = strawberry.field(description="When its overdue alert was raised (once)")
    settled_at: dt.datetime | None
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: models.RecoveryOrder) -> "RecoveryOrder":
        return cls(
            id=node_id(row.id), district=row.district, amount=row.amount_fen, reason=row.reason, status=row.status,
            source=row.source, finding_id=row.finding_id, ordered_at=row.ordered_at, deadline=row.deadline,
            settled=row.settled_fen, outstanding=row.amount_fen - row.settled_fen, overdue_at=row.overdue_at,
            settled_at=row.settled_at, row=row,
        )

    @strawberry.field(description="Payments against the order, oldest first")
    async def settlements(self) -> list[RecoverySettlement]:
        rows = await models.RecoverySettlement.filter(order_id=self.row.id).order_by("created_at", "id")
        return [RecoverySettlement(amount=r.amount_fen, payment_reference=r.payment_reference, paid_on=r.paid_on,
                                   recorded_by=r.recorded_by, recorded_at=r.created_at) for r in rows]

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID, **_: object) -> "RecoveryOrder | None":
        verified_caller(info.context)
        row = await info.context.loaders.recovery_order.load(id)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def project(self, info: strawberry.Info) -> Project | None:
        row = await info.context.loaders.project.load(self.row.project_id)
        return Project.from_row(row) if row else None


@strawberry.federation.type(keys=["id"], description="A social organization of the registry; funding adds its projects.")
class SocialOrganization:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID, **_: object) -> "SocialOrganization":
        verified_caller(info.context)
        return cls(id=id)

    @strawberry.field(description="The projects this organization implements")
    async def projects(self, info: strawberry.Info) -> list[Project]:
        rows = await info.context.loaders.projects_by_organization.load(self.id)
        return [Project.from_row(row) for row in rows]


