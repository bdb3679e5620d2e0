"""Stub subgraphs answering fixed data, for the differential suite.

A stub is a Federation v2 subgraph SDL plus data: `root` maps root field names to values, `entities` maps a
`__typename` (as sent in representations) to the objects of that type the subgraph knows. Any value may be
a function `(parent, **arguments)`, called when the field is resolved (e.g. a field computed from @requires
fields, which the representation brings). An entity is the first known object whose fields agree with the
representation's; it answers with the representation merged under it, so required fields are there.
`StubHost` serves every stub of the corpus over real HTTP (the Node reference gateway calls them too):
http://127.0.0.1:PORT/<case>/<subgraph>.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson
import uvicorn
from graphql import GraphQLError, build_ast_schema, graphql, parse
from graphql.language import ObjectTypeDefinitionNode, ObjectTypeExtensionNode
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..subgraph_kit import FEDERATION_DEFINITIONS as KIT_DEFINITIONS

# The federation directives the engine's own test kit declares, plus @tag, which corpus subgraphs use.
FEDERATION_DEFINITIONS = KIT_DEFINITIONS + """
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
"""

LINK = re.compile(r"extend\s+schema\s+@link\([^)]*\)", re.S)


@dataclass
class Stub:
    sdl: str
    root: dict[str, Any] = field(default_factory=dict)
    entities: dict[str, list[dict] | Callable[[dict], Any]] = field(default_factory=dict)

    def __post_init__(self):
        body = LINK.sub("", self.sdl)
        document = parse(FEDERATION_DEFINITIONS + body)
        entity_types = sorted({
            d.name.value for d in document.definitions
            if isinstance(d, (ObjectTypeDefinitionNode, ObjectTypeExtensionNode))
            and any(a.name.value == "key" and "resolvable: false" not in _text(a) for a in d.directives or ())
        })
        extension = "_service: _Service!"
        if entity_types:
            body += f"\nunion _Entity = {' | '.join(entity_types)}"
            extension += "\n_entities(representations: [_Any!]!): [_Entity]!"
        has_query = re.search(r"^\s*type Query\b", body, re.M)
        body += f"\n{'extend ' if has_query else ''}type Query {{ {extension} }}"
        self.schema = build_ast_schema(parse(FEDERATION_DEFINITIONS + body))
        self.requests: list[dict] = []

    def entity(self, representation: dict) -> Any:
        known = self.entities.get(representation.get("__typename"))
        if callable(known):
            return known(representation)
        for obj in known or ():
            if all(obj[k] == v for k, v in representation.items() if k != "__typename" and k in obj):
                found = {**representation, **obj}
                found.setdefault("__typename", representation["__typename"])
                return found
        return None

    def root_value(self) -> dict:
        return {
            **self.root,
            "_service": {"sdl": self.sdl},
            "_entities": lambda parent, representations: [self.entity(r) for r in representations],
        }

    async def answer(self, body: dict) -> dict:
        self.requests.append(body)
        result = await graphql(self.schema, body["query"], root_value=self.root_value(),
                               variable_values=body.get("variables"), field_resolver=_resolve)
        payload: dict = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return payload


def _text(node) -> str:
    from graphql import print_ast

    return print_ast(node)


def _resolve(parent, info, **arguments):
    value = parent.get(info.field_name) if isinstance(parent, dict) else getattr(parent, info.field_name, None)
    if callable(value):
        value = value(parent, **arguments)
    if isinstance(value, Exception):
        raise GraphQLError(str(value))
    return value


class StubHost:
    """Every stub of the corpus behind one local HTTP server (uvicorn in a thread)."""

    def __init__(self):
        self.stubs: dict[tuple[str, str], Stub] = {}
        self.app = Starlette(routes=[Route("/{case}/{subgraph}", self.endpoint, methods=["POST"])])
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def url(self, case: str, subgraph: str) -> str:
        return f"http://127.0.0.1:{self.port}/{case}/{subgraph}"

    def add(self, case: str, subgraph: str, stub: Stub) -> str:
        self.stubs[(case, subgraph)] = stub
        return self.url(case, subgraph)

    async def endpoint(self, request: Request) -> Response:
        stub = self.stubs.get((request.path_params["case"], request.path_params["subgraph"]))
        if stub is None:
            return Response(b"no such stub", status_code=404)
        payload = await stub.answer(orjson.loads(await request.body()))
        return Response(orjson.dumps(payload), media_type="application/json")

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("stub host did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()
