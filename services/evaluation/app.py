"""Evaluation's ASGI app: `uvicorn services.evaluation.app:app --port 4003`."""

from services.common.runtime.subgraph import create_app

from .service import service

app = create_app(service)
