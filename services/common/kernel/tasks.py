"""Background asyncio tasks a component owns: stopped together on close."""

from __future__ import annotations

import asyncio
import contextlib


async def cancel_and_wait(tasks: list[asyncio.Task]) -> None:
    """Cancels every task, waits until each has finished, and empties the list."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    tasks.clear()
