"""Funding's ASGI app: `uvicorn services.funding.app:app --port 4002`."""

from services.common.runtime.subgraph import create_app

from .service import service

app = create_app(service)
