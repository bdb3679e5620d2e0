"""Signing in, served by the gateway under /auth (the portal reads `/auth/config` first).

Development (no OIDC_ISSUER, CIVIC_ENV=development):
    GET  /auth/config     {"mode": "development", "accounts": [{"subject", "name", "district", "roles"}]}
    POST /auth/dev/token  {"subject": "..."} -> {"token": "..."}: a development IdP token (standard claims
                          only), which the gateway then maps to the account like any IdP token
OpenID Connect (OIDC_ISSUER set; production always):
    GET  /auth/config     {"mode": "oidc", "loginUrl": "/auth/login"}
    GET  /auth/login?return_to=/portal/   302 to the provider's authorize endpoint (state, nonce, PKCE S256)
    GET  /auth/callback   checks state, exchanges the code, verifies the id_token and its nonce, checks the
                          account, then 302 to `return_to#token=<id_token>` (the portal keeps it in
                          sessionStorage and sends it as the bearer token)
The development routes answer 404 in OIDC mode and in production.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from services.common.kernel.config import AuthSettings
from services.common.kernel.errors import DomainError
from services.common.kernel.identity import mint_dev_idp_token
from services.common.kernel.validation import clean_text

from .callers import Callers, refusal
from .oidc import COOKIE, COOKIE_SECONDS

DEFAULT_RETURN = "/portal/"


def signin_routes(callers: Callers) -> list[Route]:
    identity = callers.identity
    development_mode = not identity.oidc and not AuthSettings.from_env().production

    async def config(request: Request) -> Response:
        if identity.oidc:
            return JSONResponse({"mode": "oidc", "loginUrl": "/auth/login"})
        try:
            accounts = await callers.development_accounts()
        except DomainError as error:
            return _refused(error)
        return JSONResponse({"mode": "development", "accounts": accounts})

    async def dev_token(request: Request) -> Response:
        try:
            body = orjson.loads(await request.body())
            subject = clean_text(body.get("subject") if isinstance(body, dict) else None, "subject", max_length=255)
        except orjson.JSONDecodeError:
            return _bad("send {\"subject\": \"...\"}", "subject")
        except DomainError as error:
            return _bad(error.message, "subject")
        return JSONResponse({"token": mint_dev_idp_token(subject)})

    async def login(request: Request) -> Response:
        return_to = _safe_return(request.query_params.get("return_to"))
        redirect_uri = identity.redirect_uri or str(request.url_for("auth_callback"))
        try:
            url, cookie = await callers.oidc.authorization_url(redirect_uri, return_to)
        except DomainError as error:
            return _refused(error)
        response = RedirectResponse(url, status_code=302)
        response.set_cookie(COOKIE, cookie, max_age=COOKIE_SECONDS, path="/auth", httponly=True, samesite="lax",
                            secure=redirect_uri.startswith("https://"))
        return response

    async def callback(request: Request) -> Response:
        params = request.query_params
        if params.get("error"):
            return _bad(f"the identity provider refused the sign-in: {params.get('error')}", "code")
        try:
            saved = callers.oidc.remembered(request.cookies.get(COOKIE), params.get("state"))
            code = params.get("code")
            if not code:
                return _bad("the callback carries no code", "code")
            token, claims = await callers.oidc.exchange(code, saved, AuthSettings.from_env())
            # Refused here with the reason, rather than on the portal's first request.
            await callers.caller(f"Bearer {token}")
        except DomainError as error:
            return _refused(error)
        response = RedirectResponse(f"{_safe_return(saved.get('returnTo'))}#token={token}", status_code=302)
        response.delete_cookie(COOKIE, path="/auth")
        return response

    routes = [Route("/auth/config", config, methods=["GET"])]
    if development_mode:
        routes.append(Route("/auth/dev/token", dev_token, methods=["POST"]))
    if identity.oidc:
        routes += [Route("/auth/login", login, methods=["GET"]),
                   Route("/auth/callback", callback, methods=["GET"], name="auth_callback")]
    return routes


def _safe_return(value: str | None) -> str:
    """Only a path of this site: `//elsewhere` or `https://elsewhere` would make sign-in an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or "#" in value:
        return DEFAULT_RETURN
    return value


def _bad(message: str, field: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT", "field": field}}]},
                        status_code=400)


def _refused(error: DomainError) -> Response:
    status, body = refusal(error)
    return JSONResponse(body, status_code=status)
