"""The subgraphs' bench peers: the same hot reads served by a plain Strawberry app over asyncpg, and by
hand (Starlette + asyncpg + orjson), against the same databases, as the same login role (row-level
security applies), in the same transaction shape: BEGIN, set_config('app.districts'), SELECT, COMMIT.

    python -m bench.peers --kind strawberry|hand --port 14031

One process serves every subgraph's reads at /<service>/graphql (registry, funding, evaluation), each
with its own pool. Both verify the bearer token with the platform's own verify_token (no cache: a
plain app would not have one) and take the districts from it. `strawberry` is Strawberry's own
ASGI app with its ParserCache and ValidationCache, no ORM, no federation; `hand` parses nothing and
only recognises the bench's documents (a floor, not a server). Not part of the tests.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any, Generic, TypeVar

import asyncpg
import orjson
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

from services.common.kernel.auth import bearer_token, verify_token
from services.common.kernel.config import database_url

# service -> root field -> (SQL selecting the node's fields, GraphQL field names in column order)
READS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "registry": {"organizations": (
        "SELECT id::text, name, credit_code FROM social_organization WHERE district = ANY($1::text[]) "
        "ORDER BY created_at, id LIMIT $2", ("id", "name", "creditCode"))},
    "funding": {
        "projects": ("SELECT id::text, title, status FROM project ORDER BY created_at, id LIMIT $1",
                     ("id", "title", "status")),
        "fundingRounds": ("SELECT id::text, name, year, phase FROM funding_round ORDER BY created_at, id LIMIT $1",
                          ("id", "name", "year", "phase")),
    },
    "evaluation": {"evaluations": (
        "SELECT id::text, title, rating FROM evaluation WHERE district = ANY($1::text[]) "
        "ORDER BY created_at, id LIMIT $2", ("id", "title", "rating"))},
}
# The bench's documents, as bench/subgraphs.py sends them (the by-hand floor only knows these).
DOCUMENTS = {
    "organizations": "{ organizations(first: 20) { edges { node { id name creditCode } } } }",
    "projects": "{ projects(first: 20) { edges { node { id title status } } } }",
    "fundingRounds": "{ fundingRounds(first: 20) { edges { node { id name year phase } } } }",
    "evaluations": "{ evaluations(first: 20) { edges { node { id title rating } } } }",
}
SERVICE_OF = {field: service for service, reads in READS.items() for field in reads}
pools: dict[str, asyncpg.Pool] = {}


async def read(service: str, field: str, districts: tuple[str, ...], first: int) -> list[asyncpg.Record]:
    sql, _names = READS[service][field]
    args = (list(districts), first) if "$2" in sql else (first,)
    async with pools[service].acquire() as conn:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.districts', $1, true)", ",".join(districts))
            return await conn.fetch(sql, *args)


def districts_of(authorization: str | None) -> tuple[str, ...]:
    token = bearer_token(authorization)
    return verify_token(token).districts if token else ()


# --- plain Strawberry -------------------------------------------------------------------------------

T = TypeVar("T")


@strawberry.type
class Edge(Generic[T]):
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]


@strawberry.type
class Organization:
    id: strawberry.ID
    name: str
    credit_code: str | None


@strawberry.type
class Project:
    id: strawberry.ID
    title: str
    status: str


@strawberry.type
class FundingRound:
    id: strawberry.ID
    name: str
    year: int
    phase: str


@strawberry.type
class Evaluation:
    id: strawberry.ID
    title: str
    rating: str | None


async def _page(info: strawberry.Info, field: str, cls: type, first: int) -> Connection:
    rows = await read(SERVICE_OF[field], field, info.context["districts"], first)
    names = [name for name in cls.__annotations__]
    return Connection(edges=[Edge(node=cls(**dict(zip(names, row)))) for row in rows])


@strawberry.type
class Query:
    @strawberry.field
    async def organizations(self, info: strawberry.Info, first: int = 20) -> Connection[Organization]:
        return await _page(info, "organizations", Organization, first)

    @strawberry.field
    async def projects(self, info: strawberry.Info, first: int = 20) -> Connection[Project]:
        return await _page(info, "projects", Project, first)

    @strawberry.field
    async def funding_rounds(self, info: strawberry.Info, first: int = 20) -> Connection[FundingRound]:
        return await _page(info, "fundingRounds", FundingRound, first)

    @strawberry.field
    async def evaluations(self, info: strawberry.Info, first: int = 20) -> Connection[Evaluation]:
        return await _page(info, "evaluations", Evaluation, first)


class PlainGraphQL(GraphQL):
    async def get_context(self, request: Any, response: Any) -> dict:
        return {"districts": districts_of(request.headers.get("authorization"))}


def strawberry_app() -> Any:
    schema = strawberry.Schema(query=Query, extensions=[ParserCache, ValidationCache])
    return PlainGraphQL(schema, graphql_ide=None)


# --- by hand ----------------------------------------------------------------------------------------

HAND_FIELDS = {text: field for field, text in DOCUMENTS.items()}


async def by_hand(request: Request) -> Response:
    body = orjson.loads(await request.body())
    field = HAND_FIELDS.get(body.get("query"))
    if field is None:
        return Response(b'{"errors":[{"message":"the by-hand floor knows only the bench documents"}]}', 400)
    rows = await read(SERVICE_OF[field], field, districts_of(request.headers.get("authorization")), 20)
    names = READS[SERVICE_OF[field]][field][1]
    data = {field: {"edges": [{"node": dict(zip(names, row))} for row in rows]}}
    return Response(orjson.dumps({"data": data}), media_type="application/json")


# ---------------------------------------------------------------------------------------------------


def build(kind: str) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        for service in READS:
            # The subgraphs' pool size. Idle connections close soon: one process holds three services'
            # pools, and with the subgraphs' own they would pass PostgreSQL's 100 connections.
            pools[service] = await asyncpg.create_pool(database_url(service), min_size=1, max_size=10,
                                                       max_inactive_connection_lifetime=2.0)
        try:
            yield
        finally:
            for pool in pools.values():
                await pool.close()

    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    endpoint = strawberry_app() if kind == "strawberry" else by_hand
    routes = [Route("/healthz", healthz)]
    routes += [Route(f"/{service}/graphql", endpoint, methods=["POST"]) for service in READS]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=("strawberry", "hand"), required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build(args.kind), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
