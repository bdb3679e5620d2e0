"""What the gateway serves a browser besides GraphQL: the portal's files, the explorer, and a resident's
objection without an account (rate limited per client address). Sign-in: tests/test_accounts.py."""

from __future__ import annotations

import re

import httpx
import pytest

from services.gateway.policy import explorer, portal
from tests.platform import running_gateway
from tests.support import DAOLI

from services.funding.tests.test_public_objections import LODGE, OBJECTIONS, project_on_notice

pytestmark = pytest.mark.skipif(not portal.portal_built(), reason="the portal is not built: run `make portal`")


async def test_root_leads_to_the_portal_whose_files_carry_their_type_and_cache_rule(gateway):
    root = await gateway.http.get("/")
    assert root.status_code == 302 and root.headers["location"] == "/portal/"
    page = await gateway.http.get("/portal/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html") and page.headers["cache-control"] == "no-cache"
    assert '<html lang="zh-CN">' in page.text
    assets = re.findall(r'(?:src|href)="(/portal/assets/[^"]+)"', page.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        answer = await gateway.http.get(asset)
        kind = "javascript" if asset.endswith(".js") else "css"
        assert answer.status_code == 200 and kind in answer.headers["content-type"], asset
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["x-content-type-options"] == "nosniff"
    # Nothing the portal or the explorer loads comes from outside the platform.
    for built in portal.PORTAL_DIST.rglob("*.html"):
        assert not re.search(r'(?:src|href)="(?:https?:)?//', built.read_text(encoding="utf-8")), built
    assert (await gateway.http.get("/portal/assets/missing.js")).status_code == 404


async def test_the_explorer_is_the_self_hosted_page_and_is_off_in_production_unless_enabled(gateway, monkeypatch):
    page = await gateway.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.text == (portal.PORTAL_DIST / "explorer.html").read_text(encoding="utf-8")
    assert "unpkg" not in page.text and "cdn" not in page.text.lower()
    monkeypatch.setenv("CIVIC_ENV", "production")
    assert explorer.explorer_enabled() is False
    monkeypatch.setenv("GATEWAY_EXPLORER", "on")
    assert explorer.explorer_enabled() is True
    monkeypatch.setenv("CIVIC_ENV", "development")
    monkeypatch.setenv("GATEWAY_EXPLORER", "off")
    assert explorer.explorer_enabled() is False


async def test_a_resident_objects_through_the_gateway_without_a_token_a_few_times_an_hour(subgraphs, monkeypatch, bureau_tokens):
    monkeypatch.setenv("GATEWAY_PUBLIC_MUTATIONS_PER_HOUR", "2")
    async with running_gateway(subgraphs, alerts=False) as base, httpx.AsyncClient(base_url=base, timeout=20) as http:
        portal_client = _Client(http)
        _, project = await project_on_notice(portal_client, bureau_tokens[DAOLI])
        variables = {"d": DAOLI, "p": project, "c": "13800000000", "t": "公示项目与社区实际需求不符"}
        for _ in range(2):
            answer = await http.post("/graphql", json={"query": LODGE, "variables": variables})
            assert answer.status_code == 200 and answer.json()["data"]["lodgePublicObjection"]["received"] is True
        limited = await http.post("/graphql", json={"query": LODGE, "variables": variables})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        # A token-less mutation that is not public is still refused outright.
        private = await http.post("/graphql", json={"query": "mutation { closeNoticePeriod(roundId: \"x\") { id } }"})
        assert private.status_code == 401
        seen = await portal_client.ok(OBJECTIONS, {"id": project}, token=bureau_tokens[DAOLI])
        assert [o["public"] for o in seen["project"]["objections"]] == [True, True]


class _Client:
    """The `ok`/`error` helpers the funding flow uses, over the gateway."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def ok(self, query: str, variables: dict | None = None, *, token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = (await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)).json()
        assert not body.get("errors"), body
        return body["data"]


@pytest.fixture
async def bureau_tokens(gateway):
    from tests.test_gateway_edge import onboard

    return await onboard(gateway)
