"""README's table of error codes is what the API returns: each row's code is provoked through the gateway
and answers with the row's HTTP status, and the codes the code base can emit are exactly the table's.

Adding a code means adding it to services/common/kernel/errors.py, a row to the table and a way to
provoke it here.
"""

from __future__ import annotations

import ast
import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from services.common.kernel import errors
from services.common.kernel.credit_code import make_credit_code
from services.common.tests.test_idempotency import KEEP_COMMIT, LOSE_COMMIT
from services.funding.domain import round as rounds
from services.gateway.engine import EngineOptions, Gateway, PlanningError, QueryPlanner, create_engine_app
from services.gateway.policy.subgraphs import platform_supergraph
from tests.platform import free_port, serve
from tests.support import DAOLI, token

from .test_gateway_edge import REGISTER, onboard

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"^[A-Z]+(?:_[A-Z]+)*$")
OPEN = "mutation($input: OpenRoundInput!) { openRound(input: $input) { id } }"
ROUND = {"name": "测试创投", "year": 2024, "budget": "200000.00", "criteria": [{"name": "可行性", "weight": 100}]}
UNKNOWN = "00000000-0000-0000-0000-000000000000"


def readme_table() -> dict[str, set[int]]:
    """code -> the HTTP statuses its row names."""
    rows = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and CODE.match(cells[0].strip("`")) and re.fullmatch(r"[\d, ]+", cells[1]):
            rows[cells[0].strip("`")] = {int(s) for s in cells[1].split(",")}
    return rows


def emitted_codes() -> set[str]:
    """Every code literal the services hand to clients: RequestError/SubgraphFetchError arguments, `"code": X`
    in a dict, `code = X`, `return X` in operation.classify, and kernel/errors.py's constants."""
    found: set[str] = set()

    def literals(node: ast.AST) -> set[str]:
        return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                and CODE.match(n.value)}

    for path in (ROOT / "services").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
                    "RequestError", "SubgraphFetchError"):
                for arg in [*node.args[1:], *(k.value for k in node.keywords if k.arg == "code")]:
                    found |= literals(arg)
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "code" for t in node.targets):
                found |= literals(node.value)  # a DomainError subclass's `code = "…"`
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == "code":
                        found |= literals(value)
            elif isinstance(node, ast.FunctionDef) and node.name in ("classify", "__init__") and path.name in (
                    "operation.py", "subgraph_client.py"):
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.Return, ast.arguments)):
                        found |= literals(inner)
    constants = {v for k, v in vars(errors).items() if k.isupper() and isinstance(v, str)}
    return found | constants


def test_the_readme_table_lists_exactly_the_codes_of_kernel_errors():
    assert set(readme_table()) == set(errors.CODES)


def test_the_code_base_emits_no_code_outside_the_table():
    emitted = emitted_codes()
    assert emitted - set(errors.CODES) == set(), "codes emitted but not in kernel/errors.py and README"
    # The scan sees what it should: the engine's own and the kernel's.
    assert {"MAX_DEPTH_EXCEEDED", "SUBGRAPH_TIMEOUT", "CONFLICT", "GRAPHQL_PARSE_FAILED"} <= emitted


# -- each row provoked -------------------------------------------------------------------------------------
Provoke = Callable[..., Awaitable[tuple[int, dict]]]


async def _post(gateway, body=None, *, tok: str | None = None, **kwargs) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {tok}"} if tok else {}
    if body is not None:
        kwargs["json"] = body
    response = await gateway.http.post("/graphql", headers=headers, **kwargs)
    return response.status_code, response.json()


async def _engine(subgraphs: dict[str, str], request, **options) -> tuple[int, dict]:
    """The generic engine over the platform's supergraph, with options the platform does not turn on."""
    engine = Gateway(platform_supergraph(subgraphs), options=EngineOptions(**options))
    try:
        return await engine.execute_with_status(request, {"authorization": f"Bearer {token(DAOLI)}"})
    finally:
        await engine.aclose()


