"""One `multiple` ack for many applied deliveries, never covering one that is still being applied.

A `basic.ack` with `multiple` settles every unacknowledged delivery up to its tag on that channel. That
is one frame (and one settle in the quorum queue) for a whole batch, but it is only safe up to the
first delivery that is still in flight: acking that one before its commit could lose it in a crash.
Delivery tags count per channel, so each channel (a new one after a reconnect) has its own ledger.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field


@dataclass
class AckLedger:
    """Tags of one channel: received and not yet settled, and applied but not yet acked."""

    in_flight: set[int] = field(default_factory=set)
    applied: list[int] = field(default_factory=list)  # a heap

    def received(self, tag: int) -> None:
        self.in_flight.add(tag)

    def settled_alone(self, tag: int) -> None:
        """Rejected or nacked by itself: the broker no longer counts it as unacknowledged."""
        self.in_flight.discard(tag)

    def applied_now(self, tags: list[int]) -> int | None:
        """Marks tags applied; returns the tag to ack with `multiple`, or None when none is safe yet."""
        for tag in tags:
            self.in_flight.discard(tag)
            heapq.heappush(self.applied, tag)
        return self.ackable()

    def ackable(self) -> int | None:
        first_in_flight = min(self.in_flight) if self.in_flight else None
        upto = None
        while self.applied and (first_in_flight is None or self.applied[0] < first_in_flight):
            upto = heapq.heappop(self.applied)
        return upto
