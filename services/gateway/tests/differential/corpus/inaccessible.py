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

CASES = [inaccessible]
