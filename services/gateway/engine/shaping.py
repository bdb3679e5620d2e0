"""Shape merged subgraph data into the client's response.

Keeps only requested fields (under client aliases), answers `__typename`,
and applies GraphQL null propagation: a null in a non-null position makes the
nearest nullable parent null.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_abstract_type,
    is_leaf_type,
)

from .planner import is_included


class _NullBubble(Exception):
    pass


class ResponseShaper:
    def __init__(self, schema: GraphQLSchema, fragments: dict, conditions: dict[str, bool], errors: list[dict]):
        self.schema = schema
        self.fragments = fragments
        self.conditions = conditions
        self.errors = errors
        # An error without a path (a subgraph that refused the whole request, e.g. a bad variable) explains
        # the nulls it left: the root path () is a prefix of every path, so no "Cannot return null" is added.
        self.error_paths = [tuple(e.get("path") or ()) for e in errors]
        # Every item of a list shares its selection sets: collect their fields once per type.
        self._collected: dict[tuple, dict[str, list[FieldNode]]] = {}

    def shape(self, root_type: GraphQLObjectType, selection_set, data: dict | None) -> dict | None:
        try:
            return self.complete_object(root_type, [selection_set], data or {}, [])
        except _NullBubble:
            return None

    # -- field collection ------------------------------------------------------
    def collect(self, type_name: str, selection_sets) -> dict[str, list[FieldNode]]:
        key = (type_name, *map(id, selection_sets))
        fields = self._collected.get(key)
        if fields is None:
            fields = {}
            for selection_set in selection_sets:
                self._collect(type_name, selection_set.selections, fields)
            self._collected[key] = fields
        return fields

    def _collect(self, type_name: str, selections, into: dict) -> None:
        for node in selections:
            if not is_included(node, self.conditions):
                continue
            if isinstance(node, FieldNode):
                key = node.alias.value if node.alias else node.name.value
                into.setdefault(key, []).append(node)
                continue
            if isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                condition, sub = fragment.type_condition.name.value, fragment.selection_set.selections
            else:
                condition = node.type_condition.name.value if node.type_condition else type_name
                sub = node.selection_set.selections
            if self.applies(condition, type_name):
                self._collect(type_name, sub, into)

    def applies(self, condition: str, type_name: str) -> bool:
        if condition == type_name:
            return True
        cond_type = self.schema.get_type(condition)
        runtime = self.schema.get_type(type_name)
        return (
            is_abstract_type(cond_type)
            and isinstance(runtime, GraphQLObjectType)
            and self.schema.is_sub_type(cond_type, runtime)
        )

    # -- completion --------------------------------------------------------------
    def complete_object(self, type_, selection_sets, value: dict, path: list) -> dict:
        result = {}
        for key, nodes in self.collect(type_.name, selection_sets).items():
            name = nodes[0].name.value
            if name == "__typename":
                result[key] = type_.name
                continue
            if name.startswith("__"):
                result[key] = value.get(key)  # introspection, already executed
                continue
            field = type_.fields.get(name)
            if field is None:
                continue
            result[key] = self.complete(field.type, nodes, value.get(key), path + [key], f"{type_.name}.{name}")
        return result

    def complete(self, type_, nodes, raw: Any, path: list, coordinate: str) -> Any:
        if isinstance(type_, GraphQLNonNull):
            value = self.complete(type_.of_type, nodes, raw, path, coordinate)
            if value is None:
                self.null_error(path, coordinate)
                raise _NullBubble
            return value
        try:
            return self.complete_nullable(type_, nodes, raw, path, coordinate)
        except _NullBubble:
            return None

    def complete_nullable(self, type_, nodes, raw: Any, path: list, coordinate: str) -> Any:
        if raw is None:
            return None
        if isinstance(type_, GraphQLList):
            if not isinstance(raw, list):
                return None
            return [self.complete(type_.of_type, nodes, item, path + [i], coordinate) for i, item in enumerate(raw)]
        if is_leaf_type(type_):
            if isinstance(type_, GraphQLEnumType) and raw not in type_.values:
                return self.field_error(f"Enum '{type_.name}' cannot represent value: {raw!r}.", path)
            return raw
        if not isinstance(raw, dict):
            return None
        runtime = type_
        if is_abstract_type(type_):
            typename = raw.get("__typename")
            runtime = self.schema.get_type(typename or "")
            if typename is None or runtime is type_:
                runtime = type_  # an @interfaceObject answer without the real type: use the interface
            elif runtime is None or not self.schema.is_sub_type(type_, runtime):
                # e.g. a type the client schema hides (@inaccessible): the field cannot be completed
                return self.field_error(f"Invalid __typename found for object at field {coordinate}.", path)
        selection_sets = [n.selection_set for n in nodes if n.selection_set]
        return self.complete_object(runtime, selection_sets, raw, path)

    def field_error(self, message: str, path: list) -> None:
        """A subgraph answered something the client schema lacks (e.g. @inaccessible): a field error, as null."""
        self.error_paths.append(tuple(path))
        self.errors.append({"message": message, "path": list(path), "extensions": {"code": "INTERNAL_SERVER_ERROR"}})
        return None

    def null_error(self, path: list, coordinate: str) -> None:
        here = tuple(path)
        for existing in self.error_paths:
            if existing[: len(here)] == here or here[: len(existing)] == existing:
                return  # an error already explains this null
        self.error_paths.append(here)
        # Every error carries extensions.code, the gateway's own too.
        self.errors.append({"message": f"Cannot return null for non-nullable field {coordinate}.", "path": list(path),
                            "extensions": {"code": "INTERNAL_SERVER_ERROR"}})
