"""A shareable field whose type differs between subgraphs (child type mismatch)."""

from ..case import Case, Query, sdl
from ..stubs import Stub

child_type_mismatch = Case("child_type_mismatch", "shareable field child type mismatch", {
    "a": Stub(sdl('''
type Query { thing: Thing @shareable label: String @shareable }
interface Thing { id: ID! }
type Box implements Thing @shareable { id: ID! size: Int! }
type Ball implements Thing @shareable { id: ID! round: Boolean! }
'''), root={"thing": {"__typename": "Box", "id": "x", "size": 1}, "label": "a"}),
    "b": Stub(sdl('''
type Query { thing: Box @shareable label: String! @shareable other: Int! }
interface Thing { id: ID! }
type Box implements Thing @shareable { id: ID! size: Int! }
'''), root={"thing": {"__typename": "Box", "id": "x", "size": 1}, "label": "b", "other": 1}),
}, [
    Query("{ thing { id ... on Box { size } ... on Ball { round } } }"),
    Query("{ other thing { __typename id ... on Ball { round } } }"),
    Query("{ other label }"),
])

CASES = [child_type_mismatch]
