"""Entity calls needing keys from a parent entity (simple, nested); node ids corrupted or duplicated;
null keys in representations."""

from ..case import Case, Query, sdl
from ..stubs import Stub

ORDERS = [{"__typename": "Order", "id": "o1"}, {"__typename": "Order", "id": "o2"}]

keys_from_parent = Case("keys_from_parent", "entity keys fetched from another subgraph first (simple)", {
    "orders": Stub(sdl('''
type Query { orders: [Order!]! }
type Order @key(fields: "id") { id: ID! }
'''), root={"orders": ORDERS}),
    "customers": Stub(sdl('''
type Order @key(fields: "id") { id: ID! customerId: ID! @shareable }
'''), entities={"Order": [{"id": "o1", "customerId": "c1"}, {"id": "o2", "customerId": "c2"}]}),
    "discounts": Stub(sdl('''
type Order @key(fields: "id customerId") { id: ID! customerId: ID! discount: Int! }
'''), entities={"Order": lambda rep: {**rep, "discount": {"c1": 5, "c2": 0}[rep["customerId"]]}}),
}, [
    Query("{ orders { id discount } }"),
    Query("{ orders { customerId discount } }"),
])

keys_nested = Case("keys_nested", "entity keys with a nested part from a parent entity", {
    "orders": Stub(sdl('''
type Query { orders: [Order!]! }
type Order @key(fields: "id") { id: ID! }
'''), root={"orders": ORDERS}),
    "customers": Stub(sdl('''
type Order @key(fields: "id") { id: ID! customer: Customer! @shareable }
type Customer @key(fields: "id") { id: ID! name: String! }
'''), entities={"Order": [{"id": "o1", "customer": {"__typename": "Customer", "id": "c1", "name": "Ann"}},
                          {"id": "o2", "customer": {"__typename": "Customer", "id": "c2", "name": "Ben"}}],
                "Customer": [{"id": "c1", "name": "Ann"}, {"id": "c2", "name": "Ben"}]}),
    "shipping": Stub(sdl('''
type Order @key(fields: "id customer { id }") { id: ID! customer: Customer! @shareable carrier: String! }
type Customer @key(fields: "id", resolvable: false) { id: ID! }
'''), entities={"Order": lambda rep: {**rep, "carrier": f"{rep['customer']['id']}-post"}}),
}, [
    Query("{ orders { carrier } }"),
    Query("{ orders { id carrier customer { name } } }"),
])

NODES = {"u1": {"__typename": "User", "id": "u1", "name": "Ada"}, "p1": {"__typename": "Product", "id": "p1"}}

node_ids = Case("node_ids", "node ids corrupted or duplicated", {
    "users": Stub(sdl('''
type Query { node(id: ID!): Node @shareable }
interface Node { id: ID! }
type User implements Node @key(fields: "id") { id: ID! name: String! }
type Product implements Node @key(fields: "id") { id: ID! }
'''), root={"node": lambda parent, id: NODES.get(id)},
        entities={"User": [NODES["u1"]], "Product": [NODES["p1"]]}),
    "products": Stub(sdl('''
type Product @key(fields: "id") { id: ID! title: String! }
'''), entities={"Product": [{"id": "p1", "title": "Pen"}]}),
}, [
    Query('{ node(id: "u1") { id ... on User { name } } }'),
    Query('{ node(id: "%%corrupt") { id ... on Product { title } } }'),
    Query('{ a: node(id: "p1") { ... on Product { title } } b: node(id: "p1") { id ... on Product { title } } }'),
    Query('{ node(id: "") { __typename } }'),
])

null_keys = Case("null_keys", "null keys in representations", {
    "catalog": Stub(sdl('''
type Query { products: [Product!]! }
type Product @key(fields: "upc") { upc: String name: String! }
'''), root={"products": [{"__typename": "Product", "upc": "1", "name": "A"},
                         {"__typename": "Product", "upc": None, "name": "B"}]}),
    "stock": Stub(sdl('''
type Product @key(fields: "upc") { upc: String inStock: Boolean weight: Int! }
'''), entities={"Product": lambda rep: None if rep.get("upc") is None else {**rep, "inStock": True, "weight": 1}}),
}, [
    Query("{ products { name inStock } }"),
    Query("{ products { name weight } }"),
])

CASES = [keys_from_parent, keys_nested, node_ids, null_keys]
