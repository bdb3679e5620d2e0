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

provides_interface_nested = Case("provides_interface_nested", "@provides on interface fields, nested and abstract", {
    "catalog": Stub(sdl('''
type Query {
  shelf: Shelf! @provides(fields: "top { ... on Book { title } ... on Disc { label } }")
  plain: Shelf!
}
type Shelf { top: [Media!]! }
interface Media { id: ID! }
type Book implements Media @key(fields: "id") { id: ID! title: String! @external }
type Disc implements Media @key(fields: "id") { id: ID! label: String @external }
'''), root={"shelf": {"top": [{"__typename": "Book", "id": "b1", "title": "provided title"},
                               {"__typename": "Disc", "id": "d1", "label": None}]},
            "plain": {"top": [{"__typename": "Book", "id": "b1"}, {"__typename": "Disc", "id": "d1"}]}}),
    "details": Stub(sdl('''
type Book @key(fields: "id") { id: ID! title: String! @shareable pages: Int! }
type Disc @key(fields: "id") { id: ID! label: String @shareable minutes: Int }
'''), entities={"Book": [{"id": "b1", "title": "fetched title", "pages": 300}],
                  "Disc": [{"id": "d1", "label": "fetched label", "minutes": 40}]}),
}, [
    Query("{ shelf { top { id ... on Book { title } ... on Disc { label } } } }"),
    Query("{ plain { top { id ... on Book { title } ... on Disc { label } } } }"),
    Query("{ shelf { top { ... on Book { title pages } ... on Disc { label minutes } } } }"),
    Query("{ shelf { top { ...M } } } fragment M on Media { id ... on Book { title } }"),
    Query("{ a: shelf { top { ... on Book { title } } } b: plain { top { ... on Book { title } } } }"),
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

CASES = [provides_interface, provides_interface_nested, override_interface]
