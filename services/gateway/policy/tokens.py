"""Tokens at the edge: verified before any plan runs; only the Authorization header goes on."""

from __future__ import annotations

from collections.abc import Mapping

from graphql import FieldNode

from services.common.auth import Principal, bearer_token, verify_token
from services.common.errors import DomainError, Unauthenticated

# Root fields anyone may query without a token (a district's public notices, 立项公示).
PUBLIC_ROOT_FIELDS = frozenset({"publicNotices", "__typename"})


def forward_authorization(headers: Mapping[str, str]) -> dict[str, str]:
    """Subgraphs verify the token again; no other client header is ever forwarded."""
    value = headers.get("authorization")
    return {"authorization": value} if value else {}


def principal_from_headers(headers: Mapping[str, str]) -> Principal | None:
    """The verified caller, None without a token; a bad token raises Unauthenticated."""
    token = bearer_token(headers.get("authorization"))
    return verify_token(token) if token else None


def is_public_operation(operation) -> bool:
    roots = operation.selection_set.selections
    return bool(roots) and all(isinstance(node, FieldNode) and node.name.value in PUBLIC_ROOT_FIELDS for node in roots)


def unauthenticated(error: DomainError | None = None) -> dict:
    message = error.message if error else "this needs a token: send 'Authorization: Bearer <token>'"
    return {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}


__all__ = ["Unauthenticated", "forward_authorization", "is_public_operation", "principal_from_headers", "unauthenticated"]
