"""Fault 5. Network faults between a service and its broker or database, through the suite's TCP fault proxy:
added latency, connection resets, a blackhole. No request hangs past its timeout, nothing is marked sent
without the broker's ack, 0 events lost."""

from __future__ import annotations

import asyncio
import itertools
import time

from services.common.kernel.credit_code import make_credit_code
from services.common.runtime.subgraph import create_app
from services.common.kernel.tasks import cancel_and_wait
from tests.places import seed_gazetteer
from tests.support import GraphQLClient, token
from services.funding.models import InboxEvent
from services.registry.models import OutboxEvent
from services.registry.service import service as registry

from .. import eventkit as kit
from ..faultproxy import FaultProxy
from ..report import full, record

BLACKHOLE = 30.0 if full() else 5.0
PUBLISH_TIMEOUT = 10.0
COMMAND_TIMEOUT = 30.0  # services.common.data.db: a dead database must not hang a request forever




async def test_broker_link_latency_reset_blackhole(stack):
    rabbit, admin = stack["rabbit"], stack["admin"]
    await kit.prepare(stack["pg"].url(database="civic_funding"))
    await admin["funding"].execute("TRUNCATE inbox")
    await admin["registry"].execute("TRUNCATE outbox")
    proxy = await FaultProxy("127.0.0.1", rabbit.port).start()
    via_proxy = f"amqp://guest:guest@127.0.0.1:{proxy.port}/"
    consumer = kit.consumer(rabbit.url(), InboxEvent)
    await consumer.start()
    relay = kit.relay(via_proxy, OutboxEvent, batch_size=100, publish_timeout=PUBLISH_TIMEOUT)
    await relay.start()
    durations: list[float] = []
    real_once = relay.relay_once

    async def timed_once() -> int:
        started = time.monotonic()
        try:
            return await real_once()
        finally:
            durations.append(time.monotonic() - started)

    relay.relay_once = timed_once
    relay_task = asyncio.create_task(relay.run(), name="proof-relay")
    emitted = 0

    async def emit_for(seconds: float) -> None:
        nonlocal emitted
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            await kit.emit(OutboxEvent, 20, start=emitted, batch=20)
            emitted += 20
            await asyncio.sleep(0.05)

    phases = [("pass", 0, 1.5), ("latency", 0.2, 3), ("reset", 0, 2), ("pass", 0, 1.5), ("blackhole", 0, BLACKHOLE),
              ("pass", 0, 2)]
    for mode, delay, seconds in phases:
        proxy.set(mode, delay)
        await emit_for(seconds)
    drained = await kit.wait_for(lambda: _all_sent(admin["registry"]), timeout=120, interval=0.2)
    done = await kit.wait_for(lambda: _applied(admin["funding"], emitted), timeout=120, interval=0.2)
    await asyncio.sleep(1)
    counts = await kit.tally(admin["funding"], emitted)
    # "nothing marked sent without the broker's ack": every row marked sent did reach the consumer
    sent_ids = {r["event_id"] for r in await admin["registry"].fetch("SELECT event_id FROM outbox WHERE sent_at IS NOT NULL")}
    got_ids = {r["event_id"] for r in await admin["funding"].fetch("SELECT DISTINCT event_id FROM proof_effect")}
    sent_not_received = len(sent_ids - got_ids)
    await cancel_and_wait([relay_task])
    await relay.close()
    await consumer.close()
    await proxy.close()
    longest = max(durations)
    ok = (counts["lost"] == 0 and counts["duplicated"] == 0 and sent_not_received == 0 and bool(drained) and bool(done)
          and longest <= PUBLISH_TIMEOUT + 2)
    record("F5", f"relay -> broker through the fault proxy: latency 200 ms, reset, blackhole {BLACKHOLE:.0f} s; "
                 f"{emitted:,} events emitted meanwhile",
           f"0 lost, each effect once, no row marked sent that the broker did not take, no relay batch past its "
           f"publish timeout ({PUBLISH_TIMEOUT:.0f} s)",
           f"lost {counts['lost']}, applied twice {counts['duplicated']}, absorbed by the inbox {consumer.duplicates}; "
           f"marked sent but never delivered {sent_not_received}; longest relay batch {longest:.1f} s", ok,
           lost=counts["lost"])
    assert ok, (counts, sent_not_received, longest)


