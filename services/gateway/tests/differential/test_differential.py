"""Each corpus query through our engine and through @apollo/gateway on the same stub subgraphs, on the
supergraph the reference composer made: data, errors[].path and null propagation must agree. Where
Apollo departs from the Federation specification the query says why, and ours must give `expected`."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from graphql import parse

from services.gateway.engine import PlanningError, print_plan

from .corpus import CASES

PLANS = Path(__file__).parent / "plans"
QUERIES = [pytest.param(case, i, id=f"{case.name}-{i}") for case in CASES for i in range(len(case.queries))]


def outcome(result: dict) -> dict:
    """What must agree: the data (null propagation included), the error paths, whether there were errors.

    @apollo/gateway reports the errors of its own value completion (a null in a non-null position, an enum
    value the API schema lacks) under `extensions.valueCompletion`; GraphQL puts every field error in
    `errors`, so they count as errors here (a departure of the reference, noted once for all cases)."""
    errors = (result.get("errors") or []) + ((result.get("extensions") or {}).get("valueCompletion") or [])
    return {
        "data": result.get("data"),
        "error_paths": sorted({tuple(e["path"]) for e in errors if e.get("path")}),
        "errors": bool(errors),
    }


async def ours(composed, case, query) -> dict:
    """As the HTTP server answers (pass-through included)."""
    gateway = await composed.gateway(case)
    return orjson.loads((await gateway.execute_encoded({"query": query.text, "variables": query.variables})).body)


@pytest.mark.parametrize("case, index", QUERIES)
async def test_engine_agrees_with_reference_gateway(composed, case, index):
    query = case.queries[index]
    mine = outcome(await ours(composed, case, query))
    theirs = outcome(await composed.reference.execute(await composed.supergraph(case), query.text, query.variables))
    if query.apollo_departs:
        assert mine == outcome(query.expected), query.apollo_departs
        assert theirs != mine, f"@apollo/gateway now follows the specification: drop the note ({query.apollo_departs})"
        return
    assert mine == theirs


def printed_plans(gateway, case) -> str:
    parts = []
    for query in case.queries:
        try:
            printed = print_plan(gateway.planner.plan(parse(query.text), None, query.variables))
        except PlanningError as error:
            printed = f"planning failed: {error}"
        parts.append(f"# {query.text}\n{printed}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
async def test_printed_plans_are_kept(composed, case):
    """The plans of each case, printed, are kept in plans/<case>.txt (regenerate with DIFFERENTIAL_PLANS=write)."""
    printed = printed_plans(await composed.gateway(case), case)
    path = PLANS / f"{case.name}.txt"
    if os.environ.get("DIFFERENTIAL_PLANS") == "write":
        PLANS.mkdir(exist_ok=True)
        path.write_text(printed)
    assert path.read_text() == printed
