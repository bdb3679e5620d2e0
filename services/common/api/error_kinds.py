"""What kind of failure a GraphQL error is, by type wherever one exists; the few rules that must read
message text live here and nowhere else, each with why no type exists.

operation.classify turns these kinds into `extensions.code`.
"""

from __future__ import annotations

import asyncpg
from graphql import GraphQLError, GraphQLSyntaxError
from tortoise.exceptions import DBConnectionError, OperationalError

# Connection loss, by the driver's and the ORM's exception types: the request may simply be retried.
CONNECTION_LOST = (
    ConnectionError,
    TimeoutError,
    DBConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.InterfaceError,
    # A connection the server dropped mid-transaction refuses the next statement this way.
    asyncpg.exceptions.InternalClientError,
)


# The database ended a statement at its time limit (statement_timeout, SQLSTATE 57014): the transaction
# is rolled back, so the request may be retried as well.
TIME_LIMIT = (asyncpg.exceptions.QueryCanceledError,)


def is_time_limit(exc: BaseException) -> bool:
    return isinstance(exc, TIME_LIMIT) or isinstance(exc.__cause__ or exc.__context__, TIME_LIMIT)


def is_parse_error(error: GraphQLError) -> bool:
    # graphql-core raises GraphQLSyntaxError from parse(); Strawberry returns that very instance.
    return isinstance(error, GraphQLSyntaxError)


def is_token_limit(error: GraphQLError) -> bool:
    # graphql-core stops parsing at `max_tokens` with a plain GraphQLSyntaxError; only its text says why.
    return is_parse_error(error) and "tokens. Parsing aborted" in error.message


def is_connection_loss(exc: BaseException) -> bool:
    if isinstance(exc, CONNECTION_LOST):
        return True
    # Tortoise re-raises a lost connection as OperationalError; the driver's error is its cause.
    if isinstance(exc, OperationalError):
        return isinstance(exc.__cause__ or exc.__context__, CONNECTION_LOST)
    return False


# The only text-based rule. A bad input value (a literal argument of the wrong type, a variable that does
# not coerce, an enum value that does not exist) and any other validation failure all reach us as plain
# GraphQLError with no original error: graphql-core's ValuesOfCorrectTypeRule and its variable coercion
# (get_variable_values / coerce_input_value) report through GraphQLError itself, with no subclass, rule
# or kind attribute, and Strawberry hands them on unchanged (validation results as
# `pre_execution_errors`, coercion errors in the ExecutionResult). So the messages those two produce are
# matched here, one hint per message family:
BAD_VALUE_HINTS = (
    "got invalid value",  # variable coercion: "Variable '$x' got invalid value …"
    "Expected value of type",  # ValuesOfCorrectTypeRule: a literal of the wrong type
    "Expected value of non-null type",  # coercion: null for a non-null input field
    "cannot represent",  # scalar coercion: "Int cannot represent non-integer value …"
    "does not exist in",  # enum coercion: "Value 'X' does not exist in 'Enum' enum."
)


def is_bad_value(error: GraphQLError) -> bool:
    return any(hint in error.message for hint in BAD_VALUE_HINTS)
