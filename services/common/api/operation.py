"""How one GraphQL operation runs: inside one tenant transaction, with errors every client can read."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import orjson
import strawberry.federation
from graphql import ExecutionResult, GraphQLError, GraphQLSchema, OperationType
from strawberry.extensions import SchemaExtension

from services.common.kernel.config import development
from services.common.api.context import tenant_districts
from services.common.api.document_cache import DOCUMENT_CACHES
from services.common.api.field_paths import full_input_path
from services.common.api.offboarded import offboarded_refusal
from services.common.api.error_kinds import (
    is_bad_value, is_connection_loss, is_parse_error, is_time_limit, is_token_limit,
)
from services.common.api.input_errors import InputFieldPaths, literal_rule, refuse_bad_variables
from services.common.api.idempotency import REPLAY_MARKER, REPLAYED_HEADER, in_progress, keyed_mutation, reused
from services.common.api.request_limits import MAX_TOKENS_EXCEEDED, DocumentLimiter
from services.common.kernel.errors import (
    BAD_USER_INPUT, INTERNAL, PARSE_FAILED, RETRYABLE, VALIDATION_FAILED, CommitOutcomeUnknown, DomainError,
    Unavailable,
)
from services.common.kernel.limits import subgraph_operation_limit
from services.common.data import idempotency as idempotency_store
from services.common.data.idempotency import Claim
from services.common.data.tenancy import tenant_transaction

log = logging.getLogger("civic.graphql")


class _RollBack(Exception):
    """Raised inside the transaction to undo a mutation whose result carries errors."""


class OperationTransaction(SchemaExtension):
    """Each operation runs in one transaction that first sets `app.districts` for row-level security.

    A mutation that ends with any error rolls back whole, so bad input changes nothing. A mutation ends
    within the subgraph's time limit (kernel/limits.py), before the gateway stops waiting for it. With an
    Idempotency-Key (api/idempotency.py) its response is stored in the same transaction as its effect,
    and the same request again is answered from there.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        operation = _operation_node(ctx)
        districts = tenant_districts(ctx.context, operation)
        auth_error = getattr(ctx.context, "auth_error", None)
        if auth_error is not None:
            # A bad token is refused before any database work: no transaction, no resolver.
            ctx.result = _refused(auth_error)
            yield
            return
        if refuse_bad_variables(ctx, operation):
            yield  # refused with each bad value's field, before any transaction
            return
        try:
            keyed = keyed_mutation(ctx.context, operation, ctx.query, ctx.operation_name, ctx.variables)
        except DomainError as error:
            ctx.result = _refused(error)
            yield
            return
        is_mutation = operation is not None and operation.operation is OperationType.MUTATION
        # The limit counts from here, so time spent waiting for a pooled connection counts too.
        deadline = asyncio.get_running_loop().time() + subgraph_operation_limit()
        committing = False
        try:
            async with tenant_transaction(ctx.context.service.name, districts) as conn:
                if is_mutation:
                    await _limit_statements(conn, deadline)
                    # An offboarded district is kept for the archive: its tokens write nothing more.
                    refusal = await offboarded_refusal(conn, ctx.context.principal)
                    if refusal is not None:
                        ctx.result = _refused(refusal)
                        yield
                        return
                if keyed is not None:
                    claimed = await idempotency_store.claim(conn, keyed.district, keyed.subject, keyed.key,
                                                            keyed.request_hash)
                    if not claimed.fresh:
                        ctx.result = self._answer_from_store(claimed)
                        yield
                        return
                if is_mutation:
                    # The deadline covers execution only, never the COMMIT (a COMMIT cut short is an
                    # unknown outcome); its TimeoutError rolls the transaction back.
                    async with asyncio.timeout_at(deadline):
                        yield
                else:
                    yield
                result = ctx.result
                if is_mutation and result is not None and getattr(result, "errors", None):
                    raise _RollBack
                if keyed is not None and result is not None:
                    await idempotency_store.record(conn, keyed.district, keyed.subject, keyed.key,
                                                   keyed.request_hash, orjson.dumps(result.data).decode())
                committing = is_mutation
        except _RollBack:
            pass
        except idempotency_store.KeyTaken:
            raise in_progress() from None  # rolled back: the request that took the key first stands
        except Exception as exc:
            if committing and is_connection_loss(exc):
                raise _lost_commit(keyed is not None) from exc
            raise

    def _answer_from_store(self, claimed: Claim) -> ExecutionResult:
        if claimed.busy:
            return _refused(in_progress())
        if not claimed.same_request:
            return _refused(reused())
        response = getattr(self.execution_context.context, "response", None)
        if response is not None:
            response.headers[REPLAYED_HEADER] = "true"
        self.replayed = True
        return ExecutionResult(data=orjson.loads(claimed.stored))

    def get_results(self) -> dict[str, Any]:
        # The marker the gateway turns into its own Idempotent-Replayed header (policy/idempotency.py).
        return {REPLAY_MARKER: True} if getattr(self, "replayed", False) else {}


