"""Read-only lists of one model's rows, as the paginated query fields read them, in one SELECT of our own.

A page read is a subgraph's hottest path, and the ORM built its query anew on every request: resolving
the filters, building the query tree, rendering it, then converting each value back. That was about a
third of a page read's CPU (bench/subgraphs.py, profiled). A list here takes the same lookups as
Tortoise's `filter()` (the few the query fields use) and renders them as SQL directly; Tortoise's own
fields still give each column's name and convert values both ways, so a row reads as `.values()`
would give it. Writes and every other read stay on the ORM.

The SQL runs on the model's current client, which inside an operation is its tenant transaction
(tenancy.py): row-level security applies as to any ORM query.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Generic, TypeVar

from tortoise.fields.base import Field
from tortoise.fields.data import CharEnumFieldInstance, DatetimeField, IntEnumFieldInstance, UUIDField
from tortoise.models import Model

M = TypeVar("M", bound=Model)

# lookup suffix -> the condition it renders, on the column and one placeholder
_LOOKUPS = {
    "exact": "{column} = {arg}",
    "in": "{column} = ANY({arg})",
    "icontains": "strpos(lower({column}::text), lower({arg})) > 0",  # no pattern: % and _ mean themselves
    "contains": "{column} @> {arg}::jsonb",  # a JSON list holding these items
}


class ModelColumns:
    """A model's database columns by field name, and how each value comes back from asyncpg."""

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        self.model_name = model.__name__
        self.table = meta.db_table
        self.pk = meta.pk_attr
        self.column = dict(meta.fields_db_projection)  # field name -> column
        self.field: dict[str, Field] = {name: meta.fields_map[name] for name in self.column}
        # Only the columns asyncpg does not already give as the field's Python value need converting.
        self.convert = {name: _converter(field) for name, field in self.field.items() if not _as_is(field)}
        self.row_class = _row_class(model)
        self.every = Selection(self, tuple(self.column))
        self._some: dict[tuple[str, ...], Selection] = {}

    def selection(self, names: tuple[str, ...]) -> Selection:
        """These columns only (a projected page, api/projection.py); kept for the next page that asks."""
        selection = self._some.get(names)
        if selection is None:
            for name in names:
                self.check(name)
            selection = Selection(self, names)
            if len(self._some) < _KEPT_SELECTIONS:
                self._some[names] = selection
        return selection

    def check(self, name: str) -> None:
        """Refuses a name that is no column of the model: nothing unknown is ever written into SQL."""
        if name not in self.column:
            raise ValueError(f"{self.model_name} has no column {name!r}")


# Distinct projections kept per model: a handful of client selections in practice; past this many each
# is rendered anew (a few microseconds), so a client choosing every combination grows nothing.
_KEPT_SELECTIONS = 64


class Selection:
    """Some of a model's columns, as the SELECT lists them, and the rows made of them."""

    def __init__(self, columns: ModelColumns, names: tuple[str, ...]) -> None:
        self.names = names  # the SELECT's order: a record's values zip with these
        self.sql = ", ".join(f'"{columns.column[name]}" AS "{name}"' for name in names)
        self.convert = {name: columns.convert[name] for name in names if name in columns.convert}
        self.row_class = columns.row_class

    def row(self, record: Any) -> Any:
        values = dict(zip(self.names, record))
        for name, convert in self.convert.items():
            values[name] = convert(values[name])
        row = self.row_class.__new__(self.row_class)
        row.__dict__ = values
        return row


def _as_is(field: Field) -> bool:
    """Whether asyncpg's value is already the field's: text, integers, booleans (its converter is the base
    one, which only casts what is not of the field's type), and UUIDs (asyncpg's is a uuid.UUID, which
    Tortoise's converter passes through)."""
    if isinstance(field, UUIDField):
        return True
    return type(field).to_python_value is Field.to_python_value and field.field_type in (str, int, bool)


def _converter(field: Field) -> Callable[[Any], Any]:
    convert = field.to_python_value
    if isinstance(field, (CharEnumFieldInstance, IntEnumFieldInstance)):
        # The enum's members by value, looked up: calling the enum class for each value costs far more. A
        # value that is no member still goes through Tortoise's conversion (and its error).
        members = {member.value: member for member in field.enum_type}
        return lambda value: members[value] if value in members else convert(value)
    if isinstance(field, DatetimeField):
        # asyncpg gives a timestamptz in UTC already, the zone the platform's Tortoise uses (data/db.py):
        # only another value goes through Tortoise's conversion.
        return lambda value: value if value is None or value.tzinfo is dt.timezone.utc else convert(value)
    return convert


