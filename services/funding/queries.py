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

    async def rollup(project_key: str, service_key: str) -> list[StatRow]:
        rows: dict[str, StatRow] = {}
        for r in await q(
            f"SELECT COALESCE(p.{project_key}::text, 'NONE') AS k, COUNT(*)::int AS n, "
            "SUM(grant_fen)::bigint AS c, SUM(disbursed_fen)::bigint AS d "
            f"FROM project p WHERE status = 'AWARDED' {where} GROUP BY 1"
        ):
            rows[r["k"]] = StatRow(key=r["k"], projects=r["n"], committed_fen=int(r["c"]), disbursed_fen=int(r["d"]))
        for r in await q(
            f"SELECT {service_key}::text AS k, COUNT(DISTINCT s.beneficiary)::int AS b, SUM(s.person_times)::bigint AS t "
            f"FROM service_record s JOIN project p ON p.id = s.project_id WHERE true {where} GROUP BY 1"
        ):
            row = rows.setdefault(r["k"], StatRow(key=r["k"]))
            row.beneficiaries, row.person_times = r["b"], int(r["t"])
        return sorted(rows.values(), key=lambda row: row.key)

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
        by_subdistrict=await rollup("subdistrict", "s.subdistrict"),
        by_community=await rollup("community", "s.community"),
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
