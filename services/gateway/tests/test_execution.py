"""Executed results (written by hand) against in-process subgraphs."""

from __future__ import annotations

import httpx

from services.gateway.engine import planner as planner_module

from .conftest import make_gateway


async def run(gateway, query, variables=None, headers=None):
    return await gateway.execute({"query": query, "variables": variables}, headers)


async def test_entities_across_three_subgraphs(gateway):
    result = await run(gateway, "{ topProducts(first: 2) { name reviews { body author { name } } } }")
    assert result == {
        "data": {
            "topProducts": [
                {
                    "name": "Table",
                    "reviews": [
                        {"body": "Love it!", "author": {"name": "Ada Lovelace"}},
                        {"body": "Prefer something else.", "author": {"name": "Alan Turing"}},
                    ],
                },
                {"name": "Couch", "reviews": [{"body": "Too expensive.", "author": {"name": "Alan Turing"}}]},
            ]
        }
    }


async def test_requires_chain_passes_required_fields_in_representations(gateway, world):
    result = await run(gateway, "{ topProducts(first: 2) { name deliveryLabel } }")
    assert result == {
        "data": {
            "topProducts": [
                {"name": "Table", "deliveryLabel": "50 days"},  # weight 100 / 2
                {"name": "Couch", "deliveryLabel": "free delivery"},  # price > 1000
            ]
        }
    }
    reviews_reps = world["reviews"].entity_requests()[0]["variables"]["representations"]
    assert reviews_reps == [
        {"__typename": "Product", "upc": "1", "shippingEstimate": 50},
        {"__typename": "Product", "upc": "2", "shippingEstimate": 0},
    ]


async def test_provides_avoids_accounts_call(gateway, world):
    result = await run(gateway, "{ latestReviews { author { username } } }")
    assert result["data"]["latestReviews"][0] == {"author": {"username": "@alan"}}
    assert world["accounts"].requests == []


async def test_override_reads_field_from_new_owner(gateway):
    assert await run(gateway, "{ me { name email } }") == {
        "data": {"me": {"name": "Ada Lovelace", "email": "ada@example.com"}}
    }


async def test_interface_object_fields_and_real_typenames(gateway, world):
    result = await run(gateway, "{ topRated { __typename id stars title ... on Movie { minutes } } }")
    assert result == {
        "data": {
            "topRated": [
                {"__typename": "Movie", "id": "m1", "stars": 4, "title": "Alien", "minutes": 117},
                {"__typename": "Book", "id": "b1", "stars": 5, "title": "Dune"},
            ]
        }
    }
    result = await run(gateway, "{ media { __typename title stars } }")
    assert result["data"]["media"] == [
        {"__typename": "Book", "title": "Dune", "stars": 5},
        {"__typename": "Movie", "title": "Alien", "stars": 4},
        {"__typename": "Book", "title": "Emma", "stars": 3},
    ]
    reps = world["ratings"].entity_requests()[0]["variables"]["representations"]
    assert {r["__typename"] for r in reps} == {"Media"}  # interface name sent to the @interfaceObject subgraph


async def test_union_with_member_owned_elsewhere(gateway):
    result = await run(
        gateway, '{ search(term: "x") { __typename ... on Media { id } ... on Product { name price } } }'
    )
    assert result == {
        "data": {
            "search": [
                {"__typename": "Book", "id": "b1"},
                {"__typename": "Movie", "id": "m1"},
                {"__typename": "Product", "name": "Couch", "price": 1299},
            ]
        }
    }


async def test_nested_lists_with_nulls_and_one_deduplicated_entities_call(gateway, world):
    result = await run(gateway, "{ productGroups { upc inStock } }")
    assert result["data"] == {
        "productGroups": [
            [{"upc": "1", "inStock": True}, None],
            [],
            None,
            [{"upc": "3", "inStock": None}, {"upc": "1", "inStock": True}],
        ]
    }
    # Chair's warehouse error comes back on the client path, not the _entities path.
    assert result["errors"] == [
        {
            "message": "warehouse offline",
            "path": ["productGroups", 3, 0, "inStock"],
            "extensions": {"code": "WAREHOUSE_OFFLINE", "serviceName": "inventory"},
        }
    ]
    calls = world["inventory"].entity_requests()
    assert len(calls) == 1
    assert calls[0]["variables"]["representations"] == [
        {"__typename": "Product", "sku": "s1"},
        {"__typename": "Product", "sku": "s3"},
    ]


