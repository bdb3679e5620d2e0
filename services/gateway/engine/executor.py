"""Run a query plan: call subgraphs, merge their data into one response tree
and re-path their errors to client paths."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Mapping

import orjson

from . import response_extensions
from .pass_through import answer_is_final
from .plan import Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence
from .selections import FieldSel, FragmentSel, SelectionList
from .subgraph_client import SubgraphClient, SubgraphFetchError
from .supergraph import Supergraph

log = logging.getLogger(__name__)
REDACTED_MESSAGE = "Subgraph errors redacted"
_MISSING = object()


class PlanExecutor:
    def __init__(self, supergraph: Supergraph, client: SubgraphClient, *, redact_subgraph_errors: bool = False,
                 kept_extensions: tuple[str, ...] = ()):
        self.supergraph = supergraph
        self.kept_extensions = kept_extensions
        self.client = client
        self.redact = redact_subgraph_errors
        self.abstract_names = {t.name for t in supergraph.types.values() if t.is_abstract}

    async def execute(self, plan: QueryPlan, variables: Mapping[str, Any], headers: Mapping[str, str]) -> tuple[dict, list]:
        run = _Run(self, variables, headers, plan.operation_kind)
        if plan.node is not None:
            await run.node(plan.node)
        return run.data, run.errors

    async def execute_pass_through(self, plan: QueryPlan, variables: Mapping[str, Any],
                                   headers: Mapping[str, str]) -> bytes | tuple[dict, list]:
        """Run a plan whose one fetch selects exactly what the client did (`plan.pass_through`): the
        subgraph's bytes when its answer is final, else merged data and errors as `execute` gives."""
        run = _Run(self, variables, headers, plan.operation_kind)
        content = await run.root_fetch(plan.pass_through, pass_through=True)
        return content if content is not None else (run.data, run.errors)

    # -- errors ------------------------------------------------------------------
    def subgraph_error(self, error: dict, subgraph: str, path: list | None) -> dict:
        extensions = dict(error.get("extensions") or {}) if isinstance(error, dict) else {}
        message = error.get("message", "Subgraph error") if isinstance(error, dict) else str(error)
        if self.redact:
            message = REDACTED_MESSAGE
            extensions = {k: v for k, v in extensions.items() if k == "code"}
        extensions["serviceName"] = subgraph
        out: dict = {"message": message}
        if path:
            out["path"] = list(path)
        out["extensions"] = extensions
        return out

    def failure_error(self, failure: SubgraphFetchError, path: list | None) -> dict:
        message = REDACTED_MESSAGE if self.redact else str(failure)
        out: dict = {"message": message}
        if path:
            out["path"] = list(path)
        out["extensions"] = {"code": failure.code, "serviceName": failure.subgraph}
        return out

    # -- representations -----------------------------------------------------------
    def matches(self, typename: str | None, condition: str) -> bool:
        if typename is None:
            return False
        return typename == condition or (
            condition in self.supergraph.types and typename in self.supergraph.possible_types(condition)
        )

    def representation(self, obj: dict, requires: SelectionList, rewrites: dict[str, str]) -> dict | None:
        typename = obj.get("__typename")
        rep: dict = {}
        matched = False
        for fragment in requires:
            if isinstance(fragment, FragmentSel) and self.matches(typename, fragment.type_condition):
                part = self.extract(obj, fragment.selections)
                if part is _MISSING:
                    return None
                rep.update(part)
                matched = True
        if not matched:
            return None
        rep["__typename"] = rewrites.get(typename, typename)
        return rep

    def extract(self, value: Any, selections: SelectionList) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            items = [self.extract(v, selections) for v in value]
            return _MISSING if any(i is _MISSING for i in items) else items
        out = {}
        for sel in selections:
            if isinstance(sel, FieldSel):
                if sel.response_key not in value:
                    return _MISSING
                inner = value[sel.response_key]
                if sel.selections is not None:
                    inner = self.extract(inner, sel.selections)
                    if inner is _MISSING:
                        return _MISSING
                out[sel.name] = inner
            elif self.matches(value.get("__typename"), sel.type_condition):
                part = self.extract(value, sel.selections)
                if part is _MISSING:
                    return _MISSING
                out.update(part)
        return out

    def merge(self, target: dict, source: dict) -> None:
        for key, value in source.items():
            if key == "__typename" and key in target and value in self.abstract_names:
                continue  # an @interfaceObject subgraph answers with the interface name: keep the real type
            target[key] = self.merge_value(target.get(key, _MISSING), value)

    def merge_value(self, current: Any, value: Any) -> Any:
        if isinstance(current, dict) and isinstance(value, dict):
            self.merge(current, value)
            return current
        if isinstance(current, list) and isinstance(value, list) and len(current) == len(value):
            return [self.merge_value(c, v) for c, v in zip(current, value)]
        return value


