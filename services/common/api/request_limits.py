"""A subgraph refuses what the gateway refuses, itself: a caller that skips the gateway (or a gateway
that is not ours) meets the same token, depth and alias limits, with the same codes.

The measure is the gateway engine's own (services/gateway/engine/limits.py, generic graphql-core code
that knows nothing of the platform), so the two can never count differently. Bodies are capped before
any of this, by runtime/http_limits.py. The numbers are the gateway's, with headroom for what its
planner adds to a subgraph query (key fields, `__typename`, the `_entities` wrapper).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import FragmentDefinitionNode, GraphQLError, get_operation_ast
from strawberry.extensions import SchemaExtension

from services.common.api.document_cache import DocumentMemo
from services.common.kernel.errors import DomainError
from services.gateway.engine.limits import measure_operation
from services.gateway.engine.options import EngineOptions

MAX_DEPTH_EXCEEDED = "MAX_DEPTH_EXCEEDED"
MAX_ALIASES_EXCEEDED = "MAX_ALIASES_EXCEEDED"
MAX_TOKENS_EXCEEDED = "MAX_TOKENS_EXCEEDED"


class LimitExceeded(DomainError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class DocumentLimits:
    max_tokens: int
    max_depth: int
    max_aliases: int

    @classmethod
    def from_env(cls) -> DocumentLimits:
        env = os.environ.get
        return cls(
            max_tokens=int(env("SUBGRAPH_MAX_TOKENS", 2 * EngineOptions.max_tokens)),
            max_depth=int(env("SUBGRAPH_MAX_DEPTH", EngineOptions.max_depth + 2)),
            # the planner aliases the key fields it adds where a client's alias already takes the name
            max_aliases=int(env("SUBGRAPH_MAX_ALIASES", EngineOptions.max_aliases + 10)),
        )


LIMITS = DocumentLimits.from_env()


class DocumentLimiter(SchemaExtension):
    """Tokens are counted while parsing (graphql-core stops at the limit, so 200,000 aliases cost no more
    than the first few thousand tokens); depth and aliases once the document is valid (a fragment cycle
    is a validation error first), before anything runs."""

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = LIMITS.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if not ctx.pre_execution_errors and ctx.graphql_document is not None:
            verdict = _verdict(ctx.query, ctx.operation_name, ctx.graphql_document)
            if verdict:  # a refusal's (message, code)
                refused = LimitExceeded(*verdict)
                ctx.pre_execution_errors = [GraphQLError(refused.message, original_error=refused)]
        yield


ALLOWED = ()
# Depth and aliases are the document's own (no variable changes them): each is measured once per document
# and operation, like the parse and the validation before it.
_VERDICTS: DocumentMemo[tuple[str, ...]] = DocumentMemo()


def _verdict(query: str | None, operation_name: str | None, document) -> tuple[str, ...]:
    return _VERDICTS.get_or_make(query, (operation_name,), lambda: _refusal(document, operation_name))


def _refusal(document, operation_name: str | None) -> tuple[str, ...]:
    """ALLOWED, or the refusal's (message, code)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return ALLOWED  # Strawberry reports the missing operation itself
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    measure = measure_operation(None, operation, fragments, {}, 1)
    if measure.depth > LIMITS.max_depth:
        return f"query depth {measure.depth} exceeds the limit of {LIMITS.max_depth}", MAX_DEPTH_EXCEEDED
    if measure.aliases > LIMITS.max_aliases:
        return f"query uses {measure.aliases} aliases, the limit is {LIMITS.max_aliases}", MAX_ALIASES_EXCEEDED
    return ALLOWED
