"""The request side of `Idempotency-Key` (IETF httpapi draft "The Idempotency-Key HTTP Header Field",
with Stripe's semantics): which mutations carry a key, what a valid key is, and what "the same request"
means. The store is services/common/data/idempotency.py; operation.py runs both in the transaction.

- a mutation with a key runs once per (district, caller, key): the same request again gets the stored
  response, with `Idempotent-Replayed: true`;
- the same key with another request (operation text, operation name or variables differ) is refused
  IDEMPOTENCY_KEY_REUSED; while the first is still running, CONFLICT;
- queries ignore the key, and so do callers without a home district (a city admin's onboarding), whose
  mutations have no district to keep it in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import OperationType

from services.common.kernel.errors import BadInput, Conflict, IdempotencyKeyReused

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# A replayed answer's top-level `extensions` key (a client of the gateway sees the header instead).
REPLAY_MARKER = "idempotentReplayed"
# Stripe's limit; the draft sets none. Printable ASCII only: the key goes into a header and an index.
MAX_LENGTH = 255


def parse_key(value: str | None) -> str | None:
    """The key of a request's header value (None when absent); BAD_USER_INPUT when it is not a valid key.

    The draft defines the value as a Structured Field String (`"…"`); a bare token, as Stripe takes it,
    is accepted too and means the same key."""
    if value is None:
        return None
    key = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if not key:
        raise BadInput("Idempotency-Key must not be empty", field=HEADER)
    if len(key) > MAX_LENGTH:
        raise BadInput(f"Idempotency-Key must be at most {MAX_LENGTH} characters", field=HEADER)
    if not all(" " <= c <= "~" for c in key) or '"' in key or "\\" in key:
        raise BadInput("Idempotency-Key must be printable ASCII without quotes or backslashes", field=HEADER)
    return key


def request_hash(query: str | None, operation_name: str | None, variables: dict[str, Any] | None) -> str:
    """What "the same request" is: the operation's text and name and its variables (key order aside)."""
    canonical = orjson.dumps([query or "", operation_name or "", variables or {}], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True)
class KeyedMutation:
    district: str
    subject: str
    key: str
    request_hash: str


def keyed_mutation(context: Any, operation: Any, query: str | None, operation_name: str | None,
                   variables: dict[str, Any] | None) -> KeyedMutation | None:
    """The key this operation is bound to, or None; raises BadInput for a malformed key on a mutation."""
    if operation is None or operation.operation is not OperationType.MUTATION:
        return None
    request = getattr(context, "request", None)
    key = parse_key(request.headers.get(HEADER) if request is not None else None)
    principal = context.principal
    if key is None or principal is None or principal.is_city_admin or principal.district is None:
        return None
    return KeyedMutation(principal.district, principal.sub, key, request_hash(query, operation_name, variables))


def reused() -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "this Idempotency-Key was used for another request; send a new key for a new request", field=HEADER)


def in_progress() -> Conflict:
    return Conflict("a request with this Idempotency-Key is still running; retry once it has answered",
                    field=HEADER, retryable=True)