async def _hanging_server() -> tuple[asyncio.AbstractServer, str]:
    async def never_answer(reader, writer):
        await reader.read(65536)
        await asyncio.sleep(3600)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/graphql"


async def provoke(code: str, gateway, subgraphs, tokens, databases, monkeypatch) -> tuple[int, dict]:
    admin = tokens[DAOLI]
    rounds_query = {"query": "{ fundingRounds { totalCount } }"}
    if code == "BAD_USER_INPUT":
        return await _post(gateway, {"query": OPEN, "variables": {"input": {**ROUND, "budget": "100"}}}, tok=admin)
    if code == "UNAUTHENTICATED":
        return await _post(gateway, rounds_query, tok="garbage")
    if code == "FORBIDDEN":
        member = token(DAOLI, "org_member", org="x")
        return await _post(gateway, {"query": OPEN, "variables": {"input": ROUND}}, tok=member)
    if code == "NOT_FOUND":
        return await _post(gateway, {"query": "mutation($id: ID!) { advanceRound(id: $id, to: LIBRARY) { id } }",
                                     "variables": {"id": UNKNOWN}}, tok=admin)
    if code == "CONFLICT":
        org = {"input": {"name": "道里为老服务中心", "registration": "REGISTERED", "category": "ELDERLY_CARE",
                         "creditCode": make_credit_code(DAOLI, 77), "subdistrict": "新阳路街道"}}
        await _post(gateway, {"query": REGISTER, "variables": org}, tok=admin)
        return await _post(gateway, {"query": REGISTER, "variables": org}, tok=admin)
    if code == "IDEMPOTENCY_KEY_REUSED":
        keyed = {"Authorization": f"Bearer {admin}", "Idempotency-Key": "key-1"}
        for name in ("第一轮", "第二轮"):
            response = await gateway.http.post("/graphql", headers=keyed, json={
                "query": OPEN, "variables": {"input": {**ROUND, "name": name}}})
        return response.status_code, response.json()
    if code == "COMMIT_OUTCOME_UNKNOWN":
        for statement in LOSE_COMMIT:  # the server ends the connection at COMMIT, as a restart would
            await databases["registry"].execute(statement)
        try:
            org = {"input": {"name": "邻里互助队", "registration": "FILED", "category": "NEIGHBOR_MUTUAL_AID",
                             "subdistrict": "抚顺街道"}}
            return await _post(gateway, {"query": REGISTER, "variables": org}, tok=admin)
        finally:
            for statement in KEEP_COMMIT:
                await databases["registry"].execute(statement)
    if code in ("SERVICE_UNAVAILABLE", "INTERNAL_SERVER_ERROR"):
        # The connection dropped mid-statement (what asyncpg raises when PostgreSQL restarts), or a defect.
        failure = (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation")
                   if code == "SERVICE_UNAVAILABLE" else RuntimeError("a defect"))

        async def fail(*args, **kwargs):
            raise failure
        monkeypatch.setattr(rounds, "open_round", fail)
        return await _post(gateway, {"query": OPEN, "variables": {"input": ROUND}}, tok=admin)
    if code == "GRAPHQL_PARSE_FAILED":
        return await _post(gateway, {"query": "{"}, tok=admin)
    if code == "GRAPHQL_VALIDATION_FAILED":
        return await _post(gateway, {"query": "{ nope }"}, tok=admin)
    if code == "BAD_REQUEST":
        return await _post(gateway, {"query": "{ fundingRounds { totalCount } }", "variables": "x"}, tok=admin)
    if code == "REQUEST_TOO_LARGE":
        return await _post(gateway, {"query": "{ __typename }", "x": "a" * 1_100_000}, tok=admin)
    if code == "METHOD_NOT_ALLOWED":
        response = await gateway.http.get("/graphql", params={"query": "mutation { __typename }"},
                                          headers={"Authorization": f"Bearer {admin}"})
        return response.status_code, response.json()
    if code == "BATCHING_NOT_ENABLED":
        return await _post(gateway, [rounds_query, rounds_query], tok=admin)
    if code == "BATCH_TOO_LARGE":
        app = create_engine_app(platform_supergraph(subgraphs), options=EngineOptions(allow_batching=True,
                                                                                       max_batch_size=1))
        async with serve(app, free_port()) as base:
            async with httpx.AsyncClient(base_url=base) as http:
                response = await http.post("/graphql", json=[rounds_query, rounds_query])
                return response.status_code, response.json()
    if code == "MAX_TOKENS_EXCEEDED":
        return await _post(gateway, {"query": "{ " + "__typename " * 6000 + "}"}, tok=admin)
    if code == "MAX_DEPTH_EXCEEDED":
        nested = "organization { projects { " * 9
        return await _post(gateway, {"query": "{ organizations { edges { node { projects { " + nested + "id"
                                     + " } }" * 9 + " } } } } }"}, tok=admin)
    if code == "MAX_ALIASES_EXCEEDED":
        return await _post(gateway, {"query": "{ " + " ".join(f"a{i}: fundingRounds {{ totalCount }}" for i in range(40))
                                     + " }"}, tok=admin)
    if code == "MAX_COST_EXCEEDED":
        return await _post(gateway, {"query": "{ organizations(first: 1000) { edges { node { id projects { id "
                                     "tranches { id } } } } } }"}, tok=admin)
    if code == "PERSISTED_QUERY_NOT_FOUND":
        return await _post(gateway, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
                           tok=admin)
    if code == "PERSISTED_QUERY_NOT_ALLOWED":
        return await _engine(subgraphs, rounds_query, safelist_only=True)
    if code == "QUERY_PLANNING_FAILED":
        def broken(*args, **kwargs):
            raise PlanningError("a planner defect")
        monkeypatch.setattr(QueryPlanner, "plan", broken)
        return await _engine(subgraphs, rounds_query)
    if code == "SUBGRAPH_REQUEST_FAILED":
        return await _engine({**subgraphs, "funding": f"http://127.0.0.1:{free_port()}/graphql"}, rounds_query)
    if code == "SUBGRAPH_UNAVAILABLE":
        engine = Gateway(platform_supergraph({**subgraphs, "funding": f"http://127.0.0.1:{free_port()}/graphql"}),
                         options=EngineOptions(breaker_failure_threshold=1, query_retries=0))
        try:
            await engine.execute_with_status(rounds_query)  # the failure that opens the circuit
            return await engine.execute_with_status(rounds_query)
        finally:
            await engine.aclose()
    if code == "SUBGRAPH_TIMEOUT":
        server, url = await _hanging_server()
        try:
            return await _engine({**subgraphs, "funding": url}, rounds_query, subgraph_timeout=0.5, query_retries=0)
        finally:
            server.close()
    raise AssertionError(f"no way to provoke {code}: add one here with its README row")


@pytest.mark.parametrize("code", sorted(readme_table()))
async def test_each_code_in_the_readme_table_is_what_the_api_returns(code, gateway, subgraphs, databases,
                                                                      monkeypatch):
    tokens = await onboard(gateway)
    status, body = await provoke(code, gateway, subgraphs, tokens, databases, monkeypatch)
    codes = [e["extensions"]["code"] for e in body["errors"]]
    assert code in codes, body
    assert status in readme_table()[code], (status, body)
    if code in ("SERVICE_UNAVAILABLE", "COMMIT_OUTCOME_UNKNOWN"):
        assert body["errors"][0]["extensions"]["retryable"] is (code == "SERVICE_UNAVAILABLE")
    # A code comes alone: no INTERNAL beside a refusal.
    assert set(codes) == {code}, body
