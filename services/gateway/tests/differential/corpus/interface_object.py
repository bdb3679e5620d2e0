"""@interfaceObject: plain, non-resolvable, with @requires, indirectly extended."""

from ..case import Case, Query, sdl
from ..stubs import Stub

MEDIA = [
    {"__typename": "Book", "id": "b1", "title": "Dune", "author": "Herbert"},
    {"__typename": "Movie", "id": "m1", "title": "Alien", "minutes": 117},
    {"__typename": "Book", "id": "b2", "title": "Emma", "author": "Austen"},
]
CATALOG = sdl('''
type Query { media: [Media!]! }
interface Media @key(fields: "id") { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! }
type Movie implements Media @key(fields: "id") { id: ID! title: String! minutes: Int! }
''')


def catalog() -> Stub:
    by_id = {m["id"]: m for m in MEDIA}
    return Stub(CATALOG, root={"media": MEDIA}, entities={
        "Media": lambda rep: by_id.get(rep["id"]),
        "Book": lambda rep: by_id.get(rep["id"]),
        "Movie": lambda rep: by_id.get(rep["id"]),
    })


STARS = {"b1": 5, "m1": 4, "b2": 3}

interface_object = Case("interface_object", "@interfaceObject", {
    "catalog": catalog(),
    "ratings": Stub(sdl('''
type Query { topRated: [Media!]! }
type Media @key(fields: "id") @interfaceObject { id: ID! stars: Int! }
'''), root={"topRated": [{"__typename": "Media", "id": "m1", "stars": 4}, {"__typename": "Media", "id": "b1", "stars": 5}]},
        entities={"Media": lambda rep: {"__typename": "Media", "id": rep["id"], "stars": STARS[rep["id"]]}}),
}, [
    Query("{ media { title stars } }"),
    Query("{ media { __typename ... on Book { author stars } } }"),
    Query("{ topRated { __typename id stars title ... on Movie { minutes } } }"),
    Query("{ topRated { stars } }"),
])

interface_object_not_resolvable = Case("interface_object_not_resolvable", "@interfaceObject, non-resolvable key", {
    "catalog": catalog(),
    "picks": Stub(sdl('''
type Query { featured: Media }
type Media @key(fields: "id", resolvable: false) @interfaceObject { id: ID! }
'''), root={"featured": {"__typename": "Media", "id": "m1"}}),
}, [
    Query("{ featured { id } }"),
    Query("{ featured { __typename title ... on Movie { minutes } } }"),
])

interface_object_requires = Case("interface_object_requires", "@interfaceObject with @requires", {
    "catalog": catalog(),
    "blurbs": Stub(sdl('''
type Media @key(fields: "id") @interfaceObject {
  id: ID!
  title: String! @external
  blurb: String! @requires(fields: "title")
}
'''), entities={"Media": lambda rep: {"__typename": "Media", "id": rep["id"], "blurb": f"read {rep['title']}"}}),
}, [
    Query("{ media { id blurb } }"),
    Query("{ media { ... on Movie { minutes blurb } } }"),
])

interface_object_indirect = Case("interface_object_indirect", "@interfaceObject reached through another subgraph", {
    "catalog": catalog(),
    "ratings": Stub(sdl('''
type Media @key(fields: "id") @interfaceObject { id: ID! stars: Int! }
'''), entities={"Media": lambda rep: {"__typename": "Media", "id": rep["id"], "stars": STARS[rep["id"]]}}),
    "shelves": Stub(sdl('''
type Query { shelf: Shelf! }
type Shelf { name: String! items: [Media!]! }
type Media @key(fields: "id") @interfaceObject { id: ID! }
'''), root={"shelf": {"name": "mine", "items": [{"__typename": "Media", "id": "b2"}, {"__typename": "Media", "id": "m1"}]}}),
}, [
    Query("{ shelf { name items { id stars } } }"),
    Query("{ shelf { items { __typename title stars ... on Book { author } } } }"),
])

CASES = [interface_object, interface_object_not_resolvable, interface_object_requires, interface_object_indirect]

credits = Stub(sdl('''
type Query { person: Person }
type Person @key(fields: "id") { id: ID! name: String }
type Movie @key(fields: "id") { id: ID! director: String }
'''), root={"person": {"__typename": "Person", "id": "pe1", "name": "Ridley"}},
    entities={"Movie": [{"id": "m1", "director": "Scott"}], "Person": [{"id": "pe1", "name": "Ridley"}]})

