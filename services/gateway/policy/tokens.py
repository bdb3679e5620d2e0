"""Tokens at the edge: which operations need none (public root fields), and the refusal without one.
Who a token's caller is, and the platform token the subgraphs get instead: callers.py."""

from __future__ import annotations

from graphql import FieldNode

from services.common.kernel.errors import DomainError, Unauthenticated

from ..engine.supergraph import Supergraph

# The spec of the directive a subgraph puts on a root field anyone may query without a token
# (services.common.api.permissions.Public); a supergraph that does not link it has no public field.
PUBLIC_SPEC = "https://civic-platform.cn/public/"


def public_root_fields(supergraph: Supergraph, operation: str = "query") -> frozenset[str]:
    """Root fields the subgraphs declared public, plus __typename: Query's (a district's public notices,
    立项公示) or, with operation="mutation", Mutation's (a resident's objection to a notice).

    Learnt from the composed supergraph, so the subgraph's declaration is the only list. The
    directive counts only under the name the supergraph's @link of our spec gives it: a `@public`
    of some other origin opens nothing.
    """
    directive = supergraph.imported_name(PUBLIC_SPEC, "public")
    root = supergraph.root_types.get(operation, operation.capitalize())
    fields = supergraph.fields_with_directive(root, directive) if directive else frozenset()
    return fields | {"__typename"}


def is_public_operation(operation, public_fields: frozenset[str]) -> bool:
    roots = operation.selection_set.selections
    return bool(roots) and all(isinstance(node, FieldNode) and node.name.value in public_fields for node in roots)


def is_public_mutation(operation, public_mutations: frozenset[str]) -> bool:
    """A token-less mutation made only of public Mutation fields (never `__typename` alone)."""
    return operation.operation.value == "mutation" and is_public_operation(operation, public_mutations) and any(
        isinstance(node, FieldNode) and node.name.value != "__typename" for node in operation.selection_set.selections)


def unauthenticated(error: DomainError | None = None) -> dict:
    message = error.message if error else "this needs a token: send 'Authorization: Bearer <token>'"
    return {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}


__all__ = [
    "Unauthenticated", "is_public_mutation", "is_public_operation", "public_root_fields", "unauthenticated",
]
