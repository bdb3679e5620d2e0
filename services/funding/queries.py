"""Funding's reporting reads in raw SQL: statistics, delivery figures, the trail, notices, committed money."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from tortoise import connections


async def published_notices(district: str) -> list[dict[str, Any]]:
    """A district's projects on notice, for anyone: through the narrow `public_notices` function
    (migration 0007), which reads past row-level security for notices only and sets no tenant."""
    return await connections.get("funding").execute_query_dict("SELECT * FROM public_notices($1)", [district])


async def lodge_public_objection(district: str, project_id: UUID, contact: str, text: str) -> dict[str, Any] | None:
    """A resident's objection, through the narrow `lodge_public_objection` function (migration 0008): it
    adds one OPEN objection to a project open for objections and sets no tenant. None: nothing was open."""
    rows = await connections.get("funding").execute_query_dict(
        "SELECT * FROM lodge_public_objection($1, $2, $3, $4)", [district, project_id, contact, text]
    )
    return rows[0] if rows else None


async def committed_fen(round_id: UUID) -> int:
    rows = await connections.get("funding").execute_query_dict(
        "SELECT COALESCE(SUM(grant_fen), 0)::bigint AS fen FROM project WHERE round_id = $1 "
        "AND status IN ('AWARDED', 'AWAITING_APPROVAL')",
        [round_id],
    )
    return int(rows[0]["fen"])


@dataclass
class StatRow:
    key: str
    code: str | None = None  # a place's gazetteer code, where the row is a subdistrict or community
    entry_id: str | None = None  # the gazetteer entry a place's row groups by (None: a name from before it)
    projects: int = 0
    committed_fen: int = 0
    disbursed_fen: int = 0
    beneficiaries: int = 0
    person_times: int = 0


@dataclass
class Stats:
    projects: int
    committed_fen: int
    disbursed_fen: int
    recovered_fen: int
    open_recovery_fen: int
    open_recovery_orders: int
    beneficiaries: int
    person_times: int
    by_category: list[StatRow]
    by_subdistrict: list[StatRow]
    by_community: list[StatRow]


async def stats(round_id: UUID | None = None, district: str | None = None) -> Stats:
    """Totals over the districts this transaction may see (or one of them), for one round or all."""
    conn = connections.get("funding")
    clauses, args = [], []
    for column, value in (("p.round_id", round_id), ("p.district", district)):
        if value is not None:
            args.append(value)
            clauses.append(f"AND {column} = ${len(args)}")
    where = " ".join(clauses)

    async def q(sql: str) -> list[dict]:
        return await conn.execute_query_dict(sql, args)

    projects = (await q(
        "SELECT COUNT(*)::int AS n, COALESCE(SUM(grant_fen), 0)::bigint AS committed, "
        f"COALESCE(SUM(disbursed_fen), 0)::bigint AS disbursed FROM project p WHERE status = 'AWARDED' {where}"
    ))[0]
    recovered = (await q(
        "SELECT COALESCE(SUM(r.amount_fen) FILTER (WHERE r.status = 'SETTLED'), 0)::bigint AS settled, "
        "COALESCE(SUM(r.amount_fen) FILTER (WHERE r.status = 'OPEN'), 0)::bigint AS open, "
        "COUNT(*) FILTER (WHERE r.status = 'OPEN')::int AS open_orders "
        f"FROM recovery_order r JOIN project p ON p.id = r.project_id WHERE true {where}"
    ))[0]
    service = (await q(
        "SELECT COUNT(DISTINCT s.beneficiary)::int AS b, COALESCE(SUM(s.person_times), 0)::bigint AS t "
        f"FROM service_record s JOIN project p ON p.id = s.project_id WHERE true {where}"
    ))[0]

    def place(alias: str, column: str | None, key: str) -> tuple[str, str, str]:
        """The group, the columns shown and the join of a rollup. A place groups by the gazetteer entry its
        rows picked (funding's copy gives the current name and code), so a renamed place stays one row, a
        retired one and a new one of its name two, and same-named places of two districts stay apart in a
        city's figures; a row from before the gazetteer, with no entry, groups by the name it stores."""
        if column is None:
            return f"{key}::text", f"NULL::text AS district, {key}::text AS k, NULL::text AS code, NULL::uuid AS entry", ""
        entry = f"{alias}.{column}_entry_id"
        group = f"{alias}.district, {entry}, CASE WHEN {entry} IS NULL THEN {alias}.{column} END"
        shown = (f"{alias}.district, COALESCE(min(kp.name), min({alias}.{column}), 'NONE') AS k, "
                 f"COALESCE(min(kp.code), min({alias}.{column}_code)) AS code, {entry} AS entry")
        join = f"LEFT JOIN known_place kp ON kp.id = {entry} AND kp.district = {alias}.district"
        return group, shown, join

    async def rollup(project_key: str, service_key: str, column: str | None = None) -> list[StatRow]:
        rows: dict[tuple, StatRow] = {}

        def row(r: dict) -> StatRow:
            # One place of one district: its entry, or its stored name where it has none.
            identity = (r["district"], r["entry"]) if r["entry"] is not None else (r["district"], r["k"])
            return rows.setdefault(identity, StatRow(key=r["k"], code=r["code"],
                                                     entry_id=str(r["entry"]) if r["entry"] else None))

        group, shown, join = place("p", column, f"p.{project_key}")
        for r in await q(
            f"SELECT {shown}, COUNT(*)::int AS n, SUM(grant_fen)::bigint AS c, SUM(disbursed_fen)::bigint AS d "
            f"FROM project p {join} WHERE status = 'AWARDED' {where} GROUP BY {group}"
        ):
            target = row(r)
            target.projects, target.committed_fen, target.disbursed_fen = r["n"], int(r["c"]), int(r["d"])
        group, shown, join = place("s", column, service_key)
        for r in await q(
            f"SELECT {shown}, COUNT(DISTINCT s.beneficiary)::int AS b, SUM(s.person_times)::bigint AS t "
            f"FROM service_record s JOIN project p ON p.id = s.project_id {join} WHERE true {where} GROUP BY {group}"
        ):
            target = row(r)
            target.beneficiaries, target.person_times = r["b"], int(r["t"])
        return sorted(rows.values(), key=lambda row: (row.key, row.code or "", row.entry_id or ""))

    return Stats(
        projects=projects["n"],
        committed_fen=int(projects["committed"]),
        disbursed_fen=int(projects["disbursed"]),
        recovered_fen=int(recovered["settled"]),
        open_recovery_fen=int(recovered["open"]),
        open_recovery_orders=recovered["open_orders"],
        beneficiaries=service["b"],
        person_times=int(service["t"]),
        by_category=await rollup("category", "p.category"),
        by_subdistrict=await rollup("subdistrict", "s.subdistrict", "subdistrict"),
        by_community=await rollup("community", "s.community", "community"),
    )


async def project_delivery(project_ids: list[UUID]) -> dict[str, tuple[int, int]]:
    """Distinct beneficiaries and person-times per project."""
    rows = await connections.get("funding").execute_query_dict(
        "SELECT project_id, COUNT(DISTINCT beneficiary)::int AS b, COALESCE(SUM(person_times), 0)::bigint AS t "
        "FROM service_record WHERE project_id = ANY($1::uuid[]) GROUP BY project_id",
        [project_ids],
    )
    return {str(r["project_id"]): (r["b"], int(r["t"])) for r in rows}


async def trail(round_id: UUID) -> dict[str, int]:
    """88 needs -> 42 entries -> 17 selected -> awarded, as the source counts them."""
    rows = await connections.get("funding").execute_query_dict(
        "SELECT (SELECT COUNT(*) FROM need WHERE round_id = $1)::int AS needs, "
        "(SELECT COUNT(DISTINCT library_entry_id) FROM need WHERE round_id = $1)::int AS entries, "
        "(SELECT COUNT(*) FROM project WHERE round_id = $1)::int AS selected, "
        "(SELECT COUNT(*) FROM project WHERE round_id = $1 AND status = 'WITHDRAWN')::int AS withdrawn, "
        "(SELECT COUNT(*) FROM project WHERE round_id = $1 AND status = 'AWARDED')::int AS awarded",
        [round_id],
    )
    return rows[0]
