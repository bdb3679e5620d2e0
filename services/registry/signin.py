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
from services.common.data.tenancy import tenant_transaction
from services.common.kernel.config import AuthSettings, development
from services.common.kernel.errors import DomainError
from services.common.kernel.identity import DEV_IDP_ISSUER, GATEWAY_SUBJECT, internal_auth_settings

from .domain.accounts import city_account_district, for_subject
from .models import Account, DistrictDirectory


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


def _not_the_gateway(request: Request) -> Response | None:
    """None for the gateway's own token; else the 401 to send."""
    try:
        token = bearer_token(request.headers.get("authorization"))
        if not token:
            raise DomainError("a token is needed")
        claims = verify_claims(token, internal_auth_settings(AuthSettings.from_env()))
        if claims.get("sub") != GATEWAY_SUBJECT:
            raise DomainError("only the gateway resolves accounts")
    except DomainError as error:
        return JSONResponse({"error": error.message}, status_code=401)
    return None


async def resolve(request: Request) -> Response:
    if refused := _not_the_gateway(request):
        return refused
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


async def development_accounts(request: Request) -> Response:
    """Development only: every active account of the development IdP, for the sign-in page's list."""
    if not development():
        return JSONResponse({"error": "not found"}, status_code=404)
    if refused := _not_the_gateway(request):
        return refused
    cities = {code[:4] for code in await DistrictDirectory.all().values_list("code", flat=True)}
    districts = [*await DistrictDirectory.all().values_list("code", flat=True),
                 *(city_account_district(city) for city in cities)]
    async with tenant_transaction("registry", districts):
        rows = await Account.filter(active=True, issuer=DEV_IDP_ISSUER).order_by("district", "created_at", "id")
    return JSONResponse({"accounts": [{"subject": a.subject, "name": a.name, "district": a.district,
                                       "roles": a.roles} for a in rows]})


routes = (
    Route("/internal/accounts/resolve", resolve, methods=["POST"]),
    Route("/internal/accounts/development", development_accounts, methods=["GET"]),
)
