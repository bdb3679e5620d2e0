"""The funding subgraph: thin Strawberry types and resolvers over `domain`."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import strawberry
from services.common.audit_api import AuditEntry, audit_trail
from services.common.auth import DISTRICT_CODE, ensure_same_district
from services.common.categories import Category
from services.common.errors import BadInput
from services.common.operation import OperationTransaction, SubgraphSchema
from services.common.pagination import Connection, paginate
from services.common.permissions import (
    Authenticated,
    BureauAdmin,
    BureauOrCity,
    BureauOrOfficer,
    DistrictUser,
    OrgMember,
    Public,
    Reviewer,
    declared,
    verified_caller,
)
from services.common.scalars import Money
from services.common.validation import parse_uuid

from . import domain, models

Phase = strawberry.enum(models.Phase, description="NEEDS_INTAKE -> LIBRARY -> REVIEW -> NOTICE -> AWARDED -> CLOSED")
CollectionMethod = strawberry.enum(models.CollectionMethod, description="问卷 / 入户 / 实地调研")
MemberKind = strawberry.enum(models.MemberKind, description="Experts, resident representatives, officials, organization representatives")
ProjectStatus = strawberry.enum(models.ProjectStatus)
ObjectionStatus = strawberry.enum(models.ObjectionStatus)
TrancheStatus = strawberry.enum(models.TrancheStatus)
RecoveryStatus = strawberry.enum(models.RecoveryStatus)
RecoverySource = strawberry.enum(models.RecoverySource)

def _id(value: Any) -> strawberry.ID:
    return strawberry.ID(str(value))


def _score(value) -> float | None:
    return None if value is None else round(float(value), 2)


async def _stats(info: strawberry.Info, round_id) -> domain.Stats:
    """Per request and per round: a round's money fields share one set of queries."""
    cache = info.context.extra.setdefault("round_stats", {})
    if round_id not in cache:
        cache[round_id] = await domain.stats(round_id)
    return cache[round_id]


@strawberry.type(description="A published review criterion and its weight.")
class Criterion:
    name: str
    weight: int


@strawberry.type(description="The trail from needs to entries to selected and awarded projects (88 -> 42 -> 17).")
class Trail:
    needs: int
    entries: int
    selected: int
    withdrawn: int
    awarded: int


@strawberry.type
class FundingStatRow:
    key: str
    projects: int
    committed: Money
    disbursed: Money
    beneficiaries: int
    person_times: int

    @classmethod
    def from_row(cls, row: domain.StatRow) -> "FundingStatRow":
        return cls(
            key=row.key, projects=row.projects, committed=row.committed_fen, disbursed=row.disbursed_fen,
            beneficiaries=row.beneficiaries, person_times=row.person_times,
        )


