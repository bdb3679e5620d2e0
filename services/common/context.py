"""The per-request context: who is calling, which districts they may touch, and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, OperationDefinitionNode, value_from_ast_untyped

from .auth import Principal, bearer_token, verify_token
from .errors import DomainError, Unauthenticated

if TYPE_CHECKING:
    from .service import ServiceDefinition


@dataclass
class RequestContext:
    service: "ServiceDefinition"
    principal: Principal | None
    auth_error: DomainError | None = None
    request: Any = None
    response: Any = None
    loaders: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def require_principal(self) -> Principal:
        if self.auth_error is not None:
            raise self.auth_error
        if self.principal is None:
            raise Unauthenticated("this needs a token: send 'Authorization: Bearer <token>'")
        return self.principal

    def require_role(self, *roles: str) -> Principal:
        principal = self.require_principal()
        principal.require_role(*roles)
        return principal


async def build_context(service: "ServiceDefinition", authorization: str | None, **kwargs: Any) -> RequestContext:
    """Never raises: a bad token is kept and raised by the first field that needs a caller."""
    principal = None
    auth_error = None
    try:
        token = bearer_token(authorization)
        if token:
            principal = verify_token(token)
            if principal.is_city_admin:
                principal = principal.with_districts(await service.city_districts(principal.city))
    except DomainError as exc:
        auth_error = exc
    return RequestContext(
        service=service, principal=principal, auth_error=auth_error, loaders=service.make_loaders(), **kwargs
    )


def tenant_districts(context: RequestContext, operation: OperationDefinitionNode | None, variables: dict | None) -> list[str]:
    """The districts this operation's transaction may see.

    A caller's verified token decides, except for an operation made only of public root fields
    (such as a district's public notices), which sees the districts named in their arguments.
    Anything else sees nothing: row-level security fails closed.
    """
    public = context.service.public_root_fields
    roots = [sel for sel in (operation.selection_set.selections if operation else []) if isinstance(sel, FieldNode)]
    if public and roots and all(node.name.value in public or node.name.value == "__typename" for node in roots):
        named: list[str] = []
        for node in roots:
            for arg in node.arguments or ():
                if arg.name.value == "district":
                    value = value_from_ast_untyped(arg.value, variables or {})
                    if isinstance(value, str):
                        named.append(value)
        return named
    if context.principal is not None and context.auth_error is None:
        return list(context.principal.districts)
    return []
