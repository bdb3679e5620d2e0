"""@requires with field arguments and with fragments."""

from ..case import Case, Query, sdl
from ..stubs import Stub



def price(parent, currency):
    base = {"p1": 10, "p2": 20}[parent["id"]]
    return base if currency == "EUR" else base + 1


PRODUCTS = [{"__typename": "Product", "id": "p1", "price": price}, {"__typename": "Product", "id": "p2", "price": price}]


requires_arguments = Case("requires_arguments", "@requires with field arguments", {
    "catalog": Stub(sdl('''
type Query { products: [Product!]! }
type Product @key(fields: "id") { id: ID! price(currency: String!): Int! }
'''), root={"products": PRODUCTS}, entities={"Product": [{"id": p["id"], "price": price} for p in PRODUCTS]}),
    "labels": Stub(sdl('''
type Product @key(fields: "id") {
  id: ID!
  price(currency: String!): Int! @external
  label: String! @requires(fields: "price(currency: \\"EUR\\")")
}
'''), entities={"Product": lambda rep: {**rep, "label": f"{rep['price']} EUR"}}),
}, [
    Query("{ products { id label } }"),
    Query('{ products { price(currency: "USD") label } }', apollo_departs=(
        "@apollo/gateway puts the client's price(currency: USD) into the representation where @requires asks "
        "for price(currency: \"EUR\"): the label is computed from the wrong value"),
        expected={"data": {"products": [{"price": 11, "label": "10 EUR"}, {"price": 21, "label": "20 EUR"}]}}),
    Query('{ products { price(currency: "EUR") label } }'),
    Query('{ products { usd: price(currency: "USD") eur: price(currency: "EUR") label } }'),
])

SHAPES = {"p1": {"__typename": "Circle", "radius": 2}, "p2": {"__typename": "Square", "side": 3}}


def area(rep):
    shape = rep["shape"]
    value = shape["radius"] ** 2 * 3 if "radius" in shape else shape["side"] ** 2
    return {**rep, "area": value}


requires_fragments = Case("requires_fragments", "@requires whose selection uses fragments", {
    "shapes": Stub(sdl('''
type Query { items: [Item!]! }
union Shape = Circle | Square
type Circle @shareable { radius: Int! }
type Square @shareable { side: Int! }
type Item @key(fields: "id") { id: ID! shape: Shape! }
'''), root={"items": [{"__typename": "Item", "id": k, "shape": v} for k, v in SHAPES.items()]},
        entities={"Item": [{"id": k, "shape": v} for k, v in SHAPES.items()]}),
    "geometry": Stub(sdl('''
union Shape = Circle | Square
type Circle @shareable { radius: Int! }
type Square @shareable { side: Int! }
type Item @key(fields: "id") {
  id: ID!
  shape: Shape! @external
  area: Int! @requires(fields: "shape { ... on Circle { radius } ... on Square { side } }")
}
'''), entities={"Item": area}),
}, [
    Query("{ items { id area } }"),
    Query("{ items { area shape { __typename ... on Circle { radius } } } }"),
    Query("{ items { ...F } } fragment F on Item { area shape { ... on Square { side } } }"),
])

CASES = [requires_arguments, requires_fragments]
