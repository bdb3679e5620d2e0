"""The request pipeline: persisted query lookup, parse, validate, limits,
plan, execute, shape. Transport-agnostic: the HTTP app is a thin wrapper. Errors and their codes:
errors.py (`RequestError` is re-exported here for the policy layer)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, Awaitable, Callable, Mapping, NamedTuple

import httpx
import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    execute as graphql_execute,
    parse,
    print_ast,
    validate,
)
from graphql.execution.values import get_variable_values

from . import response_extensions
from .client_schema import build_client_schema
from .errors import RequestError, bad_user_input, parse_failed, validation_failed
from .executor import PlanExecutor
from .limits import OperationMeasure, measure_operation, size_variables
from .metrics import PASS_THROUGH
from .options import EngineOptions
from .conditions import condition_values, is_included
from .plan import QueryPlan
from .planner import PlanningError, QueryPlanner, select_operation
from .shaping import ResponseShaper
from .subgraph_client import SubgraphClient
from .supergraph import parse_supergraph

log = logging.getLogger(__name__)
MEASURES_PER_OPERATION = 16  # distinct list sizes remembered per operation (the rest measured each time)
PLANS_PER_OPERATION = 16  # distinct @skip/@include variable values remembered per operation


@dataclass
class LocalField:
    """What a local root-field resolver receives."""

    field: FieldNode
    fragments: dict
    variables: dict
    operation_kind: str
    headers: Mapping[str, str]
    context: Any
    gateway: "Gateway"


    def query_for(self, root_field: str) -> str:
        """A query text selecting `root_field` with this field's selection set
        (and the fragments it uses): handy to fetch data through the gateway."""
        selection = print_ast(self.field.selection_set) if self.field.selection_set else ""
        used, pending = {}, [self.field]
        while pending:
            node = pending.pop()
            for child in getattr(getattr(node, "selection_set", None), "selections", None) or ():
                if child.kind == "fragment_spread" and child.name.value not in used:
                    used[child.name.value] = self.fragments[child.name.value]
                    pending.append(used[child.name.value])
                else:
                    pending.append(child)
        fragments = "".join("\n" + print_ast(f) for f in used.values())
        return f"query {{ {root_field} {selection} }}{fragments}"


LocalResolver = Callable[[LocalField], Awaitable[Any]]


class EncodedResponse(NamedTuple):
    status: int
    body: bytes  # JSON
    has_errors: bool


@dataclass
class _Prepared:
    """One operation text, parsed, validated and measured: kept so that a repeated query is not."""

    document: DocumentNode
    operation: OperationDefinitionNode
    fragments: dict
    kind: str
    introspects_anywhere: bool
    introspects_at_root: bool  # `__schema`/`__type` at the root: answered from the client schema
    size_variables: tuple[str, ...]  # the variables the cost measure reads (e.g. `first: $n`)
    measures: dict[tuple, OperationMeasure] = field(default_factory=dict)
    plans: dict[tuple, QueryPlan] = field(default_factory=dict)  # by condition values (planner.py)

    def plan(self, planner: QueryPlanner, query: str, operation_name: str | None, variables: dict) -> QueryPlan:
        # The planner keeps plans too (LRU); asking it re-selects the operation and rebuilds its key.
        key = tuple(condition_values(self.operation, variables).values()) if self.operation.variable_definitions else ()
        found = self.plans.get(key)
        if found is None:
            found = planner.plan(self.document, operation_name, variables, cache_key=query)
            if len(self.plans) < PLANS_PER_OPERATION:
                self.plans[key] = found
        return found

    def measure(self, schema, variables: dict, default_list_size: int) -> OperationMeasure:
        # Only integer values change the measure; anything else counts as absent.
        key = tuple(v if isinstance(v := variables.get(n), int) else None for n in self.size_variables)
        found = self.measures.get(key)
        if found is None:
            found = measure_operation(schema, self.operation, self.fragments, variables, default_list_size)
            if len(self.measures) < MEASURES_PER_OPERATION:
                self.measures[key] = found
        return found


class Gateway:
    def __init__(
        self,
        supergraph_sdl: str,
        *,
        options: EngineOptions | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        extra_sdl: str | None = None,
        local_resolvers: Mapping[str, LocalResolver] | None = None,
    ):
        """`extra_sdl` extends the client schema (e.g. `extend type Query { x: X }`);
        `local_resolvers` maps "Query.x" to an async resolver run in the gateway."""
        self.options = options or EngineOptions()
        self.supergraph = parse_supergraph(supergraph_sdl)
        self.schema = build_client_schema(self.supergraph.document, extra_sdl)
        self.local_resolvers = dict(local_resolvers or {})
        self.planner = QueryPlanner(self.supergraph, set(self.local_resolvers), self.options.plan_cache_size)
        urls = {name: sub.url for name, sub in self.supergraph.subgraphs.items()}
        self.client = SubgraphClient(
            urls,
            http_client=http_client,
            transport=transport,
            timeout=self.options.subgraph_timeout,
            timeouts=self.options.subgraph_timeouts,
            mutation_timeout=self.options.mutation_timeout,
            query_retries=self.options.query_retries,
            breaker_threshold=self.options.breaker_failure_threshold,
            breaker_cooldown=self.options.breaker_cooldown,
            collapse_queries=self.options.collapse_queries,
        )
        self.executor = PlanExecutor(
            self.supergraph, self.client, redact_subgraph_errors=self.options.redact_subgraph_errors,
            kept_extensions=tuple(self.options.kept_response_extensions),
        )
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()
        self._prepared: OrderedDict[tuple[str, str | None], _Prepared] = OrderedDict()

    async def aclose(self) -> None:
        await self.client.aclose()

    # -- public entry points -------------------------------------------------------
    async def execute(self, request: Any, headers_to_forward: Mapping[str, str] | None = None,
                      context: Any = None, *, http_method: str = "POST") -> dict:
        return (await self.execute_with_status(request, headers_to_forward, context, http_method=http_method))[1]

    async def execute_with_status(self, request: Any, headers_to_forward: Mapping[str, str] | None = None,
                                  context: Any = None, *, http_method: str = "POST") -> tuple[int, dict]:
        try:
            return 200, await self._execute(request, headers_to_forward or {}, context, http_method)
        except RequestError as error:
            return error.status, error.response()
        except Exception:  # a bug must not leak internals to clients
            log.exception("unexpected error while executing a request")
            return 500, RequestError("internal server error", "INTERNAL_SERVER_ERROR", 500).response()

    async def execute_encoded(self, request: Any, headers_to_forward: Mapping[str, str] | None = None,
                              context: Any = None, *, http_method: str = "POST") -> EncodedResponse:
        """What an HTTP server sends: the response as JSON bytes. A single-subgraph answer that needs no
        shaping is the subgraph's own bytes (pass_through.py)."""
        try:
            result = await self._execute(request, headers_to_forward or {}, context, http_method, pass_through=True)
        except RequestError as error:
            return EncodedResponse(error.status, orjson.dumps(error.response()), True)
        except Exception:  # a bug must not leak internals to clients
            log.exception("unexpected error while executing a request")
            error = RequestError("internal server error", "INTERNAL_SERVER_ERROR", 500)
            return EncodedResponse(500, orjson.dumps(error.response()), True)
        if isinstance(result, bytes):
            PASS_THROUGH.inc()
            return EncodedResponse(200, result, False)
        return EncodedResponse(200, orjson.dumps(result), "errors" in result)

    def parse_and_validate(self, query: str) -> DocumentNode:
        """Parse with the token limit and validate against the client schema (cached)."""
        cached = self._documents.get(query)
        if cached is not None:
            self._documents.move_to_end(query)
            return cached
        try:
            document = parse(query, max_tokens=self.options.max_tokens)
        except GraphQLSyntaxError as error:
            raise parse_failed(error)
        errors = validate(self.schema, document)
        if errors:
            raise validation_failed(errors)
        self._documents[query] = document
        if len(self._documents) > self.options.document_cache_size:
            self._documents.popitem(last=False)
        return document

    # -- pipeline ------------------------------------------------------------------
    def _resolve_query_text(self, request: dict) -> str:
        query = request.get("query")
        extensions = request.get("extensions") or {}
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        known = self.options.persisted_queries or {}
        if isinstance(persisted, dict) and persisted.get("sha256Hash"):
            digest = str(persisted["sha256Hash"])
            if query is None:
                if digest not in known:
                    raise RequestError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
                return known[digest]
            if hashlib.sha256(query.encode()).hexdigest() != digest:
                raise RequestError("provided sha does not match query", "BAD_REQUEST")
        if not isinstance(query, str) or not query.strip():
            raise RequestError("request must contain a `query` string", "BAD_REQUEST")
        if self.options.safelist_only and hashlib.sha256(query.encode()).hexdigest() not in known:
            raise RequestError("operation is not in the persisted operation safelist", "PERSISTED_QUERY_NOT_ALLOWED")
        return query

    def _prepare(self, query: str, operation_name: str | None) -> _Prepared:
        """Parse, validate and pick the operation once per text: the rest of a request reuses it."""
        key = (query, operation_name)
        prepared = self._prepared.get(key)
        if prepared is not None:
            self._prepared.move_to_end(key)
            return prepared
        document = self.parse_and_validate(query)
        try:
            operation, fragments = select_operation(document, operation_name)
        except PlanningError as error:
            raise RequestError(str(error), "GRAPHQL_VALIDATION_FAILED")
        prepared = _Prepared(
            document=document,
            operation=operation,
            fragments=fragments,
            kind=operation.operation.value,
            introspects_anywhere=_uses_introspection(operation, fragments, anywhere=True),
            introspects_at_root=_uses_introspection(operation, fragments),
            size_variables=size_variables(operation, fragments),
        )
        self._prepared[key] = prepared
        if len(self._prepared) > self.options.document_cache_size:
            self._prepared.popitem(last=False)
        return prepared

    async def _execute(self, request: Any, headers: Mapping[str, str], context: Any, http_method: str,
                       pass_through: bool = False) -> dict | bytes:
        if not isinstance(request, dict):
            raise RequestError("request body must be a JSON object", "BAD_REQUEST")
        query = self._resolve_query_text(request)
        variables = request.get("variables") or {}
        operation_name = request.get("operationName") or None
        if not isinstance(variables, dict):
            raise RequestError("`variables` must be a JSON object", "BAD_REQUEST")
        prepared = self._prepare(query, operation_name)
        operation, fragments, kind = prepared.operation, prepared.fragments, prepared.kind
        if http_method.upper() == "GET" and kind != "query":
            raise RequestError(f"{kind} operations can only be sent over HTTP POST", "METHOD_NOT_ALLOWED", 405)
        if kind == "subscription":
            raise RequestError("subscriptions are not served over HTTP", "BAD_REQUEST")
        self._check_limits(prepared, variables)
        if operation.variable_definitions:
            coerced = get_variable_values(self.schema, operation.variable_definitions, variables)
            if isinstance(coerced, list):
                raise bad_user_input(coerced)
        try:
            plan = prepared.plan(self.planner, query, operation_name, variables)
        except PlanningError as error:
            raise RequestError(f"query planning failed: {error}", "QUERY_PLANNING_FAILED", 500)

        kept = response_extensions.start()
        if pass_through and plan.pass_through is not None:
            # No local or introspection root fields by construction: one fetch, maybe no shaping.
            outcome = await self.executor.execute_pass_through(plan, variables, headers)
            if isinstance(outcome, bytes):
                return outcome
            data, errors = outcome
            root_type = self.schema.get_root_type(operation.operation)
        else:
            root_type = self.schema.get_root_type(operation.operation)
            data, errors = await self._run_plan(plan, prepared, root_type, variables, headers, context)
        shaper = ResponseShaper(self.schema, fragments, condition_values(operation, variables), errors)
        shaped = shaper.shape(root_type, operation.selection_set, data)
        response = {"errors": errors, "data": shaped} if errors else {"data": shaped}
        if kept:
            response["extensions"] = kept
        return response

    async def _run_plan(self, plan, prepared: _Prepared, root_type, variables, headers, context) -> tuple[dict, list]:
        operation, fragments = prepared.operation, prepared.fragments
        locals_ = self._local_root_fields(root_type.name, operation, fragments, variables)
        if locals_:
            local_task = asyncio.ensure_future(
                self._run_locals(root_type.name, locals_, fragments, variables, prepared.kind, headers, context)
            )
            data, errors = await self.executor.execute(plan, variables, headers)
            local_data, local_errors = await local_task
            data.update(local_data)
            errors += local_errors
        else:
            data, errors = await self.executor.execute(plan, variables, headers)
        if prepared.introspects_at_root:
            data.update(self._introspect(prepared.document, operation, variables))
        return data, errors

    def _check_limits(self, prepared: _Prepared, variables: dict) -> None:
        o = self.options
        if not o.introspection and prepared.introspects_anywhere:
            raise RequestError("GraphQL introspection is not allowed", "GRAPHQL_VALIDATION_FAILED")
        measure = prepared.measure(self.schema, variables, o.default_list_size)
        if o.max_depth is not None and measure.depth > o.max_depth:
            raise RequestError(f"query depth {measure.depth} exceeds the limit of {o.max_depth}", "MAX_DEPTH_EXCEEDED")
        if o.max_aliases is not None and measure.aliases > o.max_aliases:
            raise RequestError(f"query uses {measure.aliases} aliases, the limit is {o.max_aliases}", "MAX_ALIASES_EXCEEDED")
        if o.max_cost is not None and measure.cost > o.max_cost:
            raise RequestError(f"query cost {measure.cost} exceeds the limit of {o.max_cost}", "MAX_COST_EXCEEDED")

    def _local_root_fields(self, root_name: str, operation, fragments, variables) -> list[FieldNode]:
        if not self.local_resolvers:
            return []
        conditions = condition_values(operation, variables)
        found = []

        def walk(selections):
            for node in selections:
                if not is_included(node, conditions):
                    continue
                if isinstance(node, FieldNode):
                    if f"{root_name}.{node.name.value}" in self.local_resolvers:
                        found.append(node)
                elif hasattr(node, "selection_set") and node.selection_set:
                    walk(node.selection_set.selections)
                else:
                    walk(fragments[node.name.value].selection_set.selections)

        walk(operation.selection_set.selections)
        return found

    async def _run_locals(self, root_name: str, fields, fragments, variables, kind, headers, context) -> tuple[dict, list]:
        data, errors = {}, []
        for node in fields:
            key = node.alias.value if node.alias else node.name.value
            resolver = self.local_resolvers[f"{root_name}.{node.name.value}"]
            info = LocalField(node, fragments, variables, kind, headers, context, self)
            try:
                data[key] = await resolver(info)
            except Exception as error:  # a local resolver failure nulls its field only
                message = error.message if isinstance(error, GraphQLError) else str(error)
                extensions = getattr(error, "extensions", None) or {"code": "INTERNAL_SERVER_ERROR"}
                errors.append({"message": message, "path": [key], "extensions": extensions})
        return data, errors

    def _introspect(self, document: DocumentNode, operation, variables) -> dict:
        selections = tuple(
            s for s in operation.selection_set.selections
            if isinstance(s, FieldNode) and s.name.value.startswith("__") and s.name.value != "__typename"
        )
        op = replace(operation, selection_set=replace(operation.selection_set, selections=selections))
        doc = DocumentNode(definitions=tuple(op if d is operation else d for d in document.definitions))
        result = graphql_execute(self.schema, doc, variable_values=variables,
                                 operation_name=operation.name.value if operation.name else None)
        return dict(result.data or {})


def _uses_introspection(operation: OperationDefinitionNode, fragments: dict, anywhere: bool = False) -> bool:
    """`__schema`/`__type` at the root (or anywhere, for the policy check)."""

    def walk(selections, depth: int) -> bool:
        for node in selections:
            if isinstance(node, FieldNode):
                if node.name.value in ("__schema", "__type"):
                    return True
                if anywhere and node.selection_set and walk(node.selection_set.selections, depth + 1):
                    return True
            elif hasattr(node, "selection_set") and node.selection_set:
                if walk(node.selection_set.selections, depth):
                    return True
            elif node.name.value in fragments and walk(fragments[node.name.value].selection_set.selections, depth):
                return True
        return False

    return walk(operation.selection_set.selections, 0)
