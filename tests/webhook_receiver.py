"""A real webhook receiver for the tests and the proof: Starlette on uvicorn on a free port, verifying each
delivery's Standard Webhooks signature with the `standardwebhooks` package, as a finance system would."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import AsyncIterator

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.platform import free_port, serve


@dataclass
class Received:
    webhook_id: str
    body: dict
    signatures: list[str]
    verified_with: list[str]  # which of the receiver's secrets verified it


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    fail_next: int = 0  # answer 503 to this many requests first
    received: list[Received] = field(default_factory=list)  # verified and accepted, in arrival order
    refused: int = 0  # requests answered with an error (failures asked for, or bad signatures)
    bad_signatures: int = 0
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def endpoint(self, request: Request) -> Response:
        raw = await request.body()
        if self.fail_next > 0:
            self.fail_next -= 1
            self.refused += 1
            return Response("down for maintenance", status_code=503)
        verified = []
        for secret in self.secrets:
            try:
                Webhook(secret).verify(raw, dict(request.headers))
                verified.append(secret)
            except WebhookVerificationError:
                pass
        if not verified:
            self.bad_signatures += 1
            self.refused += 1
            return Response("bad signature", status_code=401)
        self.received.append(Received(request.headers["webhook-id"], json.loads(raw),
                                      request.headers["webhook-signature"].split(" "), verified))
        return Response(status_code=204)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self.endpoint, methods=["POST"])])

    @asynccontextmanager
    async def running(self) -> AsyncIterator["Receiver"]:
        async with serve(self.app(), self.port):
            yield self

    def ids(self) -> list[str]:
        return [r.webhook_id for r in self.received]
