"""Event handlers: one event at a time, or a run of events of one type at once.

A handler runs inside the consumer's transaction, after the inbox has shown its events to be new. Most
handle one event. A high-volume event type (a batch mutation's events) may take a list instead: the
consumer hands it each run of consecutive events of its type and district, so that one statement can
write what would otherwise take a round trip per event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from itertools import groupby
from typing import Any

from services.contracts import ContractError, EventContract

from services.common.events.envelope import Envelope

class Refused(Exception):
    """Raised by a handler for an event that must never take effect (it breaks a rule no retry can mend):
    the consumer rolls it back and dead-letters it at once, its reason in the x-civic-refused header."""


Handler = Callable[[Envelope], Awaitable[None]]
BatchHandler = Callable[[list[Envelope]], Awaitable[None]]


def applies_many(handler: BatchHandler) -> BatchHandler:
    """Marks a handler that takes a list of events of its type, all of one district, in their order."""
    handler.applies_many = True  # type: ignore[attr-defined]
    return handler


def consumes(contract: type[EventContract], *, many: bool = False) -> Callable[[Any], Any]:
    """Marks a service's handler of one event contract: `fn(event, envelope)`, or with `many`
    `fn(events, envelopes)` for each run of consecutive events of its type and district."""

    def mark(fn: Any) -> Any:
        fn.contract, fn.many = contract, many
        return fn

    return mark


def parsed(contract: type[EventContract], envelope: Envelope) -> Any:
    """The event as its contract reads it; a payload that does not parse is refused with the reason."""
    try:
        return contract.from_data(envelope.data)
    except ContractError as error:
        raise Refused(str(error)) from None


def handler_table(*handlers: Any) -> dict[str, Handler | BatchHandler]:
    """The consumer's table {event type: handler} from handlers marked with `consumes`."""
    table: dict[str, Handler | BatchHandler] = {}
    for fn in handlers:
        contract = fn.contract
        if contract.type in table:
            raise ValueError(f"two handlers for {contract.type}")
        table[contract.type] = _typed_many(fn, contract) if fn.many else _typed_one(fn, contract)
    return table


def _typed_one(fn: Any, contract: type[EventContract]) -> Handler:
    async def handle(envelope: Envelope) -> None:
        await fn(parsed(contract, envelope), envelope)

    handle.contract = contract  # type: ignore[attr-defined]
    return handle


def _typed_many(fn: Any, contract: type[EventContract]) -> BatchHandler:
    @applies_many
    async def handle(envelopes: list[Envelope]) -> None:
        await fn([parsed(contract, e) for e in envelopes], envelopes)

    handle.contract = contract  # type: ignore[attr-defined]
    return handle


async def apply(handlers: dict[str, Handler | BatchHandler], envelopes: Sequence[Envelope]) -> None:
    """Applies events in their order: a run of one type at once where its handler takes lists."""
    for event_type, run in groupby(envelopes, key=lambda e: e.type):
        handler = handlers[event_type]
        if getattr(handler, "applies_many", False):
            await handler(list(run))
        else:
            for envelope in run:
                await handler(envelope)
