"""Composition by the reference composer (federation/compose.py runs @apollo/composition): the fixtures'
supergraph is a fresh composition, plans like the hand-written one, strawberry-produced SDL composes, and
the composer's errors reach the caller as CompositionError with its own messages."""

from __future__ import annotations

import pytest
import strawberry
from graphql import parse

from services.gateway.federation.compose import CompositionError, SubgraphSource, compose
from services.gateway.engine import QueryPlanner, parse_supergraph, print_plan
from services.gateway.engine.client_schema import build_client_schema

from .conftest import SUPERGRAPH
from .subgraph_kit import FIXTURES, subgraph_sdl

NAMES = ["accounts", "inventory", "media", "products", "ratings", "reviews"]


def sources(names=NAMES) -> list[SubgraphSource]:
    return [SubgraphSource(n, f"http://{n}/graphql", subgraph_sdl(n)) for n in reversed(names)]


def test_composed_supergraph_matches_checked_in_file():
    # Regenerate with: python -m services.gateway.federation --subgraph accounts=http://accounts/graphql
    #   --sdl accounts=services/gateway/tests/fixtures/subgraphs/accounts.graphql ... --out <file>
    assert compose(sources()) == (FIXTURES / "supergraph.composed.graphql").read_text()


@pytest.mark.parametrize(
    "query",
    [
        "{ topProducts { name reviews { body author { name username } } } }",
        "{ topProducts { deliveryLabel inStock } }",
        "{ me { email reviews { product { name } } } }",
        "{ topRated { stars ... on Movie { minutes } } media { title stars } }",
        '{ search(term: "a") { ... on Book { title stars } ... on Product { name } } }',
        "{ productGroups { upc inStock } latestReviews { author { username } } }",
        'mutation { createProduct(upc: "1", name: "x") { inStock } updateName(id: "u1", name: "y") { email } }',
    ],
)
def test_composed_supergraph_plans_like_the_hand_written_one(query):
    composed = parse_supergraph(compose(sources()))
    hand_written = parse_supergraph(SUPERGRAPH)
    document = parse(query)
    assert print_plan(QueryPlanner(composed).plan(document, None)) == print_plan(
        QueryPlanner(hand_written).plan(document, None)
    )


def test_client_schema_of_composition_hides_inaccessible():
    schema = build_client_schema(parse_supergraph(compose(sources())).document)
    assert "internalCode" not in schema.get_type("User").fields
    assert schema.get_type("User").description == "A person with an account."
    assert schema.get_type("join__Graph") is None


@strawberry.federation.type(keys=["upc"], name="Product")
class StarProduct:
    upc: str
    rating: int = strawberry.federation.field(shareable=True, default=3)
    secret: str = strawberry.federation.field(inaccessible=True, default="x")


@strawberry.type(name="Query")
class StarQuery:
    @strawberry.field
    def featured(self) -> list[StarProduct]:
        return []


def test_strawberry_subgraph_sdl_composes():
    schema = strawberry.federation.Schema(query=StarQuery)
    sdl = schema.execute_sync("{ _service { sdl } }")
    sdl = sdl.data["_service"]["sdl"]
    composed = compose([SubgraphSource("stars", "http://stars/graphql", sdl), *sources(["products"])])
    supergraph = parse_supergraph(composed)
    assert supergraph.resolvers_of("Product", "rating") == ["stars"]
    assert supergraph.resolvers_of("Product", "name") == ["products"]
    assert "_entities" not in supergraph.types["Query"].fields
    plan = QueryPlanner(supergraph).plan(parse("{ featured { name rating } }"), None)
    assert [f.subgraph for f in plan.fetches()] == ["stars", "products"]
    assert "secret" not in build_client_schema(supergraph.document).get_type("Product").fields


FED2 = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"]) '


def test_non_shareable_field_in_two_subgraphs_is_an_error():
    a = SubgraphSource("a", "http://a", FED2 + "type Query { x: Int } type T @key(fields: \"id\") { id: ID! name: String }")
    b = SubgraphSource("b", "http://b", FED2 + "type Query { y: T } type T @key(fields: \"id\") { id: ID! name: String }")
    with pytest.raises(CompositionError) as error:
        compose([a, b])
    assert error.value.errors == [
        'Non-shareable field "T.name" is resolved from multiple subgraphs: it is resolved from '
        'subgraphs "a" and "b" and defined as non-shareable in all of them'
    ]


