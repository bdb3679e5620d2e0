"""Local values keyed by the client's response keys (aliases), as the engine's shaper expects."""

from __future__ import annotations

from typing import Any

from ..engine.gateway import Gateway
from ..engine.shaping import ResponseShaper


def by_response_keys(gateway: Gateway, type_name: str, selection_set, fragments: dict, conditions: dict,
                     values: dict[str, Any]) -> dict[str, Any]:
    """{"alias": value} for each selected field of `type_name`, taken from `values` by field name."""
    shaper = ResponseShaper(gateway.schema, fragments, conditions, [])
    return {key: values.get(nodes[0].name.value) for key, nodes in shaper.collect(type_name, [selection_set]).items()}
