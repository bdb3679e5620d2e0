"""How one GraphQL operation runs: inside one tenant transaction, with errors every client can read."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import strawberry.federation
from graphql import ExecutionResult, GraphQLError, OperationType
from strawberry.extensions import SchemaExtension

from services.common.kernel.config import development
from services.common.api.context import tenant_districts
from services.common.api.document_cache import DOCUMENT_CACHES
from services.common.api.offboarded import offboarded_refusal
from services.common.api.error_kinds import is_bad_value, is_connection_loss, is_parse_error
from services.common.kernel.errors import INTERNAL, RETRYABLE, BAD_USER_INPUT, DomainError
from services.common.data.tenancy import tenant_transaction

log = logging.getLogger("civic.graphql")


class _RollBack(Exception):
    """Raised inside the transaction to undo a mutation whose result carries errors."""


class OperationTransaction(SchemaExtension):
    """Each operation runs in one transaction that first sets `app.districts` for row-level security.

    A mutation that ends with any error rolls back whole, so bad input changes nothing.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        operation = _operation_node(ctx)
        districts = tenant_districts(ctx.context, operation)
        auth_error = getattr(ctx.context, "auth_error", None)
        if auth_error is not None:
            # A bad token is refused before any database work: no transaction, no resolver.
            ctx.result = ExecutionResult(data=None, errors=[GraphQLError(
                auth_error.message, original_error=auth_error, extensions=auth_error.extensions)])
            yield
            return
        try:
            async with tenant_transaction(ctx.context.service.name, districts) as conn:
                if operation is not None and operation.operation is OperationType.MUTATION:
                    refusal = await offboarded_refusal(conn, ctx.context.principal)
                    if refusal is not None:
                        ctx.result = ExecutionResult(data=None, errors=[GraphQLError(
                            refusal.message, original_error=refusal, extensions=refusal.extensions)])
                yield
                result = ctx.result
                if (
                    operation is not None
                    and operation.operation is OperationType.MUTATION
                    and result is not None
                    and getattr(result, "errors", None)
                ):
                    raise _RollBack
        except _RollBack:
            pass


def _operation_node(ctx: Any):
    document = ctx.graphql_document
    if document is None:
        return None
    operations = [d for d in document.definitions if d.__class__.__name__ == "OperationDefinitionNode"]
    if ctx.operation_name:
        operations = [d for d in operations if d.name and d.name.value == ctx.operation_name]
    return operations[0] if len(operations) == 1 else None


class SubgraphSchema(strawberry.federation.Schema):
    """A Federation v2 schema that logs only the errors that are ours, not the client's, and parses and
    validates each distinct document once (document_cache.py) whatever extensions a service adds."""

    def __init__(self, *args: Any, extensions: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, extensions=[*DOCUMENT_CACHES, *extensions], **kwargs)

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            if classify(error) == INTERNAL:
                log.error("unexpected error", exc_info=error.original_error or error)


def classify(error: GraphQLError) -> str:
    """The error's `extensions.code`, from its kind (services/common/api/error_kinds.py)."""
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code
    if original is None:
        if is_parse_error(error):
            return "GRAPHQL_PARSE_FAILED"
        if is_bad_value(error):
            return BAD_USER_INPUT
        return "GRAPHQL_VALIDATION_FAILED"
    if is_connection_loss(original):
        return RETRYABLE
    if isinstance(original, GraphQLError):
        return classify(original)
    return INTERNAL


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The error as the client sees it: always with `extensions.code`; internals hidden in production."""
    formatted = error.formatted
    code = classify(error)
    extensions = dict(formatted.get("extensions") or {})
    extensions["code"] = code
    if code == INTERNAL and not development():
        formatted["message"] = "Internal server error."
    if code == RETRYABLE:
        formatted["message"] = "The service is briefly unavailable; retry the request."
        extensions["retryable"] = True
    formatted["extensions"] = extensions
    return formatted
