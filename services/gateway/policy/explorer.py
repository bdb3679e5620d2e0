"""The GraphQL explorer: GraphiQL built from pinned npm packages into the portal's build (explorer.html),
served to a browser's GET /graphql. On in development; in production only with GATEWAY_EXPLORER=on."""

from __future__ import annotations

from pathlib import Path

from services.common.kernel.config import development, env

from .portal import PORTAL_DIST, REVALIDATE


def explorer_enabled() -> bool:
    setting = env("GATEWAY_EXPLORER", "").strip().lower()
    if setting in ("on", "off"):
        return setting == "on"
    return development()


def explorer_page(dist: Path = PORTAL_DIST) -> bytes | None:
    """The built page, or None when the portal has not been built (`make portal`)."""
    page = dist / "explorer.html"
    return page.read_bytes() if page.is_file() else None


EXPLORER_HEADERS = {"cache-control": REVALIDATE, "x-content-type-options": "nosniff", "x-frame-options": "DENY"}
