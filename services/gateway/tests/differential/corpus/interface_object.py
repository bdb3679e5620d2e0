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
