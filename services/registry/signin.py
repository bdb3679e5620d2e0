"""The sign-in lookup the gateway calls: `POST /internal/accounts/resolve {"issuer", "subject"}`.

Not GraphQL and not in the supergraph: the gateway asks it with a token of its own (the platform's key,
audience `<AUTH_JWT_AUDIENCE>:internal`), after it has verified the identity provider's token. The answer
is the one active account of that subject, or why there is none; the route reads nothing else.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise.transactions import in_transaction

from services.common.kernel.auth import bearer_token, verify_claims
from services.common.kernel.config import AuthSettings
from services.common.kernel.errors import DomainError
from services.common.kernel.identity import GATEWAY_SUBJECT, internal_auth_settings

from .domain.accounts import for_subject


def claims_of(row: dict) -> dict:
    """The platform token's claims for an account (what the subgraphs read), and the account itself."""
    roles = row["roles"] if isinstance(row["roles"], list) else orjson.loads(row["roles"])
    claims = {"sub": row["subject"], "idp": row["issuer"], "account": str(row["id"]), "roles": roles,
              "city": row["district"][:4], "name": row["name"]}
    if "city_admin" not in roles:
        claims["district"] = row["district"]
    for claim, column in (("subdistrict", "subdistrict"), ("org", "organization_id"), ("agency", "agency_id")):
        if row[column] is not None:
            claims[claim] = str(row[column])
    return claims


def resolution(rows: list[dict], subject: str) -> dict:
    active = [row for row in rows if row["active"]]
    if len(active) == 1:
        return {"claims": claims_of(active[0])}
    if len(active) > 1:
        return {"refused": "FORBIDDEN", "message": f"subject {subject} has active accounts in more than one "
                "district; a person acts in one: ask the city admin to deactivate the others"}
    if rows:
        return {"refused": "FORBIDDEN", "message": "this account has been deactivated; ask the district bureau"}
    return {"refused": "UNAUTHENTICATED", "message": "no account on the platform for this identity; ask the "
            "district bureau to create one for your subject"}


async def resolve(request: Request) -> Response:
    try:
        token = bearer_token(request.headers.get("authorization"))
        if not token:
            raise DomainError("a token is needed")
        claims = verify_claims(token, internal_auth_settings(AuthSettings.from_env()))
        if claims.get("sub") != GATEWAY_SUBJECT:
            raise DomainError("only the gateway resolves accounts")
    except DomainError as error:
        return JSONResponse({"error": error.message}, status_code=401)
    try:
        body = orjson.loads(await request.body())
        issuer, subject = body["issuer"], body["subject"]
        if not (isinstance(issuer, str) and isinstance(subject, str) and issuer and subject):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "send {\"issuer\": ..., \"subject\": ...}"}, status_code=400)
    async with in_transaction("registry"):
        rows = await for_subject(issuer, subject)
    return JSONResponse(resolution(rows, subject))


routes = (Route("/internal/accounts/resolve", resolve, methods=["POST"]),)
