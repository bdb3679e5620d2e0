"""@inaccessible on fields, types, arguments and enum values."""

from ..case import Case, Query, sdl
from ..stubs import Stub

inaccessible = Case("inaccessible", "@inaccessible on fields, types, arguments, enum values", {
    "users": Stub(sdl('''
type Query { user: User secret: Secret @inaccessible roles: [Role!]! allRoles: [Role!]! }
type Secret @inaccessible { code: String! }
enum Role { ADMIN MEMBER HIDDEN @inaccessible }
type User @key(fields: "id") {
  id: ID!
  name: String!
  internal: String @inaccessible
  greet(name: String!, style: String @inaccessible): String!
}
'''), root={"user": {"__typename": "User", "id": "u1", "name": "Ada", "internal": "x",
                     "greet": lambda parent, name, style=None: f"hi {name} {style}"},
            "secret": {"code": "1"}, "roles": ["ADMIN", "MEMBER"], "allRoles": ["ADMIN", "HIDDEN"]},
        entities={"User": [{"id": "u1", "name": "Ada"}]}),
    "posts": Stub(sdl('''
type User @key(fields: "id") { id: ID! posts: Int! }
'''), entities={"User": [{"id": "u1", "posts": 3}]}),
}, [
    Query('{ user { name posts greet(name: "Bo") } }'),
    Query("{ user { internal } }"),
    Query("{ secret { code } }"),
    Query('{ user { greet(name: "Bo", style: "x") } }'),
    Query("{ roles }"),
    Query("{ allRoles }"),
    Query('{ __type(name: "Role") { enumValues { name } } }'),
])

inaccessible_inputs = Case("inaccessible_inputs", "@inaccessible on input fields, defaulted arguments, input enum values", {
    "search": Stub(sdl('''
type Query {
  find(filter: Filter!, limit: Int = 2 @inaccessible): [String!]!
  byLevel(level: Level!): String!
}
input Filter { term: String! fuzzy: Boolean @inaccessible exact: Boolean = false }
enum Level { LOW HIGH SECRET @inaccessible }
'''), root={"find": lambda parent, filter, limit=2: [f"{filter['term']}:{limit}:{filter.get('exact')}"],
            "byLevel": lambda parent, level: level.lower()}),
    "other": Stub(sdl('''
type Query { ping: String! }
'''), root={"ping": "pong"}),
}, [
    Query('{ find(filter: {term: "a"}) ping }'),
    Query('{ find(filter: {term: "a", exact: true}) }'),
    Query('{ find(filter: {term: "a", fuzzy: true}) }'),
    Query('{ find(filter: {term: "a"}, limit: 5) }'),
    Query("{ byLevel(level: HIGH) }"),
    Query("{ byLevel(level: SECRET) }"),
    Query("query($l: Level!) { byLevel(level: $l) }", {"l": "SECRET"}),
    Query("query($f: Filter!) { find(filter: $f) }", {"f": {"term": "b", "fuzzy": False}}),
    Query('{ __type(name: "Filter") { inputFields { name } } }'),
])

CASES = [inaccessible, inaccessible_inputs]
