"""Funding's leaf GraphQL object types (none of their fields leads to another type) and shared helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from services.common.kernel.contacts import mask_contact
from services.common.kernel.categories import Category
from services.common.api.scalars import Money

from .. import models
from .. import queries as reports
from .inputs import TrancheStatus


def node_id(value: Any) -> strawberry.ID:
    return strawberry.ID(str(value))


def score_of(value) -> float | None:
    return None if value is None else round(float(value), 2)


async def round_stats(info: strawberry.Info, round_id) -> reports.Stats:
    """Per request and per round: a round's money fields share one set of queries."""
    cache = info.context.extra.setdefault("round_stats", {})
    if round_id not in cache:
        cache[round_id] = await reports.stats(round_id)
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
    code: str | None = strawberry.field(description="by subdistrict or community: the place's gazetteer code, where known")
    entry_id: strawberry.ID | None = strawberry.field(
        description="by subdistrict or community: the gazetteer entry the row groups by (null: a name from before the gazetteer)")
    projects: int
    committed: Money
    disbursed: Money
    beneficiaries: int
    person_times: int

    @classmethod
    def from_row(cls, row: reports.StatRow) -> "FundingStatRow":
        return cls(
            key=row.key, code=row.code, entry_id=strawberry.ID(row.entry_id) if row.entry_id else None,
            projects=row.projects, committed=row.committed_fen, disbursed=row.disbursed_fen,
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
    def from_stats(cls, s: reports.Stats) -> "FundingStats":
        return cls(
            projects=s.projects, committed=s.committed_fen, disbursed=s.disbursed_fen, recovered=s.recovered_fen,
            open_recovery=s.open_recovery_fen, open_recovery_orders=s.open_recovery_orders, beneficiaries=s.beneficiaries, person_times=s.person_times,
            by_category=[FundingStatRow.from_row(r) for r in s.by_category],
            by_subdistrict=[FundingStatRow.from_row(r) for r in s.by_subdistrict],
            by_community=[FundingStatRow.from_row(r) for r in s.by_community],
        )


@strawberry.type
class Grade:
    criterion: str
    grade: int


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
        return cls(id=node_id(row.id), sequence=row.sequence, amount=row.amount_fen, due_on=row.due_on,
                   status=row.status, disbursed_at=row.disbursed_at)


@strawberry.type(description="A service delivered to one beneficiary (a reference, never a name).")
class ServiceRecord:
    id: strawberry.ID
    subdistrict: str
    community: str
    service_date: dt.date
    beneficiary: str
    contact: str | None = strawberry.field(description="The beneficiary's contact, masked (138****5678)")
    person_times: int
    reported_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.ServiceRecord) -> "ServiceRecord":
        return cls(id=node_id(row.id), subdistrict=row.subdistrict, community=row.community, service_date=row.service_date,
                   beneficiary=row.beneficiary, contact=mask_contact(row.contact), person_times=row.person_times,
                   reported_at=row.created_at)


@strawberry.type
class Expense:
    id: strawberry.ID
    amount: Money
    spent_on: dt.date
    description: str
    reported_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.Expense) -> "Expense":
        return cls(id=node_id(row.id), amount=row.amount_fen, spent_on=row.spent_on, description=row.description,
                   reported_at=row.created_at)


@strawberry.type(description="A project on public notice (立项公示): readable by anyone, without a token.")
class PublicNotice:
    project_id: strawberry.ID
    round_name: str
    year: int
    title: str
    category: Category
    subdistrict: str | None
    community: str | None = strawberry.field(description="the one community served; null when it serves several (see communities)")
    communities: list[str] = strawberry.field(description="the communities of the residents' needs it was merged from")
    requested: Money
    notice_started_at: dt.datetime | None
    notice_ends_at: dt.datetime | None
    open_for_objections: bool

    @classmethod
    def from_row(cls, n: dict[str, Any], now: dt.datetime) -> "PublicNotice":
        return cls(
            project_id=node_id(n["project_id"]), round_name=n["round_name"], year=n["year"], title=n["title"],
            category=n["category"], subdistrict=n["subdistrict"], community=n["community"],
            communities=list(n["communities"] or []), requested=n["requested_fen"], notice_started_at=n["notice_started_at"],
            notice_ends_at=n["notice_ends_at"],
            open_for_objections=bool(n["notice_ends_at"] and n["notice_ends_at"] > now),
        )


@strawberry.type(description="A resident's objection, received: recorded for the bureau, which answers at the contact given.")
class PublicObjectionReceipt:
    received: bool
    lodged_at: dt.datetime
