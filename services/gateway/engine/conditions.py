"""@skip/@include: which variables decide them, and whether a selection is included."""

from __future__ import annotations

from graphql import OperationDefinitionNode, value_from_ast_untyped


def condition_values(operation: OperationDefinitionNode, variables: dict | None) -> dict[str, bool]:
    """Values of variables used by @skip/@include: part of the plan cache key."""
    variables = variables or {}
    defaults = {
        vd.variable.name.value: value_from_ast_untyped(vd.default_value) if vd.default_value else None
        for vd in operation.variable_definitions or ()
    }
    return {name: bool(variables.get(name, defaults.get(name))) for name in defaults}


def is_included(node, conditions: dict[str, bool]) -> bool:
    for d in node.directives or ():
        if d.name.value not in ("skip", "include"):
            continue
        arg = next((a for a in d.arguments or () if a.name.value == "if"), None)
        if arg is None:
            continue
        if arg.value.kind == "variable":
            value = conditions.get(arg.value.name.value, False)
        else:
            value = bool(value_from_ast_untyped(arg.value))
        if (d.name.value == "skip") == value:
            return False
    return True
