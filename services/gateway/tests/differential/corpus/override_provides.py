"""@provides on an interface field; @override of a type implementing an interface."""

from ..case import Case, Query, sdl
from ..stubs import Stub

provides_interface = Case("provides_interface", "@provides on an interface field", {
    "shop": Stub(sdl('''
type Query { items: [Item!]! @provides(fields: "... on Pen { name }") }
interface Item { id: ID! }
type Pen implements Item @key(fields: "id") { id: ID! name: String! @external }
type Cup implements Item @key(fields: "id") { id: ID! }
'''), root={"items": [{"__typename": "Pen", "id": "p1", "name": "provided pen"}, {"__typename": "Cup", "id": "c1"}]}),
    "names": Stub(sdl('''
type Pen @key(fields: "id") { id: ID! name: String! @shareable }
type Cup @key(fields: "id") { id: ID! volume: Int! }
'''), entities={"Pen": [{"id": "p1", "name": "fetched pen"}], "Cup": [{"id": "c1", "volume": 3}]}),
}, [
    Query("{ items { id ... on Pen { name } } }"),
    Query("{ items { ... on Pen { name } ... on Cup { volume } } }"),
])

override_interface = Case("override_interface", "@override of a type implementing an interface", {
    "old": Stub(sdl('''
type Query { things: [Thing!]! }
interface Thing { id: ID! name: String! }
type Box implements Thing @key(fields: "id") { id: ID! name: String! }
type Bag implements Thing @key(fields: "id") { id: ID! name: String! }
'''), root={"things": [{"__typename": "Box", "id": "x1", "name": "old box"}, {"__typename": "Bag", "id": "g1", "name": "bag"}]},
        entities={"Box": [{"id": "x1", "name": "old box"}]}),
    "new": Stub(sdl('''
type Box @key(fields: "id") { id: ID! name: String! @override(from: "old") size: Int! }
'''), entities={"Box": [{"id": "x1", "name": "new box", "size": 2}]}),
}, [
    Query("{ things { id name } }"),
    Query("{ things { ... on Box { name size } ... on Bag { name } } }"),
])

CASES = [provides_interface, override_interface]
