"""Who may call which root field, declared once beside the field: `permission_classes=[BureauAdmin]`.

Every root Query and Mutation field names exactly one of these; `declared()` refuses a root type with
a field that names none, so a new field cannot ship open by omission. A refusal raises the same
DomainError a resolver used to raise, so the client still sees extensions.code UNAUTHENTICATED or
FORBIDDEN (Strawberry 0.341 lets an exception from `has_permission` through as the field's error, with
`original_error` set, which services.common.api.operation.classify reads).
"""

from __future__ import annotations

from typing import Any

import strawberry
import strawberry.federation
from graphql import GraphQLSchema
from strawberry.permission import BasePermission
from strawberry.schema_directive import Location

from services.common.kernel.auth import BUREAU_ADMIN, CITY_ADMIN, EVALUATOR, ORG_MEMBER, REVIEWER, SUBDISTRICT_OFFICER
from services.common.kernel.errors import Unauthenticated


def verified_caller(context: Any):
    """The verified principal, or the reason there is none (a bad token's own error first)."""
    if context.auth_error is not None:
        raise context.auth_error
    if context.principal is None:
        raise Unauthenticated("this needs a token: send 'Authorization: Bearer <token>'")
    return context.principal


class Authenticated(BasePermission):
    """Any verified caller; what they then see is narrowed by their tenant (row-level security)."""

    # No role prefix in descriptions: reads are open to every role of the district.
    label: str | None = None
    roles: frozenset[str] | None = None  # None: every role

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        # Raise, never return False: Strawberry's own refusal is an error with no DomainError behind it,
        # which format_error could not label UNAUTHENTICATED or FORBIDDEN.
        principal = verified_caller(info.context)
        if self.roles is not None:
            principal.require_role(*self.roles)  # raises Forbidden naming the roles needed
        return True


def roles(*names: str, label: str | None = None) -> type[Authenticated]:
    """A permission for callers holding any one of `names`, e.g. `BureauAdmin = roles(BUREAU_ADMIN)`.

    `label` is how descriptions name the callers; by default the roles themselves.
    """
    if not names:
        raise ValueError("a role permission names at least one role")
    class_name = "".join(part.capitalize() for name in names for part in name.split("_"))
    return type(class_name, (Authenticated,), {
        "roles": frozenset(names),
        "label": label or " or ".join(names),
        "__doc__": f"Callers with the role {' or '.join(names)}.",
    })


# The gateway trusts `@public` only from this spec (services/gateway/policy/tokens.py PUBLIC_SPEC;
# tests/test_supergraph.py checks the two agree).
@strawberry.federation.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="public",
    compose=True,
    import_url="https://civic-platform.cn/public/v1.0",
    description="Anyone may query this root field without a token; it scopes itself by its arguments.",
)
class PublicDirective:
    """`@public` in the subgraph SDL: composed into the supergraph, where the gateway reads it."""


class Public(BasePermission):
    """No token needed. The field carries `@public`, the one place the gateway learns it is public."""

    label = "Public, no token"
    roles = None
    # What BasePermission.schema_directive returns for this class (instead of Strawberry's automatic one).
    _schema_directive = PublicDirective()

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return True


CityAdmin = roles(CITY_ADMIN)
BureauAdmin = roles(BUREAU_ADMIN)
Reviewer = roles(REVIEWER)
OrgMember = roles(ORG_MEMBER)
Evaluator = roles(EVALUATOR)
BureauOrOfficer = roles(BUREAU_ADMIN, SUBDISTRICT_OFFICER)
BureauOrEvaluator = roles(BUREAU_ADMIN, EVALUATOR)
BureauOrCity = roles(BUREAU_ADMIN, CITY_ADMIN)
# Every role but city_admin: city-wide tokens never write a district's data.
DistrictUser = roles(BUREAU_ADMIN, SUBDISTRICT_OFFICER, ORG_MEMBER, EVALUATOR, REVIEWER, label="Any district user")


def declared(root: type) -> type:
    """Check a root type before it becomes a schema: each field declares exactly one permission.

    Then, from that one declaration: the field's description starts with who may call it (so the
    text cannot drift from the check), and a permission's schema directive (`@public`) goes onto the
    field. Strawberry adds permission directives only for `extensions=[PermissionExtension(...)]`,
    not for `permission_classes=`, hence this step.
    """
    for field in root.__strawberry_definition__.fields:
        permissions = field.permission_classes
        if len(permissions) != 1:
            raise TypeError(
                f"{root.__name__}.{field.python_name} must declare exactly one permission class "
                f"(permission_classes=[...] from services.common.api.permissions), not {len(permissions)}"
            )
        permission = permissions[0]
        label = getattr(permission, "label", None)
        if label and not (field.description or "").startswith(label):
            field.description = f"{label}: {field.description}" if field.description else label
        directive = permission._schema_directive  # only a directive declared on the class, never Strawberry's automatic one
        if directive is not None and directive not in field.directives:
            field.directives.append(directive)
    return root


def permission_of(schema: strawberry.federation.Schema | GraphQLSchema, type_name: str, field_name: str) -> type | None:
    """The permission class a root field declares (by GraphQL names), None if it declares none."""
    graphql_schema = schema if isinstance(schema, GraphQLSchema) else schema._schema
    field = graphql_schema.get_type(type_name).fields[field_name]
    definition = (field.extensions or {}).get("strawberry-definition")
    permissions = getattr(definition, "permission_classes", None) or []
    return permissions[0] if len(permissions) == 1 else None


def public_root_fields(schema: strawberry.federation.Schema) -> frozenset[str]:
    """Root fields (Query's and Mutation's) declared Public, by GraphQL name."""
    roots = [t for t in (schema._schema.query_type, schema._schema.mutation_type) if t is not None]
    return frozenset(name for root in roots for name in root.fields if permission_of(schema, root.name, name) is Public)
