"""Places named by funding's rows follow the gazetteer: a renamed subdistrict or community is the same place."""

from __future__ import annotations

from ..models import KnownOrganization, Need, Project, ServiceRecord


async def rename_places(district: str, kind: str, old: str, new: str) -> None:
    """Needs, projects, service records and known organizations that name `old` name `new` from now on, so
    a place's history stays in one row of every statistic."""
    column = "subdistrict" if kind == "SUBDISTRICT" else "community"
    for model in (Need, Project, ServiceRecord, KnownOrganization):
        await model.filter(district=district, **{column: old}).update(**{column: new})
