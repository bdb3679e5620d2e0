"""Top-level `extensions` of subgraph answers that the client's response keeps (EngineOptions
`kept_response_extensions`, e.g. a subgraph's `idempotentReplayed`); every other extension is dropped.

Collected per request in a context variable, so the executor's signatures stay as they are: the dict is
created by the request's task and filled by the fetches it starts (tasks copy the context, not the dict).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_collected: ContextVar[dict[str, Any] | None] = ContextVar("kept_response_extensions", default=None)


def start() -> dict[str, Any]:
    collected: dict[str, Any] = {}
    _collected.set(collected)
    return collected


def keep(payload: dict, names: tuple[str, ...]) -> None:
    extensions = payload.get("extensions")
    collected = _collected.get()
    if not names or collected is None or not isinstance(extensions, dict):
        return
    for name in names:
        if name in extensions:
            collected[name] = extensions[name]
