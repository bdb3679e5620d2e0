"""The Starlette app: transport rules, limits enforced before any subgraph
fetch, introspection, persisted operations, and the local root-field hook."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
from graphql import print_ast

from services.gateway.engine import EngineOptions, create_engine_app

from .conftest import SUPERGRAPH


def client_for(transport, **options) -> httpx.AsyncClient:
    app = create_engine_app(
        SUPERGRAPH,
        options=EngineOptions(query_retries=0, **options),
        transport=transport,
        forward_headers=lambda headers: {"authorization": headers["authorization"]} if "authorization" in headers else {},
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


def no_subgraph_calls(world) -> bool:
    return all(not s.requests for s in world.values())


async def test_post_and_get_queries(transport, world):
    async with client_for(transport) as client:
        response = await client.post("/graphql", json={"query": "{ me { name } }"})
        assert response.status_code == 200
        assert response.json() == {"data": {"me": {"name": "Ada Lovelace"}}}
        response = await client.get(
            "/graphql", params={"query": "query($n: Int) { topProducts(first: $n) { name } }", "variables": '{"n": 1}'}
        )
        assert response.json() == {"data": {"topProducts": [{"name": "Table"}]}}
        assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_get_mutation_is_refused(transport, world):
    async with client_for(transport) as client:
        response = await client.get("/graphql", params={"query": 'mutation { updateName(id: "u1", name: "x") { name } }'})
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert no_subgraph_calls(world)


async def test_authorization_is_the_only_forwarded_header(transport, world):
    async with client_for(transport) as client:
        await client.post(
            "/graphql", json={"query": "{ me { name } }"}, headers={"authorization": "Bearer abc", "cookie": "s=1"}
        )
    headers = world["accounts"].requests[0]["headers"]
    assert headers["authorization"] == "Bearer abc"
    assert "cookie" not in headers


@pytest.mark.parametrize(
    "options, query, code",
    [
        ({"max_depth": 3}, "{ me { reviews { product { name } } } }", "MAX_DEPTH_EXCEEDED"),
        ({"max_aliases": 2}, "{ a: me { name } b: me { name } c: me { name } }", "MAX_ALIASES_EXCEEDED"),
        ({"max_cost": 50}, "{ topProducts(first: 10) { reviews { author { name } } } }", "MAX_COST_EXCEEDED"),
        ({"max_tokens": 10}, "{ me { name username email id reviews { body rating id } } }", "MAX_TOKENS_EXCEEDED"),
        ({}, "{ me { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ({}, "{ me { name }", "GRAPHQL_PARSE_FAILED"),
        ({}, "{ __schema { types { name } } }", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_abusive_or_invalid_queries_are_refused_before_any_fetch(transport, world, options, query, code):
    async with client_for(transport, **options) as client:
        response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert "data" not in response.json()
    assert no_subgraph_calls(world)


async def test_cost_counts_list_sizes(transport, world):
    async with client_for(transport, max_cost=50) as client:
        response = await client.post("/graphql", json={"query": "{ topProducts(first: 2) { reviews { body } } }"})
    assert response.status_code == 200  # 2 + 2 + 2*10 = 24


async def test_the_cost_of_one_operation_follows_its_list_size_variable(transport, world):
    # The measure is kept per operation and per list-size value: a small $n must not let a big one through.
    query = "query($n: Int) { topProducts(first: $n) { reviews { body } } }"
    async with client_for(transport, max_cost=50) as client:
        for n, status in ((2, 200), (40, 400), (2, 200), (40, 400)):
            response = await client.post("/graphql", json={"query": query, "variables": {"n": n}})
            assert response.status_code == status, (n, response.json())
    assert response.json()["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


async def test_bad_variables_are_bad_user_input(transport, world):
    async with client_for(transport) as client:
        response = await client.post(
            "/graphql", json={"query": "query($n: Int) { topProducts(first: $n) { name } }", "variables": {"n": "x"}}
        )
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert no_subgraph_calls(world)


async def test_body_size_cap_and_batching(transport, world):
    async with client_for(transport, max_body_bytes=100) as client:
        response = await client.post("/graphql", content=json.dumps({"query": "{ me { name } }" + " " * 200}))
        assert response.status_code == 413
        response = await client.post("/graphql", json=[{"query": "{ me { name } }"}])
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BATCHING_NOT_ENABLED"
    assert no_subgraph_calls(world)
    async with client_for(transport, allow_batching=True) as client:
        response = await client.post("/graphql", json=[{"query": "{ me { name } }"}, {"query": "{ users { id } }"}])
    assert response.json() == [
        {"data": {"me": {"name": "Ada Lovelace"}}},
        {"data": {"users": [{"id": "u1"}, {"id": "u2"}]}},
    ]


async def test_introspection_when_enabled_hides_inaccessible_and_join_machinery(transport, world):
    async with client_for(transport, introspection=True) as client:
        response = await client.post(
            "/graphql",
            json={"query": '{ __schema { types { name } } user: __type(name: "User") { fields { name } } me { name } }'},
        )
    data = response.json()["data"]
    names = {t["name"] for t in data["__schema"]["types"]}
    assert {"Product", "Media", "SearchResult"} <= names
    assert not {n for n in names if n.startswith(("join__", "link__"))}
    assert {f["name"] for f in data["user"]["fields"]} == {"id", "name", "username", "email", "reviews"}
    assert data["me"] == {"name": "Ada Lovelace"}


async def test_persisted_queries_and_safelist(transport, world):
    query = "{ me { name } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    pq = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    async with client_for(transport, persisted_queries={digest: query}, safelist_only=True) as client:
        response = await client.post("/graphql", json={"extensions": pq})
        assert response.json() == {"data": {"me": {"name": "Ada Lovelace"}}}
        response = await client.post("/graphql", json={"query": "{ users { id } }"})
        assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
        missing = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
        response = await client.post("/graphql", json={"extensions": missing})
        assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert len(world["accounts"].requests) == 1


async def test_local_root_field_resolver_can_call_the_gateway(transport, world):
    extra_sdl = """
      type CatalogSummary { productCount: Int! names: [String] }
      extend type Query { catalogSummary(limit: Int!): CatalogSummary }
    """

    async def catalog_summary(field):
        limit = int(print_ast(field.field.arguments[0].value))
        sub = await field.gateway.execute({"query": f"{{ topProducts(first: {limit}) {{ name }} }}"}, field.headers)
        names = [p["name"] for p in sub["data"]["topProducts"]]
        return {"productCount": len(names), "names": names, "secret": "not selected"}

    app = create_engine_app(
        SUPERGRAPH, transport=transport, extra_sdl=extra_sdl,
        local_resolvers={"Query.catalogSummary": catalog_summary},
    )  # fmt: skip
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        response = await client.post(
            "/graphql", json={"query": "{ summary: catalogSummary(limit: 2) { productCount } me { name } }"}
        )
    assert response.json() == {"data": {"summary": {"productCount": 2}, "me": {"name": "Ada Lovelace"}}}


async def test_local_resolver_can_forward_its_selection(transport, world):
    extra_sdl = "extend type Query { firstProduct: Product }"

    async def first_product(field):
        query = field.query_for("topProducts(first: 1)")
        result = await field.gateway.execute({"query": query}, field.headers)
        return result["data"]["topProducts"][0]

    app = create_engine_app(
        SUPERGRAPH, transport=transport, extra_sdl=extra_sdl, local_resolvers={"Query.firstProduct": first_product}
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ firstProduct { ...P reviews { rating } } } fragment P on Product { name }"},
        )
    assert response.json() == {"data": {"firstProduct": {"name": "Table", "reviews": [{"rating": 5}, {"rating": 1}]}}}


def test_main_arguments_and_app():
    from services.gateway.__main__ import build_app, parse_args

    from .subgraph_kit import FIXTURES

    args = parse_args(["--supergraph", str(FIXTURES / "supergraph.graphql"), "--port", "4000", "--introspection"])
    assert (args.host, args.port, args.introspection) == ("127.0.0.1", 4000, True)
    app = build_app(args)
    assert app.state.gateway.options.introspection is True
    assert set(app.state.gateway.supergraph.subgraphs) == {"accounts", "inventory", "media", "products", "ratings", "reviews"}


async def test_operation_name_selects_among_operations(transport, world):
    query = "query A { me { name } } query B { users { id } }"
    async with client_for(transport) as client:
        response = await client.post("/graphql", json={"query": query, "operationName": "B"})
        assert response.json() == {"data": {"users": [{"id": "u1"}, {"id": "u2"}]}}
        response = await client.post("/graphql", json={"query": query})
        assert response.status_code == 400
    assert len(world["accounts"].requests) == 1
