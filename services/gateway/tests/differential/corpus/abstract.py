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
