"""The district portal at /portal/: the static files `make portal` builds (services/gateway/portal/dist).

Vite names every asset after its content hash, so /portal/assets/* may be cached for a year; the pages
themselves (index.html, notices.html) are revalidated on every load so a new build shows at once.
Nothing here reads a token: the portal is a public page that calls the public GraphQL API like any client.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

PORTAL_SOURCE = Path(__file__).resolve().parent.parent / "portal"
PORTAL_DIST = PORTAL_SOURCE / "dist"

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
NOT_BUILT = "The portal is not built: run `make portal` (npm ci + vite build in services/gateway/portal).\n"


class PortalFiles(StaticFiles):
    """Starlette's static files (content types, ETag, 304s) plus the portal's cache rule and security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            hashed = path.startswith("assets/")
            response.headers["cache-control"] = IMMUTABLE if hashed else REVALIDATE
            response.headers["x-content-type-options"] = "nosniff"
            if not hashed:
                response.headers["x-frame-options"] = "DENY"
                response.headers["referrer-policy"] = "same-origin"
        return response


def portal_built(dist: Path = PORTAL_DIST) -> bool:
    return (dist / "index.html").is_file()


def portal_routes(dist: Path = PORTAL_DIST) -> list:
    """/ leads to /portal/; /portal/ serves the build, or says how to build it."""

    async def root(request: Request) -> Response:
        return RedirectResponse("/portal/", status_code=302)

    async def not_built(request: Request) -> Response:
        return PlainTextResponse(NOT_BUILT, status_code=503)

    async def slash(request: Request) -> Response:
        return RedirectResponse("/portal/", status_code=308)

    routes: list = [Route("/", root), Route("/portal", slash)]
    if portal_built(dist):
        routes.append(Mount("/portal", app=PortalFiles(directory=dist, html=True), name="portal"))
    else:
        routes.append(Route("/portal/{path:path}", not_built))
    return routes
