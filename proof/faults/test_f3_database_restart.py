"""Fault 3. Restart PostgreSQL (fast, then immediate) under a steady load of mutations (sent without an
Idempotency-Key): no business row without its outbox row or the reverse; only requests caught by the
restart fail, each SERVICE_UNAVAILABLE (nothing applied: retry) or, when the connection died during COMMIT,
COMMIT_OUTCOME_UNKNOWN (do not retry blindly); every request that committed without its answer was told
the latter; the service answers again within 5 s, with no restart of our processes. The same restarts
with keyed retries: test_f3_keyed_retries.py."""

from __future__ import annotations

import asyncio
import itertools
import os
import time

import asyncpg

from services.common.kernel.credit_code import make_credit_code
from services.common.runtime.subgraph import create_app
from tests.places import seed_gazetteer
from tests.support import GraphQLClient, token
from services.registry.service import service as registry

from ..report import full, record

REGISTER = "mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }"
ONBOARD = "mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code } }"
CONCURRENCY = 8


async def test_database_restart_under_load(stack):
    pg, admin = stack["pg"], stack["admin"]["registry"]
    tables = [r["tablename"] for r in await admin.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'")]
    await admin.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY")
    client = GraphQLClient(create_app(registry, manage_database=False, workers=False))
    await client.ok(ONBOARD, {"input": {"code": "230102", "name": "道里区", "cityCode": "2301"}},
                    token=token(None, "city_admin", city="2301"))
    bureau = token("230102", "bureau_admin")
    await seed_gazetteer(client, bureau, "230102", wait_for_funding=False)
    serial = itertools.count(1)
    log: list[tuple[float, float, str]] = []  # (sent, answered, outcome)
    stop = asyncio.Event()
    longest = [0.0]

    async def worker() -> None:
        while not stop.is_set():
            n = next(serial)
            sent = time.monotonic()
            try:
                body = await asyncio.wait_for(client.post(REGISTER, {"input": {
                    "name": f"压测组织{n}", "registration": "REGISTERED", "category": "ELDERLY_CARE",
                    "creditCode": make_credit_code("230102", n), "subdistrict": "新阳路街道"}}, token=bureau), 30)
                errors = body.get("errors") or []
                outcome = "ok" if not errors else (errors[0].get("extensions") or {}).get("code") or "UNLABELLED"
                if errors and os.environ.get("PROOF_DEBUG"):
                    print("ERR", errors[0])
            except asyncio.TimeoutError:
                outcome = "HUNG"
                if os.environ.get("PROOF_DEBUG"):
                    for t in asyncio.all_tasks():
                        t.print_stack(limit=60)
            except Exception as exc:  # noqa: BLE001
                outcome = f"EXC {type(exc).__name__}"
            log.append((sent, time.monotonic(), outcome))
            longest[0] = max(longest[0], time.monotonic() - sent)
            await asyncio.sleep(0.01)

    workers = [asyncio.create_task(worker()) for _ in range(CONCURRENCY)]
    restarts = []
    await asyncio.sleep(2)
    for mode in ("fast", "immediate") * (3 if full() else 1):
        at = time.monotonic()
        away = await asyncio.get_running_loop().run_in_executor(None, pg.restart, mode)
        restarts.append((mode, at, at + away))
        await asyncio.sleep(6 if full() else 4)
    stop.set()
    await asyncio.gather(*workers)
    await client.close()

    rows = []
    all_ok = True
    for i, (mode, down, up) in enumerate(restarts):
        until = restarts[i + 1][1] if i + 1 < len(restarts) else float("inf")
        in_flight = [o for sent, answered, o in log if sent < down <= answered]
        while_down = [o for sent, answered, o in log if down <= sent < up]
        after = [(sent, answered, o) for sent, answered, o in log if up <= sent <= min(up + 5, until) and answered < until]
        failed_after = [o for _, _, o in after if o != "ok"]
        first_ok = min((answered for sent, answered, o in after if o == "ok"), default=float("inf"))
        back = first_ok - up
        failed = [o for o in in_flight + while_down + failed_after if o != "ok"]
        kinds = {o: failed.count(o) for o in set(failed)}
        fine = all(o in ("SERVICE_UNAVAILABLE", "COMMIT_OUTCOME_UNKNOWN") for o in failed) and back <= 5 and not failed_after
        all_ok &= fine
        rows.append((mode, up - down, in_flight, while_down, failed_after, kinds, back, fine))
    for name in list(stack["admin"]):  # the old connections died with the server
        stack["admin"][name] = await asyncpg.connect(pg.url(database=f"civic_{name}"))
    admin = stack["admin"]["registry"]
    orgs = {str(r["id"]) for r in await admin.fetch("SELECT id FROM social_organization")}
    events = {r["id"] for r in await admin.fetch(
        "SELECT payload->'data'->>'id' AS id FROM outbox WHERE type = 'registry.organization.registered'")}
    ok_count = sum(1 for *_, o in log if o == "ok")
    unknown = sum(1 for *_, o in log if o == "COMMIT_OUTCOME_UNKNOWN")
    # A request that committed without its answer must have been told so, never "retry".
    consistent = orgs == events and ok_count <= len(orgs) <= ok_count + unknown
    for mode, away, in_flight, while_down, failed_after, kinds, back, fine in rows:
        record("F3", f"PostgreSQL {mode} restart (down {away:.2f} s) under {CONCURRENCY} concurrent registerOrganization loops",
               "only requests in flight or sent while it is down fail, each SERVICE_UNAVAILABLE or "
               "COMMIT_OUTCOME_UNKNOWN (none hangs); "
               "none sent after it is back; answering again within 5 s, no process of ours restarted",
               f"in flight {len(in_flight)}: {sum(o != 'ok' for o in in_flight)} failed; sent while down "
               f"{len(while_down)}: {sum(o != 'ok' for o in while_down)} failed; sent after: {len(failed_after)} failed; "
               f"codes {kinds or '-'}; first success {max(back, 0):.2f} s after the server was back; longest request "
               f"in the run {longest[0]:.1f} s", fine)
    record("F3", f"{len(log)} mutations across {len(restarts)} restarts: organizations vs their outbox events",
           "every organization has its outbox event and every event its organization; every organization "
           "committed without its answer was answered COMMIT_OUTCOME_UNKNOWN, not SERVICE_UNAVAILABLE",
           f"{ok_count} succeeded; {len(orgs)} organizations, {len(events)} events, "
           f"{len(orgs - events)} without event, {len(events - orgs)} events without organization; "
           f"{len(orgs) - ok_count} committed although the client saw no success, {unknown} answered "
           "COMMIT_OUTCOME_UNKNOWN (the connection died with the COMMIT's answer)", consistent)
    assert consistent, (len(orgs), len(events), ok_count)
    assert all_ok, rows
