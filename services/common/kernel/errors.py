"""The error codes clients see, and how domain errors reach GraphQL as `extensions`."""

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
