"""Parse and validate each distinct GraphQL document once per process, not once per request.

Strawberry's own extensions, bounded LRUs keyed by the document text (validation also by the schema):
clients send the same few documents over and over, and validating one cost about a quarter of a
subgraph's CPU per request. A cached validation is the same verdict, errors included. DocumentMemo does
the same for what our own extensions work out from a document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from strawberry.extensions import ParserCache, ValidationCache

V = TypeVar("V")

# Classes, not instances: Strawberry builds extensions per request; both keep one module-level LRU
# per maxsize (Strawberry's default bound, 128 documents), so every request shares it.
DOCUMENT_CACHES = (ParserCache, ValidationCache)


class DocumentMemo(Generic[V]):
    """What our own extensions work out from a document once (its depth and aliases, a page's column
    projection), by its text and more keys, for the next request that sends it. The text is kept as a
    16-byte digest, not itself (a document may be a megabyte); past `size` entries the oldest go first."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._kept: dict[tuple[Any, ...], V] = {}

    def get_or_make(self, text: str | None, more: tuple[Any, ...], make: Callable[[], V]) -> V:
        """The kept value, or `make()`'s, kept; a document without its text (None) is worked out each time."""
        if text is None:
            return make()
        key = (hashlib.blake2b(text.encode(), digest_size=16).digest(), *more)
        try:
            return self._kept[key]
        except KeyError:
            value = make()
            if len(self._kept) >= self.size:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = value
            return value
