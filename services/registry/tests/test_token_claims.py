"""A subgraph refuses what the gateway refuses: it verifies the token again with the same rules."""

from __future__ import annotations

import pytest

from tests.support import HARBIN, NANGANG, token
from services.common.tests.test_credentials import claims, hs256


@pytest.mark.parametrize("refused", [
    lambda: token(NANGANG, "city_admin", "bureau_admin"),
    lambda: token(NANGANG, "city_admin"),
    lambda: token(None, "city_admin", "evaluator", city=HARBIN),
    lambda: hs256(claims(roles=[{"role": "bureau_admin"}])),
    lambda: hs256(claims(exp="9999999999")),
], ids=["city+bureau", "city-with-district", "city+evaluator", "roles-not-strings", "exp-a-string"])
async def test_the_registry_refuses_mixed_or_malformed_tokens_as_unauthenticated(registry, refused):
    error = await registry.error("{ organizations { totalCount } }", token=refused())
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
