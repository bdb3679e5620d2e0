"""Derive the client-facing (API) schema from a supergraph document.

Removes join__/link__ machinery, federation directive definitions and
applications, and every @inaccessible element; optionally appends extra SDL
(e.g. gateway-local root fields added by a policy layer). Composed custom
directives (imported by a schema @link without a `for:` purpose) stay, with
their definitions and applications, as in Apollo Router's API schema.
"""

from __future__ import annotations

from dataclasses import replace

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    GraphQLSchema,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    build_ast_schema,
    parse,
    value_from_ast_untyped,
)
from graphql.language import DirectiveLocation

_KEPT_DIRECTIVES = {"deprecated", "specifiedBy", "oneOf"}
_EXECUTABLE_LOCATIONS = {
    DirectiveLocation.QUERY, DirectiveLocation.MUTATION, DirectiveLocation.SUBSCRIPTION,
    DirectiveLocation.FIELD, DirectiveLocation.FRAGMENT_DEFINITION,
    DirectiveLocation.FRAGMENT_SPREAD, DirectiveLocation.INLINE_FRAGMENT,
    DirectiveLocation.VARIABLE_DEFINITION,
}  # fmt: skip


def _is_machinery(name: str) -> bool:
    return name.startswith(("join__", "link__", "federation__")) or name in ("link", "core", "inaccessible", "tag")


def _inaccessible(node) -> bool:
    return any(d.name.value == "inaccessible" for d in (getattr(node, "directives", None) or ()))


def _composed_directives(supergraph: DocumentNode) -> set[str]:
    """Directives a schema @link imports for no purpose (`for:` SECURITY/EXECUTION mark machinery)."""
    names = set()
    for node in supergraph.definitions:
        if not isinstance(node, (SchemaDefinitionNode, SchemaExtensionNode)):
            continue
        for d in node.directives or ():
            args = {a.name.value: value_from_ast_untyped(a.value) for a in d.arguments or ()}
            if d.name.value != "link" or args.get("for"):
                continue
            for item in args.get("import") or ():
                local = (item.get("as") or item.get("name")) if isinstance(item, dict) else item
                if isinstance(local, str) and local.startswith("@") and not _is_machinery(local[1:]):
                    names.add(local[1:])
    return names


def _clean_directives(node, kept: set[str] = _KEPT_DIRECTIVES):
    if getattr(node, "directives", None):
        node = replace(node, directives=tuple(d for d in node.directives if d.name.value in kept))
    return node


def _clean_type(node, hidden: set[str], kept: set[str]):
    node = _clean_directives(node, kept)
    for attr in ("fields", "values"):
        items = getattr(node, attr, None)
        if items:
            cleaned = []
            for item in items:
                if _inaccessible(item):
                    continue
                item = _clean_directives(item, kept)
                if getattr(item, "arguments", None):
                    args = tuple(_clean_directives(a, kept) for a in item.arguments if not _inaccessible(a))
                    item = replace(item, arguments=args)
                cleaned.append(item)
            node = replace(node, **{attr: tuple(cleaned)})
    if getattr(node, "interfaces", None):
        node = replace(node, interfaces=tuple(i for i in node.interfaces if i.name.value not in hidden))
    if getattr(node, "types", None):
        node = replace(node, types=tuple(t for t in node.types if t.name.value not in hidden))
    return node


def api_document(supergraph: DocumentNode) -> DocumentNode:
    hidden = {
        d.name.value
        for d in supergraph.definitions
        if isinstance(d, (TypeDefinitionNode, TypeExtensionNode)) and (_inaccessible(d) or _is_machinery(d.name.value))
    }
    composed = _composed_directives(supergraph)
    kept = _KEPT_DIRECTIVES | composed
    definitions = []
    for node in supergraph.definitions:
        if isinstance(node, (SchemaDefinitionNode, SchemaExtensionNode)):
            # With conventional root names drop the schema definition, so that
            # extra SDL can add e.g. `type Subscription` and have it picked up.
            if any(op.type.name.value != op.operation.value.capitalize() for op in node.operation_types or ()):
                definitions.append(_clean_directives(node))
        elif isinstance(node, DirectiveDefinitionNode):
            locations = {DirectiveLocation[loc.value] for loc in node.locations}
            if node.name.value in composed or (not _is_machinery(node.name.value) and locations & _EXECUTABLE_LOCATIONS):
                definitions.append(node)
        elif isinstance(node, (TypeDefinitionNode, TypeExtensionNode)):
            if node.name.value not in hidden:
                definitions.append(_clean_type(node, hidden, kept))
        else:
            definitions.append(node)
    return DocumentNode(definitions=tuple(definitions))


def build_client_schema(supergraph: DocumentNode, extra_sdl: str | None = None) -> GraphQLSchema:
    document = api_document(supergraph)
    if extra_sdl:
        document = DocumentNode(definitions=document.definitions + parse(extra_sdl).definitions)
    return build_ast_schema(document, assume_valid_sdl=False)
