"""Idempotency-Key at the edge: forwarded beside the Authorization header (the subgraph that runs the
mutation checks it: only a mutation's key matters, and a query's is ignored there), and a subgraph's replay marker turned into the `Idempotent-Replayed` header, so a
replayed answer's body is the first answer's, byte for byte. The store and its rules are the subgraphs'
(services/common/api/idempotency.py)."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from services.common.api.idempotency import HEADER, REPLAY_MARKER, REPLAYED_HEADER

from ..engine.gateway import EncodedResponse

KEY_HEADER = HEADER.lower()


def forward_key(headers: Mapping[str, str], forwarded: dict[str, str]) -> dict[str, str]:
    """`forwarded` plus the client's Idempotency-Key, as sent (the ASGI server has refused CR and LF)."""
    key = headers.get(KEY_HEADER)
    return forwarded if key is None else {**forwarded, KEY_HEADER: key}


def replay_header(response: EncodedResponse) -> tuple[EncodedResponse, list[tuple[bytes, bytes]]]:
    """A replayed answer without its marker, and the header that says it was replayed."""
    if REPLAY_MARKER.encode() not in response.body:
        return response, []
    body = orjson.loads(response.body)
    extensions = body.get("extensions") if isinstance(body, dict) else None
    if not isinstance(extensions, dict) or not extensions.pop(REPLAY_MARKER, False):
        return response, []
    if not extensions:
        del body["extensions"]
    replayed = EncodedResponse(response.status, orjson.dumps(body), response.has_errors)
    return replayed, [(REPLAYED_HEADER.lower().encode(), b"true")]
