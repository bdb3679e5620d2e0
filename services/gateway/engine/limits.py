"""Static operation measurements used to refuse abusive requests before any fetch."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    IntValueNode,
    VariableNode,
    get_named_type,
)

LIST_SIZE_ARGUMENTS = ("first", "last", "limit", "pageSize")


@dataclass
class OperationMeasure:
    depth: int
    aliases: int
    cost: int


def _is_list(type_) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def measure_operation(schema: GraphQLSchema | None, operation, fragments: dict, variables: dict,
                      default_list_size: int) -> OperationMeasure:
    """Depth, aliases and cost of an operation. Without a schema (a subgraph checking depth and aliases
    before it validates anything) list fields are not told apart, so the cost counts each field once."""
    root = schema.get_root_type(operation.operation) if schema else None
    aliases = 0

    def explicit_size(node: FieldNode) -> int | None:
        for arg in node.arguments or ():
            if arg.name.value in LIST_SIZE_ARGUMENTS:
                if isinstance(arg.value, IntValueNode):
                    return max(1, int(arg.value.value))
                if isinstance(arg.value, VariableNode) and isinstance(variables.get(arg.value.name.value), int):
                    return max(1, variables[arg.value.name.value])
        return None

    def walk(parent, selections, depth: int, multiplier: int, pending: int | None = None) -> tuple[int, int]:
        # `pending`: the size a connection field (`organizations(first: 1000)`, not itself a list) asked for,
        # which its list below (`edges`) returns.
        nonlocal aliases
        deepest, cost = depth, 0
        for node in selections:
            if isinstance(node, FieldNode):
                if node.alias:
                    aliases += 1
                cost += multiplier
                if node.selection_set is None:
                    continue
                field = getattr(parent, "fields", {}).get(node.name.value) if parent else None
                child_type = get_named_type(field.type) if field else None
                size = explicit_size(node)
                if field and _is_list(field.type):
                    factor, carried = size or pending or default_list_size, None
                else:
                    factor, carried = 1, size
                sub_depth, sub_cost = walk(child_type, node.selection_set.selections, depth + 1, multiplier * factor,
                                           carried)
                deepest, cost = max(deepest, sub_depth), cost + sub_cost
                continue
            if isinstance(node, FragmentSpreadNode):
                fragment = fragments.get(node.name.value)
                if fragment is None:
                    continue
                condition, sub = fragment.type_condition.name.value, fragment.selection_set.selections
            else:
                condition = node.type_condition.name.value if node.type_condition else None
                sub = node.selection_set.selections
            target = schema.get_type(condition) if condition and schema else parent
            sub_depth, sub_cost = walk(target, sub, depth, multiplier, pending)
            deepest, cost = max(deepest, sub_depth), cost + sub_cost
        return deepest, cost

    depth, cost = walk(root, operation.selection_set.selections, 1, 1)
    return OperationMeasure(depth=depth, aliases=aliases, cost=cost)


def size_variables(operation, fragments: dict) -> tuple[str, ...]:
    """Variables that give a list size (`first: $n`): the only ones `measure_operation` reads."""
    found: dict[str, None] = {}
    pending = [operation.selection_set, *(f.selection_set for f in fragments.values())]
    while pending:
        for node in pending.pop().selections:
            if isinstance(node, FieldNode):
                for arg in node.arguments or ():
                    if arg.name.value in LIST_SIZE_ARGUMENTS and isinstance(arg.value, VariableNode):
                        found[arg.value.name.value] = None
            if getattr(node, "selection_set", None) is not None:
                pending.append(node.selection_set)
    return tuple(found)
