"""Single-subgraph queries through the gateway against the real subgraphs: the pass-through answer is
the full path's answer (and the subgraph's own), and answers with errors or nulls still take the
full path, with errors at client paths."""

from __future__ import annotations

import httpx
import orjson

from services.common.kernel.credit_code import make_credit_code
from tests.places import seed_gazetteer
from tests.support import DAOLI, HARBIN, token
from services.gateway.engine.metrics import PASS_THROUGH
from services.gateway.policy.app import platform_options
from services.gateway.engine.gateway import Gateway
from services.gateway.policy.subgraphs import platform_supergraph

ORGANIZATIONS = "{ organizations(first: 10) { totalCount edges { node { id name status } } } }"


def passed_through() -> float:
    return PASS_THROUGH._value.get()


async def full_path(subgraphs: dict[str, str], query: str, admin: str, variables: dict | None = None) -> dict:
    """The dict API never passes through: merge, shape, encode."""
    gateway = Gateway(platform_supergraph(subgraphs), options=platform_options())
    try:
        return await gateway.execute({"query": query, "variables": variables}, {"authorization": f"Bearer {admin}"})
    finally:
        await gateway.aclose()


async def setup(gateway) -> str:
    city = token(None, "city_admin", city=HARBIN)
    await gateway.post("mutation($i: OnboardDistrictInput!) { onboardDistrict(input: $i) { code } }",
                       {"i": {"code": DAOLI, "name": "道里区", "cityCode": HARBIN}}, token=city)
    admin = token(DAOLI, "bureau_admin")
    await seed_gazetteer(gateway, admin, DAOLI)
    for n in range(3):
        await gateway.post(
            "mutation($i: RegisterOrganizationInput!) { registerOrganization(input: $i) { id } }",
            {"i": {"name": f"直通测试组织{n}", "registration": "REGISTERED", "category": "ELDERLY_CARE",
                   "creditCode": make_credit_code(DAOLI, n + 500), "subdistrict": "新阳路街道"}},
            token=admin)
    return admin


async def test_a_single_subgraph_query_passes_through_with_the_full_paths_answer(gateway, subgraphs):
    admin = await setup(gateway)
    before = passed_through()
    response = await gateway.post(ORGANIZATIONS, token=admin)
    assert response.status_code == 200
    assert passed_through() == before + 1
    answer = response.json()
    assert answer["data"]["organizations"]["totalCount"] >= 3 and "errors" not in answer
    assert answer == await full_path(subgraphs, ORGANIZATIONS, admin)
    async with httpx.AsyncClient() as direct:
        from_subgraph = await direct.post(subgraphs["registry"], json={"query": ORGANIZATIONS},
                                          headers={"authorization": f"Bearer {admin}"})
    assert orjson.loads(response.content) == from_subgraph.json()


async def test_answers_with_errors_or_nulls_take_the_full_path(gateway, subgraphs):
    admin = await setup(gateway)
    before = passed_through()
    # Another district: the registry refuses (FORBIDDEN at `district`, nullable: null there) ...
    query = '{ district(code: "230103") { code name } }'
    answer = (await gateway.post(query, token=admin)).json()
    assert answer == await full_path(subgraphs, query, admin)
    assert answer["data"] == {"district": None}
    error = answer["errors"][0]
    assert error["path"] == ["district"]
    assert error["extensions"]["code"] == "FORBIDDEN" and error["extensions"]["serviceName"] == "registry"
    # ... and at a non-null root field the null takes the whole data with it.
    query = '{ organizations(district: "230103") { totalCount } }'
    answer = (await gateway.post(query, token=admin)).json()
    assert answer == await full_path(subgraphs, query, admin)
    assert answer["data"] is None and [e["path"] for e in answer["errors"]] == [["organizations"]]
    # A null in the data (a registered organization has no filing number): shaped, same answer.
    nulls = "{ organizations(first: 10) { edges { node { name filingNumber } } } }"
    with_nulls = await gateway.post(nulls, token=admin)
    assert with_nulls.json() == await full_path(subgraphs, nulls, admin)
    assert passed_through() == before
