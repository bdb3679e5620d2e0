"""Operations an attacker would send, generated from the composed supergraph rather than listed by hand.

Every root field and every entity type of the supergraph becomes operations in several disguises
(plain, aliased, inside inline and named fragments, beside a public field skipped by a directive),
each aimed at the gateway or straight at the subgraph that resolves it. A new field or entity type
is attacked the day it is composed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    get_named_type,
    is_leaf_type,
    is_required_argument,
    is_required_input_field,
    value_from_ast_untyped,
)

# How many object levels below a root field a generated selection opens (a connection's edges.node is two).
DEPTH = 4
PUBLIC_DECOY = 'publicNotices(district: $decoy) @include(if: false) { title }'


@dataclass(frozen=True)
class Attack:
    """One operation, with the subgraph it may go to directly (None: through the gateway only)."""

    name: str
    graph: str
    query: str
    variables: dict


class Supergraph:
    """The supergraph's types, with which subgraph resolves each field (join spec v0.3)."""

    def __init__(self, sdl: str) -> None:
        self.schema: GraphQLSchema = build_schema(sdl, assume_valid_sdl=True)
        graph_enum = self.schema.get_type("join__Graph")
        self.graph_names = {name: value.ast_node.directives[0].arguments[0].value.value
                            for name, value in graph_enum.values.items()}

    def _directive_args(self, node, name: str) -> list[dict]:
        found = []
        for directive in (node.directives or ()) if node is not None else ():
            if directive.name.value == name:
                found.append({a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments})
        return found

    def type_graphs(self, type_) -> list[dict]:
        nodes = [type_.ast_node, *(type_.extension_ast_nodes or ())]
        return [args for node in nodes for args in self._directive_args(node, "join__type")]

    def field_graphs(self, type_, field_name: str) -> set[str]:
        """The subgraphs that resolve this field (not merely declare it @external)."""
        joins = self._directive_args(type_.fields[field_name].ast_node, "join__field")
        if joins:
            return {self.graph_names[j["graph"]] for j in joins if j.get("graph") and not j.get("external")}
        return {self.graph_names[j["graph"]] for j in self.type_graphs(type_)}

    def entity_keys(self) -> list[tuple[str, str, str]]:
        """(type name, subgraph, key field) for every resolvable @key of every type."""
        keys = []
        for type_ in self.schema.type_map.values():
            if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__"):
                for join in self.type_graphs(type_):
                    if join.get("key") and join.get("resolvable", True) is not False:
                        keys.append((type_.name, self.graph_names[join["graph"]], join["key"]))
        return keys

    def selection(self, type_, graph: str | None, depth: int = DEPTH) -> str:
        """Every field without required arguments, `__typename` at every level; `graph` keeps to one subgraph."""
        named = get_named_type(type_)
        if is_leaf_type(named):
            return ""
        if isinstance(named, (GraphQLUnionType, GraphQLInterfaceType)):
            members = self.schema.get_possible_types(named)
            inner = " ".join(f"... on {m.name} {self.selection(m, graph, depth)}" for m in members)
            return "{ __typename " + inner + " }"
        parts = ["__typename"]
        for name, field in named.fields.items():
            if graph is not None and graph not in self.field_graphs(named, name):
                continue
            if any(is_required_argument(a) for a in field.args.values()):
                continue
            child = get_named_type(field.type)
            if is_leaf_type(child):
                parts.append(name)
            elif depth > 1:
                parts.append(f"{name} {self.selection(child, graph, depth - 1)}")
        return "{ " + " ".join(parts) + " }"

    def root_fields(self, operation: str = "Query"):
        root = self.schema.get_type(operation)
        for name, field in root.fields.items():
            yield name, field, sorted(self.field_graphs(root, name))


def argument_value(type_, ids: dict[str, list[str]], district: str, arg_name: str = ""):
    """A well-formed value of the victim's: its ids for ID arguments, its district for district arguments."""
    if isinstance(type_, GraphQLNonNull):
        return argument_value(type_.of_type, ids, district, arg_name)
    if isinstance(type_, GraphQLList):
        return [argument_value(type_.of_type, ids, district, arg_name)]
    if isinstance(type_, GraphQLInputObjectType):
        return {name: argument_value(f.type, ids, district, name) for name, f in type_.fields.items()
                if is_required_input_field(f) or name.endswith(("Id", "Ids"))}
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    name = type_.name
    if name == "ID":
        return victim_id(ids, arg_name)
    if "district" in arg_name.lower() or arg_name == "code":
        return district
    if arg_name.lower().endswith("code"):
        return district[:4]
    return {"String": "x", "Int": 1, "Float": 1.0, "Boolean": True, "Money": "1.00", "Date": "2030-01-01",
            "DateTime": "2030-01-01T00:00:00Z", "JSON": {}}.get(name, "x")


