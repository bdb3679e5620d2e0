"""Compose Federation v2 subgraph SDLs into a join-spec v0.3 supergraph SDL.

Covers what Federation 2 subgraphs (e.g. written with strawberry) typically
use, including custom directives a subgraph composes (`@composeDirective` plus
the `@link` that imports it), which are carried into the supergraph as Apollo
composition carries them (on types, fields, arguments and enum values). Output
is deterministic (types sorted by name, subgraphs by name) so a checked-in
supergraph can be compared with a fresh composition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import (
    DirectiveDefinitionNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    parse,
    print_ast,
    value_from_ast_untyped,
)

BUILTIN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}
MACHINERY_TYPES = {"_Any", "_Entity", "_Service", "FieldSet", "_FieldSet", "link__Import", "link__Purpose"}
MACHINERY_FIELDS = {"_service", "_entities"}
KINDS = {
    ObjectTypeDefinitionNode: "object", ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface", InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union", UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum", EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input", InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar", ScalarTypeExtensionNode: "scalar",
}  # fmt: skip
FEDERATION_DIRECTIVES = ("key", "shareable", "external", "requires", "provides", "override", "inaccessible",
                         "interfaceObject", "extends", "tag")
EXTENSIONS = (ObjectTypeExtensionNode, InterfaceTypeExtensionNode, UnionTypeExtensionNode,
              EnumTypeExtensionNode, InputObjectTypeExtensionNode, ScalarTypeExtensionNode)


class CompositionError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("composition failed:\n" + "\n".join(f"  - {e}" for e in errors))
        self.errors = errors


@dataclass
class SubgraphSource:
    name: str
    url: str
    sdl: str


@dataclass(frozen=True)
class ComposedDirective:
    """A custom directive a subgraph keeps in the supergraph: `@composeDirective(name:)` and its `@link`."""

    name: str
    url: str
    import_item: str  # the @link import entry as printed, e.g. "@public"
    definition: str  # the printed `directive @name ... on ...`


@dataclass
class FieldDef:
    """One subgraph's definition of a field."""

    type: str
    node: object
    external: bool = False
    shareable: bool = False
    requires: str | None = None
    provides: str | None = None
    override: str | None = None
    inaccessible: bool = False
    composed: list[str] = field(default_factory=list)  # printed applications of composed directives


@dataclass
class TypeDef:
    """One subgraph's definition of a type."""

    kind: str
    extension: bool = False
    keys: list[tuple[str, bool]] = field(default_factory=list)
    shareable: bool = False
    interface_object: bool = False
    inaccessible: bool = False
    description: str | None = None
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    fields: dict[str, FieldDef] = field(default_factory=dict)
    composed: list[str] = field(default_factory=list)


def _directive_names(document) -> dict[str, str]:
    """Local directive name -> federation directive name, per the @link imports."""
    names = {}
    prefix = "federation__"
    linked = False
    for node in document.definitions:
        if not isinstance(node, (SchemaDefinitionNode, SchemaExtensionNode)):
            continue
        for d in node.directives or ():
            if d.name.value != "link":
                continue
            args = {a.name.value: value_from_ast_untyped(a.value) for a in d.arguments or ()}
            if "specs.apollo.dev/federation/" not in str(args.get("url")):
                continue
            linked = True
            if args.get("as"):
                prefix = f"{args['as']}__"
            for item in args.get("import") or ():
                if isinstance(item, dict):
                    names[item["as"].lstrip("@")] = item["name"].lstrip("@")
                else:
                    names[item.lstrip("@")] = item.lstrip("@")
    if not linked:  # no federation @link: directives are used under their plain names
        names = {n: n for n in FEDERATION_DIRECTIVES}
    names["__prefix__"] = prefix
    return names


