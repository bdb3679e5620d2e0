"""Unions and interfaces whose members are spread over subgraphs, their intersections, nested fragments."""

from ..case import Case, Query, sdl
from ..stubs import Stub

union_spread = Case("union_spread", "union members spread over subgraphs", {
    "books": Stub(sdl('''
type Query { search: [Result!]! }
union Result = Book | Movie
type Book { title: String! }
type Movie @key(fields: "id") { id: ID! }
'''), root={"search": [{"__typename": "Book", "title": "Dune"}, {"__typename": "Movie", "id": "m1"}]}),
    "movies": Stub(sdl('''
type Query { related: [Result!]! }
union Result = Movie | Song
type Movie @key(fields: "id") { id: ID! title: String! }
type Song { title: String! }
'''), root={"related": [{"__typename": "Song", "title": "Hey"}, {"__typename": "Movie", "id": "m1", "title": "Alien"}]},
        entities={"Movie": [{"id": "m1", "title": "Alien"}]}),
}, [
    Query("{ search { __typename ... on Book { title } ... on Movie { title } ... on Song { title } } }"),
    Query("{ related { ... on Movie { id title } ... on Book { title } } }"),
    Query("{ search { ... on Result { ... on Movie { ... on Movie { title } } } } }"),
    Query("{ search { ...R } related { ...R } } fragment R on Result { __typename ... on Song { title } ... on Movie { title } }"),
])

interface_spread = Case("interface_spread", "interface implementations spread over subgraphs", {
    "animals": Stub(sdl('''
type Query { pets: [Pet!]! }
interface Pet { name: String! }
type Dog implements Pet @key(fields: "id") { id: ID! name: String! }
type Cat implements Pet @key(fields: "id") { id: ID! name: String! }
'''), root={"pets": [{"__typename": "Dog", "id": "d1", "name": "Rex"}, {"__typename": "Cat", "id": "c1", "name": "Tom"}]},
        entities={"Dog": [{"id": "d1", "name": "Rex"}], "Cat": [{"id": "c1", "name": "Tom"}]}),
    "care": Stub(sdl('''
type Query { patients: [Pet!]! }
interface Pet { name: String! }
type Dog implements Pet @key(fields: "id") { id: ID! name: String! @external barks: Boolean! }
type Parrot implements Pet { name: String! words: Int! }
'''), root={"patients": [{"__typename": "Parrot", "name": "Polly", "words": 3}, {"__typename": "Dog", "id": "d1"}]},
        entities={"Dog": [{"id": "d1", "barks": True}]}),
}, [
    Query("{ pets { name ... on Dog { barks } } }"),
    Query("{ patients { __typename name ... on Parrot { words } ... on Dog { barks } ... on Cat { id } } }"),
    Query("{ pets { ... on Pet { ... on Dog { id ... on Pet { name } } } } }"),
    Query("{ patients { ... on Dog { barks } } pets { __typename } }"),
])

CASES = [union_spread, interface_spread]

FILMS = {"f1": {"__typename": "Film", "id": "f1", "title": "Heat", "bTitle": "b-Heat"}}
NOVELS = {"n1": {"__typename": "Novel", "id": "n1", "title": "Emma", "aTitle": "a-Emma", "bTitle": "b-Emma"}}
TRACKS = {"t1": {"__typename": "Track", "id": "t1", "title": "Hey", "aTitle": "a-Hey"}}


def pick(*objects):
    return {k: v for o in objects for k, v in o.items() if k != "bTitle" or o["__typename"] != "Novel"}


