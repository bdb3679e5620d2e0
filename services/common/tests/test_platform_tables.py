"""The platform tables as the database enforces them: the audit trail is append-only for the request role,
the outbox and inbox show a transaction only its own districts (the relay role sees every outbox row and
nothing else), and the district directory is readable by all but written only for an admitted district."""

from __future__ import annotations

import uuid

import pytest
from tortoise import connections

from services.common.kernel.config import amqp_url
from services.common.data.db import SERVICES, relay_connection
from services.common.events import Emitter
from services.common.data.tenancy import tenant_transaction
from tests.support import DAOLI, HARBIN, NANGANG


def platform(service: str):
    return __import__(f"services.{service}.models", fromlist=["PLATFORM"]).PLATFORM


async def _audit_row(service: str) -> str:
    audit_id = str(uuid.uuid4())
    async with tenant_transaction(service, [DAOLI]) as conn:
        await conn.execute_query(
            "INSERT INTO audit_record (id, district, actor, action, entity_type, entity_id, at) "
            "VALUES ($1, $2, 'test', 'created', 'Test', '1', now())", [audit_id, DAOLI])
    return audit_id


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("statement", ["UPDATE audit_record SET actor = 'someone else' WHERE id = $1",
                                       "DELETE FROM audit_record WHERE id = $1"])
async def test_the_request_role_cannot_rewrite_or_erase_the_audit_trail(databases, service, statement):
    audit_id = await _audit_row(service)
    with pytest.raises(Exception, match="permission denied"):
        async with tenant_transaction(service, [DAOLI]) as conn:  # its own district, and still refused
            await conn.execute_query(statement, [audit_id])
    assert await databases[service].fetchval("SELECT actor FROM audit_record WHERE id = $1", audit_id) == "test"


@pytest.mark.parametrize("service", SERVICES)
async def test_the_request_role_cannot_truncate_the_audit_trail(databases, service):
    await _audit_row(service)
    with pytest.raises(Exception, match="permission denied"):
        async with tenant_transaction(service, [DAOLI]) as conn:
            await conn.execute_query("TRUNCATE audit_record")


async def _events_of_daoli(service: str) -> None:
    models = platform(service)
    emitter = Emitter(service, models.outbox, service)
    async with tenant_transaction(service, [DAOLI]) as conn:
        envelope = await emitter.emit_data("test.one", DAOLI, {"secret": "Daoli's"})
        await conn.execute_query(
            "INSERT INTO inbox (consumer, event_id, type, district, handled_at) VALUES ('test', $1, 'test.one', $2, now())",
            [envelope.id, DAOLI])


async def _visible(service: str, districts: list[str], table: str) -> list[str]:
    async with tenant_transaction(service, districts) as conn:
        return [r["district"] for r in await conn.execute_query_dict(f"SELECT district FROM {table}")]


@pytest.mark.parametrize("service", SERVICES)
async def test_outbox_and_inbox_rows_are_seen_only_by_their_districts_transactions(databases, service):
    await _events_of_daoli(service)
    for table in ("outbox", "inbox"):
        assert await _visible(service, [NANGANG], table) == []
        assert await _visible(service, [DAOLI], table) == [DAOLI]
        assert await connections.get(service).execute_query_dict(f"SELECT * FROM {table}") == []  # no tenant set
    # Nor can a transaction write another district's events.
    emitter = Emitter(service, platform(service).outbox, service)
    with pytest.raises(Exception, match="row-level security"):
        async with tenant_transaction(service, [NANGANG]):
            await emitter.emit_data("test.one", DAOLI, {})


@pytest.mark.parametrize("service", SERVICES)
async def test_only_the_relay_role_marks_and_prunes_outbox_rows(databases, service):
    await _events_of_daoli(service)
    for statement in ("UPDATE outbox SET sent_at = now()", "DELETE FROM outbox", "DELETE FROM inbox"):
        with pytest.raises(Exception, match="permission denied"):
            async with tenant_transaction(service, [DAOLI]) as conn:
                await conn.execute_query(statement)
    relay = connections.get(relay_connection(service))
    assert [r["district"] for r in await relay.execute_query_dict("SELECT district FROM outbox")] == [DAOLI]
    await relay.execute_query("UPDATE outbox SET sent_at = now()")
    assert await databases[service].fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL") == 1


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("table", ["inbox", "audit_record", "district_directory"])
async def test_the_relay_role_reads_nothing_but_the_outbox(databases, service, table):
    with pytest.raises(Exception, match="permission denied"):
        await connections.get(relay_connection(service)).execute_query(f"SELECT 1 FROM {table}")


@pytest.mark.parametrize("service", SERVICES)
async def test_the_directory_is_read_by_all_and_written_only_for_an_admitted_district_of_its_city(databases, service):
    directory = platform(service).directory
    async with tenant_transaction(service, [DAOLI]):
        await directory.create(code=DAOLI, city_code=HARBIN, name="道里区")
    # A city admin's districts are looked up before any tenant is set.
    assert await directory.filter(city_code=HARBIN).values_list("code", flat=True) == [DAOLI]
    insert = "INSERT INTO district_directory (code, city_code, name) VALUES ($1, $2, 'x')"
    attempts = [
        ([DAOLI], [NANGANG, HARBIN], "row-level security"),  # a district the transaction was not admitted to
        ([], [NANGANG, HARBIN], "row-level security"),
        (["110101"], ["110101", HARBIN], "row-level security|code_in_city"),  # not a district of that city
        ([DAOLI], ["DELETE FROM district_directory"], "permission denied"),
    ]
    for districts, args, refusal in attempts:
        with pytest.raises(Exception, match=refusal):
            async with tenant_transaction(service, districts) as conn:
                if args[0].startswith("DELETE"):
                    await conn.execute_query(args[0])
                else:
                    await conn.execute_query(insert, args)
    async with tenant_transaction(service, [NANGANG]) as conn:  # renaming another district changes nothing
        await conn.execute_query("UPDATE district_directory SET name = 'renamed'")
    assert await databases[service].fetchval("SELECT name FROM district_directory") == "道里区"


async def test_the_relay_publishes_every_districts_events(databases, broker):
    from services.common.events.relay import OutboxRelay
    from services.registry.models import OutboxEvent

    emitter = Emitter("registry", OutboxEvent, "registry")
    for district in (DAOLI, NANGANG):
        async with tenant_transaction("registry", [district]):
            await emitter.emit_data("registry.organization.registered", district, {})
    relay = OutboxRelay(outbox=OutboxEvent, connection=relay_connection("registry"), amqp_url=amqp_url("registry"))
    await relay.start()  # as registry's own broker user, as in production
    try:
        assert await relay.relay_once() == 2
    finally:
        await relay.close()
    assert await databases["registry"].fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0
