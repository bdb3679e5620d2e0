"""Demo-sized districts loaded straight into the throwaway databases, for the load proofs."""

from __future__ import annotations

HOME = "230102"
ORGS, PROJECTS = 60, 40  # per district: the demo district's order of size


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
        "SELECT d, md5(d || '-org-' || n)::uuid, d || '-组织' || n, 'FILED', d || '-BA-' || lpad(n::text, 5, '0'), 'ELDERLY_CARE', "
        "'新阳路街道', 'NONE', 'ACTIVE', now() - (n || ' minutes')::interval, now() "
        "FROM unnest($1::text[]) AS d, generate_series(1, $2) AS n", districts, ORGS)
    await fund.execute(
        "INSERT INTO funding_round (district, id, name, year, budget_fen, phase, criteria, min_reviews, notice_days, "
        "created_at, updated_at) SELECT d, md5('round' || d)::uuid, '创投', 2026, 200000000, 'AWARDED', '[]'::jsonb, 1, 0, "
        "now(), now() FROM unnest($1::text[]) AS d", districts)
    await fund.execute(
        "INSERT INTO project (district, id, title, category, requested_fen, status, grant_fen, disbursed_fen, "
        "created_at, round_id, entry_id, organization_id) SELECT d, gen_random_uuid(), d || '-项目' || n, "
        "'ELDERLY_CARE', 5000000, 'AWARDED', 5000000, 0, now() - (n || ' minutes')::interval, "
        "md5('round' || d)::uuid, gen_random_uuid(), md5(d || '-org-' || n)::uuid "  # project n: organization n
        "FROM unnest($1::text[]) AS d, generate_series(1, $2) AS n", districts, PROJECTS)
    for conn in (reg, fund):
        await conn.execute("SET session_replication_role = origin")
        # As after any bulk import: statistics for the planner, and the visibility map for index-only scans
        # (otherwise autovacuum does it later, in the middle of whatever proof runs next).
        await conn.execute("VACUUM ANALYZE")


async def empty(conns: dict) -> None:
    for conn in conns.values():
        tables = [r["tablename"] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'")]
        await conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