async def test_dedup_one_entities_call_per_step(gateway, world):
    await run(gateway, "{ latestReviews { author { name } product { name } } }")
    accounts_calls = world["accounts"].entity_requests()
    assert len(accounts_calls) == 1
    assert accounts_calls[0]["variables"]["representations"] == [
        {"__typename": "User", "id": "u2"},
        {"__typename": "User", "id": "u1"},
    ]
    products_calls = world["products"].entity_requests()
    assert len(products_calls) == 1
    assert [r["upc"] for r in products_calls[0]["variables"]["representations"]] == ["1", "3", "2"]


async def test_aliases_fragments_variables_and_skip_include(gateway, world):
    query = """
      query Q($n: Int, $withReviews: Boolean!) {
        first: topProducts(first: $n) { id: name ...Price reviews @include(if: $withReviews) { stars: rating } }
        second: topProducts(first: 1) { upc @skip(if: true) name }
      }
      fragment Price on Product { cost: price }
    """
    result = await run(gateway, query, {"n": 1, "withReviews": True})
    assert result == {
        "data": {
            "first": [{"id": "Table", "cost": 899, "reviews": [{"stars": 5}, {"stars": 1}]}],
            "second": [{"name": "Table"}],
        }
    }
    sent = world["products"].requests[0]["body"]
    assert sent["variables"] == {"n": 1}
    result = await run(gateway, query, {"n": 1, "withReviews": False})
    assert result["data"]["first"] == [{"id": "Table", "cost": 899}]


async def test_internal_key_alias_does_not_leak(gateway):
    result = await run(gateway, "{ users { id: name reviews { rating } } }")
    assert result["data"]["users"][0] == {"id": "Ada Lovelace", "reviews": [{"rating": 5}, {"rating": 3}]}


async def test_mutations_run_in_order(gateway, world):
    query = """mutation {
      a: updateName(id: "u1", name: "Ada") { name }
      createProduct(upc: "9", name: "Lamp") { name inStock }
      b: updateName(id: "u1", name: "Ada King") { name email }
    }"""
    result = await run(gateway, query)
    assert result["data"] == {
        "a": {"name": "Ada"},
        "createProduct": {"name": "Lamp", "inStock": None},
        "b": {"name": "Ada King", "email": "ada@example.com"},
    }
    assert [r["body"]["query"].split("{")[0].strip() for r in world["accounts"].requests] == ["mutation", "mutation"]


async def test_failing_subgraph_nulls_its_fields_and_bubbles_non_null(transport, world):
    gateway = make_gateway(transport)
    transport.down["reviews"] = "refused"
    # User.reviews is [Review!]! : its null bubbles up to the nullable `me`.
    result = await run(gateway, "{ me { name reviews { body } } topProducts(first: 1) { name } }")
    assert result["data"] == {"me": None, "topProducts": [{"name": "Table"}]}
    assert len(result["errors"]) == 1
    error = result["errors"][0]
    assert error["path"] == ["me", "reviews"]
    assert error["extensions"] == {"code": "SUBGRAPH_REQUEST_FAILED", "serviceName": "reviews"}
    # a failing root fetch: nullable root field becomes null, non-null root field nulls data
    transport.down["products"] = "500"
    result = await run(gateway, "{ topProducts { name } me { name } }")
    assert result["data"] == {"topProducts": None, "me": {"name": "Ada Lovelace"}}
    assert result["errors"][0]["path"] == ["topProducts"]
    result = await run(gateway, "{ latestReviews { body } }")
    assert result["data"] is None
    assert result["errors"][0]["path"] == ["latestReviews"]
    await gateway.aclose()


async def test_redaction_keeps_code_and_service_name(transport):
    gateway = make_gateway(transport, redact_subgraph_errors=True)
    result = await run(gateway, "{ topProducts { inStock } }")
    assert result["errors"] == [
        {
            "message": "Subgraph errors redacted",
            "path": ["topProducts", 2, "inStock"],
            "extensions": {"code": "WAREHOUSE_OFFLINE", "serviceName": "inventory"},
        }
    ]
    transport.down["accounts"] = "refused"
    result = await run(gateway, "{ me { name } }")
    assert result["errors"][0]["message"] == "Subgraph errors redacted"
    assert "connection" not in str(result)
    await gateway.aclose()


