from __future__ import annotations

import pytest

from services.common.runtime.subgraph import create_app
from tests.places import seed_gazetteer
from tests.support import DAOLI, HARBIN, NANGANG, GraphQLClient, token
from services.registry.service import service

ONBOARD = "mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code name cityCode } }"


@pytest.fixture
async def registry(databases, broker):
    client = GraphQLClient(create_app(service, manage_database=False, workers=False))
    yield client
    await client.close()


@pytest.fixture
async def onboarded(registry):
    """Daoli and Nangang onboarded into Harbin by the city's admin, their gazetteers still empty."""
    city = token(None, "city_admin", city=HARBIN)
    for code, name in ((DAOLI, "道里区"), (NANGANG, "南岗区")):
        await registry.ok(ONBOARD, {"input": {"code": code, "name": name, "cityCode": HARBIN}}, token=city)
    return {DAOLI: token(DAOLI, "bureau_admin"), NANGANG: token(NANGANG, "bureau_admin")}


@pytest.fixture
async def districts(registry, onboarded):
    """Daoli and Nangang onboarded, each bureau's gazetteer holding the places the tests name (tests/places.py)."""
    for code, bureau in onboarded.items():
        await seed_gazetteer(registry, bureau, code, wait_for_funding=False)
    return onboarded