@strawberry.type(description="What the bureau reports: money, awarded projects, beneficiaries and person-times.")
class FundingStats:
    projects: int
    committed: Money
    disbursed: Money
    recovered: Money = strawberry.field(description="Settled recovery orders")
    open_recovery: Money = strawberry.field(description="Recovery orders not yet settled")
    open_recovery_orders: int = strawberry.field(description="How many recovery orders are not yet settled")
    beneficiaries: int = strawberry.field(description="Distinct beneficiaries served")
    person_times: int
    by_category: list[FundingStatRow]
    by_subdistrict: list[FundingStatRow]
    by_community: list[FundingStatRow]

    @classmethod
    def from_stats(cls, s: domain.Stats) -> "FundingStats":
        return cls(
            projects=s.projects, committed=s.committed_fen, disbursed=s.disbursed_fen, recovered=s.recovered_fen,
            open_recovery=s.open_recovery_fen, open_recovery_orders=s.open_recovery_orders, beneficiaries=s.beneficiaries, person_times=s.person_times,
            by_category=[FundingStatRow.from_row(r) for r in s.by_category],
            by_subdistrict=[FundingStatRow.from_row(r) for r in s.by_subdistrict],
            by_community=[FundingStatRow.from_row(r) for r in s.by_community],
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
    created_at: dt.datetime
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: models.FundingRound) -> "FundingRound":
        return cls(
            id=_id(row.id), district=row.district, name=row.name, year=row.year, budget=row.budget_fen,
            phase=row.phase, criteria=[Criterion(name=c["name"], weight=c["weight"]) for c in row.criteria],
            min_reviews=row.min_reviews, notice_days=row.notice_days, notice_started_at=row.notice_started_at,
            notice_ends_at=row.notice_ends_at, created_at=row.created_at, row=row,
        )

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID, **_: object) -> "FundingRound | None":
        verified_caller(info.context)
        row = await info.context.loaders.round.load(id)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def needs(self, first: int | None = 20, after: str | None = None, subdistrict: str | None = None) -> Connection[Need]:
        rows = models.Need.filter(round_id=self.row.id)
        if subdistrict:
            rows = rows.filter(subdistrict=subdistrict)
        return await paginate(rows, first=first, after=after, to_node=Need.from_row)

    @strawberry.field
    async def library_entries(
        self, first: int | None = 20, after: str | None = None, selected: bool | None = None
    ) -> Connection[LibraryEntry]:
        rows = models.LibraryEntry.filter(round_id=self.row.id)
        if selected is not None:
            rows = rows.filter(selected=selected)
        return await paginate(rows, first=first, after=after, to_node=LibraryEntry.from_row)

    @strawberry.field
    async def projects(
        self, first: int | None = 20, after: str | None = None, status: ProjectStatus | None = None
    ) -> Connection[Project]:
        rows = models.Project.filter(round_id=self.row.id)
        if status is not None:
            rows = rows.filter(status=status)
        return await paginate(rows, first=first, after=after, to_node=Project.from_row)

    @strawberry.field(description="The review panel")
    async def panel(self) -> list[PanelMember]:
        return [PanelMember.from_row(m) for m in await models.PanelMember.filter(round_id=self.row.id).order_by("created_at")]

    @strawberry.field(description="Grants of awarded projects")
    async def committed(self, info: strawberry.Info) -> Money:
        return (await _stats(info, self.row.id)).committed_fen

    @strawberry.field
    async def disbursed(self, info: strawberry.Info) -> Money:
        return (await _stats(info, self.row.id)).disbursed_fen

    @strawberry.field(description="Settled recovery orders")
    async def recovered(self, info: strawberry.Info) -> Money:
        return (await _stats(info, self.row.id)).recovered_fen

    @strawberry.field(description="Distinct beneficiaries of the round's projects")
    async def beneficiaries(self, info: strawberry.Info) -> int:
        return (await _stats(info, self.row.id)).beneficiaries

    @strawberry.field
    async def person_times(self, info: strawberry.Info) -> int:
        return (await _stats(info, self.row.id)).person_times

    @strawberry.field
    async def stats(self, info: strawberry.Info) -> FundingStats:
        return FundingStats.from_stats(await _stats(info, self.row.id))

    @strawberry.field
    async def trail(self) -> Trail:
        return Trail(**await domain.trail(self.row.id))


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
            id=_id(row.id), subdistrict=row.subdistrict, community=row.community, category=row.category,
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
        return cls(id=_id(row.id), name=row.name, kind=row.kind, sub=row.sub)


@strawberry.type
class Grade:
    criterion: str
    grade: int


