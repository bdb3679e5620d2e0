"""Tiny Federation v2 subgraphs for tests, built directly on graphql-core.

A subgraph = its SDL file + root resolvers + entity resolvers; it answers
`_service { sdl }` and `_entities`, and records every request it receives.
`RoutingTransport` sends each subgraph URL to its in-process ASGI app and can
simulate outages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import httpx
import orjson
from graphql import build_ast_schema, graphql, parse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FIXTURES = Path(__file__).parent / "fixtures"

FEDERATION_DEFINITIONS = """
scalar _Any
scalar FieldSet
type _Service { sdl: String }
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @external on OBJECT | FIELD_DEFINITION
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @override(from: String!) on FIELD_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @interfaceObject on OBJECT
directive @link(url: String!, import: [String]) repeatable on SCHEMA
"""


def subgraph_sdl(name: str) -> str:
    return (FIXTURES / "subgraphs" / f"{name}.graphql").read_text()


@dataclass
class Subgraph:
    name: str
    root: dict[str, Callable]  # root field name -> resolver(info, **args)
    entities: dict[str, Callable[[dict], Any]]  # __typename -> resolver(representation)
    requests: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self.sdl = subgraph_sdl(self.name)
        entity_types = re.findall(r"type (\w+)[^{]*@key\(fields: \"[^\"]+\"\)(?![^{]*resolvable: false)", self.sdl)
        body = re.sub(r"extend schema @link\([^)]*\)", "", self.sdl)
        query_extension = "_service: _Service!"
        if entity_types:
            body += f"\nunion _Entity = {' | '.join(sorted(set(entity_types)))}"
            query_extension += "\n_entities(representations: [_Any!]!): [_Entity]!"
        if "type Query" in body:
            body += f"\nextend type Query {{ {query_extension} }}"
        else:
            body += f"\ntype Query {{ {query_extension} }}"
        self.schema = build_ast_schema(parse(FEDERATION_DEFINITIONS + body))
        self.app = Starlette(routes=[Route("/graphql", self.endpoint, methods=["POST"])])

    def root_value(self) -> dict:
        value = dict(self.root)
        value["_service"] = lambda info: {"sdl": self.sdl}
        value["_entities"] = lambda info, representations: [
            self.entities[rep["__typename"]](rep) for rep in representations
        ]
        return value

    async def endpoint(self, request: Request) -> Response:
        body = orjson.loads(await request.body())
        self.requests.append({"body": body, "headers": dict(request.headers)})
        result = await graphql(
            self.schema, body["query"], root_value=self.root_value(), variable_values=body.get("variables")
        )
        payload: dict = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return Response(orjson.dumps(payload), media_type="application/json")

    def entity_requests(self) -> list[dict]:
        return [r["body"] for r in self.requests if "_entities" in r["body"]["query"]]


class RoutingTransport(httpx.AsyncBaseTransport):
    """Routes http://<subgraph>/graphql to in-process apps; `down` simulates outages."""

    def __init__(self, subgraphs: dict[str, Subgraph]):
        self.subgraphs = subgraphs
        self.transports = {name: httpx.ASGITransport(app=s.app) for name, s in subgraphs.items()}
        self.down: dict[str, str] = {}  # subgraph -> "refused" | "500"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        mode = self.down.get(host)
        if mode == "refused":
            raise httpx.ConnectError("connection refused", request=request)
        if mode == "500":
            return httpx.Response(500, content=b"boom", request=request)
        return await self.transports[host].handle_async_request(request)
