"""Tokens at the edge: which operations need none (public root fields), and the refusal without one.
Who a token's caller is, and the platform token the subgraphs get instead: callers.py."""

from __future__ import annotations

from graphql import FieldNode

from services.common.kernel.errors import DomainError, Unauthenticated

from ..engine.supergraph import Supergraph

# The spec of the directive a subgraph puts on a root field anyone may query without a token
# (services.common.api.permissions.Public); a supergraph that does not link it has no public field.
PUBLIC_SPEC = "https://civic-platform.cn/public/"


def public_root_fields(supergraph: Supergraph) -> frozenset[str]:
    """Query fields the subgraphs declared public (a district's public notices, 立项公示), plus __typename.

    Learnt from the composed supergraph, so the subgraph's declaration is the only list. The
    directive counts only under the name the supergraph's @link of our spec gives it: a `@public`
    of some other origin opens nothing.
    """
    directive = supergraph.imported_name(PUBLIC_SPEC, "public")
    query = supergraph.root_types.get("query", "Query")
    fields = supergraph.fields_with_directive(query, directive) if directive else frozenset()
    return fields | {"__typename"}


def is_public_operation(operation, public_fields: frozenset[str]) -> bool:
    roots = operation.selection_set.selections
    return bool(roots) and all(isinstance(node, FieldNode) and node.name.value in public_fields for node in roots)


def unauthenticated(error: DomainError | None = None) -> dict:
    message = error.message if error else "this needs a token: send 'Authorization: Bearer <token>'"
    return {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}


__all__ = [
    "Unauthenticated", "is_public_operation", "public_root_fields", "unauthenticated",
]
