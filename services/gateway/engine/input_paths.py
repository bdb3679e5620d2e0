"""Bad input values with the path of the value at fault: `extensions.field`, e.g. `input.tranches.1.amount`.

graphql-core's own reports put that path in the message text only. Its public validators
(`validate_input_value`, `validate_input_literal`) hand it over as data, so both checks here use them:
- `ValuesWithFieldRule` replaces `ValuesOfCorrectTypeRule` (same checks, same messages) for literals;
  the path starts at the argument's name;
- `variable_errors` checks the request's variables before coercion; the path starts at the variable's
  name (a portal names `$input` after the `input` argument it fills).
Plain GraphQL: the gateway engine and the subgraphs share it, and it knows nothing of the platform.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLError,
    GraphQLSchema,
    Undefined,
    ValidationContext,
    ValueNode,
    VariableDefinitionNode,
    is_input_type,
    is_non_null_type,
    type_from_ast,
    validate_input_literal,
    validate_input_value,
)
from graphql.validation import ValuesOfCorrectTypeRule
from graphql.validation.rules import ValidationRule

BAD_USER_INPUT = "BAD_USER_INPUT"


def field_path(path: Collection[str | int]) -> str:
    """["input", "tranches", 1, "amount"] -> "input.tranches.1.amount"."""
    return ".".join(str(part) for part in path)


def bad_input(error: GraphQLError, path: list[str | int], nodes: Any = None) -> GraphQLError:
    """The error graphql-core reported, with its code and the full path of the value at fault."""
    # The message a scalar raised itself is the one the client can act on ("… not an amount of money").
    cause = error.original_error
    message = getattr(cause, "message", None) or error.message
    extensions = {**(error.extensions or {}), "code": BAD_USER_INPUT, "field": field_path(path)}
    return GraphQLError(message, nodes, original_error=cause, extensions=extensions)


class ValuesWithFieldRule(ValuesOfCorrectTypeRule):
    """ValuesOfCorrectTypeRule whose errors carry `extensions.field` (argument name + path)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.argument: str | None = None  # the argument whose value is being visited

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.argument = node.name.value

    def leave_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.argument = None

    def is_valid_value_node(self, node: ValueNode, input_type: Any):  # noqa: ANN201 (graphql-core's hook)
        if input_type:
            prefix: list[str | int] = [self.argument] if self.argument is not None else []

            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                self.report_error(bad_input(error, prefix + list(path), error.nodes or node))

            validate_input_literal(node, input_type, on_error, None, None, self.context.hide_suggestions)
        return super().is_valid_value_node(node, None)  # SKIP: the nested values were just checked


def with_field_paths(rules: Collection[type[ValidationRule]]) -> tuple[type[ValidationRule], ...]:
    """The rules with ValuesOfCorrectTypeRule swapped for ValuesWithFieldRule."""
    return tuple(ValuesWithFieldRule if rule is ValuesOfCorrectTypeRule else rule for rule in rules)


def variable_errors(schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode],
                    variables: Mapping[str, Any]) -> list[GraphQLError]:
    """Every bad variable value, each with `extensions.field`; [] when graphql-core's coercion will pass."""
    errors: list[GraphQLError] = []
    for definition in definitions:
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if type_ is None or not is_input_type(type_):
            continue  # validation has refused the operation already
        value = variables.get(name, Undefined)
        if value is Undefined:
            if is_non_null_type(type_) and definition.default_value is None:
                errors.append(GraphQLError(f"Variable '${name}' of required type '{type_}' was not provided.",
                                           definition, extensions={"code": BAD_USER_INPUT, "field": name}))
            continue

        def on_error(error: GraphQLError, path: list[str | int], name: str = name) -> None:
            errors.append(bad_input(error, [name, *path], definition))

        validate_input_value(value, type_, on_error)
    return errors