async def test_only_caller_provided_headers_are_forwarded(gateway, world):
    await gateway.execute({"query": "{ me { name email } }"}, {"authorization": "Bearer t"})
    for sub in ("accounts", "reviews"):
        headers = world[sub].requests[0]["headers"]
        assert headers["authorization"] == "Bearer t"
        assert "cookie" not in headers


async def test_queries_are_retried_mutations_never(world):
    class Flaky(httpx.AsyncBaseTransport):
        def __init__(self, inner):
            self.inner, self.failures, self.calls = inner, 1, 0

        async def handle_async_request(self, request):
            self.calls += 1
            if self.failures:
                self.failures -= 1
                raise httpx.ConnectError("flaky", request=request)
            return await self.inner.handle_async_request(request)

    from .subgraph_kit import RoutingTransport

    flaky = Flaky(RoutingTransport(world))
    gateway = make_gateway(flaky, query_retries=1)
    assert (await run(gateway, "{ me { name } }"))["data"] == {"me": {"name": "Ada Lovelace"}}
    assert flaky.calls == 2
    flaky.failures, flaky.calls = 1, 0
    result = await run(gateway, 'mutation { updateName(id: "u1", name: "X") { name } }')
    assert result["data"] == {"updateName": None}
    assert flaky.calls == 1
    await gateway.aclose()


async def test_circuit_breaker_opens_then_half_opens(transport, world):
    gateway = make_gateway(transport, breaker_failure_threshold=2, breaker_cooldown=60)
    transport.down["accounts"] = "500"
    for _ in range(2):
        await run(gateway, "{ me { name } }")
    transport.down.clear()
    result = await run(gateway, "{ me { name } }")
    assert result["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert world["accounts"].requests == []  # refused without calling
    breaker = gateway.client.breakers["accounts"]
    breaker.opened_at -= 61  # cooldown elapsed: one trial request goes through
    assert (await run(gateway, "{ me { name } }"))["data"] == {"me": {"name": "Ada Lovelace"}}
    assert breaker.state == "closed"
    await gateway.aclose()


async def test_subgraph_timeout(world):
    import asyncio

    from .subgraph_kit import RoutingTransport

    class Slow(RoutingTransport):
        async def handle_async_request(self, request):
            await asyncio.sleep(1)
            return await super().handle_async_request(request)

    gateway = make_gateway(Slow(world), subgraph_timeout=0.05)
    result = await run(gateway, "{ me { name } }")
    assert result["data"] == {"me": None}
    assert result["errors"][0]["extensions"]["code"] == "SUBGRAPH_TIMEOUT"
    await gateway.aclose()


async def test_two_hop_key_resolution(gateway):
    result = await run(gateway, '{ search(term: "a") { ... on Product { upc inStock } } }')
    assert result == {"data": {"search": [{}, {}, {"upc": "2", "inStock": False}]}}


async def test_requires_with_client_selected_required_fields(gateway):
    result = await run(gateway, "{ topProducts(first: 1) { cost: price weight shippingEstimate } }")
    assert result == {"data": {"topProducts": [{"cost": 899, "weight": 100, "shippingEstimate": 50}]}}


async def test_gateway_reuses_cached_plans(gateway, monkeypatch):
    built = []
    original = planner_module._OperationPlanner.build
    monkeypatch.setattr(planner_module._OperationPlanner, "build", lambda self: built.append(1) or original(self))
    for _ in range(3):
        assert (await run(gateway, "{ me { name } }"))["data"] == {"me": {"name": "Ada Lovelace"}}
    assert len(built) == 1


async def test_plans_are_kept_per_skip_and_include_value(gateway):
    query = "query($a: Boolean!) { me { name @include(if: $a) id } }"
    for a in (True, False, True):
        expected = {"name": "Ada Lovelace", "id": "u1"} if a else {"id": "u1"}
        assert (await run(gateway, query, {"a": a}))["data"] == {"me": expected}
