"""What every event contract is: a frozen dataclass with a type (the envelope's `type`, which is also its
routing key), a version, and strict
conversion to and from the JSON `data` of the envelope.

`from_data` refuses a payload that does not match: a missing or unknown key, a wrong type, a bad enum
value. A consumer never fills a gap with a default; it dead-letters the event with the reason.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, ClassVar, TypeVar, Union

C = TypeVar("C", bound="EventContract")


class ContractError(ValueError):
    """A payload that does not match its contract: the message names the event, the key and the reason."""


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@dataclasses.dataclass(frozen=True)
class EventContract:
    """Subclasses are frozen dataclasses of plain fields; keys in `data` are the fields in camelCase."""

    type: ClassVar[str]
    version: ClassVar[int] = 1

    def to_data(self) -> dict[str, Any]:
        data = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            _check(type(self), field.name, value, _field_types(type(self))[field.name])
            data[camel(field.name)] = value
        return data

    @classmethod
    def from_data(cls: type[C], data: Any) -> C:
        if not isinstance(data, dict):
            raise ContractError(f"{cls.type}: data is {type(data).__name__}, not an object")
        hints = _field_types(cls)
        keys = {camel(f.name): f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(keys))
        if unknown:
            raise ContractError(f"{cls.type}: unknown key {unknown[0]!r}")
        values = {}
        for key, attribute in keys.items():
            if key not in data:
                raise ContractError(f"{cls.type}: {key!r} is missing")
            _check(cls, key, data[key], hints[attribute])
            values[attribute] = data[key]
        return cls(**values)


_TYPES_CACHE: dict[type, dict[str, Any]] = {}


def _field_types(cls: type) -> dict[str, Any]:
    if cls not in _TYPES_CACHE:
        _TYPES_CACHE[cls] = typing.get_type_hints(cls)
    return _TYPES_CACHE[cls]


def _check(cls: type, key: str, value: Any, expected: Any) -> None:
    """Plain JSON types only: str, int (not bool), float (or int), bool, Optional of those, Literal."""
    origin = typing.get_origin(expected)
    if origin in (Union, types.UnionType):
        options = typing.get_args(expected)
        if value is None and type(None) in options:
            return
        expected = next(o for o in options if o is not type(None))
        origin = typing.get_origin(expected)
    if origin is typing.Literal:
        if value not in typing.get_args(expected):
            raise ContractError(f"{cls.type}: {key!r} is {value!r}, not one of {list(typing.get_args(expected))}")
        return
    if expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif expected is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise ContractError(f"{cls.type}: {key!r} is {value!r}, not {getattr(expected, '__name__', expected)}")
