"""Places named by funding's rows follow the gazetteer: a renamed (or newly coded) entry is the same place."""

from __future__ import annotations

from typing import Any

from ..models import KnownOrganization, Need, Project, ServiceRecord


async def follow_entry(district: str, kind: str, entry_id: Any, old_name: str, name: str, code: str | None) -> None:
    """Needs, projects and service records that picked the entry show its name and code from now on; known
    organizations (the registry's rows, which carry names only) follow by the old name."""
    column = "subdistrict" if kind == "SUBDISTRICT" else "community"
    for model in (Need, Project, ServiceRecord):
        await model.filter(district=district, **{f"{column}_entry_id": entry_id}).update(
            **{column: name, f"{column}_code": code})
    if old_name != name:
        await KnownOrganization.filter(district=district, **{column: old_name}).update(**{column: name})
