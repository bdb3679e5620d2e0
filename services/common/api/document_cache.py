"""Parse and validate each distinct GraphQL document once per process, not once per request.

Strawberry's own extensions, bounded LRUs keyed by the document text (validation also by the schema):
clients send the same few documents over and over, and validating one cost about a quarter of a
subgraph's CPU per request. A cached validation is the same verdict, errors included.
"""

from __future__ import annotations

from strawberry.extensions import ParserCache, ValidationCache

# Classes, not instances: Strawberry builds extensions per request; both keep one module-level LRU
# per maxsize (Strawberry's default bound, 128 documents), so every request shares it.
DOCUMENT_CACHES = (ParserCache, ValidationCache)