@strawberry.type(description="One panel member's grades for one entry.")
class Review:
    id: strawberry.ID
    grades: list[Grade]
    score: float = strawberry.field(description="Weighted mean of the grades, 0-10")
    comment: str | None
    conflicted: bool = strawberry.field(description="The member declared a conflict of interest: not counted")
    row: strawberry.Private[Any]

    @strawberry.field
    async def member(self, info: strawberry.Info) -> PanelMember | None:
        row = await info.context.loaders.panel_member.load(self.row.member_id)
        return PanelMember.from_row(row) if row else None


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
            id=_id(row.id), title=row.title, category=row.category, requested=row.requested_fen,
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
                id=_id(r.id),
                grades=[Grade(criterion=c["name"], grade=r.grades.get(c["name"], 0)) for c in round_.criteria],
                score=_score(domain.review_score(round_.criteria, r.grades)),
                comment=r.comment,
                conflicted=r.member_id in conflicted,
                row=r,
            )
            for r in reviews
        ]

    @strawberry.field(description="Mean of the counted reviews' weighted scores, 0-10; null below the round's minimum")
    async def score(self, info: strawberry.Info) -> float | None:
        round_, reviews, conflicted = await self._scored(info)
        return _score(domain.entry_score(round_, reviews, conflicted))

    @strawberry.field
    async def conflicts(self, info: strawberry.Info) -> list[ConflictOfInterest]:
        rows = await models.ConflictDeclaration.filter(entry_id=self.row.id).order_by("created_at")
        out = []
        for c in rows:
            member = await info.context.loaders.panel_member.load(c.member_id)
            out.append(ConflictOfInterest(id=_id(c.id), member=PanelMember.from_row(member), reason=c.reason, declared_at=c.created_at))
        return out

    @strawberry.field
    async def merges(self) -> list[LibraryMerge]:
        rows = await models.LibraryMerge.filter(entry_id=self.row.id).order_by("created_at")
        return [
            LibraryMerge(id=_id(m.id), action=m.action, need_ids=[_id(n) for n in m.need_ids], actor=m.actor,
                         reason=m.reason, at=m.created_at)
            for m in rows
        ]


@strawberry.type
class Tranche:
    id: strawberry.ID
    sequence: int
    amount: Money
    due_on: dt.date
    status: TrancheStatus
    disbursed_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: models.Tranche) -> "Tranche":
        return cls(id=_id(row.id), sequence=row.sequence, amount=row.amount_fen, due_on=row.due_on,
                   status=row.status, disbursed_at=row.disbursed_at)


@strawberry.type
class Objection:
    id: strawberry.ID
    reason: str
    status: ObjectionStatus
    resolution: str | None
    lodged_at: dt.datetime
    resolved_at: dt.datetime | None
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: models.Objection) -> "Objection":
        return cls(id=_id(row.id), reason=row.reason, status=row.status, resolution=row.resolution,
                   lodged_at=row.created_at, resolved_at=row.resolved_at, row=row)

    @strawberry.field
    async def project(self, info: strawberry.Info) -> Project | None:
        row = await info.context.loaders.project.load(self.row.project_id)
        return Project.from_row(row) if row else None


@strawberry.type(description="A service delivered to one beneficiary (a reference, never a name).")
class ServiceRecord:
    id: strawberry.ID
    subdistrict: str
    community: str
    service_date: dt.date
    beneficiary: str
    person_times: int
    reported_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.ServiceRecord) -> "ServiceRecord":
        return cls(id=_id(row.id), subdistrict=row.subdistrict, community=row.community, service_date=row.service_date,
                   beneficiary=row.beneficiary, person_times=row.person_times, reported_at=row.created_at)


