"""Pass-through: which plans may answer with the subgraph's own bytes (decided at plan time), which
answers may (decided per answer), and that the result is the full path's, errors and nulls included."""

from __future__ import annotations

import httpx
import orjson
import pytest
from graphql import parse, validate

from services.gateway.engine import EngineOptions, QueryPlanner, create_engine_app, parse_supergraph
from services.gateway.engine.client_schema import build_client_schema
from services.gateway.engine.metrics import PASS_THROUGH
from services.gateway.engine.pass_through import answer_is_final, pass_through_fetch
from services.gateway.engine.planner import condition_values, select_operation

from .conftest import SUPERGRAPH, make_gateway

SG = parse_supergraph(SUPERGRAPH)
SCHEMA = build_client_schema(SG.document)


def plan_for(query: str, variables: dict | None = None, local_root_fields: set[str] = frozenset()):
    document = parse(query)
    assert validate(SCHEMA, document) == []
    return QueryPlanner(SG, local_root_fields).plan(document, None, variables, cache_key=query)


# -- plan time -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query, variables", [
    ("{ me { name username } }", None),
    ("{ topProducts(first: 2) { upc name price } }", None),
    ("{ a: me { n: name } b: users { id } }", None),  # aliases are sent as they are
    ("{ me { __typename id } }", None),  # an object type's subgraph answers its own name
    ("{ latestReviews { body author { username } } }", None),  # @provides: still one fetch
    ("query($n: Int) { topProducts(first: $n) { name } }", {"n": 1}),
    ("{ me { ...names } } fragment names on User { name username }", None),
    ("{ me { ... on User { name } id } }", None),
    ("query($skip: Boolean!) { me { name email @skip(if: $skip) } }", {"skip": True}),
    ('mutation { updateName(id: "u1", name: "Ada") { name } }', None),
])
def test_a_single_fetch_selecting_what_the_client_selected_is_eligible(query, variables):
    plan = plan_for(query, variables)
    assert plan.pass_through is plan.node


@pytest.mark.parametrize("query, variables, why", [
    ("{ me { name email } }", None, "an entity step (email is resolved by reviews)"),
    ("{ me { name } topProducts { name } }", None, "two fetches in parallel"),
    ("{ media { id title } }", None, "an interface: __typename added and filtered"),
    ('{ search(term: "x") { ... on Product { name } } }', None, "a union"),
    ("{ __typename me { name } }", None, "a root __typename the gateway answers"),
    ("query($skip: Boolean!) { me { name email @skip(if: $skip) } }", {"skip": False}, "the field not skipped jumps"),
])
def test_plans_that_need_shaping_are_not_eligible(query, variables, why):
    assert plan_for(query, variables).pass_through is None, why


def test_a_local_root_field_is_not_eligible():
    plan = plan_for("{ me { name } users { id } }", local_root_fields={"Query.users"})
    assert plan.pass_through is None


def test_introspection_at_the_root_is_not_eligible():
    assert plan_for("{ __schema { queryType { name } } me { name } }").pass_through is None


def test_a_fetch_with_a_field_added_by_the_planner_is_not_eligible():
    query = "{ me { name } }"
    plan = plan_for(query)
    plan.node.selections[0].selections.add_field("id")  # as the planner adds a key for a jump
    operation, fragments = select_operation(parse(query), None)
    assert pass_through_fetch(plan, SG, operation, fragments, condition_values(operation, {})) is None


def test_a_fetch_in_another_order_is_not_eligible():
    query = "{ me { name username } }"
    plan = plan_for(query)
    fields = plan.node.selections[0].selections
    fields.reverse()
    operation, fragments = select_operation(parse(query), None)
    assert pass_through_fetch(plan, SG, operation, fragments, condition_values(operation, {})) is None


def test_an_entity_fetch_is_never_eligible():
    plan = plan_for("{ me { name email } }")
    entity = plan.node.nodes[1].node  # Sequence[Fetch(accounts), Flatten(Fetch(reviews))]
    plan.node = entity
    operation, fragments = select_operation(parse("{ me { email } }"), None)
    assert pass_through_fetch(plan, SG, operation, fragments, {}) is None


# -- per answer ----------------------------------------------------------------------------------


