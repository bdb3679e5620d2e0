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


def cost(parent, unit):
    return parent["base"] * (2 if unit == "LB" else 1)


PARCELS = [{"__typename": "Parcel", "sku": "s1", "base": 3, "mass": 1, "tag": {"avg": lambda p, unit: 5}},
           {"__typename": "Parcel", "sku": "s2", "base": 4, "mass": 2, "tag": {"avg": lambda p, unit: 50}}]

ARGUMENT_CONFLICT = ("@apollo/gateway sends one representation with a single `cost` for two @requires of cost with "
                     "other arguments: fee is computed from cost(unit: LB); each @requires must see its own arguments")
requires_argument_conflict = Case("requires_argument_conflict", "@requires of one field with conflicting arguments", {
    "pricing": Stub(sdl('''
type Query { parcels: [Parcel] }
type Parcel @key(fields: "sku") { sku: String! label: String cost(unit: String!): Int mass: Int tag: Tag }
type Tag { avg(unit: String!): Int }
'''), root={"parcels": [{**p, "label": f"parcel {p['sku']}", "cost": cost} for p in PARCELS]},
        entities={"Parcel": [{**p, "cost": cost} for p in PARCELS]}),
    "freight": Stub(sdl('''
type Parcel @key(fields: "sku") {
  sku: String!
  mass: Int @external
  cost(unit: String!): Int @external
  fee: Int @requires(fields: """cost(unit: "KG") mass""")
  feeLb: Int @requires(fields: """cost(unit: "LB") mass""")
  pricey: Boolean @requires(fields: """tag { avg(unit: "KG") }""")
  tag: Tag @external
}
type Tag @external { avg(unit: String!): Int }
'''), entities={"Parcel": lambda rep: {**rep,
                                       "fee": lambda p: p["cost"] * p["mass"] * 10 if "mass" in p else None,
                                       "feeLb": lambda p: p["cost"] * p["mass"] * 10 if "mass" in p else None,
                                       "pricey": lambda p: p["tag"]["avg"] > 11 if "tag" in p else None}}),
}, [
    Query("{ parcels { sku label fee feeLb pricey } }", apollo_departs=ARGUMENT_CONFLICT, expected={"data": {"parcels": [
        {"sku": "s1", "label": "parcel s1", "fee": 30, "feeLb": 60, "pricey": False},
        {"sku": "s2", "label": "parcel s2", "fee": 80, "feeLb": 160, "pricey": True}]}}),
    Query("{ parcels { fee } }"),
    Query("{ parcels { feeLb pricey } }"),
    Query('{ parcels { fee cost(unit: "G") feeLb } }', apollo_departs=ARGUMENT_CONFLICT, expected={"data": {"parcels": [
        {"fee": 30, "cost": 3, "feeLb": 60}, {"fee": 80, "cost": 4, "feeLb": 160}]}}),
])

HOLDERS = [{"__typename": "Holder", "id": "h1", "content": {"__typename": "Red", "label": "r", "extra": "re", "red": 1}},
           {"__typename": "Holder", "id": "h2", "content": {"__typename": "Blue", "label": "b", "extra": "be", "blue": 2}}]


def summary(rep):
    c = rep.get("content") or {}
    return {**rep, "summary": "/".join(str(c.get(k)) for k in ("label", "extra", "red", "blue") if k in c),
            "short": str(c.get("label"))}


requires_fragments_nested = Case("requires_fragments_nested", "@requires with nested interface fragments", {
    "store": Stub(sdl('''
type Query @shareable { first: Holder }
type Holder @key(fields: "id") { id: ID! content: Thing }
interface Thing { label: String! }
interface Sub implements Thing { label: String! extra: String! }
type Red implements Thing & Sub @shareable { label: String! extra: String! red: Int! }
type Blue implements Thing & Sub @shareable { label: String! extra: String! blue: Int! }
'''), root={"first": HOLDERS[0]}, entities={"Holder": HOLDERS}),
    "reader": Stub(sdl('''
type Query @shareable { second: Holder other: Holder }
type Holder @key(fields: "id") {
  id: ID!
  content: Thing @external
  summary: String! @requires(fields: "content { label ... on Sub { extra ... on Red { red } ... on Blue { blue } } }")
  short: String! @requires(fields: "content { ... on Thing { label } }")
}
interface Thing { label: String! }
interface Sub implements Thing { label: String! extra: String! }
type Red implements Thing & Sub @shareable @inaccessible { label: String! extra: String! red: Int! }
type Blue implements Thing & Sub @shareable { label: String! extra: String! blue: Int! }
'''), root={"second": {"__typename": "Holder", "id": "h2"}, "other": {"__typename": "Holder", "id": "h1"}},
        entities={"Holder": summary}),
}, [
    Query("{ second { id content { __typename } } other { id content { __typename } } }"),
    Query("{ first { summary } }"),
    Query("{ first { content { __typename } summary } }"),
    Query("{ other { content { __typename } summary } }"),
    Query("{ second { content { __typename } summary } }"),
    Query("{ other { content { __typename } short } }"),
])

CASES += [requires_argument_conflict, requires_fragments_nested]