async def _limit_statements(conn: Any, deadline: float) -> None:
    """The database ends a slow statement a little before our own deadline (kernel/limits.py), so the
    usual case is a clean cancel on the server that leaves the connection usable."""
    remaining = deadline - asyncio.get_running_loop().time()
    await conn.execute_query("SELECT set_config('statement_timeout', $1, true)",
                             [f"{max(int(remaining * 900), 1)}ms"])


def _refused(error: DomainError) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(error.message, original_error=error, extensions=error.extensions)])


def _lost_commit(keyed: bool) -> DomainError:
    """The connection died while COMMIT was on its way: the change may have been applied. With a key a
    retry is safe (it replays or applies once); without one, retrying blindly may apply it twice."""
    if keyed:
        return Unavailable("the connection was lost during COMMIT; retry with the same Idempotency-Key",
                           retryable=True)
    return CommitOutcomeUnknown(
        "the connection was lost during COMMIT, so the change may or may not have been applied: check before "
        "sending it again, or send mutations with an Idempotency-Key header so that a retry is safe",
        retryable=False)


def _operation_node(ctx: Any):
    document = ctx.graphql_document
    if document is None:
        return None
    operations = [d for d in document.definitions if d.__class__.__name__ == "OperationDefinitionNode"]
    if ctx.operation_name:
        operations = [d for d in operations if d.name and d.name.value == ctx.operation_name]
    return operations[0] if len(operations) == 1 else None


class SubgraphSchema(strawberry.federation.Schema):
    """A Federation v2 schema that logs only the errors that are ours, not the client's, parses and
    validates each distinct document once (document_cache.py) whatever extensions a service adds, and
    refuses documents over the token, depth and alias limits (request_limits.py; after the validation
    cache, whose verdict it may replace)."""

    def __init__(self, *args: Any, extensions: Sequence[Any] = (), list_caps: dict[str, int] | None = None,
                 **kwargs: Any) -> None:
        # Input lists hold at most input_errors.MAX_LIST_ITEMS items; these input types' lists may hold more.
        # The gateway's `_entities(representations:)` is one call per plan step, as long as the page it
        # resolves (None: uncapped; the gateway's own limits bound it).
        self.list_caps: dict[str, int | None] = {"_Any": None, **(list_caps or {})}
        self.literal_rule = literal_rule(self.list_caps)
        # InputFieldPaths first: the validation cache must see the rules it swaps in.
        super().__init__(*args, extensions=[InputFieldPaths, *DOCUMENT_CACHES, DocumentLimiter, *extensions], **kwargs)

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            if classify(error) == INTERNAL:
                log.error("unexpected error", exc_info=error.original_error or error)


def classify(error: GraphQLError) -> str:
    """The error's `extensions.code`, from its kind (services/common/api/error_kinds.py)."""
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code
    if original is None:
        if (error.extensions or {}).get("code") == BAD_USER_INPUT:
            return BAD_USER_INPUT  # our own input checks (input_errors.py) mark what they refuse
        if is_parse_error(error):
            return MAX_TOKENS_EXCEEDED if is_token_limit(error) else PARSE_FAILED
        if is_bad_value(error):
            return BAD_USER_INPUT
        return VALIDATION_FAILED
    if is_connection_loss(original) or is_time_limit(original):
        return RETRYABLE
    if isinstance(original, GraphQLError):
        return classify(original)
    return INTERNAL


def format_error(error: GraphQLError, schema: GraphQLSchema | None = None) -> dict[str, Any]:
    """The error as the client sees it: always with `extensions.code`; internals hidden in production; a
    domain error's field as its full input path (field_paths.py) when the schema is given."""
    formatted = error.formatted
    code = classify(error)
    extensions = dict(formatted.get("extensions") or {})
    extensions["code"] = code
    if schema is not None and isinstance(error.original_error, DomainError) and extensions.get("field"):
        extensions["field"] = full_input_path(error, schema, extensions["field"])
    if code == INTERNAL and not development():
        formatted["message"] = "Internal server error."
    if code == RETRYABLE and not isinstance(error.original_error, DomainError):
        formatted["message"] = "The service is briefly unavailable; retry the request."
        extensions["retryable"] = True
    formatted["extensions"] = extensions
    return formatted
