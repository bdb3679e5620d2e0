"""Handlers that take one event or a run of events: order kept, runs split where the type changes."""

from __future__ import annotations

from services.common.events import Envelope
from services.common.events.handlers import applies_many, apply


def _events(*types: str) -> list[Envelope]:
    return [Envelope(type=t, district="230102", producer="test", data={"n": n}) for n, t in enumerate(types)]


async def test_runs_of_one_type_go_to_a_list_handler_at_once_and_in_order():
    calls: list = []

    @applies_many
    async def many(envelopes):
        calls.append(("many", [e.data["n"] for e in envelopes]))

    async def one(envelope):
        calls.append(("one", envelope.data["n"]))

    await apply({"a": many, "b": one}, _events("a", "a", "b", "b", "a", "b", "a", "a", "a"))
    assert calls == [("many", [0, 1]), ("one", 2), ("one", 3), ("many", [4]), ("one", 5), ("many", [6, 7, 8])]


async def test_nothing_to_apply_calls_no_handler():
    called = []

    @applies_many
    async def many(envelopes):
        called.append(envelopes)

    await apply({"a": many}, [])
    assert called == []
