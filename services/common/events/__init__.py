"""Events between services: envelope, outbox (write side), relay (publish side), consumer (inbox), topology."""

from .envelope import Envelope, MalformedEnvelope
from .outbox import Emitter

__all__ = ["Emitter", "Envelope", "MalformedEnvelope"]
