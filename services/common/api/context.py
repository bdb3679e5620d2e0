"""The per-request context: who is calling, which districts they may touch, and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import OperationDefinitionNode, OperationType

from services.common.kernel.auth import Principal, bearer_token
from services.common.kernel.token_cache import verified_tokens
from services.common.kernel.errors import DomainError

@dataclass
class RequestContext:
    # The runtime's ServiceDefinition (runtime/service.py); typed loosely so this layer stays below it.
    service: Any
    principal: Principal | None
    auth_error: DomainError | None = None
    request: Any = None
    response: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    _loaders: Any = field(default=None, repr=False)

    @property
    def loaders(self) -> Any:
        """This request's DataLoaders (the service's make_loaders), built when a resolver first asks: most
        operations batch nothing, and each loader is a small cycle of closures left to the collector."""
        if self._loaders is None:
            self._loaders = self.service.make_loaders()
        return self._loaders


async def build_context(service: Any, authorization: str | None, **kwargs: Any) -> RequestContext:
    """Never raises: a bad token is kept and raised by the first field that needs a caller."""
    principal = None
    auth_error = None
    try:
        token = bearer_token(authorization)
        if token:
            principal = verified_tokens.verify(token)  # verified once per token until its exp
            if principal.is_city_admin:
                principal = principal.with_districts(await service.city_districts(principal.city))
    except DomainError as exc:
        auth_error = exc
    return RequestContext(
        service=service, principal=principal, auth_error=auth_error, **kwargs
    )


def tenant_districts(context: RequestContext, operation: OperationDefinitionNode | None) -> tuple[str, ...]:
    """The districts this operation's transaction may see: the verified token decides, nothing else.

    No argument, directive or fragment of the operation is read here, so none can widen the tenant.
    A query sees the caller's districts (a city admin's: every district of its city); a mutation runs
    in exactly the caller's home district, so a city-wide token writes no district's data (onboarding
    admits its one new district itself). Without a verified caller the transaction sees no tenant rows;
    public data (published notices) comes through its own narrow database function.
    """
    principal = context.principal
    if principal is None or context.auth_error is not None:
        return ()
    if operation is not None and operation.operation is OperationType.MUTATION:
        return () if principal.is_city_admin or principal.district is None else (principal.district,)
    return tuple(principal.districts)
