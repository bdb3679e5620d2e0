"""A page whose nodes show only declared column fields reads only those columns (api/projection.py):
each such field must read exactly as through from_row. Checked on real rows of the four declared types,
straight against each subgraph: the same selection as plain fields (projected) and inside a fragment
(whole rows through from_row, the path every other selection takes)."""

from __future__ import annotations

import pytest

from services.common.api.projection import Projection, column_fields
from services.common.runtime.subgraph import create_app
from services.evaluation.schema.types import Evaluation
from services.funding.schema.types import FundingRound, Project
from services.registry.schema.types import SocialOrganization
from tests.support import GraphQLClient

from .platform import service_definition
from .test_platform_flow import _awarded_and_evaluated

DECLARED = [("registry", "organizations", SocialOrganization), ("funding", "fundingRounds", FundingRound),
            ("funding", "projects", Project), ("evaluation", "evaluations", Evaluation)]


def _names(node_type: type) -> str:
    schema = service_definition("registry").schema  # every subgraph names fields the same way (camelCase)
    return " ".join(column_fields(node_type, schema.config.name_converter))


@pytest.fixture
def nodes_built_by_projection(monkeypatch):
    built = []
    original = Projection.node

    def counting(self, row):
        built.append(self.node_type)
        return original(self, row)

    monkeypatch.setattr(Projection, "node", counting)
    return built


async def test_each_declared_field_reads_the_same_projected_as_through_from_row(gateway, nodes_built_by_projection):
    bureau = (await _awarded_and_evaluated(gateway))["bureau"]
    for service, field, node_type in DECLARED:
        client = GraphQLClient(create_app(service_definition(service), manage_database=False, workers=False))
        try:
            names = _names(node_type)
            page = "{ %s(first: 50) { edges { cursor node { %s } } pageInfo { startCursor endCursor hasNextPage } } }"
            nodes_built_by_projection.clear()
            projected = await client.ok(page % (field, f"__typename {names}"), token=bureau)
            assert nodes_built_by_projection and set(nodes_built_by_projection) == {node_type}, field
            nodes_built_by_projection.clear()
            whole = await client.ok(page % (field, "...Shown") + f" fragment Shown on {node_type.__name__} {{ __typename {names} }}",
                                    token=bureau)
            assert nodes_built_by_projection == [], field  # a fragment reads whole rows
        finally:
            await client.close()
        assert projected[field]["edges"], f"no {field} to compare"
        assert projected == whole, field


async def test_a_field_with_a_resolver_or_a_directive_reads_whole_rows(gateway, nodes_built_by_projection):
    bureau = (await _awarded_and_evaluated(gateway))["bureau"]
    nodes_built_by_projection.clear()  # the set-up's own pages
    client = GraphQLClient(create_app(service_definition("funding"), manage_database=False, workers=False))
    try:
        spent = await client.ok("{ projects { edges { node { id title spent round { name } } } } }", token=bureau)
        skipped = await client.ok("query($no: Boolean!) { projects { edges { node { id title @skip(if: $no) } } } }",
                                  {"no": False}, token=bureau)
    finally:
        await client.close()
    assert nodes_built_by_projection == []
    node = spent["projects"]["edges"][0]["node"]
    assert node["spent"] is not None and node["round"]["name"]
    assert skipped["projects"]["edges"][0]["node"]["title"] == node["title"]


def test_a_declared_column_field_must_be_a_plain_field_of_the_type():
    class Wrong(Project):
        COLUMNS = {**Project.COLUMNS, "spent": "requested_fen"}  # spent has a resolver

    with pytest.raises(TypeError, match="spent"):
        column_fields(Wrong, service_definition("funding").schema.config.name_converter)
    assert column_fields(Project, service_definition("funding").schema.config.name_converter)  # the real one stands
