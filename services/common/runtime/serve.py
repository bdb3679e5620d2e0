"""Runs a service's ASGI app with uvicorn on its port from the table in config, with the HTTP limits, its
start-up heap frozen (heap.py)."""

from __future__ import annotations

import importlib
import os

import uvicorn

from services.common.kernel.config import SERVICE_PORTS
from services.common.runtime.heap import FreezeHeapAfterStartup
from services.common.runtime.http_limits import HttpLimits


def serve(service: str, app_path: str) -> None:
    port = int(os.environ.get("PORT", SERVICE_PORTS[service]))
    host = os.environ.get("HOST", "127.0.0.1")
    module, _, name = app_path.partition(":")
    app = FreezeHeapAfterStartup(getattr(importlib.import_module(module), name))
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("LOG_LEVEL", "info"),
        # A line per request costs CPU on the hot path; ACCESS_LOG=1 turns it on for debugging.
        access_log=os.environ.get("ACCESS_LOG") == "1",
        proxy_headers=False,
        # head/body timeouts, keep-alive and the connection cap (http_limits.py)
        **HttpLimits.from_env().uvicorn_settings(),
    )
