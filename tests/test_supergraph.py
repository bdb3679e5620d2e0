"""The checked-in supergraph is exactly what `make supergraph` composes from the three subgraphs."""

from __future__ import annotations

import importlib

from graphql import GraphQLInputObjectType

from services.gateway.engine.client_schema import build_client_schema
from services.gateway.engine.supergraph import parse_supergraph
from services.gateway.policy.supergraph import DEFAULT_OUT, SUBGRAPHS, platform_supergraph


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