class _Run:
    """State of one plan execution."""

    def __init__(self, executor: PlanExecutor, variables, headers, operation_kind: str):
        self.ex = executor
        self.variables = variables or {}
        self.headers = headers or {}
        self.kind = operation_kind
        self.data: dict = {}
        self.errors: list[dict] = []

    async def node(self, node: PlanNode) -> None:
        if isinstance(node, Sequence):
            for child in node.nodes:
                await self.node(child)
        elif isinstance(node, Parallel):
            await asyncio.gather(*(self.node(child) for child in node.nodes))
        elif isinstance(node, Flatten):
            await self.entity_fetch(node.path, node.node)
        else:
            await self.root_fetch(node)

    def body(self, fetch: Fetch, extra_variables: dict | None = None) -> bytes:
        if fetch.request_body is not None and not extra_variables:
            return fetch.request_body
        variables = {k: self.variables[k] for k in fetch.variable_usages if k in self.variables}
        variables.update(extra_variables or {})
        body: dict = {"query": fetch.operation_text}
        if variables:
            body["variables"] = variables
        return orjson.dumps(body)

    async def call(self, fetch: Fetch, body: bytes) -> tuple[dict, bytes]:
        return await self.ex.client.fetch(
            fetch.subgraph, body, self.headers, is_query=fetch.operation_kind == "query" and self.kind == "query"
        )

    async def root_fetch(self, fetch: Fetch, pass_through: bool = False) -> bytes | None:
        """Merge a root fetch's answer into the response; with `pass_through`, return the subgraph's
        own bytes instead when they already are the client's response (see pass_through.py)."""
        try:
            payload, content = await self.call(fetch, self.body(fetch))
        except SubgraphFetchError as failure:
            log.warning("subgraph %s failed: %s", failure.subgraph, failure)
            for sel in fetch.selections:
                if isinstance(sel, FieldSel):
                    self.errors.append(self.ex.failure_error(failure, [sel.response_key]))
            return None
        if pass_through and answer_is_final(payload, content):
            return content
        response_extensions.keep(payload, self.ex.kept_extensions)
        if isinstance(payload.get("data"), dict):
            self.ex.merge(self.data, payload["data"])
        for error in payload.get("errors") or ():
            path = error.get("path") if isinstance(error, dict) else None
            self.errors.append(self.ex.subgraph_error(error, fetch.subgraph, path))

    async def entity_fetch(self, path: tuple[str, ...], fetch: Fetch) -> None:
        representations: list[dict] = []
        owners: list[list[tuple[dict, list]]] = []
        index: dict[bytes, int] = {}
        for obj, client_path in objects_at(self.data, path):
            rep = self.ex.representation(obj, fetch.requires, fetch.typename_rewrites)
            if rep is None:
                continue
            key = orjson.dumps(rep, option=orjson.OPT_SORT_KEYS)
            if key not in index:
                index[key] = len(representations)
                representations.append(rep)
                owners.append([])
            owners[index[key]].append((obj, client_path))
        if not representations:
            return
        try:
            payload, _ = await self.call(fetch, self.body(fetch, {"representations": representations}))
        except SubgraphFetchError as failure:
            log.warning("subgraph %s failed: %s", failure.subgraph, failure)
            for group in owners:
                for obj, client_path in group:
                    field = _first_field(fetch.selections, obj.get("__typename"), fetch.typename_rewrites)
                    self.errors.append(self.ex.failure_error(failure, client_path + ([field] if field else [])))
            return
        entities = (payload.get("data") or {}).get("_entities") if isinstance(payload.get("data"), dict) else None
        if isinstance(entities, list):
            for i, entity in enumerate(entities[: len(representations)]):
                if isinstance(entity, dict):
                    for obj, _ in owners[i]:
                        self.ex.merge(obj, entity)
        for error in payload.get("errors") or ():
            self.errors.extend(self.repath_entity_error(error, fetch.subgraph, owners))

    def repath_entity_error(self, error: dict, subgraph: str, owners) -> list[dict]:
        path = error.get("path") if isinstance(error, dict) else None
        if path and len(path) >= 2 and path[0] == "_entities" and isinstance(path[1], int) and path[1] < len(owners):
            return [self.ex.subgraph_error(error, subgraph, client_path + list(path[2:]))
                    for _, client_path in owners[path[1]]]
        return [self.ex.subgraph_error(error, subgraph, None)]


def objects_at(data: Any, path: tuple[str, ...]) -> list[tuple[dict, list]]:
    """Objects found at a plan path ("@" = every list item), with client paths."""
    current: list[tuple[Any, list]] = [(data, [])]
    for key in path:
        following = []
        for value, client_path in current:
            if key == "@":
                if isinstance(value, list):
                    following += [(item, client_path + [i]) for i, item in enumerate(value)]
            elif isinstance(value, dict) and value.get(key) is not None:
                following.append((value[key], client_path + [key]))
        current = following
    return [(value, client_path) for value, client_path in current if isinstance(value, dict)]


def _first_field(selections: SelectionList, typename: str | None, rewrites: dict) -> str | None:
    wanted = rewrites.get(typename, typename)
    for fragment in selections:
        if isinstance(fragment, FragmentSel) and fragment.type_condition in (typename, wanted):
            for sel in fragment.selections:
                if isinstance(sel, FieldSel) and sel.name != "__typename":
                    return sel.response_key
    return None
