"""Request errors and how graphql-core's errors become them: the one place that maps an error to a code.

Every error is classified by where it comes from, i.e. by type or by the call that returned it:

| source                                                    | code                        |
|-----------------------------------------------------------|-----------------------------|
| `parse()` raises `GraphQLSyntaxError`                     | `GRAPHQL_PARSE_FAILED`      |
| ... for the `max_tokens` limit (see `is_token_limit`)     | `MAX_TOKENS_EXCEEDED`       |
| `validate()` returns errors                               | `GRAPHQL_VALIDATION_FAILED` |
| ... by `ValuesWithFieldRule` (a bad literal value)        | `BAD_USER_INPUT` + field    |
| `variable_errors()` returns errors (input_paths.py)       | `BAD_USER_INPUT` + field    |

What remains is matched by text, here only: graphql-core has no error type of its own for the token
limit; it raises a `GraphQLSyntaxError` whose message is "Syntax Error: Document contains more than N
tokens. Parsing aborted." (graphql/language/parser.py), so `is_token_limit` reads that message.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import GraphQLError, GraphQLSyntaxError


class RequestError(Exception):
    """A request refused before execution (no `data` in the response)."""

    def __init__(self, message: str, code: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.status = status
        self.field = field

    def response(self) -> dict:
        extensions = {"code": self.code, **({"field": self.field} if self.field else {})}
        return {"errors": [{"message": str(self), "extensions": extensions}]}


def is_token_limit(error: GraphQLSyntaxError) -> bool:
    """The parse stopped at `max_tokens` (the only error classified by its text; see the module doc)."""
    return "tokens" in error.message


def parse_failed(error: GraphQLSyntaxError) -> RequestError:
    return RequestError(error.message, "MAX_TOKENS_EXCEEDED" if is_token_limit(error) else "GRAPHQL_PARSE_FAILED")


def validation_failed(errors: Sequence[GraphQLError]) -> RequestError:
    """What `validate()` returned (the first error is reported); a bad literal value (input_paths.py
    marks it) is BAD_USER_INPUT with its field."""
    first = errors[0]
    extensions = first.extensions or {}
    if extensions.get("code") == "BAD_USER_INPUT":
        return bad_user_input(errors)
    return RequestError(first.message, "GRAPHQL_VALIDATION_FAILED")


def bad_user_input(errors: Sequence[GraphQLError]) -> RequestError:
    """Bad values (input_paths.py; the first is reported), with the path of the value at fault."""
    first = errors[0]
    return RequestError(first.message, "BAD_USER_INPUT", field=(first.extensions or {}).get("field"))
