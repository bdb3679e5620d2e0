"""Parse an Apollo join-spec supergraph SDL (join v0.3 - v0.5) into a data model.

The model answers the planner's questions: which subgraphs own a type and with
which keys, which subgraphs can resolve a field, and what a field requires or
provides in a given subgraph. It also keeps the other directives applied to
each field (e.g. ones the subgraphs composed), for a policy layer to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SelectionSetNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    parse,
    value_from_ast_untyped,
)


class SupergraphError(ValueError):
    """The SDL is not a usable join-spec supergraph."""


@dataclass(frozen=True)
class Subgraph:
    name: str  # the @join__graph(name:) — used as the service name
    url: str
    enum_value: str  # the join__Graph enum value, e.g. PRODUCTS


@dataclass(frozen=True)
class EntityKey:
    subgraph: str
    fields: str  # raw field set, e.g. "upc" or "id org { id }"
    resolvable: bool = True

    @cached_property
    def selection_set(self) -> SelectionSetNode:
        return parse_field_set(self.fields)


@dataclass
class FieldJoin:
    """One @join__field application: how one subgraph sees the field."""

    subgraph: str
    requires: str | None = None
    provides: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    type: str | None = None

    @property
    def resolvable(self) -> bool:
        return not self.external and not self.used_overridden


@dataclass
class FieldInfo:
    name: str
    type_node: TypeNode
    # None when the field has no @join__field: every owner of the type resolves it.
    joins: dict[str, FieldJoin] | None = None
    # Directives applied to the field other than join__*: name -> the arguments of each application.
    directives: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def named_type(self) -> str:
        node = self.type_node
        while isinstance(node, (ListTypeNode, NonNullTypeNode)):
            node = node.type
        return node.name.value

    @property
    def list_depth(self) -> int:
        depth, node = 0, self.type_node
        while isinstance(node, (ListTypeNode, NonNullTypeNode)):
            if isinstance(node, ListTypeNode):
                depth += 1
            node = node.type
        return depth


@dataclass
class TypeInfo:
    name: str
    kind: str  # object | interface | union | enum | input | scalar
    owners: list[str] = field(default_factory=list)  # subgraphs with @join__type, ordered
    keys: list[EntityKey] = field(default_factory=list)
    interface_object_in: set[str] = field(default_factory=set)
    interfaces: list[str] = field(default_factory=list)
    implements_in: dict[str, set[str]] = field(default_factory=dict)  # subgraph -> interfaces
    members: list[str] = field(default_factory=list)  # union members
    members_in: dict[str, set[str]] = field(default_factory=dict)  # subgraph -> members
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    hidden_values: set[str] = field(default_factory=set)  # enum values marked @inaccessible

    def keys_in(self, subgraph: str, resolvable_only: bool = True) -> list[EntityKey]:
        return [
            k for k in self.keys if k.subgraph == subgraph and (k.resolvable or not resolvable_only)
        ]

    @property
    def is_abstract(self) -> bool:
        return self.kind in ("interface", "union")


@dataclass
class Supergraph:
    subgraphs: dict[str, Subgraph]
    types: dict[str, TypeInfo]
    root_types: dict[str, str]  # operation ("query"...) -> type name
    document: DocumentNode
    # The schema's @link applications (url, import, for, as), e.g. of the specs of composed directives.
    links: list[dict] = field(default_factory=list)

    def imported_name(self, url_prefix: str, directive: str) -> str | None:
        """The name `@directive` of the spec linked at `url_prefix` has here; None if it is not linked."""
        for link in self.links:
            if not str(link.get("url") or "").startswith(url_prefix):
                continue
            for item in link.get("import") or ():
                name, local = (item.get("name"), item.get("as") or item.get("name")) if isinstance(item, dict) else (item, item)
                if name == f"@{directive}":
                    return str(local).lstrip("@")
        return None

    # -- ownership questions -------------------------------------------------
    def type(self, name: str) -> TypeInfo:
        return self.types[name]

    def field(self, type_name: str, field_name: str) -> FieldInfo | None:
        t = self.types.get(type_name)
        return t.fields.get(field_name) if t else None

    def fields_with_directive(self, type_name: str, directive: str) -> frozenset[str]:
        """The fields of a type that carry `@directive` in the supergraph."""
        t = self.types.get(type_name)
        return frozenset(n for n, f in t.fields.items() if directive in f.directives) if t else frozenset()

    def knows_type(self, subgraph: str, type_name: str) -> bool:
        t = self.types.get(type_name)
        if t is None:
            return False
        # Types without any @join__type (e.g. built-in scalars) are everywhere.
        return not t.owners or subgraph in t.owners

    def field_join(self, subgraph: str, type_name: str, field_name: str) -> FieldJoin | None:
        f = self.field(type_name, field_name)
        if f is None:
            return None
        if f.joins is None:
            return FieldJoin(subgraph) if subgraph in self.types[type_name].owners else None
        return f.joins.get(subgraph)

    def resolvers_of(self, type_name: str, field_name: str) -> list[str]:
        """Subgraphs that resolve the field themselves (not external, not overridden)."""
        t = self.types[type_name]
        f = t.fields.get(field_name)
        if f is None:
            return []
        if f.joins is None:
            return list(t.owners)
        return [s for s in self.subgraphs if s in f.joins and f.joins[s].resolvable]

    def possible_types(self, type_name: str) -> list[str]:
        t = self.types[type_name]
        if t.kind == "object":
            return [t.name]
        if t.kind == "union":
            return list(t.members)
        return sorted(
            o.name for o in self.types.values() if o.kind == "object" and type_name in o.interfaces
        )

    def possible_types_in(self, subgraph: str, type_name: str) -> list[str]:
        """Runtime object types the subgraph can return for an abstract type."""
        t = self.types[type_name]
        if t.kind == "object":
            return [t.name]
        if t.kind == "union":
            if t.members_in:
                return [m for m in t.members if m in t.members_in.get(subgraph, set())]
            return [m for m in t.members if self.knows_type(subgraph, m)]
        if subgraph in t.interface_object_in:
            return []
        result = []
        for name in self.possible_types(type_name):
            o = self.types[name]
            if not self.knows_type(subgraph, name):
                continue
            if o.implements_in and type_name not in o.implements_in.get(subgraph, set()):
                continue
            result.append(name)
        return result


def parse_field_set(fields: str) -> SelectionSetNode:
    doc = parse("{" + fields + "}", no_location=True)
    return doc.definitions[0].selection_set  # type: ignore[attr-defined]


def _args(directive) -> dict:
    return {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}


def _directives(node, name: str) -> list[dict]:
    return [_args(d) for d in (node.directives or ()) if d.name.value == name]


_KINDS = {
    ObjectTypeDefinitionNode: "object",
    ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union",
    UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum",
    EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
}


def parse_supergraph(sdl: str) -> Supergraph:
    document = parse(sdl)
    graph_names = _parse_join_graph(document)
    if not graph_names:
        raise SupergraphError("supergraph has no `enum join__Graph` with @join__graph values")
    subgraphs = {s.name: s for s in graph_names.values()}

    def graph_of(args: dict) -> str:
        return graph_names[args["graph"]].name

    root_types = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
    types: dict[str, TypeInfo] = {}
    links: list[dict] = []
    for node in document.definitions:
        if isinstance(node, SchemaDefinitionNode):
            for op in node.operation_types:
                root_types[op.operation.value] = op.type.name.value
            links += _directives(node, "link")
            continue
        name_node = getattr(node, "name", None)
        if name_node is None or not hasattr(node, "kind"):
            continue
        name = name_node.value
        if name.startswith(("join__", "link__")):
            continue
        kind = _KINDS.get(type(node), "scalar" if "scalar" in node.kind else None)
        if kind is None:
            continue
        t = types.setdefault(name, TypeInfo(name, kind))
        for jt in _directives(node, "join__type"):
            sub = graph_of(jt)
            if sub not in t.owners:
                t.owners.append(sub)
            if jt.get("key"):
                t.keys.append(EntityKey(sub, jt["key"], jt.get("resolvable", True) is not False))
            if jt.get("isInterfaceObject"):
                t.interface_object_in.add(sub)
        for ji in _directives(node, "join__implements"):
            t.implements_in.setdefault(graph_of(ji), set()).add(ji["interface"])
        for jm in _directives(node, "join__unionMember"):
            t.members_in.setdefault(graph_of(jm), set()).add(jm["member"])
        t.interfaces += [i.name.value for i in getattr(node, "interfaces", None) or ()]
        t.members += [m.name.value for m in getattr(node, "types", None) or ()]
        if kind == "enum":
            t.hidden_values |= {v.name.value for v in node.values or () if _directives(v, "inaccessible")}
        if kind in ("object", "interface"):
            for fnode in node.fields or ():
                t.fields[fnode.name.value] = _parse_field(fnode, graph_of)
    root_types = {op: name for op, name in root_types.items() if name in types}
    return Supergraph(subgraphs, types, root_types, document, links)


def _parse_field(fnode, graph_of) -> FieldInfo:
    info = FieldInfo(fnode.name.value, fnode.type)
    for d in fnode.directives or ():
        if not d.name.value.startswith("join__"):
            info.directives.setdefault(d.name.value, []).append(_args(d))
    applications = _directives(fnode, "join__field")
    if not applications:
        return info
    info.joins = {}
    for jf in applications:
        if "graph" not in jf or jf["graph"] is None:
            continue  # @join__field without graph: no subgraph resolves it directly
        sub = graph_of(jf)
        info.joins[sub] = FieldJoin(
            sub,
            requires=jf.get("requires"),
            provides=jf.get("provides"),
            external=bool(jf.get("external")),
            override=jf.get("override"),
            used_overridden=bool(jf.get("usedOverridden")),
            type=jf.get("type"),
        )
    return info


def _parse_join_graph(document: DocumentNode) -> dict[str, Subgraph]:
    for node in document.definitions:
        if isinstance(node, EnumTypeDefinitionNode) and node.name.value == "join__Graph":
            result = {}
            for value in node.values or ():
                for jg in _directives(value, "join__graph"):
                    result[value.name.value] = Subgraph(jg["name"], jg.get("url") or "", value.name.value)
            return result
    return {}
