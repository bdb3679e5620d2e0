"""Events between services: envelope, outbox (write side), relay (publish side), consumer (inbox), topology."""

from services.common.events.envelope import Envelope, MalformedEnvelope
from services.common.events.outbox import Emitter

__all__ = ["Emitter", "Envelope", "MalformedEnvelope"]