union_intersection = Case("union_intersection", "union members known to only some subgraphs (intersection)", {
    "a": Stub(sdl('''
union Work = Novel | Track
union ShelfWork = Novel | Track
type Novel @key(fields: "id") { id: ID! title: String! @shareable aTitle: String! }
type Track @key(fields: "id") { id: ID! title: String! @shareable aTitle: String! }
type Query { work: Work @shareable aWork: Work @shareable novel: Novel @shareable track: Work @shareable shelf: Shelf @shareable }
type Shelf { work: ShelfWork @shareable aWork: ShelfWork novel: Novel @shareable track: ShelfWork @shareable }
'''), root={"work": NOVELS["n1"], "aWork": NOVELS["n1"], "novel": NOVELS["n1"], "track": TRACKS["t1"],
            "shelf": {"work": NOVELS["n1"], "aWork": NOVELS["n1"], "novel": NOVELS["n1"], "track": TRACKS["t1"]}},
        entities={"Novel": list(NOVELS.values()), "Track": list(TRACKS.values())}),
    "b": Stub(sdl('''
type Query { work: Work @shareable bWork: Work @shareable novel: Work @shareable shelf: Shelf @shareable }
union Work = Novel | Film
union ShelfWork = Novel | Film
type Film @key(fields: "id") { id: ID! title: String! @shareable bTitle: String! }
type Novel @key(fields: "id") { id: ID! title: String! @shareable bTitle: String! }
type Shelf { work: ShelfWork @shareable bWork: ShelfWork novel: ShelfWork @shareable }
'''), root={"work": NOVELS["n1"], "bWork": FILMS["f1"], "novel": NOVELS["n1"],
            "shelf": {"work": NOVELS["n1"], "bWork": FILMS["f1"], "novel": NOVELS["n1"]}},
        entities={"Novel": list(NOVELS.values()), "Film": list(FILMS.values())}),
}, [
    Query("{ work { ... on Film { title } } }"),
    Query("{ work { ... on Novel { title } } }"),
    Query("{ work { ... on Novel { title } ... on Film { title } } }"),
    Query("{ shelf { work { __typename ... on Track { title } ... on Film { title } ... on Novel { title } }"
          " novel { __typename ... on Track { title } ... on Film { title } ... on Novel { title } }"
          " track { __typename ... on Track { title } ... on Film { title } ... on Novel { title } } } }"),
    Query("{ shelf { work { ... on Novel { title } ... on Film { title } } } }"),
    Query("{ aWork { ... on Film { title bTitle } } }"),
    Query("{ aWork { ... on Novel { title aTitle bTitle } } }"),
    Query("{ shelf { work { __typename ... on Track { title aTitle } ... on Film { title bTitle }"
          " ... on Novel { title aTitle bTitle } } track { __typename ... on Track { title aTitle } } } }"),
    Query("{ shelf { aWork { ... on Film { title bTitle } } bWork { ... on Film { title bTitle } } } }"),
])

APPLIANCES = {"s1": {"__typename": "Stove", "id": "s1"}, "k1": {"__typename": "Kettle", "id": "k1", "warranty": 2}}

union_interface_distributed = Case("union_interface_distributed", "interfaces implemented in other subgraphs, in unions", {
    "a": Stub(sdl('''
type Query { appliances: [Appliance] node(id: ID!): Node nodes: [Node] kettles: [Kettle] }
union Appliance = Stove | Kettle
interface Node { id: ID! }
interface Guaranteed { warranty: Int }
type Stove @key(fields: "id") { id: ID! }
type Kettle implements Node & Guaranteed @key(fields: "id") { id: ID! warranty: Int }
'''), root={"appliances": list(APPLIANCES.values()), "node": lambda parent, id: APPLIANCES.get(id),
            "nodes": [APPLIANCES["k1"]], "kettles": [APPLIANCES["k1"]]},
        entities={"Stove": [APPLIANCES["s1"]], "Kettle": [APPLIANCES["k1"]]}),
    "b": Stub(sdl('''
interface Node { id: ID! }
interface Guaranteed { warranty: Int }
type Stove implements Node & Guaranteed @key(fields: "id") { id: ID! warranty: Int }
'''), entities={"Stove": [{"id": "s1", "warranty": 5}]}),
}, [
    Query("{ appliances { ... on Node { id } } }"),
    Query("{ nodes { ... on Kettle { warranty } ... on Stove { id } } }"),
    Query("{ nodes { id } }"),
    Query("{ nodes { ... on Node { id } } }"),
    Query("{ nodes { ... on Node { ... on Guaranteed { warranty } } } }"),
    Query("{ nodes { ... on Node { id ... on Node { id ... on Guaranteed { warranty } } } } }"),
    Query("{ kettles { ...K ...N } } fragment K on Kettle { id } fragment N on Node { id __typename }"),
    Query('{ node(id: "s1") { ... on Stove { warranty } } }'),
    Query('{ node(id: "s1") { ... on Kettle { warranty } } }'),
    Query('{ node(id: "k1") { ... on Kettle { warranty } } }'),
])

CASES += [union_intersection, union_interface_distributed]
