"""`cityOverview(cityCode)`: one row per district of the city, assembled from the subgraphs' own queries."""

from __future__ import annotations

import asyncio

from services.common.kernel.auth import CITY_ADMIN
from services.common.kernel.errors import Forbidden

from ..engine.gateway import LocalField
from .shape import by_response_keys

CITY_SDL = """
extend type Query {
  "city_admin: one row per district of the city: organizations, projects, money, delivery, open recovery orders"
  cityOverview(cityCode: String!): [DistrictOverview!]!
}

type DistrictOverview {
  districtCode: String!
  districtName: String!
  organizations: Int!
  projects: Int!
  committed: Money!
  disbursed: Money!
  recovered: Money!
  beneficiaries: Int!
  personTimes: Int!
  openRecoveryOrders: Int!
}
"""

STATS_FIELDS = "projects committed disbursed recovered beneficiaries personTimes openRecoveryOrders"


def _literal(code: str) -> str:
    if not code.isdigit():
        raise ValueError("district codes are digits")
    return f'"{code}"'


async def city_overview(info: LocalField) -> list[dict]:
    principal = info.context.principal if info.context else None
    city = info.field.arguments[0].value
    city_code = info.variables.get(city.name.value) if city.kind == "variable" else city.value
    if principal is None or CITY_ADMIN not in principal.roles or principal.city != city_code:
        raise Forbidden(f"only a city admin of {city_code} can read its overview", field="cityCode")
    listed = await info.gateway.execute({"query": "{ districts { code name } }"}, info.headers)
    districts = (listed.get("data") or {}).get("districts") or []
    if not districts:
        return []
    data = await _stats(info, [d["code"] for d in districts])
    # The overview's own @skip/@include read the client's variables.
    conditions = {name: bool(value) for name, value in info.variables.items()}
    rows = []
    for d in districts:
        funding = data[f"f{d['code']}"]
        values = {"districtCode": d["code"], "districtName": d["name"],
                  "organizations": data[f"r{d['code']}"]["organizations"], **funding}
        rows.append(by_response_keys(info.gateway, "DistrictOverview", info.field.selection_set, info.fragments,
                                     conditions, values))
    return rows


async def _stats(info: LocalField, codes: list[str]) -> dict:
    """Each district's registryStats and fundingStats, one aliased field per district, in as many
    concurrent operations as the alias limit (the gateway's and each subgraph's) needs: a city of any size."""
    per_call = info.gateway.options.max_aliases or len(codes)
    queries = []
    for start in range(0, len(codes), per_call):
        chunk = codes[start:start + per_call]
        queries.append(" ".join(f"r{c}: registryStats(district: {_literal(c)}) {{ organizations }}" for c in chunk))
        queries.append(" ".join(f"f{c}: fundingStats(district: {_literal(c)}) {{ {STATS_FIELDS} }}" for c in chunk))
    results = await asyncio.gather(*(info.gateway.execute({"query": "{ " + q + " }"}, info.headers) for q in queries))
    data: dict = {}
    for result in results:
        if result.get("errors"):
            raise RuntimeError("; ".join(e.get("message", "") for e in result["errors"]))
        data.update(result["data"])
    return data


__all__ = ["CITY_SDL", "city_overview"]
