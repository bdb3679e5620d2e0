"""The same root field resolvable in several subgraphs (shared root)."""

from ..case import Case, Query, sdl
from ..stubs import Stub

shared_root = Case("shared_root", "shared root fields", {
    "accounts": Stub(sdl('''
type Query { me: User @shareable version: String! @shareable }
type User @key(fields: "id") { id: ID! name: String! }
'''), root={"me": {"__typename": "User", "id": "u1", "name": "Ada"}, "version": "1"},
        entities={"User": [{"id": "u1", "name": "Ada"}]}),
    "mail": Stub(sdl('''
type Query { me: User @shareable version: String! @shareable }
type User @key(fields: "id") { id: ID! email: String! }
'''), root={"me": {"__typename": "User", "id": "u1", "email": "ada@example.com"}, "version": "1"},
        entities={"User": [{"id": "u1", "email": "ada@example.com"}]}),
}, [
    Query("{ me { name } }"),
    Query("{ me { email } }"),
    Query("{ me { id name email } version }"),
    Query("{ a: me { email } b: me { name } }"),
])

CASES = [shared_root]

shared_root_values = Case("shared_root_values", "shared root fields returning value types split over subgraphs", {
    "kind": Stub(sdl('''
type Query { gadget: Gadget! @shareable gadgets: [Gadget!]! @shareable }
type Gadget { id: ID! @shareable kind: Kind! }
type Kind { id: ID! name: String! }
'''), root={"gadget": {"id": "g1", "kind": {"id": "k1", "name": "tool"}},
            "gadgets": [{"id": "g1", "kind": {"id": "k1", "name": "tool"}}, {"id": "g2", "kind": {"id": "k2", "name": "toy"}}]}),
    "label": Stub(sdl('''
type Query { gadget: Gadget! @shareable gadgets: [Gadget!]! @shareable }
type Gadget { id: ID! @shareable label: Label! }
type Label { id: ID! maker: String! model: String! }
'''), root={"gadget": {"id": "g1", "label": {"id": "l1", "maker": "acme", "model": "x"}},
            "gadgets": [{"id": "g1", "label": {"id": "l1", "maker": "acme", "model": "x"}},
                        {"id": "g2", "label": {"id": "l2", "maker": "bolt", "model": "y"}}]}),
    "cost": Stub(sdl('''
type Query { gadget: Gadget! @shareable gadgets: [Gadget!]! @shareable }
type Gadget { id: ID! @shareable cost: Cost! }
type Cost { id: ID! amount: Int! currency: String! }
'''), root={"gadget": {"id": "g1", "cost": {"id": "c1", "amount": 5, "currency": "EUR"}},
            "gadgets": [{"id": "g1", "cost": {"id": "c1", "amount": 5, "currency": "EUR"}},
                        {"id": "g2", "cost": {"id": "c2", "amount": 7, "currency": "EUR"}}]}),
}, [
    Query("{ gadget { id label { id maker model } kind { id name } cost { id amount currency } } }"),
    Query("{ gadgets { id label { id maker model } kind { id name } cost { id amount currency } } }"),
    Query("{ gadget { kind { name } } gadgets { cost { amount } } }"),
])

CASES += [shared_root_values]
