"""Bad input refused before any resolver or database work, each error with `extensions.field`, the full
input path (`input.tranches.1.amount`):
- values of the wrong type: graphql-core's own checks with the path kept as data
  (services/gateway/engine/input_paths.py, plain GraphQL shared with the gateway), for literals by a
  validation rule and for variables before coercion;
- control characters (NUL first: PostgreSQL refuses it in text) in any string anywhere in the input,
  whatever the field's type, the one check every service shares.
"""

from __future__ import annotations

from collections.abc import Iterator
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
)
from strawberry.extensions import SchemaExtension

from services.common.kernel.errors import BAD_USER_INPUT
from services.common.kernel.validation import has_control_characters
from services.gateway.engine.input_paths import field_path, variable_errors, with_field_paths

CONTROL_MESSAGE = "must not contain control characters"


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


class NoControlCharactersRule(ValidationRule):
    """A string literal anywhere in an argument's value with a control character is refused."""

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        for path, value in _literals_with_controls(node.value, [node.name.value]):
            self.report_error(_control_error(path, value))


class InputFieldPaths(SchemaExtension):
    """Literal values checked with their field paths: graphql-core's ValuesOfCorrectTypeRule swapped for
    the same rule reporting the path, and control characters refused."""

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.validation_rules = (*with_field_paths(ctx.validation_rules), NoControlCharactersRule)
        yield


def refuse_bad_variables(ctx: Any, operation: Any) -> bool:
    """Sets the result to the variables' errors when any value is bad; True when it did."""
    if operation is None or not operation.variable_definitions:
        return False
    variables = ctx.variables or {}
    errors: list[GraphQLError] = [_control_error(path) for path in _strings_with_controls(variables, [])]
    errors += variable_errors(ctx.schema._schema, operation.variable_definitions, variables)
    if errors:
        ctx.result = ExecutionResult(data=None, errors=errors)
    return bool(errors)
