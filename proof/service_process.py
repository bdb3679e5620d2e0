"""A service as its own process (`python -m services.<name>`), on a spare port, against the databases
the given environment names; stopped on leaving the block."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator

import httpx

from tests.platform import free_port


@asynccontextmanager
async def service_process(name: str, env: dict[str, str], *, args: tuple[str, ...] = (),
                          timeout: float = 60) -> AsyncIterator[str]:
    """Yields the service's /graphql URL once /healthz answers. Its workers stay off: only queries run.
    The port is in PORT and, for the gateway, which takes it as an argument, in `{port}` within `args`."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", f"services.{name}", *(a.format(port=port) for a in args),
        env={**os.environ, **env, "PORT": str(port), "RUN_WORKERS": "0", "LOG_LEVEL": "warning"},
        stdin=asyncio.subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            deadline = time.monotonic() + timeout
            while True:
                if process.returncode is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}")
                try:
                    if (await client.get(f"{base}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not start in {timeout} s")
                await asyncio.sleep(0.1)
        yield f"{base}/graphql"
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except asyncio.TimeoutError:
                process.kill()
                await process.wait()