def _fed_directives(node, names: dict[str, str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for d in getattr(node, "directives", None) or ():
        local = d.name.value
        canonical = names.get(local)
        if canonical is None and local.startswith(names["__prefix__"]):
            canonical = local[len(names["__prefix__"]):]
        if canonical is None:
            canonical = local if local in ("deprecated", "specifiedBy") else None
        if canonical:
            args = {a.name.value: value_from_ast_untyped(a.value) for a in d.arguments or ()}
            found.setdefault(canonical, []).append(args)
    return found


def read_composed_directives(source: SubgraphSource) -> tuple[dict[str, ComposedDirective], list[str]]:
    """The directives the subgraph composes, by name, and what is wrong with its declarations."""
    document = parse(source.sdl)
    names = _directive_names(document)
    schema_nodes = [n for n in document.definitions if isinstance(n, (SchemaDefinitionNode, SchemaExtensionNode))]
    wanted = [args["name"].lstrip("@") for node in schema_nodes
              for args in _fed_directives(node, names).get("composeDirective", ()) if args.get("name")]
    links: dict[str, tuple[str, str]] = {}  # local name -> (url, import entry as printed)
    for node in schema_nodes:
        for d in node.directives or ():
            if d.name.value != "link":
                continue
            url = next((value_from_ast_untyped(a.value) for a in d.arguments or () if a.name.value == "url"), None)
            imports = next((a.value for a in d.arguments or () if a.name.value == "import"), None)
            for item in getattr(imports, "values", None) or ():
                value = value_from_ast_untyped(item)
                local = (value.get("as") or value.get("name")) if isinstance(value, dict) else value
                links[str(local).lstrip("@")] = (url, print_ast(item))
    definitions = {n.name.value: n for n in document.definitions if isinstance(n, DirectiveDefinitionNode)}
    composed, errors = {}, []
    for name in wanted:
        if name not in links:
            errors.append(f'Directive "@{name}" is composed in subgraph "{source.name}" but no @link imports it')
        elif name not in definitions:
            errors.append(f'Directive "@{name}" is composed in subgraph "{source.name}" but not defined there')
        else:
            url, item = links[name]
            composed[name] = ComposedDirective(name, url, item, print_ast(definitions[name]))
    return composed, errors


def _composed(node, composed: set[str]) -> list[str]:
    return [print_ast(d) for d in getattr(node, "directives", None) or () if d.name.value in composed]


def read_subgraph(source: SubgraphSource, composed: set[str] = frozenset()) -> dict[str, TypeDef]:
    """The subgraph's types; applications of the `composed` directives are kept as printed."""
    document = parse(source.sdl)
    names = _directive_names(document)
    roots = {"Query": "Query", "Mutation": "Mutation", "Subscription": "Subscription"}
    for node in document.definitions:
        if isinstance(node, (SchemaDefinitionNode, SchemaExtensionNode)):
            for op in node.operation_types or ():
                roots[op.type.name.value] = op.operation.value.capitalize()
    types: dict[str, TypeDef] = {}
    for node in document.definitions:
        kind = KINDS.get(type(node))
        if kind is None:
            continue
        name = roots.get(node.name.value, node.name.value)
        if name in MACHINERY_TYPES or name.startswith(("federation__", "link__", "join__")):
            continue
        if kind == "scalar" and name in BUILTIN_SCALARS:
            continue
        fed = _fed_directives(node, names)
        t = types.setdefault(name, TypeDef(kind))
        t.extension = t.extension or isinstance(node, EXTENSIONS) or "extends" in fed
        t.keys += [(k["fields"], k.get("resolvable", True) is not False) for k in fed.get("key", ())]
        t.shareable = t.shareable or "shareable" in fed
        t.interface_object = t.interface_object or "interfaceObject" in fed
        t.inaccessible = t.inaccessible or "inaccessible" in fed
        if getattr(node, "description", None) and not t.description:
            t.description = node.description.value
        t.interfaces += [i.name.value for i in getattr(node, "interfaces", None) or ()]
        t.members += [m.name.value for m in getattr(node, "types", None) or ()]
        t.values += [v.name.value for v in getattr(node, "values", None) or ()]
        t.composed += [d for d in _composed(node, composed) if d not in t.composed]
        for fnode in getattr(node, "fields", None) or ():
            if fnode.name.value in MACHINERY_FIELDS:
                continue
            ffed = _fed_directives(fnode, names)
            t.fields[fnode.name.value] = FieldDef(
                type=print_ast(fnode.type),
                node=fnode,
                external=("external" in ffed) or ("external" in fed),
                shareable="shareable" in ffed,
                requires=(ffed.get("requires") or [{}])[0].get("fields"),
                provides=(ffed.get("provides") or [{}])[0].get("fields"),
                override=(ffed.get("override") or [{}])[0].get("from"),
                inaccessible="inaccessible" in ffed,
                composed=_composed(fnode, composed),
            )
        for vnode in getattr(node, "values", None) or ():
            hidden, applied = "inaccessible" in _fed_directives(vnode, names), _composed(vnode, composed)
            if hidden or applied:
                t.fields[vnode.name.value] = FieldDef("", vnode, inaccessible=hidden, composed=applied)
    return types


def graph_enum_name(name: str) -> str:
    value = re.sub(r"[^A-Za-z0-9_]", "_", name).upper()
    return f"_{value}" if value[0].isdigit() else value


def _nullable(type_text: str) -> str:
    return type_text[:-1] if type_text.endswith("!") else type_text


def _key_field_names(keys: list[tuple[str, bool]]) -> set[str]:
    return {word for fields, _ in keys for word in re.findall(r"[A-Za-z_]\w*", fields)}


class Composer:
    def __init__(self, sources: list[SubgraphSource]):
        self.sources = sorted(sources, key=lambda s: s.name)
        self.graphs = {s.name: graph_enum_name(s.name) for s in self.sources}
        self.errors: list[str] = []
        self.composed_in: dict[str, set[str]] = {}  # subgraph -> the directives it composes
        self.composed = self.merge_composed_directives()
        # Only a subgraph that composes a directive has its applications carried.
        self.subgraph_types = {s.name: read_subgraph(s, self.composed_in[s.name]) for s in self.sources}

    def merge_composed_directives(self) -> dict[str, ComposedDirective]:
        """One definition per composed directive; subgraphs composing it must agree on it."""
        merged: dict[str, ComposedDirective] = {}
        for source in self.sources:
            composed, errors = read_composed_directives(source)
            self.errors += errors
            self.composed_in[source.name] = set(composed)
            for name, directive in composed.items():
                if name in merged and merged[name] != directive:
                    self.errors.append(
                        f'Composed directive "@{name}" differs across subgraphs (definition or @link): '
                        f'"{source.name}" has {directive.definition} from {directive.url}, '
                        f"another has {merged[name].definition} from {merged[name].url}"
                    )
                merged.setdefault(name, directive)
        return dict(sorted(merged.items()))

    def definitions(self, type_name: str) -> list[tuple[str, TypeDef]]:
        return [(s, types[type_name]) for s, types in self.subgraph_types.items() if type_name in types]

    def compose(self) -> str:
        names = sorted({n for types in self.subgraph_types.values() for n in types})
        if "Query" not in names:
            raise CompositionError(["no subgraph defines a Query type" if self.sources else "no subgraphs given"])
        kinds = {name: self.merged_kind(name) for name in names}
        # Fields an @interfaceObject adds must appear on every implementation.
        implementations = {
            n: sorted({i for _, d in self.definitions(n) for i in d.interfaces}) for n in names if kinds[n] == "object"
        }
        blocks = [self.print_type(n, kinds[n], kinds, implementations) for n in names]
        if self.errors:
            raise CompositionError(self.errors)
        return "\n\n".join([self.header(names), *blocks]) + "\n"

    def merged_kind(self, name: str) -> str:
        kinds = {d.kind for _, d in self.definitions(name)}
        if "interface" in kinds and any(d.interface_object for _, d in self.definitions(name)):
            kinds.discard("object")
        if len(kinds) > 1:
            detail = ", ".join(f'{d.kind} in "{s}"' for s, d in self.definitions(name))
            self.errors.append(f'Type "{name}" has mismatched kinds across subgraphs: {detail}')
        return sorted(kinds)[0]

    # -- printing ---------------------------------------------------------------
    def header(self, names: list[str]) -> str:
        roots = [f"  {op}: {name}" for op, name in (("query", "Query"), ("mutation", "Mutation"),
                                                      ("subscription", "Subscription")) if name in names]
        graphs = "\n".join(
            f'  {self.graphs[s.name]} @join__graph(name: "{s.name}", url: "{s.url}")' for s in self.sources
        )
        # A composed directive keeps its own @link (so the supergraph names its spec) and its definition.
        links = "".join(f'  @link(url: "{d.url}", import: [{d.import_item}])\n' for d in self.composed.values())
        definitions = "".join(f"\n\n{d.definition}" for d in self.composed.values())
        return (
            "schema\n"
            '  @link(url: "https://specs.apollo.dev/link/v1.0")\n'
            '  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)\n'
            '  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)\n'
            + links + "{\n" + "\n".join(roots) + "\n}\n\n" + JOIN_DEFINITIONS + definitions
            + "\n\nenum join__Graph {\n" + graphs + "\n}"
        )

    def type_directives(self, name: str, kind: str) -> list[str]:
        out = []
        defs = self.definitions(name)
        for sub, d in defs:
            for iface in d.interfaces:
                out.append(f'@join__implements(graph: {self.graphs[sub]}, interface: "{iface}")')
        for sub, d in defs:
            extra = (", extension: true" if d.extension else "") + (
                ", isInterfaceObject: true" if d.interface_object else "")
            if not d.keys:
                out.append(f"@join__type(graph: {self.graphs[sub]}{extra})")
            for fields, resolvable in d.keys:
                res = "" if resolvable else ", resolvable: false"
                out.append(f'@join__type(graph: {self.graphs[sub]}, key: "{_escape(fields)}"{extra}{res})')
        if kind == "union":
            for sub, d in defs:
                out += [f'@join__unionMember(graph: {self.graphs[sub]}, member: "{m}")' for m in d.members]
        if any(d.inaccessible for _, d in defs):
            out.append("@inaccessible")
        out += _union(d.composed for _, d in defs)
        return out

    def print_type(self, name: str, kind: str, kinds: dict, implementations: dict) -> str:
        defs = self.definitions(name)
        description = next((d.description for _, d in defs if d.description), None)
        head = f'"""{description}"""\n' if description else ""
        keyword = {"object": "type", "interface": "interface", "union": "union", "enum": "enum",
                   "input": "input", "scalar": "scalar"}[kind]
        interfaces = sorted({i for _, d in defs for i in d.interfaces})
        line = f"{keyword} {name}" + (f" implements {' & '.join(interfaces)}" if interfaces else "")
        directives = self.type_directives(name, kind)
        text = head + line + "".join(f"\n  {d}" for d in directives)
        if kind == "scalar":
            return text
        if kind == "union":
            members = list(dict.fromkeys(m for _, d in defs for m in d.members))
            return text + "\n = " + " | ".join(members)
        if kind == "enum":
            body = self.enum_values(defs)
        else:
            body = self.fields(name, kind, defs, kinds, implementations.get(name, []))
        return text + "\n{\n" + "\n".join(body) + "\n}"

    def enum_values(self, defs) -> list[str]:
        values = list(dict.fromkeys(v for _, d in defs for v in d.values))
        lines = []
        for value in values:
            joins = " ".join(f"@join__enumValue(graph: {self.graphs[s]})" for s, d in defs if value in d.values)
            hidden = " @inaccessible" if any(value in d.fields and d.fields[value].inaccessible for _, d in defs) else ""
            applied = "".join(f" {a}" for a in _union(d.fields[value].composed for _, d in defs if value in d.fields))
            lines.append(f"  {value} {joins}{hidden}{applied}")
        return lines

    def fields(self, name: str, kind: str, defs, kinds: dict, interfaces: list[str]) -> list[str]:
        owners = [s for s, _ in defs]
        field_names = list(dict.fromkeys(f for _, d in defs for f in d.fields))
        if kind == "input":
            # Inputs merge by intersection; a required field that some subgraph lacks cannot be dropped.
            for f in field_names:
                missing = [s for s, d in defs if f not in d.fields]
                required = [s for s, d in defs if f in d.fields and d.fields[f].type.endswith("!")
                            and getattr(d.fields[f].node, "default_value", None) is None]
                if missing and required:
                    self.errors.append(
                        f'Input field "{name}.{f}" is required in {", ".join(map(repr, required))} '
                        f'but missing in {", ".join(map(repr, missing))}'
                    )
            field_names = [f for f in field_names if all(f in d.fields for _, d in defs)]
        lines = [self.field_line(name, kind, f, defs, owners) for f in field_names]
        for iface in interfaces:  # fields contributed by @interfaceObject subgraphs
            for sub, idef in self.definitions(iface):
                if idef.interface_object:
                    for fname, fdef in idef.fields.items():
                        if fname not in field_names:
                            field_names.append(fname)
                            lines.append(f"  {fname}{_args(fdef.node, self.composed)}: {fdef.type} @join__field")
        return lines

    def field_line(self, type_name: str, kind: str, fname: str, defs, owners: list[str]) -> str:
        present = [(s, d.fields[fname], d) for s, d in defs if fname in d.fields]
        types = {f.type for _, f, _ in present}
        merged_type = present[0][1].type
        if len(types) > 1:
            if len({_nullable(t) for t in types}) > 1:
                detail = ", ".join(f'"{f.type}" in "{s}"' for s, f, _ in present)
                self.errors.append(f'Field "{type_name}.{fname}" has incompatible types across subgraphs: {detail}')
            merged_type = _nullable(merged_type) if kind != "input" else merged_type + ("" if merged_type.endswith("!") else "!")
        overridden = {f.override for _, f, _ in present if f.override}
        joins, resolvers = [], []
        special = len(present) != len(owners) or len(types) > 1
        for sub, f, d in present:
            if sub in overridden:
                if fname in _key_field_names(d.keys):
                    joins.append(f"@join__field(graph: {self.graphs[sub]}, usedOverridden: true)")
                special = True
                continue
            args = [f"graph: {self.graphs[sub]}"]
            if f.requires:
                args.append(f'requires: "{_escape(f.requires)}"')
            if f.provides:
                args.append(f'provides: "{_escape(f.provides)}"')
            if f.type != merged_type:
                args.append(f'type: "{f.type}"')
            if f.external:
                args.append("external: true")
            if f.override:
                args.append(f'override: "{f.override}"')
            special = special or len(args) > 1
            joins.append(f"@join__field({', '.join(args)})")
            if not f.external:
                resolvers.append((sub, f, d))
        if kind == "object" and len(resolvers) > 1:
            self.check_shareable(type_name, fname, resolvers)
        first = present[0][1].node
        description = f'  """{first.description.value}"""\n' if getattr(first, "description", None) else ""
        deprecated = next((_deprecated(f.node) for _, f, _ in present if _deprecated(f.node)), "")
        hidden = " @inaccessible" if any(f.inaccessible for _, f, _ in present) else ""
        hidden += "".join(f" {a}" for a in _union(f.composed for _, f, _ in present))
        join_text = (" " + " ".join(joins)) if special else ""
        default = ""
        if kind == "input" and getattr(first, "default_value", None) is not None:
            default = f" = {print_ast(first.default_value)}"
        return f"{description}  {fname}{_args(first, self.composed)}: {merged_type}{default}{deprecated}{hidden}{join_text}"

    def check_shareable(self, type_name: str, fname: str, resolvers) -> None:
        for sub, f, d in resolvers:
            if not (f.shareable or d.shareable or fname in _key_field_names(d.keys)):
                others = ", ".join(f'"{s}"' for s, _, _ in resolvers)
                self.errors.append(
                    f'Non-shareable field "{type_name}.{fname}" is resolved from multiple subgraphs: '
                    f'it is resolved from subgraphs {others} and defined as non-shareable in subgraph "{sub}"'
                )
                return


def _union(lists) -> list[str]:
    """Directive applications of several subgraphs, each once, in first-seen order."""
    return list(dict.fromkeys(a for applied in lists for a in applied))


def _escape(text: str) -> str:
    return " ".join(text.split()).replace('"', '\\"')


def _deprecated(node) -> str:
    for d in getattr(node, "directives", None) or ():
        if d.name.value == "deprecated":
            return " " + print_ast(d)
    return ""


def _args(node, composed=frozenset()) -> str:
    arguments = getattr(node, "arguments", None)
    if not arguments:
        return ""
    parts = []
    for a in arguments:
        text = f"{a.name.value}: {print_ast(a.type)}"
        if a.default_value is not None:
            text += f" = {print_ast(a.default_value)}"
        parts.append(text + _deprecated(a) + "".join(f" {d}" for d in _composed(a, composed)))
    return "(" + ", ".join(parts) + ")"


JOIN_DEFINITIONS = """\
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet

scalar link__Import

enum link__Purpose {
  SECURITY
  EXECUTION
}"""


def compose(sources: list[SubgraphSource]) -> str:
    """Compose subgraph SDLs into a supergraph SDL; raises CompositionError."""
    return Composer(sources).compose()


__all__ = ["CompositionError", "SubgraphSource", "compose"]
