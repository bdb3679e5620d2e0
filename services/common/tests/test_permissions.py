"""Every root field's declared permission is what a caller meets: walked from the schemas, not listed by hand.

Each root field of each subgraph is sent, with minimal but well-typed arguments built from its
argument types, as each role; the roles its permission class names may pass the check (whatever the
random ids then give), every other role gets FORBIDDEN naming the roles, and nothing else.
"""

from __future__ import annotations

import importlib
import json
import uuid

import pytest
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_composite_type,
)
from graphql.pyutils import Undefined

from services.common.kernel.auth import ROLES
from services.common.api.permissions import BureauAdmin, Public, declared, permission_of
from services.common.runtime.subgraph import create_app
from tests.support import DAOLI, HARBIN, GraphQLClient, token

SERVICES = ("registry", "funding", "evaluation")
MACHINERY = {"_service", "_entities"}  # added by federation, answered for the gateway
SCALARS = {
    "ID": lambda: json.dumps(str(uuid.uuid4())),
    "String": lambda: '"x"',
    "Int": lambda: "1",
    "Float": lambda: "1.0",
    "Boolean": lambda: "true",
    "Money": lambda: '"1.00"',
    "Date": lambda: '"2030-01-01"',
    "DateTime": lambda: '"2030-01-01T00:00:00Z"',
    "JSON": lambda: "{}",
}


def _service(name: str):
    return importlib.import_module(f"services.{name}.service").service


def _root_fields() -> list[tuple[str, str, str]]:
    out = []
    for name in SERVICES:
        schema = _service(name).schema._schema
        for root in (schema.query_type, schema.mutation_type):
            out += [(name, root.name, field) for field in root.fields if field not in MACHINERY]
    return out


ROOT_FIELDS = _root_fields()


def literal(type_) -> str:
    """A syntactically valid value of the type: required input fields only, lists of one."""
    if isinstance(type_, GraphQLNonNull):
        return literal(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{literal(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return "{" + ", ".join(f"{name}: {literal(f.type)}" for name, f in type_.fields.items() if _required(f)) + "}"
    assert isinstance(type_, GraphQLScalarType) and type_.name in SCALARS, f"no literal for {type_}"
    return SCALARS[type_.name]()


def _required(arg_or_input_field) -> bool:
    return isinstance(arg_or_input_field.type, GraphQLNonNull) and arg_or_input_field.default_value is Undefined


def operation(service: str, root: str, field_name: str) -> str:
    schema = _service(service).schema._schema
    field = schema.get_type(root).fields[field_name]
    args = [f"{name}: {literal(a.type)}" for name, a in field.args.items() if _required(a)]
    selection = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
    keyword = "mutation" if root == "Mutation" else "query"
    return f"{keyword} {{ {field_name}{'(' + ', '.join(args) + ')' if args else ''}{selection} }}"


def role_token(role: str) -> str:
    if role == "city_admin":
        return token(None, role, city=HARBIN)
    # Claims a role's work needs (its organization, agency, subdistrict), so that only the role decides.
    return token(DAOLI, role, org=str(uuid.uuid4()), agency=str(uuid.uuid4()), subdistrict="x")


@pytest.fixture(scope="module")
async def clients():
    clients = {name: GraphQLClient(create_app(_service(name), manage_database=False, workers=False)) for name in SERVICES}
    yield clients
    for client in clients.values():
        await client.close()


def test_every_root_field_declares_exactly_one_permission():
    missing = [f"{s}: {root}.{f}" for s, root, f in ROOT_FIELDS if permission_of(_service(s).schema, root, f) is None]
    assert not missing, f"root fields without permission_classes=[...]: {missing}"


def test_a_root_type_with_an_undeclared_field_is_refused():
    @strawberry.type
    class Mutation:
        @strawberry.mutation(permission_classes=[BureauAdmin])
        def fine(self) -> int:
            return 1

        @strawberry.mutation
        def forgotten(self) -> int:
            return 1

    with pytest.raises(TypeError, match="Mutation.forgotten must declare exactly one permission"):
        declared(Mutation)


def test_descriptions_name_the_declared_roles():
    for s, root, f in ROOT_FIELDS:
        permission = permission_of(_service(s).schema, root, f)
        description = _service(s).schema._schema.get_type(root).fields[f].description or ""
        if permission.label:
            assert description.startswith(f"{permission.label}:") or description == permission.label, (s, f)


def test_public_fields_carry_the_directive_and_are_the_services_public_root_fields():
    for name in SERVICES:
        service = _service(name)
        sdl = service.schema.as_str()
        public = {f for s, root, f in ROOT_FIELDS if s == name and permission_of(service.schema, root, f) is Public}
        assert service.public_root_fields == public
        for field in public:
            assert any(line.strip().startswith(field) and "@public" in line for line in sdl.splitlines()), field
    assert _service("funding").public_root_fields == {"publicNotices", "lodgePublicObjection"}


async def meets_declared_permission(client: GraphQLClient, service: str, root: str, field_name: str) -> list[str]:
    """What goes wrong when each role, and no token, sends the field; empty when nothing does."""
    permission = permission_of(_service(service).schema, root, field_name)
    allowed = ROLES if permission.roles is None else permission.roles
    query = operation(service, root, field_name)
    wrong = []
    for role in sorted(ROLES):
        body = await client.post(query, token=role_token(role))
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or ()]
        if role in allowed:
            if {"FORBIDDEN", "UNAUTHENTICATED", "INTERNAL_SERVER_ERROR"} & set(codes):
                wrong.append(f"{field_name} as {role} (allowed): {body['errors']}")
        elif codes != ["FORBIDDEN"] or (body["data"] or {}).get(field_name) is not None:
            wrong.append(f"{field_name} as {role} (not allowed): {body}")
        elif not all(r in body["errors"][0]["message"] for r in permission.roles):
            wrong.append(f"{field_name} as {role}: the refusal does not name the roles: {body['errors'][0]['message']}")
    anonymous = await client.post(query)
    codes = [e.get("extensions", {}).get("code") for e in anonymous.get("errors") or ()]
    if (permission is Public and "UNAUTHENTICATED" in codes) or (permission is not Public and codes != ["UNAUTHENTICATED"]):
        wrong.append(f"{field_name} without a token: {anonymous}")
    return wrong


# One test per subgraph, not per field: each test empties every table first, which costs more than the requests.
@pytest.mark.parametrize("service", SERVICES)
async def test_each_role_meets_each_root_fields_declared_permission(databases, clients, service):
    fields = [(root, f) for s, root, f in ROOT_FIELDS if s == service]
    assert any(root == "Mutation" for root, _ in fields)
    wrong = [w for root, f in fields for w in await meets_declared_permission(clients[service], service, root, f)]
    assert not wrong, "\n".join(wrong)