@strawberry.type
class Expense:
    id: strawberry.ID
    amount: Money
    spent_on: dt.date
    description: str
    reported_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.Expense) -> "Expense":
        return cls(id=_id(row.id), amount=row.amount_fen, spent_on=row.spent_on, description=row.description,
                   reported_at=row.created_at)


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
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: models.Project) -> "Project":
        return cls(
            id=_id(row.id), district=row.district, title=row.title, category=row.category, subdistrict=row.subdistrict,
            community=row.community, requested=row.requested_fen, grant=row.grant_fen, disbursed=row.disbursed_fen,
            status=row.status, awarded_at=row.awarded_at, row=row,
        )

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
        return SocialOrganization(id=_id(self.row.organization_id))

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
        return (await domain.project_delivery([self.row.id])).get(str(self.row.id), (0, 0))[0]

    @strawberry.field
    async def person_times(self) -> int:
        return (await domain.project_delivery([self.row.id])).get(str(self.row.id), (0, 0))[1]

    @strawberry.field
    async def service_records(self, first: int | None = 20, after: str | None = None) -> Connection[ServiceRecord]:
        rows = models.ServiceRecord.filter(project_id=self.row.id)
        return await paginate(rows, first=first, after=after, to_node=ServiceRecord.from_row)

    @strawberry.field
    async def expenses(self, first: int | None = 20, after: str | None = None) -> Connection[Expense]:
        rows = models.Expense.filter(project_id=self.row.id)
        return await paginate(rows, first=first, after=after, to_node=Expense.from_row)

    @strawberry.field
    async def recovery_orders(self, info: strawberry.Info) -> list[RecoveryOrder]:
        return [RecoveryOrder.from_row(o) for o in await info.context.loaders.orders_by_project.load(self.row.id)]

    @strawberry.field
    async def objections(self, info: strawberry.Info) -> list[Objection]:
        return [Objection.from_row(o) for o in await info.context.loaders.objections_by_project.load(self.row.id)]


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
    settled_at: dt.datetime | None
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: models.RecoveryOrder) -> "RecoveryOrder":
        return cls(
            id=_id(row.id), district=row.district, amount=row.amount_fen, reason=row.reason, status=row.status,
            source=row.source, finding_id=row.finding_id, ordered_at=row.ordered_at, settled_at=row.settled_at, row=row,
        )

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


@strawberry.type(description="A project on public notice (立项公示): readable by anyone, without a token.")
class PublicNotice:
    project_id: strawberry.ID
    round_name: str
    year: int
    title: str
    category: Category
    subdistrict: str | None
    community: str | None
    requested: Money
    notice_started_at: dt.datetime | None
    notice_ends_at: dt.datetime | None
    open_for_objections: bool


# --- inputs --------------------------------------------------------------------------------------


@strawberry.input
class CriterionInput:
    name: str
    weight: int


@strawberry.input
class OpenRoundInput:
    name: str
    year: int
    budget: Money
    criteria: list[CriterionInput]
    min_reviews: int = 3
    notice_days: int = 7


@strawberry.input
class RecordNeedInput:
    round_id: strawberry.ID
    subdistrict: str
    community: str
    category: Category
    method: CollectionMethod
    description: str


@strawberry.input(description="Merge needs into a new entry (title, requested) or into an existing one (entryId).")
class MergeNeedsInput:
    need_ids: list[strawberry.ID]
    reason: str
    entry_id: strawberry.ID | None = None
    title: str | None = None
    requested: Money | None = None


@strawberry.input
class PanelMemberInput:
    round_id: strawberry.ID
    name: str
    kind: MemberKind
    sub: str = strawberry.field(description="The `sub` of the member's reviewer token")


@strawberry.input
class GradeInput:
    criterion: str
    grade: int


@strawberry.input
class ScoreEntryInput:
    entry_id: strawberry.ID
    grades: list[GradeInput]
    comment: str | None = None


@strawberry.input
class TrancheInput:
    amount: Money
    due_on: dt.date


@strawberry.input
class AwardProjectInput:
    project_id: strawberry.ID
    organization_id: strawberry.ID
    grant: Money
    tranches: list[TrancheInput]


@strawberry.input
class ScheduleTrancheInput:
    project_id: strawberry.ID
    amount: Money
    due_on: dt.date


@strawberry.input
class ServiceRecordInput:
    project_id: strawberry.ID
    community: str
    service_date: dt.date
    beneficiary: str = strawberry.field(description="A beneficiary reference the organization keeps, not a name")
    person_times: int
    subdistrict: str | None = None


@strawberry.input
class ExpenseInput:
    project_id: strawberry.ID
    amount: Money
    spent_on: dt.date
    description: str


