"""Planner unit tests: printed plans written by hand for a supergraph that is
not ours (products/reviews/inventory/accounts + media/ratings)."""

from __future__ import annotations

from textwrap import dedent

import pytest
from graphql import parse, validate

from services.gateway.engine import QueryPlanner, parse_supergraph, print_plan
from services.gateway.engine.client_schema import build_client_schema

from .conftest import SUPERGRAPH

SG = parse_supergraph(SUPERGRAPH)
SCHEMA = build_client_schema(SG.document)


def plan(query: str, variables: dict | None = None, planner: QueryPlanner | None = None):
    document = parse(query)
    assert validate(SCHEMA, document) == []
    return (planner or QueryPlanner(SG)).plan(document, None, variables, cache_key=query)


def check(query: str, expected: str, variables: dict | None = None):
    assert print_plan(plan(query, variables)) == dedent(expected).strip()


def test_root_fields_of_different_subgraphs_run_in_parallel():
    check(
        "{ me { name } topProducts { name } }",
        """
        QueryPlan {
          Parallel {
            Fetch(service: "accounts") {
              {
                me {
                  name
                }
              }
            },
            Fetch(service: "products") {
              {
                topProducts {
                  name
                }
              }
            },
          }
        }
        """,
    )


def test_entities_across_three_subgraphs():
    check(
        "{ topProducts { name reviews { body author { name } } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  name
                  __typename
                  upc
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "reviews") {
                {
                  ... on Product {
                    __typename
                    upc
                  }
                } =>
                {
                  ... on Product {
                    reviews {
                      body
                      author {
                        __typename
                        id
                      }
                    }
                  }
                }
              },
            },
            Flatten(path: "topProducts.@.reviews.@.author") {
              Fetch(service: "accounts") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    name
                  }
                }
              },
            },
          }
        }
        """,
    )


def test_requires_chain_fetches_required_fields_first():
    # deliveryLabel (reviews) requires shippingEstimate (inventory, keyed by sku)
    # which requires price and weight (products).
    check(
        "{ topProducts { deliveryLabel } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  __typename
                  upc
                  sku
                  price
                  weight
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    sku
                    price
                    weight
                  }
                } =>
                {
                  ... on Product {
                    shippingEstimate
                  }
                }
              },
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "reviews") {
                {
                  ... on Product {
                    __typename
                    upc
                    shippingEstimate
                  }
                } =>
                {
                  ... on Product {
                    deliveryLabel
                  }
                }
              },
            },
          }
        }
        """,
    )


def test_provides_keeps_provided_field_in_the_same_subgraph():
    check(
        "{ latestReviews { author { username } } }",
        """
        QueryPlan {
          Fetch(service: "reviews") {
            {
              latestReviews {
                author {
                  username
                }
              }
            }
          }
        }
        """,
    )


def test_external_field_without_provides_jumps_to_owner():
    text = print_plan(plan("{ me { reviews { author { name } } } }"))
    assert 'Flatten(path: "me.reviews.@.author")' in text
    assert text.count('Fetch(service: "accounts")') == 2


def test_override_field_is_fetched_from_overriding_subgraph():
    check(
        "{ me { email } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                me {
                  __typename
                  id
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "reviews") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    email
                  }
                }
              },
            },
          }
        }
        """,
    )


def test_interface_field_from_interface_object_subgraph():
    check(
        "{ media { title stars } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "media") {
              {
                media {
                  __typename
                  ... on Book {
                    title
                    __typename
                    id
                  }
                  ... on Movie {
                    title
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "media.@") {
              Fetch(service: "ratings") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                  ... on Movie {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Media {
                    stars
                  }
                }
              },
            },
          }
        }
        """,
    )
    fetch = plan("{ media { title stars } }").fetches()[1]
    assert fetch.typename_rewrites == {"Book": "Media", "Movie": "Media"}


