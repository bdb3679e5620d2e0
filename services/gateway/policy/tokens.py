"""Tokens at the edge: verified before any plan runs; only the Authorization header goes on."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping

from graphql import FieldNode

from services.common.kernel.auth import Principal, bearer_token, verify_token_until
from services.common.kernel.errors import DomainError, Unauthenticated

from ..engine.supergraph import Supergraph

# The spec of the directive a subgraph puts on a root field anyone may query without a token
# (services.common.api.permissions.Public); a supergraph that does not link it has no public field.
PUBLIC_SPEC = "https://civic-platform.cn/public/"


def forward_authorization(headers: Mapping[str, str]) -> dict[str, str]:
    """Subgraphs verify the token again; no other client header is ever forwarded."""
    value = headers.get("authorization")
    return {"authorization": value} if value else {}


class VerifiedTokens:
    """Tokens already verified, until they expire: a portal sends the same token on every request.

    Verification is verify_token_until's, the subgraphs' own; an entry lives until the token's exp and no
    longer. The leeway forgives clock skew when a token is verified, so a token just past exp is verified
    afresh (and refused once past the leeway) rather than served from here.
    """

    def __init__(self, maxsize: int = 10_000) -> None:
        self.maxsize = maxsize
        self._seen: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def principal(self, authorization: str | None) -> Principal | None:
        """The verified caller, None without a token; a bad token raises Unauthenticated."""
        token = bearer_token(authorization)
        if not token:
            return None
        hit = self._seen.get(token)
        if hit is not None:
            if hit[1] > time.time():
                return hit[0]
            del self._seen[token]
        principal, expires = verify_token_until(token)
        if expires > time.time():
            self._seen[token] = (principal, expires)
            if len(self._seen) > self.maxsize:
                self._seen.popitem(last=False)
        return principal


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
    "Unauthenticated", "VerifiedTokens", "forward_authorization", "is_public_operation", "public_root_fields",
    "unauthenticated",
]
