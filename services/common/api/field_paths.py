"""A domain error's field as the full input path, like the value errors graphql-core reports.

Domain rules name a field the way the input object spells it (`creditCode`, `tranches[1].dueOn`);
clients see the path from the root field's arguments (`input.creditCode`, `input.tranches.1.dueOn`), the
same form `extensions.field` has for a bad Money, Date or enum value. A field that is an argument itself
(`id`, `to`, `reason`) stays as it is, and so does one that names no input at all (`phase`: the state
that refused the step).
"""

from __future__ import annotations

import re

from graphql import GraphQLError, GraphQLInputObjectType, GraphQLSchema, get_named_type

_INDEX = re.compile(r"\[(\d+)\]")


def full_input_path(error: GraphQLError, schema: GraphQLSchema, field: str) -> str:
    parts = _INDEX.sub(r".\1", field).split(".")
    root = _root_field(error, schema)
    if root is None or parts[0] in root.args:
        return ".".join(parts)
    holders = [name for name, arg in root.args.items()
               if isinstance(get_named_type(arg.type), GraphQLInputObjectType)
               and parts[0] in get_named_type(arg.type).fields]
    return ".".join([holders[0], *parts]) if len(holders) == 1 else ".".join(parts)


def _root_field(error: GraphQLError, schema: GraphQLSchema):
    """The root field the error was raised in (its path is that field alone), or None."""
    if not error.path or len(error.path) != 1 or not error.nodes:
        return None
    name = getattr(getattr(error.nodes[0], "name", None), "value", None)
    for root in (schema.mutation_type, schema.query_type):
        if root is not None and name in root.fields:
            return root.fields[name]
    return None