@strawberry.input
class OrderRecoveryInput:
    project_id: strawberry.ID
    amount: Money
    reason: str


@strawberry.enum(description="How an objection is resolved")
class ObjectionOutcome(Enum):
    UPHELD = "UPHELD"
    DISMISSED = "DISMISSED"


# --- root types ----------------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Authenticated])
    async def funding_round(self, info: strawberry.Info, id: strawberry.ID) -> FundingRound | None:
        row = await info.context.loaders.round.load(id)
        return FundingRound.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated])
    async def funding_rounds(
        self, info: strawberry.Info, year: int | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[FundingRound]:
        rows = models.FundingRound.all()
        if year is not None:
            rows = rows.filter(year=year)
        return await paginate(rows, first=first, after=after, to_node=FundingRound.from_row)

    @strawberry.field(permission_classes=[Authenticated])
    async def library_entry(self, info: strawberry.Info, id: strawberry.ID) -> LibraryEntry | None:
        row = await info.context.loaders.entry.load(id)
        return LibraryEntry.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated])
    async def project(self, info: strawberry.Info, id: strawberry.ID) -> Project | None:
        row = await info.context.loaders.project.load(id)
        return Project.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated])
    async def projects(
        self,
        info: strawberry.Info,
        round_id: strawberry.ID | None = None,
        status: ProjectStatus | None = None,
        category: Category | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Project]:
        rows = models.Project.all()
        if round_id is not None:
            rows = rows.filter(round_id=parse_uuid(round_id, "roundId", "a funding round"))
        if status is not None:
            rows = rows.filter(status=status)
        if category is not None:
            rows = rows.filter(category=category)
        return await paginate(rows, first=first, after=after, to_node=Project.from_row)

    @strawberry.field(permission_classes=[Authenticated])
    async def recovery_order(self, info: strawberry.Info, id: strawberry.ID) -> RecoveryOrder | None:
        row = await info.context.loaders.recovery_order.load(id)
        return RecoveryOrder.from_row(row) if row else None

    @strawberry.field(permission_classes=[Authenticated])
    async def recovery_orders(
        self, info: strawberry.Info, status: RecoveryStatus | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[RecoveryOrder]:
        rows = models.RecoveryOrder.all()
        if status is not None:
            rows = rows.filter(status=status)
        return await paginate(rows, first=first, after=after, to_node=RecoveryOrder.from_row)

    @strawberry.field(
        permission_classes=[Authenticated],
        description="The bureau's statistics, for one round or every round of the district.",
    )
    async def funding_stats(
        self, info: strawberry.Info, round_id: strawberry.ID | None = None, district: str | None = None
    ) -> FundingStats:
        principal = info.context.principal
        ensure_same_district(principal, district)
        uuid = parse_uuid(round_id, "roundId", "a funding round") if round_id is not None else None
        return FundingStats.from_stats(await domain.stats(uuid, district))

    @strawberry.field(permission_classes=[Public], description="the district's projects now on notice (立项公示).")
    async def public_notices(self, info: strawberry.Info, district: str) -> list[PublicNotice]:
        if not DISTRICT_CODE.match(district or ""):
            raise BadInput("a district is a 6-digit administrative division code", field="district")
        now = dt.datetime.now(dt.timezone.utc)
        return [
            PublicNotice(
                project_id=_id(n["project_id"]), round_name=n["round_name"], year=n["year"], title=n["title"],
                category=n["category"], subdistrict=n["subdistrict"], community=n["community"],
                requested=n["requested_fen"], notice_started_at=n["notice_started_at"],
                notice_ends_at=n["notice_ends_at"],
                open_for_objections=bool(n["notice_ends_at"] and n["notice_ends_at"] > now),
            )
            for n in await domain.published_notices(district)
        ]

    funding_audit_trail: Connection[AuditEntry] = strawberry.field(
        resolver=audit_trail, permission_classes=[BureauOrCity], description="funding's audit records of the caller's district."
    )


def _grades(grades: list[GradeInput]) -> dict[str, int]:
    out: dict[str, int] = {}
    for g in grades:
        name = g.criterion.strip()
        if name in out:
            raise BadInput(f"criterion '{name}' is graded twice", field="grades")
        out[name] = g.grade
    return out


# Who may call each field is its permission class; declared() puts the roles before each description.
@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="open a round with its budget and published review criteria.",
    )
    async def open_round(self, info: strawberry.Info, input: OpenRoundInput) -> FundingRound:
        principal = info.context.principal
        row = await domain.open_round(
            principal, name=input.name, year=input.year, budget_fen=input.budget,
            criteria=[domain.CriterionInput(name=c.name, weight=c.weight) for c in input.criteria],
            min_reviews=input.min_reviews, notice_days=input.notice_days,
        )
        return FundingRound.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="move a round one phase forward (NOTICE publishes the notice).",
    )
    async def advance_round(self, info: strawberry.Info, id: strawberry.ID, to: Phase) -> FundingRound:
        principal = info.context.principal
        return FundingRound.from_row(await domain.advance_round(principal, id, to))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="publish the selected projects (REVIEW -> NOTICE).",
    )
    async def publish_notice(self, info: strawberry.Info, round_id: strawberry.ID) -> FundingRound:
        principal = info.context.principal
        return FundingRound.from_row(await domain.advance_round(principal, round_id, models.Phase.NOTICE))

    @strawberry.mutation(
        permission_classes=[BureauOrOfficer],
        description="record a residents' need (an officer only in their own subdistrict).",
    )
    async def record_need(self, info: strawberry.Info, input: RecordNeedInput) -> Need:
        principal = info.context.principal
        row = await domain.record_need(
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
        row = await domain.merge_needs(
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
        return LibraryEntry.from_row(await domain.unmerge_need(principal, need_id, reason))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="seat a panel member, linked to a reviewer token's sub.",
    )
    async def add_panel_member(self, info: strawberry.Info, input: PanelMemberInput) -> PanelMember:
        principal = info.context.principal
        row = await domain.add_panel_member(principal, round_id=input.round_id, name=input.name, kind=input.kind, sub=input.sub)
        return PanelMember.from_row(row)

    @strawberry.mutation(
        permission_classes=[Reviewer],
        description="declare a conflict of interest with an entry; it cannot be scored by you.",
    )
    async def declare_conflict(self, info: strawberry.Info, entry_id: strawberry.ID, reason: str) -> LibraryEntry:
        principal = info.context.principal
        declaration = await domain.declare_conflict(principal, entry_id, reason)
        return LibraryEntry.from_row(await models.LibraryEntry.get(id=declaration.entry_id))

    @strawberry.mutation(permission_classes=[Reviewer], description="grade an entry 0-10 on every published criterion.")
    async def score_entry(self, info: strawberry.Info, input: ScoreEntryInput) -> LibraryEntry:
        principal = info.context.principal
        review = await domain.score_entry(principal, input.entry_id, _grades(input.grades), input.comment)
        return LibraryEntry.from_row(await models.LibraryEntry.get(id=review.entry_id))

    @strawberry.mutation(permission_classes=[BureauAdmin], description="select entries by score within the budget.")
    async def select_projects(self, info: strawberry.Info, round_id: strawberry.ID) -> FundingRound:
        principal = info.context.principal
        return FundingRound.from_row(await domain.select_projects(principal, round_id))

    @strawberry.mutation(permission_classes=[BureauAdmin], description="end the notice period now.")
    async def close_notice_period(self, info: strawberry.Info, round_id: strawberry.ID) -> FundingRound:
        principal = info.context.principal
        return FundingRound.from_row(await domain.close_notice_period(principal, round_id))

    @strawberry.mutation(permission_classes=[DistrictUser], description="object to a project on notice.")
    async def lodge_objection(self, info: strawberry.Info, project_id: strawberry.ID, reason: str) -> Objection:
        principal = info.context.principal
        return Objection.from_row(await domain.lodge_objection(principal, project_id, reason))

    @strawberry.mutation(permission_classes=[BureauAdmin], description="UPHELD drops the project; DISMISSED keeps it.")
    async def resolve_objection(
        self, info: strawberry.Info, id: strawberry.ID, outcome: ObjectionOutcome, resolution: str
    ) -> Objection:
        principal = info.context.principal
        row = await domain.resolve_objection(principal, id, models.ObjectionStatus(outcome.value), resolution)
        return Objection.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="an ACTIVE organization, a grant within the budget, a tranche schedule.",
    )
    async def award_project(self, info: strawberry.Info, input: AwardProjectInput) -> Project:
        principal = info.context.principal
        row = await domain.award_project(
            principal, project_id=input.project_id, organization_id=input.organization_id, grant_fen=input.grant,
            tranches=[domain.TrancheInput(amount_fen=t.amount, due_on=t.due_on) for t in input.tranches],
        )
        return Project.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="add a tranche, within what remains of the grant.",
    )
    async def schedule_tranche(self, info: strawberry.Info, input: ScheduleTrancheInput) -> Tranche:
        principal = info.context.principal
        return Tranche.from_row(await domain.schedule_tranche(principal, input.project_id, input.amount, input.due_on))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="pay a planned tranche (never to a suspended organization).",
    )
    async def disburse_tranche(self, info: strawberry.Info, tranche_id: strawberry.ID) -> Tranche:
        principal = info.context.principal
        return Tranche.from_row(await domain.disburse_tranche(principal, tranche_id))

    @strawberry.mutation(
        permission_classes=[OrgMember],
        description="a service delivered (only members of the implementing organization).",
    )
    async def report_service_record(self, info: strawberry.Info, input: ServiceRecordInput) -> ServiceRecord:
        principal = info.context.principal
        row = await domain.report_service_record(
            principal, project_id=input.project_id, community=input.community, service_date=input.service_date,
            beneficiary=input.beneficiary, person_times=input.person_times, subdistrict=input.subdistrict,
        )
        return ServiceRecord.from_row(row)

    @strawberry.mutation(permission_classes=[OrgMember], description="up to 1000 service records at once, same rules as "
                        "reportServiceRecord; one bad record rejects them all.")
    async def report_service_records(self, info: strawberry.Info, input: list[ServiceRecordInput]) -> list[ServiceRecord]:
        principal = info.context.principal
        rows = await domain.report_service_records(principal, [
            domain.ServiceRecordItem(project_id=i.project_id, community=i.community, service_date=i.service_date,
                                     beneficiary=i.beneficiary, person_times=i.person_times, subdistrict=i.subdistrict)
            for i in input
        ])
        return [ServiceRecord.from_row(row) for row in rows]

    @strawberry.mutation(
        permission_classes=[OrgMember],
        description="an expense against the grant (only members of the implementing organization).",
    )
    async def report_expense(self, info: strawberry.Info, input: ExpenseInput) -> Expense:
        principal = info.context.principal
        row = await domain.report_expense(
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
        row = await domain.order_recovery(principal, project_id=input.project_id, amount_fen=input.amount, reason=input.reason)
        return RecoveryOrder.from_row(row)

    @strawberry.mutation(permission_classes=[BureauAdmin], description="the money came back.")
    async def settle_recovery(self, info: strawberry.Info, id: strawberry.ID) -> RecoveryOrder:
        principal = info.context.principal
        return RecoveryOrder.from_row(await domain.settle_recovery(principal, id))


schema = SubgraphSchema(
    query=declared(Query),
    mutation=declared(Mutation),
    types=[FundingRound, Project, RecoveryOrder, SocialOrganization],
    extensions=[OperationTransaction],
)