interface_object_indirect_extension = Case("interface_object_indirect_extension",
                                           "@interfaceObject with an implementation extended elsewhere", {
    "catalog": catalog(),
    "credits": credits,
    "lists": Stub(sdl('''
type Query { list: List }
type List @key(fields: "id") { id: ID! name: String entry: Media }
type Media @key(fields: "id") @interfaceObject { id: ID! }
'''), root={"list": {"__typename": "List", "id": "l1", "name": "faves", "entry": {"__typename": "Media", "id": "m1"}}}),
}, [
    Query("{ media { id title ... on Movie { minutes director } ... on Book { author } } person { id name }"
          " list { id name entry { id ... on Movie { minutes } } } }"),
    Query("{ list { entry { __typename ... on Movie { director } } } }"),
])

PEOPLE = [{"__typename": "Member", "id": "u1", "name": "Ann", "age": 30},
          {"__typename": "Member", "id": "u2", "name": "Ben", "age": 40}]


def people_entity(rep):
    return next(({**p} for p in PEOPLE if p["id"] == rep["id"]), None)


interface_object_with_requires = Case("interface_object_with_requires", "@interfaceObject field with @requires", {
    "people": Stub(sdl('''
type Query { people: [Named!]! }
interface Named @key(fields: "id") { id: ID! name: String }
type Member implements Named @key(fields: "id") { id: ID! name: String age: Int }
'''), root={"people": PEOPLE}, entities={"Named": people_entity, "Member": people_entity}),
    "handles": Stub(sdl('''
type Query { morePeople: [Named] }
type Named @key(fields: "id") @interfaceObject { id: ID! name: String @external handle: String @requires(fields: "name") }
'''), root={"morePeople": [{"__typename": "Named", "id": "u2"}, {"__typename": "Named", "id": "u1"}]},
        entities={"Named": lambda rep: {**rep, "handle": f"@{rep['name'].lower()}" if rep.get("name") else None}}),
}, [
    Query("{ morePeople { id name handle } }"),
    Query("{ people { id name handle } }"),
    Query("{ morePeople { ... on Member { age } } }"),
    Query("{ people { ... on Member { age } } }"),
    Query("{ morePeople { ... on Member { age id name handle } id name } }"),
    Query("{ people { ... on Member { age id name handle } id name } }"),
])

interface_object_cross = Case("interface_object_cross", "non-resolvable @interfaceObject both ways", {
    "x": Stub(sdl('''
interface Node @key(fields: "id") { id: ID! }
type Item @key(fields: "id", resolvable: false) @interfaceObject { id: ID! }
type Query { x: Node item: Item! }
'''), root={"x": {"__typename": "Node", "id": "n1"}, "item": {"__typename": "Item", "id": "i1"}}),
    "y": Stub(sdl('''
type Node @key(fields: "id", resolvable: false) @interfaceObject { id: ID! note: String }
interface Item @key(fields: "id") { id: ID! }
type Loaf implements Item @key(fields: "id") { id: ID! name: String! }
type Query { y: Node }
'''), root={"y": {"__typename": "Node", "id": "n2", "note": "hello"}},
        entities={"Item": lambda rep: {"__typename": "Loaf", "id": rep["id"], "name": "rye"},
                  "Loaf": lambda rep: {"__typename": "Loaf", "id": rep["id"], "name": "rye"}}),
}, [
    Query("{ y { id note } }"),
    Query("{ x { note } }", apollo_departs=(
        "x returns a Node, no subgraph can resolve Node.note from it (y's key is not resolvable) and x has no type "
        "implementing Node: the operation cannot be satisfied, yet @apollo/gateway answers `x: null` without error"),
        expected={"data": None, "errors": [{"message": "query planning failed"}]}),
    Query("{ y { id } }"),
    Query("{ x { id } }"),
    Query("{ item { id } }"),
    Query("{ item { id ... on Loaf { name } } }"),
    Query("{ item { ... on Loaf { id } } }"),
])

CASES += [interface_object_indirect_extension, interface_object_with_requires, interface_object_cross]