async def _all_sent(conn) -> bool:
    return await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0


async def _applied(conn, n: int) -> bool:
    return (await conn.fetchval("SELECT count(DISTINCT event_id) FROM proof_effect")) >= n


async def test_database_link_latency_reset_blackhole(stack):
    admin, db_proxy = stack["admin"]["registry"], stack["db_proxy"]
    tables = [r["tablename"] for r in await admin.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'")]
    await admin.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY")
    client = GraphQLClient(create_app(registry, manage_database=False, workers=False))
    await client.ok("mutation($i: OnboardDistrictInput!) { onboardDistrict(input: $i) { code } }",
                    {"i": {"code": "230102", "name": "道里区", "cityCode": "2301"}}, token=token(None, "city_admin", city="2301"))
    bureau = token("230102", "bureau_admin")
    await seed_gazetteer(client, bureau, "230102", wait_for_funding=False)
    serial = itertools.count(1)
    log: list[tuple[str, float, str]] = []
    phase = {"now": "pass"}
    stop = asyncio.Event()

    async def worker() -> None:
        while not stop.is_set():
            n = next(serial)
            started = time.monotonic()
            try:
                body = await asyncio.wait_for(client.post(
                    "mutation($i: RegisterOrganizationInput!) { registerOrganization(input: $i) { id } }",
                    {"i": {"name": f"网络组织{n}", "registration": "REGISTERED", "category": "ELDERLY_CARE",
                           "creditCode": make_credit_code("230102", n), "subdistrict": "新阳路街道"}},
                    token=bureau), COMMAND_TIMEOUT + BLACKHOLE + 30)
                errors = body.get("errors") or []
                outcome = "ok" if not errors else (errors[0].get("extensions") or {}).get("code") or "UNLABELLED"
            except asyncio.TimeoutError:
                outcome = "HUNG"
            log.append((phase["now"], time.monotonic() - started, outcome))
            await asyncio.sleep(0.02)

    workers = [asyncio.create_task(worker()) for _ in range(4)]
    for mode, delay, seconds in [("pass", 0, 1), ("latency", 0.05, 3), ("reset", 0, 1), ("pass", 0, 2),
                                 ("blackhole", 0, BLACKHOLE), ("pass", 0, 3)]:
        phase["now"] = mode
        db_proxy.set(mode, delay)
        await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*workers)
    await client.close()
    orgs = {str(r["id"]) for r in await admin.fetch("SELECT id FROM social_organization")}
    events = {r["id"] for r in await admin.fetch(
        "SELECT payload->'data'->>'id' AS id FROM outbox WHERE type = 'registry.organization.registered'")}
    outcomes: dict[str, int] = {}
    for _, _, o in log:
        outcomes[o] = outcomes.get(o, 0) + 1
    longest = max(d for _, d, _ in log)
    last_ok = [o for p, _, o in log[-8:]]
    labelled = all(o in ("ok", "SERVICE_UNAVAILABLE") for o in outcomes)
    ok = orgs == events and labelled and longest <= COMMAND_TIMEOUT + 1 and "ok" in last_ok
    record("F5", f"registry -> PostgreSQL through the fault proxy: latency 50 ms, reset, blackhole {BLACKHOLE:.0f} s; "
                 f"4 registerOrganization loops ({len(log)} requests)",
           f"every request answers within the command timeout ({COMMAND_TIMEOUT:.0f} s), ok or SERVICE_UNAVAILABLE; "
           "every organization with its outbox event; service answers again after",
           f"outcomes {outcomes}; longest request {longest:.1f} s; {len(orgs)} organizations, {len(events)} events, "
           f"{len(orgs ^ events)} unmatched; answering after: {'yes' if 'ok' in last_ok else 'NO'}", ok)
    assert ok, (outcomes, longest, len(orgs), len(events))
