"""Item 8. Bad tokens are refused before any database query, at the gateway and at each subgraph."""

from __future__ import annotations

import time

import httpx
import jwt

from services.common.kernel.config import AuthSettings
from services.common.data.db import SERVICES
from tests.support import token

from .probes import QueryCounter, subgraph_requests
from .report import record
from tests.platform import running_gateway

QUERY = "{ organizations { totalCount } }"
SUBGRAPH_QUERY = {
    "registry": "{ organizations { totalCount } }",
    "funding": "{ fundingRounds { totalCount } }",
    "evaluation": "{ agencies { id } }",
}
ENTITIES = {
    "registry": ('SocialOrganization', "00000000-0000-0000-0000-000000000001"),
    "funding": ('Project', "00000000-0000-0000-0000-000000000001"),
    "evaluation": ('EvaluationAgency', "00000000-0000-0000-0000-000000000001"),
}


def claims(**overrides) -> dict:
    settings = AuthSettings.from_env()
    now = int(time.time())
    base = {"sub": "proof", "roles": ["bureau_admin"], "city": "2301", "district": "230102",
            "iss": settings.issuer, "aud": settings.audience, "iat": now, "exp": now + 600}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def signed(payload: dict, secret: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, secret or AuthSettings.from_env().secret, algorithm=algorithm)


def bad_tokens() -> dict[str, str]:
    unsigned = jwt.encode(claims(), None, algorithm="none")
    return {
        "alg: none": unsigned,
        "alg: none, signature kept": unsigned + "c2lnbmF0dXJl",
        "wrong signature (another key)": signed(claims(), "another-secret-another-secret-0123456789"),
        "expired": signed(claims(exp=int(time.time()) - 60, iat=int(time.time()) - 3600)),
        "wrong audience": signed(claims(aud="someone-else")),
        "wrong issuer": signed(claims(iss="https://evil.example")),
        "missing district": signed(claims(district=None)),
        "district not of the token's city (230102 in 2302)": signed(claims(city="2302")),
        "city admin with a district of another city": signed(claims(roles=["city_admin"], city="2302")),
        "no exp": signed(claims(exp=None)),
        "unknown role": signed(claims(roles=["superuser"])),
        "not a JWT": "not.a.token",
    }


async def test_bad_tokens_are_refused_before_any_database_query(subgraphs):
    counter = QueryCounter()
    with counter.installed():
        async with running_gateway(subgraphs) as base:
            async with httpx.AsyncClient(timeout=20) as http:
                # positive control: a good token does reach the database (so the counter sees queries)
                with counter.window() as good:
                    ok = await http.post(f"{base}/graphql", json={"query": QUERY},
                                         headers={"Authorization": f"Bearer {token('230102', 'bureau_admin')}"})
                assert ok.status_code == 200 and len(good) > 0, (ok.text, good)
                control = len(good)
                refused, queried, subgraph_calls = 0, [], 0
                tried = 0
                for name, bad in bad_tokens().items():
                    headers = {"Authorization": f"Bearer {bad}"}
                    with counter.window() as seen:
                        before = subgraph_requests()
                        response = await http.post(f"{base}/graphql", json={"query": QUERY}, headers=headers)
                        subgraph_calls += subgraph_requests() - before
                        body = response.json()
                        tried += 1
                        if response.status_code == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED":
                            refused += 1
                        for service in SERVICES:
                            typename, key = ENTITIES[service]
                            for payload in ({"query": SUBGRAPH_QUERY[service]},
                                            {"query": "query($r: [_Any!]!) { _entities(representations: $r) "
                                                      "{ ... on %s { id } } }" % typename,
                                             "variables": {"r": [{"__typename": typename, "id": key}]}}):
                                tried += 1
                                r = await http.post(subgraphs[service], json=payload, headers=headers)
                                errors = r.json().get("errors") or []
                                if errors and all(e["extensions"]["code"] == "UNAUTHENTICATED" for e in errors):
                                    refused += 1
                    if seen:
                        queried.append((name, seen[:4]))
    record("8", f"{len(bad_tokens())} bad tokens ({', '.join(bad_tokens())}) x (gateway + 3 subgraphs x (root "
                f"query, _entities)) = {tried} requests",
           "all refused UNAUTHENTICATED (gateway: HTTP 401, 0 subgraph calls); 0 database statements",
           f"{refused}/{tried} refused; {sum(len(q) for _, q in queried)} database statements "
           f"(a good token's request: {control}); gateway made {subgraph_calls} subgraph calls",
           refused == tried and not queried and subgraph_calls == 0)
    assert not queried, queried
    assert refused == tried and subgraph_calls == 0
