"""A beneficiary's contact as lists show it: masked, e.g. 13812345678 -> 138****5678."""

from __future__ import annotations


def mask_contact(contact: str | None) -> str | None:
    """The first three and the last four digits kept, every other character a star."""
    if not contact:
        return contact
    if len(contact) <= 7:
        return "*" * (len(contact) - 2) + contact[-2:]
    return contact[:3] + "*" * (len(contact) - 7) + contact[-4:]
