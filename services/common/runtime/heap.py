"""A serving process's start-up heap, frozen once the app has started.

Everything built at start-up (modules, the GraphQL schema, the ORM's metadata, the gateway's supergraph
and plans) lives as long as the process. Python's full collection still walked all of it: about 50 ms
at a time in a subgraph, every few seconds under load, which set the p99 of bench/subgraphs.py. Frozen
(gc.freeze, the standard library's own way to keep long-lived objects out of the collector's reach),
a full collection walks only what requests made: about 2 ms.
"""

from __future__ import annotations

import gc
from typing import Any


class FreezeHeapAfterStartup:
    """ASGI wrapper for a serving process's top app: freezes the heap when the app's start-up completes.
    Only where a process is started (runtime/serve.py, the gateway's __main__): tests build many apps in
    one process, and frozen objects are never collected."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_and_freeze_on_startup(message: dict) -> None:
            if message["type"] == "lifespan.startup.complete":
                gc.collect()  # what start-up left as garbage is freed, not frozen
                gc.freeze()
            await send(message)

        await self.app(scope, receive, send_and_freeze_on_startup)
