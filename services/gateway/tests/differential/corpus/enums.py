"""Enum values that differ between subgraphs: the union for outputs, the intersection for inputs."""

from ..case import Case, Query, sdl
from ..stubs import Stub

enum_values = Case("enum_values", "enum values differing between subgraphs", {
    "a": Stub(sdl('''
type Query { colorsA: [Color!]! paintA(size: Size!): String! }
enum Color { RED GREEN }
enum Size { S M }
'''), root={"colorsA": ["RED", "GREEN"], "paintA": lambda parent, size: f"a {size}"}),
    "b": Stub(sdl('''
type Query { colorsB: [Color!]! paintB(size: Size!): String! }
enum Color { RED BLUE }
enum Size { M L }
'''), root={"colorsB": ["BLUE", "RED"], "paintB": lambda parent, size: f"b {size}"}),
}, [
    Query("{ colorsA colorsB }"),
    Query("{ paintA(size: M) paintB(size: M) }"),
    Query("{ paintA(size: S) }"),
    Query("query($s: Size!) { paintB(size: $s) }", {"s": "M"}),
    Query("query($s: Size!) { paintB(size: $s) }", {"s": "L"}),
])

CASES = [enum_values]
