"""The registry is an Apollo Federation v2 subgraph: its SDL, its entities, batched lookups."""

from __future__ import annotations

import logging

from tests.support import DAOLI

from .test_organizations import REGISTER, filed
from .test_tenancy import ENTITIES


async def test_the_service_sdl_declares_federation_2_entities(registry):
    sdl = (await registry.ok("{ _service { sdl } }"))["_service"]["sdl"]
    assert '@link(url: "https://specs.apollo.dev/federation/v2' in sdl
    for entity in ('type District @key(fields: "code")', 'type SocialOrganization @key(fields: "id")',
                   'type ServiceStation @key(fields: "id")'):
        assert entity in sdl
    assert "type PageInfo @shareable" in sdl


async def test_entities_of_one_type_are_fetched_in_one_query(registry, districts, caplog):
    ids = [(await registry.ok(REGISTER, filed(n), token=districts[DAOLI]))["registerOrganization"]["id"] for n in range(5)]
    reps = [{"__typename": "SocialOrganization", "id": org_id} for org_id in reversed(ids)]
    caplog.set_level(logging.DEBUG, logger="tortoise.db_client")
    data = await registry.ok(ENTITIES, {"reps": reps}, token=districts[DAOLI])
    assert [entity["id"] for entity in data["_entities"]] == list(reversed(ids))
    selects = [r.getMessage() for r in caplog.records if 'FROM "social_organization"' in r.getMessage()]
    assert len(selects) == 1, selects