def victim_id(ids: dict[str, list[str]], arg_name: str) -> str:
    """The victim's id whose type the argument names (`projectId` -> a Project), else any of its ids."""
    stem = arg_name.lower().removesuffix("ids").removesuffix("id")
    for type_name, values in sorted(ids.items()):
        if stem and stem in type_name.lower() and values:
            return values[0]
    return next(v for values in ids.values() for v in values)


def query_attacks(supergraph: Supergraph, ids: dict[str, list[str]], district: str,
                  *, direct: bool) -> list[Attack]:
    """Each root Query field, in four disguises."""
    attacks = []
    for name, field, graphs in supergraph.root_fields("Query"):
        if name == "publicNotices":
            continue
        for graph in graphs if direct else [None]:
            # Through the gateway one level less: the full depth of an entity prices past its cost limit.
            selection = supergraph.selection(field.type, graph, depth=DEPTH if graph else DEPTH - 1)
            shallow = supergraph.selection(field.type, graph, depth=2)
            typed = get_named_type(field.type).name
            decoy = PUBLIC_DECOY if graph in (None, "funding") else ""
            variables: dict = {"decoy": district} if decoy else {}
            params, args = (["$decoy: String!"] if decoy else []), []
            for arg_name, arg in field.args.items():
                # Required arguments, and every id or district an attacker could point at the victim.
                if is_required_argument(arg) or arg_name in ("district", "code") or str(arg.type).startswith("ID"):
                    var = f"v_{arg_name}"
                    hint = arg_name if arg_name != "id" else f"{typed}Id"
                    variables[var] = argument_value(arg.type, ids, district, hint)
                    params.append(f"${var}: {arg.type}")
                    args.append(f"{arg_name}: ${var}")
            call = f"{name}({', '.join(args)})" if args else name
            head = f"query Attack({', '.join(params)})" if params else "query Attack"
            forms = {
                "plain": f"{head} {{ {decoy} {call} {selection} }}",
                "aliased": f"{head} {{ {decoy} a1: {call} {selection} a2: {call} {shallow} }}",
                "inline fragment": f"{head} {{ {decoy} ... on Query @include(if: true) {{ {call} {selection} }} }}",
                "named fragment": f"{head} {{ ...F {decoy} }} fragment F on Query {{ {call} @skip(if: false) {selection} }}",
            }
            for form, query in forms.items():
                attacks.append(Attack(f"{name} ({form})", graph or "gateway", query, variables))
    return attacks


def entity_attacks(supergraph: Supergraph, ids: dict[str, list[str]], district: str) -> list[Attack]:
    """`_entities` for every entity type at every subgraph that resolves it, with the victim's keys."""
    attacks = []
    for type_name, graph, key in supergraph.entity_keys():
        values = [district] if key == "code" else ids.get(type_name, [])
        if not values:
            continue
        selection = supergraph.selection(supergraph.schema.get_type(type_name), graph, depth=3)
        reps = [{"__typename": type_name, key: value} for value in values[:3]]
        query = f"query($reps: [_Any!]!) {{ _entities(representations: $reps) {{ ... on {type_name} {selection} }} }}"
        attacks.append(Attack(f"_entities {type_name}", graph, query, {"reps": reps}))
    return attacks


def mutation_attacks(supergraph: Supergraph, ids: dict[str, list[str]], district: str) -> list[Attack]:
    """Every mutation, aimed at the victim's ids, at the subgraph that resolves it."""
    attacks = []
    for name, field, graphs in supergraph.root_fields("Mutation"):
        typed = get_named_type(field.type).name
        variables, params, args = {}, [], []
        for arg_name, arg in field.args.items():
            if is_required_argument(arg) or arg_name.endswith("Id"):
                hint = arg_name if arg_name != "id" else f"{typed}Id"
                variables[arg_name] = argument_value(arg.type, ids, district, hint)
                params.append(f"${arg_name}: {arg.type}")
                args.append(f"{arg_name}: ${arg_name}")
        head = f"mutation Attack({', '.join(params)})" if params else "mutation Attack"
        call = f"{name}({', '.join(args)})" if args else name
        leaf = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
        for graph in graphs:
            attacks.append(Attack(name, graph, f"{head} {{ {call}{leaf} }}", variables))
    return attacks


def walk(value, path=()):
    """(path, leaf) for every leaf of a GraphQL answer."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from walk(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from walk(child, (*path, index))
    else:
        yield path, value


def typed_ids(data) -> dict[str, list[str]]:
    """Ids by __typename, from an answer that selected both at every level."""
    found: dict[str, list[str]] = {}

    def visit(value):
        if isinstance(value, dict):
            if value.get("__typename") and isinstance(value.get("id"), str):
                ids = found.setdefault(value["__typename"], [])
                if value["id"] not in ids:
                    ids.append(value["id"])
            for child in value.values():
                visit(child)
        elif isinstance(value, list):
            for child in value:
                visit(child)

    visit(data)
    return found


def chunks(items, size):
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
