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
