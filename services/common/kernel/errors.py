"""The error codes clients see (every one of them, README's table row for row), and how domain errors
reach GraphQL as `extensions`."""

from __future__ import annotations

from typing import Any

BAD_USER_INPUT = "BAD_USER_INPUT"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
CONFLICT = "CONFLICT"
RETRYABLE = "SERVICE_UNAVAILABLE"
IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
COMMIT_OUTCOME_UNKNOWN = "COMMIT_OUTCOME_UNKNOWN"
INTERNAL = "INTERNAL_SERVER_ERROR"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

# Codes only the gateway gives. Its engine spells them itself (services/gateway/engine imports nothing of
# the platform); they are listed here so that this one module names every code the API returns, and
# tests/test_error_codes.py checks that the code base emits no other.
GATEWAY_CODES = frozenset({
    "BAD_REQUEST", "REQUEST_TOO_LARGE", "METHOD_NOT_ALLOWED", "BATCHING_NOT_ENABLED", "BATCH_TOO_LARGE",
    "MAX_TOKENS_EXCEEDED", "MAX_DEPTH_EXCEEDED", "MAX_ALIASES_EXCEEDED", "MAX_COST_EXCEEDED",
    "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_ALLOWED", "QUERY_PLANNING_FAILED",
    "SUBGRAPH_REQUEST_FAILED", "SUBGRAPH_UNAVAILABLE", "SUBGRAPH_TIMEOUT",
})
CODES = frozenset({
    BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, RETRYABLE, IDEMPOTENCY_KEY_REUSED,
    COMMIT_OUTCOME_UNKNOWN, INTERNAL, PARSE_FAILED, VALIDATION_FAILED, *GATEWAY_CODES,
})
# What production shows in full (message, field): every error but an INTERNAL one, whose details are ours.
CLIENT_CODES = CODES - {INTERNAL}


class DomainError(Exception):
    """A refusal the client can act on. graphql-core copies `extensions` onto the GraphQL error."""

    code = BAD_USER_INPUT

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    @property
    def extensions(self) -> dict[str, Any]:
        ext: dict[str, Any] = {"code": self.code}
        if self.field:
            ext["field"] = self.field
        ext.update(self.details)
        return ext


class BadInput(DomainError):
    code = BAD_USER_INPUT


class Unauthenticated(DomainError):
    code = UNAUTHENTICATED


class Forbidden(DomainError):
    code = FORBIDDEN


class NotFound(DomainError):
    code = NOT_FOUND


class Conflict(DomainError):
    code = CONFLICT


class Unavailable(DomainError):
    """A dependency (database, broker) failed mid-request; the client may retry."""

    code = RETRYABLE


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was already used for another request (another operation or other variables)."""

    code = IDEMPOTENCY_KEY_REUSED


class CommitOutcomeUnknown(DomainError):
    """The connection was lost during COMMIT: the change may or may not have been applied, so a blind
    retry could apply it twice. Not retryable without an Idempotency-Key."""

    code = COMMIT_OUTCOME_UNKNOWN


def require(condition: bool, message: str, *, field: str | None = None) -> None:
    if not condition:
        raise BadInput(message, field=field)
