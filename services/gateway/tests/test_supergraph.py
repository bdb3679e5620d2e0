"""Supergraph model and client schema."""

from __future__ import annotations

from graphql import parse, validate

from services.gateway.engine import Gateway, parse_supergraph
from services.gateway.engine.client_schema import build_client_schema

from .conftest import SUPERGRAPH

SG = parse_supergraph(SUPERGRAPH)


def test_subgraphs_types_keys_and_field_ownership():
    assert SG.subgraphs["products"].url == "http://products/graphql"
    product = SG.types["Product"]
    assert [(k.subgraph, k.fields, k.resolvable) for k in product.keys] == [
        ("inventory", "sku", True), ("media", "upc", False), ("products", "upc", True),
        ("products", "sku", True), ("reviews", "upc", True),
    ]  # fmt: skip
    assert SG.resolvers_of("Product", "price") == ["products"]  # external in inventory
    assert SG.field_join("inventory", "Product", "shippingEstimate").requires == "price weight"
    assert SG.resolvers_of("User", "email") == ["reviews"]  # overridden from accounts
    assert SG.resolvers_of("Review", "body") == ["reviews"]  # no @join__field: the type's owners
    assert SG.resolvers_of("Book", "stars") == []  # bare @join__field: via the interface object only
    assert SG.types["Media"].interface_object_in == {"ratings"}
    assert SG.possible_types_in("media", "SearchResult") == ["Book", "Movie", "Product"]
    assert SG.possible_types_in("ratings", "Media") == []


def test_client_schema_strips_machinery_and_accepts_extra_root_types():
    schema = build_client_schema(
        SG.document, "type Alert { text: String } type Subscription { alerts: Alert } extend type Query { x: Int }"
    )
    assert schema.subscription_type.name == "Subscription"
    assert "x" in schema.query_type.fields
    assert schema.get_type("join__Graph") is None and schema.get_directive("join__field") is None
    assert schema.get_directive("inaccessible") is None
    assert validate(schema, parse("subscription { alerts { text } }")) == []


async def test_subscriptions_are_not_served_by_execute(transport):
    gateway = Gateway(SUPERGRAPH, transport=transport, extra_sdl="type Subscription { tick: Int }")
    status, result = await gateway.execute_with_status({"query": "subscription { tick }"})
    assert status == 400 and result["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    await gateway.aclose()
