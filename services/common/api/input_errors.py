"""Bad input refused before any resolver or database work, each error with `extensions.field`, the full
input path (`input.tranches.1.amount`):
- values of the wrong type: graphql-core's own checks with the path kept as data
  (services/gateway/engine/input_paths.py, plain GraphQL shared with the gateway), for literals by a
  validation rule and for variables before coercion;
- control characters (NUL first: PostgreSQL refuses it in text) in any string anywhere in the input,
  whatever the field's type, the one check every service shares;
- lists longer than MAX_LIST_ITEMS (a schema may allow more for the input types that are batches by
  design, `SubgraphSchema(list_caps=…)`), before graphql-core coerces a single item of them.
The schema is a SubgraphSchema (operation.py): its `list_caps` and `literal_rule`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    ExecutionResult,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValidationRule,
    ValueNode,
    get_named_type,
    get_nullable_type,
    is_input_object_type,
    is_list_type,
    type_from_ast,
)
from strawberry.extensions import SchemaExtension

from services.common.kernel.errors import BAD_USER_INPUT
from services.common.kernel.validation import has_control_characters
from services.gateway.engine.input_paths import field_path, variable_errors, with_field_paths

CONTROL_MESSAGE = "must not contain control characters"
MAX_LIST_ITEMS = 100


def _long_list_error(path: list[str | int], cap: int, nodes: Any = None) -> GraphQLError:
    field = field_path(path)
    return GraphQLError(f"{field} holds more than {cap} items", nodes, extensions={"code": BAD_USER_INPUT, "field": field})


def _long_lists(value: Any, type_: Any, path: list[str | int],
                caps: Mapping[str, int | None]) -> Iterator[tuple[list, int, Any]]:
    """(path, cap, node) of each list over its cap in a value: a variable's JSON or a literal's AST."""
    type_ = get_nullable_type(type_)
    items = value.values if isinstance(value, ListValueNode) else value if isinstance(value, list) else None
    if is_list_type(type_) and items is not None:
        cap = caps.get(get_named_type(type_).name, MAX_LIST_ITEMS)
        if cap is not None and len(items) > cap:
            yield path, cap, value if isinstance(value, ValueNode) else None
            return
        for index, item in enumerate(items):
            yield from _long_lists(item, type_.of_type, [*path, index], caps)
    elif is_input_object_type(type_):
        if isinstance(value, ObjectValueNode):
            fields = {f.name.value: f.value for f in value.fields}
        else:
            fields = value if isinstance(value, dict) else {}
        for name, field in type_.fields.items():
            if name in fields:
                yield from _long_lists(fields[name], field.type, [*path, name], caps)


def _control_error(path: list[str | int], nodes: Any = None) -> GraphQLError:
    field = field_path(path)
    return GraphQLError(f"{field} {CONTROL_MESSAGE}", nodes, extensions={"code": BAD_USER_INPUT, "field": field})


def _strings_with_controls(value: Any, path: list[str | int]) -> Iterator[list[str | int]]:
    """Paths of the strings in a variable's JSON value that hold a control character."""
    if isinstance(value, str):
        if has_control_characters(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_with_controls(item, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings_with_controls(item, [*path, index])


def _literals_with_controls(node: ValueNode, path: list[str | int]) -> Iterator[tuple[list[str | int], ValueNode]]:
    if isinstance(node, StringValueNode):
        if has_control_characters(node.value):
            yield path, node
    elif isinstance(node, ObjectValueNode):
        for item in node.fields:
            yield from _literals_with_controls(item.value, [*path, item.name.value])
    elif isinstance(node, ListValueNode):
        for index, item in enumerate(node.values):
            yield from _literals_with_controls(item, [*path, index])


def literal_rule(list_caps: Mapping[str, int | None]) -> type[ValidationRule]:
    """The rule for one schema's caps (made once per schema: the validation cache keys on the rules)."""

    class LiteralTextAndListsRule(ValidationRule):
        """In an argument's literal value: a string with a control character, a list over its cap."""

        def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
            for path, value in _literals_with_controls(node.value, [node.name.value]):
                self.report_error(_control_error(path, value))
            argument = self.context.get_argument()
            if argument is not None:
                for path, cap, value in _long_lists(node.value, argument.type, [node.name.value], list_caps):
                    self.report_error(_long_list_error(path, cap, value))

    return LiteralTextAndListsRule


class InputFieldPaths(SchemaExtension):
    """Literal values checked with their field paths: graphql-core's ValuesOfCorrectTypeRule swapped for
    the same rule reporting the path, and control characters refused."""

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.validation_rules = (*with_field_paths(ctx.validation_rules), ctx.schema.literal_rule)
        yield


def refuse_bad_variables(ctx: Any, operation: Any) -> bool:
    """Sets the result to the variables' errors when any value is bad; True when it did."""
    if operation is None or not operation.variable_definitions:
        return False
    variables = ctx.variables or {}
    schema = ctx.schema._schema
    errors: list[GraphQLError] = [_control_error(path) for path in _strings_with_controls(variables, [])]
    for definition in operation.variable_definitions:
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if name in variables and type_ is not None:
            errors += [_long_list_error(path, cap, definition)
                       for path, cap, _ in _long_lists(variables[name], type_, [name], ctx.schema.list_caps)]
    if errors:  # nothing coerced yet: a 200,000-item list costs one len()
        ctx.result = ExecutionResult(data=None, errors=errors)
        return True
    errors = variable_errors(schema, operation.variable_definitions, variables)
    if errors:
        ctx.result = ExecutionResult(data=None, errors=errors)
    return bool(errors)