def test_shareable_value_type_composes():
    link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])'
    a = SubgraphSource("a", "http://a", link + " type Query { x: Money } type Money @shareable { amount: Int }")
    b = SubgraphSource("b", "http://b", link + " type Query { y: Money } type Money @shareable { amount: Int }")
    supergraph = parse_supergraph(compose([a, b]))
    assert supergraph.resolvers_of("Money", "amount") == ["a", "b"]


def test_type_conflicts_are_errors():
    a = SubgraphSource("a", "http://a", "type Query { x: Thing } type Thing { v: Int }")
    b = SubgraphSource("b", "http://b", "type Query { y: Int } interface Thing { v: Int }")
    with pytest.raises(CompositionError, match='Type "Thing" has mismatched kind: it is defined as Object Type in subgraph "a" but Interface Type'):
        compose([a, b])
    c = SubgraphSource("c", "http://c", FED2 + 'type Query { z: Int } type T @key(fields: "id") { id: ID! v: Int @shareable }')
    d = SubgraphSource("d", "http://d", FED2 + 'type Query { w: Int } type T @key(fields: "id") { id: ID! v: String @shareable }')
    with pytest.raises(CompositionError, match='Type of field "T.v" is incompatible across subgraphs'):
        compose([c, d])


LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@external", "@requires", "@shareable"])\n'
)
ORGS = """
type Query { members: [Member] }
type Org @key(fields: "id") { id: ID! name: String }
type Member @key(fields: "id org { id }") { id: ID! org: Org! @shareable address: Address }
type Address @shareable { city: String zip: String }
"""
BILLING = """
type Org @key(fields: "id", resolvable: false) { id: ID! }
type Member @key(fields: "id org { id }") {
  id: ID!
  org: Org! @shareable
  address: Address @external
  balance(currency: String = "EUR"): Int @requires(fields: "address { city }")
}
type Address @shareable { city: String zip: String }
"""


def test_nested_key_and_nested_requires_with_field_arguments():
    supergraph = parse_supergraph(
        compose([SubgraphSource("orgs", "http://orgs", LINK + ORGS), SubgraphSource("billing", "http://billing", LINK + BILLING)])
    )
    assert [k.fields for k in supergraph.types["Member"].keys] == ["id org { id }", "id org { id }"]
    plan = QueryPlanner(supergraph).plan(parse("query($c: String) { members { balance(currency: $c) address { zip } } }"), None)
    assert [f.operation_text for f in plan.fetches()] == [
        "query {members {__typename id org {id} address {city zip}}}",
        "query($representations: [_Any!]!, $c: String) "
        "{_entities(representations: $representations) {... on Member {balance(currency: $c)}}}",
    ]
    requires = plan.fetches()[1].requires
    from services.gateway.engine.selections import print_compact

    assert print_compact(requires) == "{... on Member {__typename id org {id} address {city}}}"


def test_composition_without_query_type_is_an_error():
    with pytest.raises(CompositionError, match="no subgraphs given"):
        compose([])


def test_an_input_type_whose_required_field_one_subgraph_lacks_is_an_error():
    a = SubgraphSource("a", "http://a", "type Query { x(c: CriterionInput): Int } input CriterionInput { name: String! weight: Int! }")
    b = SubgraphSource("b", "http://b", "type Query { y(c: CriterionInput): Int } input CriterionInput { name: String! maxPoints: Int! }")
    with pytest.raises(CompositionError) as error:
        compose([a, b])
    assert error.value.errors == [
        'Input object field "CriterionInput.weight" is required in some subgraphs but does not appear in all '
        'subgraphs: it is required in subgraph "a" but does not appear in subgraph "b"',
        'Input object field "CriterionInput.maxPoints" is required in some subgraphs but does not appear in all '
        'subgraphs: it is required in subgraph "b" but does not appear in subgraph "a"',
    ]


