"""Fault 3, retried. Restart PostgreSQL (fast, then immediate) under mutations sent with an Idempotency-Key
by clients that retry every failed request with its same key until it answers: FILED organizations (no
credit code, so nothing but the key stops a second copy). Lost commits happen (F3 counts them); here a
retry of one either applies it once or replays its stored answer: 0 double effects, and every answer of a
key names the same organization."""

from __future__ import annotations

import asyncio
import itertools
import time

import asyncpg
import httpx

from services.common.runtime.subgraph import create_app
from services.registry.service import service as registry
from tests.places import seed_gazetteer
from tests.support import GraphQLClient, token

from ..report import full, record

REGISTER = "mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }"
ONBOARD = "mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code } }"
CONCURRENCY = 8
GIVE_UP_AFTER = 60.0  # seconds of retrying one key; PostgreSQL is back within a few


class KeyedClient:
    """A portal's retry loop: one key per intended change, the same key on every retry of it."""

    def __init__(self, http: httpx.AsyncClient, bearer: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {bearer}"}
        self.codes: dict[str, int] = {}
        self.replays = 0

    async def register(self, n: int) -> list[str]:
        """The organization ids of every successful answer for the change `n` (one per key)."""
        headers = {**self.headers, "Idempotency-Key": f"proof-f3-{n}"}
        variables = {"input": {"name": f"重试互助队{n}", "registration": "FILED", "category": "NEIGHBOR_MUTUAL_AID",
                               "subdistrict": "抚顺街道"}}
        answers: list[str] = []
        deadline = time.monotonic() + GIVE_UP_AFTER
        while time.monotonic() < deadline:
            try:
                response = await asyncio.wait_for(
                    self.http.post("/graphql", json={"query": REGISTER, "variables": variables}, headers=headers), 30)
                body = response.json()
            except Exception as exc:  # noqa: BLE001 - a transport failure is retried like any other
                self._count(f"EXC {type(exc).__name__}")
                await asyncio.sleep(0.1)
                continue
            errors = body.get("errors") or []
            if not errors:
                answers.append(body["data"]["registerOrganization"]["id"])
                self.replays += response.headers.get("idempotent-replayed") == "true"
                if len(answers) == 1 and n % 10 == 0:
                    continue  # now and then ask once more, as a client that never saw the answer would
                return answers
            self._count((errors[0].get("extensions") or {}).get("code") or "UNLABELLED")
            await asyncio.sleep(0.05)
        return answers

    def _count(self, code: str) -> None:
        self.codes[code] = self.codes.get(code, 0) + 1


async def test_keyed_retries_through_database_restarts_apply_each_change_once(stack):
    pg, admin = stack["pg"], stack["admin"]["registry"]
    tables = [r["tablename"] for r in await admin.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'")]
    await admin.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY")
    app = create_app(registry, manage_database=False, workers=False)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://proof")
    city = token(None, "city_admin", city="2301")
    onboarded = await http.post("/graphql", json={"query": ONBOARD, "variables": {"input": {
        "code": "230102", "name": "道里区", "cityCode": "2301"}}}, headers={"Authorization": f"Bearer {city}"})
    assert not onboarded.json().get("errors"), onboarded.json()
    seeding = GraphQLClient(app)
    await seed_gazetteer(seeding, token("230102", "bureau_admin"), "230102", wait_for_funding=False)
    await seeding.close()
    client = KeyedClient(http, token("230102", "bureau_admin", sub="proof-officer"))
    serial = itertools.count(1)
    answers: dict[int, list[str]] = {}
    stop = asyncio.Event()

    async def worker() -> None:
        while not stop.is_set():
            n = next(serial)
            answers[n] = await client.register(n)
            await asyncio.sleep(0.01)

    workers = [asyncio.create_task(worker()) for _ in range(CONCURRENCY)]
    restarts = []
    await asyncio.sleep(2)
    for mode in ("fast", "immediate") * (3 if full() else 1):
        restarts.append((mode, await asyncio.get_running_loop().run_in_executor(None, pg.restart, mode)))
        await asyncio.sleep(6 if full() else 4)
    stop.set()
    await asyncio.gather(*workers)
    await http.aclose()

    for name in list(stack["admin"]):  # the old connections died with the server
        stack["admin"][name] = await asyncpg.connect(pg.url(database=f"civic_{name}"))
    admin = stack["admin"]["registry"]
    names = [r["name"] for r in await admin.fetch("SELECT name FROM social_organization")]
    doubled = sorted({name for name in names if names.count(name) > 1})
    events = await admin.fetchval("SELECT count(*) FROM outbox WHERE type = 'registry.organization.registered'")
    answered = {n: ids for n, ids in answers.items() if ids}
    unanswered = sorted(n for n, ids in answers.items() if not ids)
    differing = sorted(n for n, ids in answered.items() if len(set(ids)) > 1)
    failures = sum(client.codes.values())
    ok = not doubled and not differing and not unanswered and len(names) == len(answered) == events
    record("F3", f"{len(answers)} registerOrganization (FILED) changes, each retried with its own Idempotency-Key "
           f"until answered, across {len(restarts)} PostgreSQL restarts "
           f"({', '.join(f'{m} {away:.2f} s' for m, away in restarts)})",
           "mutations retried with keys through database restarts: 0 double effects; every change answered; every "
           "answer of one key names the same organization; one outbox event per organization",
           f"{failures} failed attempts retried (codes {client.codes or '-'}); {len(names)} organizations for "
           f"{len(answered)} answered changes, {len(doubled)} double effects, {len(differing)} keys answered "
           f"differently, {len(unanswered)} never answered; {client.replays} answers replayed from the stored "
           f"response; {events} events", ok)
    assert not doubled, doubled
    assert not differing, differing
    assert not unanswered, unanswered
    assert len(names) == len(answered) == events, (len(names), len(answered), events)
