"""The test world: six small subgraphs (products/reviews/inventory/accounts
classic plus media with an entity interface and ratings with @interfaceObject)."""

from __future__ import annotations

from graphql import GraphQLError

from .subgraph_kit import Subgraph

USERS = {
    "u1": {"id": "u1", "name": "Ada Lovelace", "username": "@ada", "email": "old-ada@example.com"},
    "u2": {"id": "u2", "name": "Alan Turing", "username": "@alan", "email": "old-alan@example.com"},
}
PRODUCTS = [
    {"upc": "1", "sku": "s1", "name": "Table", "price": 899, "weight": 100},
    {"upc": "2", "sku": "s2", "name": "Couch", "price": 1299, "weight": 1000},
    {"upc": "3", "sku": "s3", "name": "Chair", "price": 54, "weight": 50},
]
REVIEWS = [
    {"id": "r1", "body": "Love it!", "rating": 5, "author": "u1", "product": "1"},
    {"id": "r2", "body": "Too expensive.", "rating": 2, "author": "u2", "product": "2"},
    {"id": "r3", "body": "Could be better.", "rating": 3, "author": "u1", "product": "3"},
    {"id": "r4", "body": "Prefer something else.", "rating": 1, "author": "u2", "product": "1"},
]
MEDIA = {
    "b1": {"__typename": "Book", "id": "b1", "title": "Dune", "pages": 412},
    "m1": {"__typename": "Movie", "id": "m1", "title": "Alien", "minutes": 117},
    "b2": {"__typename": "Book", "id": "b2", "title": "Emma", "pages": 474},
}
STARS = {"b1": 5, "m1": 4, "b2": 3}


def accounts() -> Subgraph:
    users = {k: dict(v) for k, v in USERS.items()}

    def update_name(info, id, name):
        users[id]["name"] = name
        return users[id]

    return Subgraph(
        "accounts",
        root={"me": lambda info: users["u1"], "users": lambda info: list(users.values()), "updateName": update_name},
        entities={"User": lambda rep: {"__typename": "User", **users[rep["id"]]}},
    )


def products() -> Subgraph:
    items = [dict(p) for p in PRODUCTS]
    by = lambda key, value: next((p for p in items if p[key] == value), None)  # noqa: E731

    def create_product(info, upc, name):
        item = {"upc": upc, "sku": f"s{upc}", "name": name, "price": 10, "weight": 1}
        items.append(item)
        return item

    def product_entity(rep):
        found = by("upc", rep["upc"]) if "upc" in rep else by("sku", rep["sku"])
        return {"__typename": "Product", **found} if found else None

    return Subgraph(
        "products",
        root={
            "topProducts": lambda info, first=5: items[:first],
            "product": lambda info, upc: by("upc", upc),
            "productGroups": lambda info: [[items[0], None], [], None, [items[2], items[0]]],
            "createProduct": create_product,
        },
        entities={"Product": product_entity},
    )


def inventory() -> Subgraph:
    stock = {"s1": True, "s2": False, "s3": True}

    def product_entity(rep):
        def in_stock(info):
            if rep["sku"] == "s3":
                raise GraphQLError("warehouse offline", extensions={"code": "WAREHOUSE_OFFLINE"})
            return stock.get(rep["sku"])

        def shipping_estimate(info):
            # Needs @requires fields in the representation.
            return 0 if rep["price"] > 1000 else rep["weight"] // 2

        return {"__typename": "Product", "sku": rep["sku"], "inStock": in_stock, "shippingEstimate": shipping_estimate}

    return Subgraph("inventory", root={}, entities={"Product": product_entity})


def reviews() -> Subgraph:
    usernames = {"u1": "@ada", "u2": "@alan"}
    emails = {"u1": "ada@example.com", "u2": "alan@example.com"}

    def review(r):
        return {
            "id": r["id"], "body": r["body"], "rating": r["rating"],
            "author": {"id": r["author"], "username": usernames[r["author"]], "email": emails[r["author"]]},
            "product": {"upc": r["product"]},
        }  # fmt: skip

    def product_entity(rep):
        def delivery_label(info):
            estimate = rep["shippingEstimate"]
            return "free delivery" if estimate == 0 else f"{estimate} days"

        return {
            "__typename": "Product", "upc": rep["upc"], "deliveryLabel": delivery_label,
            "reviews": [review(r) for r in REVIEWS if r["product"] == rep["upc"]],
        }  # fmt: skip

    return Subgraph(
        "reviews",
        root={"latestReviews": lambda info: [review(r) for r in reversed(REVIEWS)]},
        entities={
            "Product": product_entity,
            "User": lambda rep: {
                "__typename": "User", "id": rep["id"], "email": emails[rep["id"]],
                "reviews": [review(r) for r in REVIEWS if r["author"] == rep["id"]],
            },  # fmt: skip
            "Review": lambda rep: review(next(r for r in REVIEWS if r["id"] == rep["id"])),
        },
    )


def media() -> Subgraph:
    return Subgraph(
        "media",
        root={
            "media": lambda info: list(MEDIA.values()),
            "search": lambda info, term: [MEDIA["b1"], MEDIA["m1"], {"__typename": "Product", "upc": "2"}],
        },
        entities={
            "Media": lambda rep: MEDIA[rep["id"]],
            "Book": lambda rep: MEDIA[rep["id"]],
            "Movie": lambda rep: MEDIA[rep["id"]],
        },
    )


def ratings() -> Subgraph:
    return Subgraph(
        "ratings",
        root={"topRated": lambda info: [{"__typename": "Media", "id": i, "stars": STARS[i]} for i in ("m1", "b1")]},
        entities={"Media": lambda rep: {"__typename": "Media", "id": rep["id"], "stars": STARS.get(rep["id"])}},
    )


def build_world() -> dict[str, Subgraph]:
    return {s.name: s for s in (accounts(), products(), inventory(), reviews(), media(), ratings())}