@pytest.mark.parametrize("answer, final", [
    ({"data": {"me": {"name": "Ada"}}}, True),
    ({"data": {"me": {"name": "Ada"}}, "errors": [{"message": "x"}]}, False),  # errors: paths to map
    ({"data": {"me": {"name": None}}}, False),  # a null: maybe one to propagate
    ({"data": {"me": {"name": "Ada"}}, "extensions": {"cost": 1}}, False),  # the full path drops extensions
    ({"data": None, "errors": [{"message": "x"}]}, False),
    ({"errors": [{"message": "x"}]}, False),
])
def test_only_an_answer_of_plain_data_without_nulls_is_final(answer, final):
    content = orjson.dumps(answer)
    assert answer_is_final(orjson.loads(content), content) is final


# -- end to end ----------------------------------------------------------------------------------


def http_client(transport) -> httpx.AsyncClient:
    app = create_engine_app(SUPERGRAPH, options=EngineOptions(query_retries=0), transport=transport)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


async def both_paths(transport, query: str, variables: dict | None = None) -> tuple[bytes, dict]:
    """The HTTP answer (may pass through) and the dict API's answer (always the full path)."""
    gateway = make_gateway(transport)
    try:
        full = await gateway.execute({"query": query, "variables": variables})
    finally:
        await gateway.aclose()
    async with http_client(transport) as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    return response.content, full


def passed_through() -> float:
    return PASS_THROUGH._value.get()


@pytest.mark.parametrize("query, variables", [
    ("{ topProducts(first: 3) { upc name price weight } }", None),
    ("query($n: Int) { topProducts(first: $n) { n: name sku } }", {"n": 2}),
    ("{ latestReviews { id body rating author { username } } }", None),
    ("{ me { __typename id name } }", None),
])
async def test_a_single_subgraph_answer_passes_through_and_equals_the_full_path(transport, query, variables):
    before = passed_through()
    content, full = await both_paths(transport, query, variables)
    assert passed_through() == before + 1
    assert orjson.loads(content) == full
    assert "errors" not in full


async def test_a_subgraph_error_takes_the_full_path_with_client_paths(transport, world):
    # The subgraph nulls `product` itself (Product.upc is non-null) and reports the error.
    world["products"].root["product"] = lambda info, upc: {"upc": None, "name": "ghost"}
    await _full_path_nulls_product(transport, {"serviceName": "products"})


async def test_a_null_the_subgraph_let_through_is_still_propagated(transport):
    """A subgraph whose schema says nullable where the supergraph says non-null: no subgraph error,
    but the gateway must still null the parent and say why."""
    async def lenient(request):
        return httpx.Response(200, json={"data": {"product": {"upc": None, "name": "ghost"}}})

    transport.transports["products"] = httpx.MockTransport(lenient)
    await _full_path_nulls_product(transport, {"code": "INTERNAL_SERVER_ERROR"})


async def _full_path_nulls_product(transport, error_extensions: dict) -> None:
    """`product` with a null upc: not passed through; both paths null `product` with the error at its upc."""
    before = passed_through()
    content, full = await both_paths(transport, '{ product(upc: "9") { upc name } }')
    assert passed_through() == before
    assert orjson.loads(content) == full == {
        "errors": [{
            "message": "Cannot return null for non-nullable field Product.upc.",
            "path": ["product", "upc"],
            "extensions": error_extensions,
        }],
        "data": {"product": None},
    }


async def test_subgraph_extensions_do_not_pass_through(transport):
    async def with_extensions(request):
        return httpx.Response(200, json={"data": {"me": {"name": "Ada"}}, "extensions": {"secret": 1}})

    transport.transports["accounts"] = httpx.MockTransport(with_extensions)
    content, full = await both_paths(transport, "{ me { name } }")
    assert orjson.loads(content) == full == {"data": {"me": {"name": "Ada"}}}


async def test_a_failed_subgraph_on_an_eligible_plan_reports_its_error(transport):
    transport.down["accounts"] = "500"
    content, full = await both_paths(transport, "{ me { name } }")
    assert orjson.loads(content) == full
    assert full["data"] == {"me": None}
    assert full["errors"][0]["path"] == ["me"]
    assert full["errors"][0]["extensions"]["serviceName"] == "accounts"
