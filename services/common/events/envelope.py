"""The event envelope every message carries: id, type, district, occurredAt, producer, data."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

REQUIRED = ("id", "type", "district", "occurredAt", "producer", "data")


class MalformedEnvelope(ValueError):
    """A message that is not an envelope; it can never succeed, so it goes to the dead-letter queue."""


@dataclass(frozen=True)
class Envelope:
    type: str
    district: str
    producer: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurredAt: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "district": self.district,
            "occurredAt": self.occurredAt,
            "producer": self.producer,
            "data": self.data,
        }

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.to_dict())

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Envelope":
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise MalformedEnvelope(f"not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise MalformedEnvelope("the envelope is not a JSON object")
        missing = [name for name in REQUIRED if name not in body]
        if missing:
            raise MalformedEnvelope(f"the envelope lacks {', '.join(missing)}")
        if not isinstance(body["data"], dict):
            raise MalformedEnvelope("the envelope's data is not an object")
        try:
            uuid.UUID(str(body["id"]))
        except ValueError:
            raise MalformedEnvelope(f"the envelope id {body['id']!r} is not a UUID") from None
        return cls(
            id=str(body["id"]),
            type=str(body["type"]),
            district=str(body["district"]),
            occurredAt=str(body["occurredAt"]),
            producer=str(body["producer"]),
            data=body["data"],
        )