def test_interface_object_root_asks_real_subgraph_for_runtime_type():
    check(
        "{ topRated { stars ... on Movie { minutes } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "ratings") {
              {
                topRated {
                  stars
                  __typename
                  id
                }
              }
            },
            Flatten(path: "topRated.@") {
              Fetch(service: "media") {
                {
                  ... on Media {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Media {
                    __typename
                    ... on Movie {
                      minutes
                    }
                  }
                }
              },
            },
          }
        }
        """,
    )


def test_local_interface_selection_is_passed_through():
    check(
        "{ media { id ... on Book { pages } } }",
        """
        QueryPlan {
          Fetch(service: "media") {
            {
              media {
                __typename
                id
                ... on Book {
                  pages
                }
              }
            }
          }
        }
        """,
    )


def test_union_members_owned_elsewhere_are_expanded():
    check(
        '{ search(term: "a") { ... on Book { title } ... on Product { name } } }',
        """
        QueryPlan {
          Sequence {
            Fetch(service: "media") {
              {
                search(term: "a") {
                  __typename
                  ... on Book {
                    title
                  }
                  ... on Product {
                    __typename
                    upc
                  }
                }
              }
            },
            Flatten(path: "search.@") {
              Fetch(service: "products") {
                {
                  ... on Product {
                    __typename
                    upc
                  }
                } =>
                {
                  ... on Product {
                    name
                  }
                }
              },
            },
          }
        }
        """,
    )


def test_nested_lists_use_one_at_per_level():
    text = print_plan(plan("{ productGroups { inStock } }"))
    assert 'Flatten(path: "productGroups.@.@")' in text
    assert 'Fetch(service: "inventory")' in text


def test_key_chosen_is_one_the_target_subgraph_can_resolve():
    # inventory only knows Product by sku, so products must return sku.
    fetches = plan("{ topProducts { inStock } }").fetches()
    assert fetches[0].operation_text == "query {topProducts {__typename sku}}"
    assert [f.subgraph for f in fetches] == ["products", "inventory"]


def test_aliases_are_kept_and_internal_key_avoids_client_alias():
    fetches = plan("{ users { id: name reviews { rating } } }").fetches()
    assert fetches[0].operation_text == "query {users {id: name __typename _fed_id: id}}"
    assert print_plan(plan("{ users { id: name reviews { rating } } }")).count("_fed_id: id") == 2


def test_named_and_inline_fragments_are_flattened_per_subgraph():
    query = """
        query { topProducts { ...Basics ... on Product { reviews { body } } } }
        fragment Basics on Product { name }
    """
    fetches = plan(query).fetches()
    assert fetches[0].operation_text == "query {topProducts {name __typename upc}}"
    assert "... on Product {reviews {body}}" in fetches[1].operation_text


def test_only_used_variables_are_passed_with_their_definitions():
    query = "query Q($n: Int = 2, $upc: String!) { topProducts(first: $n) { name } product(upc: $upc) { reviews { body } } }"
    fetches = plan(query).fetches()
    assert fetches[0].operation_text == (
        "query Q__products__0($n: Int = 2, $upc: String!) "
        "{topProducts(first: $n) {name} product(upc: $upc) {__typename upc}}"
    )
    assert fetches[0].variable_usages == ("n", "upc")
    assert fetches[1].variable_usages == ()
    assert fetches[1].operation_text.startswith("query Q__reviews__1($representations: [_Any!]!) {_entities")


def test_skip_and_include_are_evaluated_at_plan_time():
    query = "query($r: Boolean!) { topProducts { name reviews @include(if: $r) { body } upc @skip(if: true) } }"
    assert [f.subgraph for f in plan(query, {"r": False}).fetches()] == ["products"]
    assert plan(query, {"r": False}).fetches()[0].operation_text == "query {topProducts {name}}"
    assert [f.subgraph for f in plan(query, {"r": True}).fetches()] == ["products", "reviews"]


def test_mutation_fields_run_in_order():
    query = """mutation {
      a: updateName(id: "u1", name: "A") { name }
      createProduct(upc: "9", name: "Lamp") { name }
      b: updateName(id: "u1", name: "B") { name }
    }"""
    check(
        query,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                a: updateName(id: "u1", name: "A") {
                  name
                }
              }
            },
            Fetch(service: "products") {
              {
                createProduct(upc: "9", name: "Lamp") {
                  name
                }
              }
            },
            Fetch(service: "accounts") {
              {
                b: updateName(id: "u1", name: "B") {
                  name
                }
              }
            },
          }
        }
        """,
    )


def test_plan_cache_hits_on_same_text_and_conditions():
    planner = QueryPlanner(SG, cache_size=2)
    query = "query($r: Boolean!) { topProducts { reviews @include(if: $r) { body } } }"
    first = plan(query, {"r": True}, planner)
    assert plan(query, {"r": True}, planner) is first
    assert planner.cache_hits == 1
    assert plan(query, {"r": False}, planner) is not first  # different @include value
    plan("{ me { name } }", None, planner)
    plan(query, {"r": True}, planner)  # evicted by the LRU bound of 2
    assert planner.cache_hits == 1


@pytest.mark.parametrize("query", ["{ me { internalCode } }", "{ _entities(representations: []) { __typename } }"])
def test_inaccessible_and_machinery_are_not_in_client_schema(query):
    assert validate(SCHEMA, parse(query))


def test_shareable_key_field_is_resolved_in_current_subgraph():
    assert [f.subgraph for f in plan("{ latestReviews { product { upc } } }").fetches()] == ["reviews"]
    assert [f.subgraph for f in plan('{ search(term: "a") { ... on Product { upc } } }').fetches()] == ["media"]


def test_key_not_known_locally_is_fetched_through_another_subgraph():
    # media knows Product only by upc; inventory needs sku: products bridges.
    check(
        '{ search(term: "a") { ... on Product { inStock } } }',
        """
        QueryPlan {
          Sequence {
            Fetch(service: "media") {
              {
                search(term: "a") {
                  __typename
                  ... on Product {
                    __typename
                    upc
                  }
                }
              }
            },
            Flatten(path: "search.@") {
              Fetch(service: "products") {
                {
                  ... on Product {
                    __typename
                    upc
                  }
                } =>
                {
                  ... on Product {
                    sku
                  }
                }
              },
            },
            Flatten(path: "search.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    sku
                  }
                } =>
                {
                  ... on Product {
                    inStock
                  }
                }
              },
            },
          }
        }
        """,
    )
