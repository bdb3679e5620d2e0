"""A page whose nodes show only plain columns reads only those columns.

A node type may declare `COLUMNS`: the fields that are each one column's value as it is (an ID field as
the column's text), python field name -> the model's field name. When every field a page's nodes select
is one of them (or `__typename`), with no fragment and no directive anywhere under the page, the page
selects just those columns and the keyset's (data/reads.py), and builds each node from them, without
from_row. Any other selection reads whole rows through from_row, as before: a field with a resolver may
read any column of the row, and only from_row knows which.

A node built here has only the selected fields: reading another raises AttributeError, never a wrong
value. tests/test_projection.py checks that each declared field reads the same as through from_row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import strawberry
from strawberry.types.base import StrawberryOptional, get_object_definition
from strawberry.types.nodes import SelectedField

from services.common.api.document_cache import DocumentMemo


@dataclass(frozen=True)
class ColumnField:
    name: str      # the node type's python field name
    column: str    # the model's field name
    as_text: bool  # an ID field: the column's value as text, as from_row gives it


@dataclass(frozen=True)
class Projection:
    node_type: type
    fields: tuple[ColumnField, ...]

    @cached_property  # asked on every page; a kept projection works it out once
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(field.column for field in self.fields))

    def node(self, row: Any) -> Any:
        node = self.node_type.__new__(self.node_type)
        for field in self.fields:
            value = getattr(row, field.column)
            setattr(node, field.name, str(value) if field.as_text and value is not None else value)
        return node


def projection(info: strawberry.Info, node_type: type) -> Projection | None:
    """The projection of this page's node selection, or None where whole rows must be read."""
    if not getattr(node_type, "COLUMNS", None):
        return None
    # A pure function of the document and the field's place in it (fragments and directives, the only
    # parts a variable could change, turn it off): worked out once per document text, operation and path.
    operation = info.operation.name.value if info.operation.name else None
    path = tuple(key for key in info.path.as_list() if isinstance(key, str))  # list indices change nothing
    return _PROJECTIONS.get_or_make(info.query, (operation, path, node_type), lambda: _projection(info, node_type))


_PROJECTIONS: DocumentMemo[Projection | None] = DocumentMemo(256)


def _projection(info: strawberry.Info, node_type: type) -> Projection | None:
    names = _node_field_names(info.selected_fields)
    if names is None:
        return None
    declared = column_fields(node_type, info.schema.config.name_converter)
    fields = []
    for name in names:
        if name == "__typename":
            continue
        field = declared.get(name)
        if field is None:
            return None
        fields.append(field)
    return Projection(node_type, tuple(dict.fromkeys(fields)))


def _node_field_names(connection_fields: Iterable[Any]) -> list[str] | None:
    """The GraphQL names selected under edges { node { ... } }, or None if a fragment or a directive
    appears anywhere under the page."""
    names: list[str] = []
    for connection in connection_fields:
        for edge_part in _plain(connection.selections):
            if edge_part is None:
                return None
            if edge_part.name != "edges":
                continue
            for node_part in _plain(edge_part.selections):
                if node_part is None:
                    return None
                if node_part.name != "node":
                    continue
                for field in _plain(node_part.selections):
                    if field is None or field.selections:
                        return None
                    names.append(field.name)
    return names


def _plain(selections: Iterable[Any]) -> Iterable[SelectedField | None]:
    """Each selection that is a field without directives; None for anything else."""
    for selection in selections:
        yield selection if isinstance(selection, SelectedField) and not selection.directives else None


@lru_cache(maxsize=None)
def column_fields(node_type: type, name_converter: Any) -> dict[str, ColumnField]:
    """The type's declared column fields by GraphQL name. A declared field that the type does not have, or
    that has a resolver, permissions or extensions (any of which may read more of the row), is a mistake
    in the declaration: refused at once, loudly."""
    definition = get_object_definition(node_type, strict=True)
    fields = {}
    for name, column in node_type.COLUMNS.items():
        field = definition.get_field(name)
        if field is None or field.base_resolver is not None or field.permission_classes or field.extensions:
            raise TypeError(f"{node_type.__name__}.COLUMNS names {name!r}, which is not a plain field of the type")
        type_ = field.type.of_type if isinstance(field.type, StrawberryOptional) else field.type
        fields[name_converter.get_graphql_name(field)] = ColumnField(name, column, type_ is strawberry.ID)
    return fields