def test_an_optional_input_field_one_subgraph_lacks_is_dropped():
    a = SubgraphSource("a", "http://a", "type Query { x(f: Filter): Int } input Filter { name: String limit: Int }")
    b = SubgraphSource("b", "http://b", "type Query { y(f: Filter): Int } input Filter { name: String }")
    supergraph = compose([a, b])
    assert "limit" not in supergraph.split("input Filter")[1].split("}")[0]


COMPOSED_LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@composeDirective", "@key"])'
    ' @link(url: "https://example.com/open/v1.0", import: ["@open"]) @composeDirective(name: "@open")'
    " directive @open on FIELD_DEFINITION | OBJECT | ARGUMENT_DEFINITION"
)


def test_a_composed_directive_is_carried_into_the_supergraph_with_its_link_and_definition():
    a = SubgraphSource("a", "http://a", COMPOSED_LINK + ' type Query { hello: String @open, secret(code: ID @open): String } type T @open { v: Int }')
    b = SubgraphSource("b", "http://b", COMPOSED_LINK + ' type Query { world: String @open }')
    composed = compose([a, b])
    assert composed.count('@link(url: "https://example.com/open/v1.0", import: ["@open"])') == 1
    assert composed.count("directive @open on FIELD_DEFINITION | OBJECT | ARGUMENT_DEFINITION") == 1
    assert "secret(code: ID @open): String" in composed
    supergraph = parse_supergraph(composed)
    assert supergraph.fields_with_directive("Query", "open") == {"hello", "world"}
    assert supergraph.imported_name("https://example.com/open/", "open") == "open"
    assert supergraph.imported_name("https://example.com/other/", "open") is None
    assert "\ntype T\n  @join__type(graph: A)\n  @open\n" in composed
    # Apollo Router keeps composed directives in the API schema; so does the engine's client schema.
    client = build_client_schema(supergraph.document)
    assert client.get_directive("open") is not None
    assert [d.name.value for d in client.query_type.fields["hello"].ast_node.directives] == ["open"]


def test_a_directive_used_but_not_composed_stays_in_its_subgraph():
    sdl = 'directive @open on FIELD_DEFINITION type Query { hello: String @open }'
    composed = compose([SubgraphSource("a", "http://a", sdl)])
    assert "@open" not in composed
    assert parse_supergraph(composed).fields_with_directive("Query", "open") == frozenset()
    # Another subgraph composing a directive of the same name does not carry this one's applications.
    both = compose([SubgraphSource("a", "http://a", sdl), SubgraphSource("b", "http://b", COMPOSED_LINK + " type Query { w: Int @open }")])
    assert parse_supergraph(both).fields_with_directive("Query", "open") == {"w"}


def test_composed_directive_errors_and_differences():
    unlinked = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@composeDirective"])'
                ' @composeDirective(name: "@open") directive @open on FIELD_DEFINITION type Query { x: Int }')
    with pytest.raises(CompositionError, match='Directive "@open" in subgraph "a" cannot be composed because it is not a member of a core feature'):
        compose([SubgraphSource("a", "http://a", unlinked)])
    other = COMPOSED_LINK.replace("FIELD_DEFINITION | OBJECT", "FIELD_DEFINITION") + " type Query { y: Int }"
    # Definitions that differ across subgraphs compose to the locations they share.
    composed = compose([SubgraphSource("a", "http://a", COMPOSED_LINK + " type Query { x: Int }"), SubgraphSource("b", "http://b", other)])
    assert "directive @open on FIELD_DEFINITION | ARGUMENT_DEFINITION\n" in composed


def test_the_command_line_composes_from_files_and_from_a_sources_function(tmp_path, capsys):
    from services.gateway.federation.cli import main

    expected = (FIXTURES / "supergraph.composed.graphql").read_text()
    args = []
    for name in reversed(NAMES):
        args += ["--subgraph", f"{name}=http://{name}/graphql", "--sdl", f"{name}={FIXTURES / 'subgraphs' / (name + '.graphql')}"]
    assert main(args + ["--out", str(tmp_path / "a.graphql")]) == 0
    assert (tmp_path / "a.graphql").read_text() == expected
    assert main(["--sources", f"{__name__}:sources", "--out", "-"]) == 0
    assert capsys.readouterr().out.endswith(expected)
