"""The start-up heap is frozen when the app's start-up completes, and only then (runtime/heap.py)."""

from __future__ import annotations

import asyncio
import gc

from services.common.runtime.heap import FreezeHeapAfterStartup


async def _app(scope, receive, send):
    if scope["type"] == "lifespan":
        message = await receive()
        assert message["type"] == "lifespan.startup"
        await send({"type": "lifespan.startup.complete"})
        return
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def _run(scope: dict, messages: list[dict]) -> list[dict]:
    inbox: asyncio.Queue = asyncio.Queue()
    for message in messages:
        inbox.put_nowait(message)
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    await FreezeHeapAfterStartup(_app)(scope, inbox.get, send)
    return sent


async def test_the_heap_is_frozen_when_start_up_completes_and_not_on_requests():
    gc.unfreeze()
    try:
        built_at_start_up = [["a long-lived object"]]
        sent = await _run({"type": "http"}, [{"type": "http.request", "body": b"", "more_body": False}])
        assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
        assert gc.get_freeze_count() == 0  # a request freezes nothing
        assert any(o is built_at_start_up for o in gc.get_objects())

        sent = await _run({"type": "lifespan"}, [{"type": "lifespan.startup"}])
        assert sent == [{"type": "lifespan.startup.complete"}]  # the app's own message goes on unchanged
        assert gc.get_freeze_count() > 0
        # Out of every generation a collection walks:
        assert not any(o is built_at_start_up for o in gc.get_objects())
    finally:
        gc.unfreeze()  # the test session's heap stays collectable
