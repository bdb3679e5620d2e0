"""Development sign-in for the portal, until accounts land (w17b's `/auth/*` replaces this module).

`GET /auth/config` says how to sign in: `{"mode": "development", "accounts": [...]}` here, the demo
identities below; `POST /auth/dev/token` with `{"subject": "..."}` mints a development token for one of
them (`services.common.kernel.auth.mint_token`, HS256 with the development secret). Only these fixed
subjects can be had, and in production neither route exists: `dev_sign_in_routes()` returns nothing
and `mint_token` itself refuses to run there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.kernel.auth import mint_token
from services.common.kernel.config import development

TOKEN_TTL_SECONDS = 8 * 3600


@dataclass(frozen=True)
class DevAccount:
    subject: str
    name: str
    district: str | None
    roles: tuple[str, ...]
    city: str = "2301"
    subdistrict: str | None = None


# The demo district's people (services/demo): the loader's own subjects, so the panel member
# `demo-panel-0` signs in as the reviewer the demo added to Daoli's panel.
DEV_ACCOUNTS: tuple[DevAccount, ...] = (
    DevAccount("demo-bureau-admin", "道里区民政局管理员", "230102", ("bureau_admin",)),
    DevAccount("demo-city-admin", "哈尔滨市民政局管理员", None, ("city_admin",)),
    DevAccount("demo-subdistrict-officer", "道里区新阳路街道办干部", "230102", ("subdistrict_officer",),
               subdistrict="新阳路街道"),
    DevAccount("demo-panel-0", "王教授（评审专家）", "230102", ("reviewer",)),
    DevAccount("demo-nangang-admin", "南岗区民政局管理员", "230103", ("bureau_admin",)),
)
BY_SUBJECT = {account.subject: account for account in DEV_ACCOUNTS}


def _json(status: int, body: dict) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers={"cache-control": "no-store"})


def _error(status: int, message: str, code: str, field: str | None = None) -> Response:
    extensions = {"code": code} | ({"field": field} if field else {})
    return _json(status, {"errors": [{"message": message, "extensions": extensions}]})


async def auth_config(request: Request) -> Response:
    accounts = [asdict(a) | {"roles": list(a.roles)} for a in DEV_ACCOUNTS]
    for account in accounts:
        account.pop("city"), account.pop("subdistrict")
    return _json(200, {"mode": "development", "accounts": accounts})


async def dev_token(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return _error(400, "request body must be JSON", "BAD_REQUEST")
    subject = body.get("subject") if isinstance(body, dict) else None
    account = BY_SUBJECT.get(subject) if isinstance(subject, str) else None
    if account is None:
        return _error(400, "no development account has that subject", "BAD_USER_INPUT", "subject")
    token = mint_token(district=account.district, roles=list(account.roles), city=account.city,
                       sub=account.subject, subdistrict=account.subdistrict, ttl_seconds=TOKEN_TTL_SECONDS)
    return _json(200, {"token": token})


def dev_sign_in_routes() -> list[Route]:
    if not development():
        return []
    return [Route("/auth/config", auth_config, methods=["GET"]),
            Route("/auth/dev/token", dev_token, methods=["POST"])]
