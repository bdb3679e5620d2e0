"""Scale: 1, 100 and 3,000 districts of demo-sized data (CI: 1, 100, 500). A district's hot queries keep
their latency (p50 within 1.2x of the single-district figure, reported as a ratio, never asserted on time),
and EXPLAIN shows why: the district-first indexes, with the row-level security predicate as the index condition."""

from __future__ import annotations

import time
from pathlib import Path

import asyncpg

from services.common.subgraph import create_app
from services.common.testing import GraphQLClient, token
from services.funding.service import service as funding
from services.registry.service import service as registry

from ..eventkit import percentile
from ..probes import QueryCounter
from ..report import RESULTS, full, record

HOME = "230102"
SCALES = (1, 100, 3000) if full() else (1, 100, 500)
ORGS, PROJECTS = 60, 40  # per district: the demo district's order of size
SAMPLES = 300 if full() else 200
WARM_UP = 100  # requests before measuring: the first scale's figure is the baseline, so it must not be a cold one
HOT = {
    "registry": ("organizations", "{ organizations(first: 20) { totalCount edges { node { id name status } } } }"),
    "funding": ("projects", "{ projects(first: 20) { totalCount edges { node { id title grant status } } } }"),
}


def codes(n: int) -> list[str]:
    return [HOME] + [str(300000 + i) for i in range(n - 1)]


async def load(admin: dict, districts: list[str]) -> None:
    """Bulk rows as the owner would load them (superuser on the throwaway server; triggers/FKs off for speed)."""
    reg, fund = admin["registry"], admin["funding"]
    for conn in (reg, fund):
        await conn.execute("SET session_replication_role = replica")
    await reg.execute(
        "INSERT INTO social_organization (district, id, name, registration, filing_number, category, subdistrict, "
        "party_organization, status, created_at, updated_at) "
        "SELECT d, gen_random_uuid(), d || '-组织' || n, 'FILED', d || '-BA-' || lpad(n::text, 5, '0'), 'ELDERLY_CARE', "
        "'新阳路街道', 'NONE', 'ACTIVE', now() - (n || ' minutes')::interval, now() "
        "FROM unnest($1::text[]) AS d, generate_series(1, $2) AS n", districts, ORGS)
    await fund.execute(
        "INSERT INTO funding_round (district, id, name, year, budget_fen, phase, criteria, min_reviews, notice_days, "
        "created_at, updated_at) SELECT d, md5('round' || d)::uuid, '创投', 2026, 200000000, 'AWARDED', '[]'::jsonb, 1, 0, "
        "now(), now() FROM unnest($1::text[]) AS d", districts)
    await fund.execute(
        "INSERT INTO project (district, id, title, category, requested_fen, status, grant_fen, disbursed_fen, "
        "created_at, round_id, entry_id) SELECT d, gen_random_uuid(), d || '-项目' || n, 'ELDERLY_CARE', 5000000, "
        "'AWARDED', 5000000, 0, now() - (n || ' minutes')::interval, md5('round' || d)::uuid, gen_random_uuid() "
        "FROM unnest($1::text[]) AS d, generate_series(1, $2) AS n", districts, PROJECTS)
    for conn in (reg, fund):
        await conn.execute("SET session_replication_role = origin")
        await conn.execute("ANALYZE")


async def p50(client: GraphQLClient, query: str, bearer: str) -> float:
    for _ in range(WARM_UP):
        await client.ok(query, token=bearer)
    times = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        await client.ok(query, token=bearer)
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 50)


async def explain(pg, service: str, statements: list[tuple[str, tuple]]) -> list[str]:
    """EXPLAIN ANALYZE of each SELECT a hot query ran, as the application role with the district set."""
    conn = await asyncpg.connect(pg.url("civic_app", "civic_app", f"civic_{service}"))
    plans = []
    try:
        for query, args in statements:
            if not query.lstrip().upper().startswith("SELECT") or "set_config" in query or ";" in query.strip().rstrip(";"):
                continue
            async with conn.transaction():
                await conn.execute(f"SELECT set_config('app.districts', '{HOME}', true)")
                rows = await conn.fetch(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {query}", *args)
            plans.append(query.strip() + "\n" + "\n".join("    " + r[0] for r in rows))
    finally:
        await conn.close()
    return plans


async def test_a_districts_latency_as_districts_are_added(stack):
    admin, pg = stack["admin"], stack["pg"]
    for name in ("registry", "funding"):
        tables = [r["tablename"] for r in await admin[name].fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'")]
        await admin[name].execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
    clients = {"registry": GraphQLClient(create_app(registry, manage_database=False, workers=False)),
               "funding": GraphQLClient(create_app(funding, manage_database=False, workers=False))}
    bearer = token(HOME, "bureau_admin")
    figures: dict[str, dict[int, float]] = {name: {} for name in HOT}
    loaded = 0
    plans: list[str] = []
    for scale in SCALES:
        started = time.monotonic()
        await load(admin, codes(scale)[loaded:])
        load_s = time.monotonic() - started
        loaded = scale
        for service, (label, query) in HOT.items():
            figures[service][scale] = await p50(clients[service], query, bearer)
        rows = {s: await admin[s].fetchval(f"SELECT count(*) FROM {t}") for s, t in
                (("registry", "social_organization"), ("funding", "project"))}
        record("L2", f"{scale:,} districts loaded ({rows['registry']:,} organizations, {rows['funding']:,} projects; "
                     f"bulk load {load_s:.1f} s); district {HOME}'s hot queries, {SAMPLES} requests each",
               "p50 within 1.2x of the single-district figure",
               "; ".join(f"{HOT[s][0]} p50 {figures[s][scale]:.1f} ms ({figures[s][scale] / figures[s][SCALES[0]]:.2f}x)"
                         for s in HOT),
               all(figures[s][scale] / figures[s][SCALES[0]] <= 1.2 for s in HOT), figure=True,
               **{f"{HOT[s][0]}_p50_ms": round(figures[s][scale], 2) for s in HOT})
    # Why: the plans of the hot queries at the largest scale
    counter = QueryCounter()
    with counter.installed():
        for service, (label, query) in HOT.items():
            with counter.window():
                await clients[service].ok(query, token=bearer)
            plans += [f"-- {service}: {label}"] + await explain(pg, service, counter.full)
    for client in clients.values():
        await client.close()
    text = "\n".join(plans)
    out = Path(RESULTS).with_name("explain.txt")
    out.write_text(text + "\n", encoding="utf-8")
    index_scans = [line.strip() for line in text.splitlines() if "Index" in line and "Scan" in line]
    seq = [line.strip() for line in text.splitlines() if "Seq Scan" in line]
    record("L2", f"EXPLAIN ANALYZE of the hot queries' SELECTs at {SCALES[-1]:,} districts, as civic_app with "
                 f"app.districts = {HOME} (full plans: {out.name})",
           "district-first index scans, the RLS predicate as index condition; no sequential scan of a tenant table",
           f"{len(index_scans)} index scans ({'; '.join(sorted(set(s.split(' on ')[0] + ' on ' + s.split(' on ')[1].split()[0] for s in index_scans if ' on ' in s)))}); "
           f"{len(seq)} sequential scans", bool(index_scans) and not seq)