def _db_value(field: Field, value: Any) -> Any:
    """A lookup's value as the column holds it. Text goes as it is: a lookup value is not a value to store,
    so the field's validators (its length) do not apply; a too-long value simply matches nothing."""
    if field.field_type is str and isinstance(value, str):
        return value
    return field.to_db_value(value, None)


class _Row:
    """One row: its columns as attributes, `pk`, and the model's properties computed on them."""


def _row_class(model: type[Model]) -> type:
    # The model's own properties, not the relations Tortoise adds as properties (a row fetches nothing).
    relations = model._meta.fetch_fields
    properties = {name: value for klass in reversed(model.__mro__) for name, value in vars(klass).items()
                  if isinstance(value, property) and name != "pk" and name not in relations}
    properties["pk"] = property(operator.attrgetter(model._meta.pk_attr))
    return type(f"{model.__name__}Row", (_Row,), properties)


@lru_cache(maxsize=None)
def columns_of(model: type[Model]) -> ModelColumns:
    return ModelColumns(model)


class ReadList(Generic[M]):
    """A model's rows narrowed by lookups: `field=value` (None: IS NULL), `field__in=[...]`,
    `field__isnull=bool`, `field__icontains=text`, and `field__contains=[...]` on a JSON list; `exclude`
    refuses rows matching all its lookups together. Immutable: each call gives a new list."""

    def __init__(self, model: type[M], conditions: tuple[str, ...] = (), args: tuple[Any, ...] = ()) -> None:
        self.model = model
        self.columns = columns_of(model)
        self.conditions = conditions
        self.args = args

    def filter(self, **lookups: Any) -> "ReadList[M]":
        conditions, args = self._render(lookups)
        return ReadList(self.model, self.conditions + conditions, args)

    def exclude(self, **lookups: Any) -> "ReadList[M]":
        conditions, args = self._render(lookups)
        # Refused: the rows matching all the lookups together; a NULL matches nothing, so stays. (Tortoise's
        # exclude() negates each lookup on its own and drops NULLs: not the meaning its callers wanted.)
        return ReadList(self.model, self.conditions + (f"NOT COALESCE(({' AND '.join(conditions)}), false)",), args)

    def _render(self, lookups: dict[str, Any]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        conditions, args = [], list(self.args)
        for key, value in lookups.items():
            name, _, lookup = key.partition("__")
            self.columns.check(name)
            column = f'"{self.columns.column[name]}"'
            field = self.columns.field[name]
            lookup = lookup or "exact"
            if lookup == "isnull" or (lookup == "exact" and value is None):
                null = True if lookup == "exact" else bool(value)
                conditions.append(f"{column} IS {'' if null else 'NOT '}NULL")
                continue
            if lookup not in _LOOKUPS:
                raise ValueError(f"lookup {lookup!r} is not one a read list knows")
            if lookup == "in":
                value = [_db_value(field, item) for item in value]
            elif lookup == "icontains":
                value = str(value)
            else:
                value = _db_value(field, value)
            args.append(value)
            conditions.append(_LOOKUPS[lookup].format(column=column, arg=f"${len(args)}"))
        return tuple(conditions), tuple(args)

    def _where(self, extra: tuple[str, ...] = ()) -> str:
        conditions = self.conditions + extra
        return f" WHERE {' AND '.join(conditions)}" if conditions else ""

    async def page(self, limit: int, *, time_field: str, after: tuple[dt.datetime, Any] | None = None,
                   only: tuple[str, ...] | None = None) -> list[Any]:
        """Up to `limit` rows in (time_field, id) order, after the keyset position `after`; with `only`,
        rows of just those columns and the keyset's."""
        columns, args, extra = self.columns, list(self.args), ()
        selection = columns.every if only is None else columns.selection(
            tuple(dict.fromkeys((columns.pk, time_field, *only))))
        time_column, id_column = f'"{columns.column[time_field]}"', f'"{columns.column[columns.pk]}"'
        if after is not None:
            args += [after[0], columns.field[columns.pk].to_db_value(after[1], None)]
            stamp, pk = f"${len(args) - 1}", f"${len(args)}"
            extra = (f"({time_column}, {id_column}) > ({stamp}, {pk})",)
        args.append(limit)
        sql = (f'SELECT {selection.sql} FROM "{columns.table}"{self._where(extra)} '
               f"ORDER BY {time_column}, {id_column} LIMIT ${len(args)}")
        _, records = await self.model._meta.db.execute_query(sql, args)
        return [selection.row(record) for record in records]

    async def count(self) -> int:
        sql = f'SELECT count(*) AS n FROM "{self.columns.table}"{self._where()}'
        return (await self.model._meta.db.execute_query_dict(sql, list(self.args)))[0]["n"]


def read_list(model: type[M]) -> ReadList[M]:
    """Every row of the model this transaction may see, to narrow with filter() and exclude()."""
    return ReadList(model)

