"""The registry's ASGI app: `uvicorn services.registry.app:app --port 4001`."""

from services.common.runtime.subgraph import create_app

from .service import service

app = create_app(service)
