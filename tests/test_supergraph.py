"""The checked-in supergraph is exactly what `make supergraph` composes from the three subgraphs."""

from __future__ import annotations

import importlib

from graphql import GraphQLInputObjectType, parse

from services.gateway.engine.client_schema import build_client_schema
from services.gateway.engine.supergraph import parse_supergraph
from services.gateway.policy.subgraphs import DEFAULT_OUT, SUBGRAPHS, platform_supergraph
from services.gateway.policy.tokens import is_public_mutation, is_public_operation, public_root_fields


def test_the_checked_in_supergraph_equals_a_fresh_composition():
    assert DEFAULT_OUT.read_text() == platform_supergraph(), "run `make supergraph` and commit deploy/supergraph.graphql"


def test_no_input_field_of_any_subgraph_is_lost_in_composition():
    client = build_client_schema(parse_supergraph(platform_supergraph()).document, None)
    for name in SUBGRAPHS:
        subgraph = importlib.import_module(f"services.{name}.schema").schema._schema
        for type_ in subgraph.type_map.values():
            if isinstance(type_, GraphQLInputObjectType) and not type_.name.startswith("_"):
                composed = client.get_type(type_.name)
                assert set(type_.fields) <= set(composed.fields), f"{name}.{type_.name} lost fields in composition"


def test_the_gateway_learns_the_public_root_fields_from_the_subgraphs_declarations():
    supergraph = parse_supergraph(DEFAULT_OUT.read_text())
    declared = set().union(*(importlib.import_module(f"services.{n}.service").service.public_root_fields for n in SUBGRAPHS))
    assert declared == {"publicNotices", "lodgePublicObjection"}
    public = public_root_fields(supergraph)
    assert public == {"publicNotices", "__typename"}
    assert public_root_fields(supergraph, "mutation") == {"lodgePublicObjection", "__typename"}
    assert '@link(url: "https://civic-platform.cn/public/v1.0", import: ["@public"])' in DEFAULT_OUT.read_text()

    def operation(text):
        return parse(text).definitions[0]

    assert is_public_operation(operation('{ publicNotices(district: "230102") { title } __typename }'), public)
    assert not is_public_operation(operation('{ publicNotices(district: "230102") { title } organizations { totalCount } }'), public)
    assert not is_public_operation(operation("{ ...F } fragment F on Query { publicNotices(district: \"x\") { title } }"), public)
    mutations = public_root_fields(supergraph, "mutation")
    lodge = 'mutation { lodgePublicObjection(district: "230102", projectId: "x", contact: "c", text: "t") { received } }'
    assert is_public_mutation(operation(lodge), mutations)
    assert not is_public_mutation(operation("mutation { __typename }"), mutations)
    assert not is_public_mutation(operation(lodge.replace("{ received }", "{ received } closeNoticePeriod(roundId: \"x\") { id }")), mutations)

    # A @public the supergraph does not link from the platform's spec opens nothing.
    unlinked = DEFAULT_OUT.read_text().replace('@link(url: "https://civic-platform.cn/public/v1.0", import: ["@public"])', "")
    assert public_root_fields(parse_supergraph(unlinked)) == {"__typename"}
