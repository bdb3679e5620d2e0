"""The ack ledger: a `multiple` ack never covers a delivery that is still being applied."""

from services.common.events.acks import AckLedger


def _ledger(*tags: int) -> AckLedger:
    ledger = AckLedger()
    for tag in tags:
        ledger.received(tag)
    return ledger


def test_a_whole_batch_applied_is_acked_up_to_its_last_tag():
    ledger = _ledger(1, 2, 3)
    assert ledger.applied_now([1, 2, 3]) == 3
    assert ledger.ackable() is None  # nothing left to ack twice


def test_a_later_batch_waits_for_an_earlier_one_still_in_flight():
    ledger = _ledger(1, 2, 3, 4)
    assert ledger.applied_now([3, 4]) is None  # 1 and 2 are still being applied
    assert ledger.applied_now([1]) == 1  # 2 still blocks 3 and 4
    assert ledger.applied_now([2]) == 4


def test_a_delivery_settled_alone_no_longer_blocks():
    ledger = _ledger(1, 2, 3)
    assert ledger.applied_now([2, 3]) is None
    ledger.settled_alone(1)  # nacked or rejected by itself
    assert ledger.ackable() == 3


def test_a_delivery_received_after_the_ack_point_is_not_covered():
    ledger = _ledger(1, 2)
    assert ledger.applied_now([1]) == 1
    ledger.received(3)
    assert ledger.applied_now([3]) is None  # 2 is in flight
    assert ledger.applied_now([2]) == 3
