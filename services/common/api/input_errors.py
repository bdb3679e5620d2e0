"""Bad input values refused with `extensions.field`, the full input path (`input.tranches.1.amount`),
before any resolver or database work: literals by a validation rule, variables before coercion.

The checks are graphql-core's own, with the path kept as data (services/gateway/engine/input_paths.py,
plain GraphQL shared with the gateway).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from services.gateway.engine.input_paths import variable_errors, with_field_paths


class InputFieldPaths(SchemaExtension):
    """Swaps graphql-core's ValuesOfCorrectTypeRule for the same rule reporting the field path."""

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.validation_rules = with_field_paths(ctx.validation_rules)
        yield


def refuse_bad_variables(ctx: Any, operation: Any) -> bool:
    """Sets the result to the variables' errors when any is bad; True when it did."""
    if operation is None or not operation.variable_definitions:
        return False
    errors: list[GraphQLError] = variable_errors(ctx.schema._schema, operation.variable_definitions, ctx.variables or {})
    if errors:
        ctx.result = ExecutionResult(data=None, errors=errors)
    return bool(errors)
