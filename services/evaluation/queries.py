"""Evaluation's reads: the querysets behind the root query fields, over the caller's districts."""

from __future__ import annotations

from typing import Any

from services.common.data.reads import ReadList, read_list

from .models import Evaluation, EvaluationAgency, Tender


def evaluations(districts: list[str], f: Any | None) -> ReadList[Evaluation]:
    """The districts' evaluations, narrowed by an EvaluationFilter (round, project, category, subdistrict, rating, rated)."""
    queryset = read_list(Evaluation).filter(district__in=districts)
    if f is None:
        return queryset
    for name in ("round_id", "project_id", "category", "subdistrict", "rating"):
        value = getattr(f, name)
        if value is not None:
            queryset = queryset.filter(**{name: str(value) if name.endswith("_id") else value})
    if f.rated is not None:
        queryset = queryset.filter(rating__isnull=not f.rated)
    return queryset


async def agencies(districts: list[str]) -> list[EvaluationAgency]:
    return await EvaluationAgency.filter(district__in=districts).order_by("created_at", "id")


async def tenders(districts: list[str], round_id: str | None) -> list[Tender]:
    rows = Tender.filter(district__in=districts)
    if round_id is not None:
        rows = rows.filter(round_id=str(round_id))
    return await rows.order_by("created_at", "id")
