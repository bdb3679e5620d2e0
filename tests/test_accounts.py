"""Accounts and sign-in through the gateway: the identity provider's token says who, the platform's account
says what. Real subgraphs over HTTP, the gateway in front, the development IdP's tokens (standard claims
only) or platform tokens minted with `mint_token` for the set-up."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager

import httpx
import jwt
import pytest

from services.common.kernel.credit_code import make_credit_code
from services.common.kernel.identity import DEV_IDP_AUDIENCE, DEV_IDP_ISSUER, DEV_IDP_SECRET
from services.gateway.policy.app import create_platform_app
from services.gateway.policy.subgraphs import platform_supergraph
from tests.platform import free_port, serve
from tests.places import seed_gazetteer
from tests.support import DAOLI, HARBIN, NANGANG, token

from .conftest import Portal

ONBOARD = "mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code } }"
REGISTER = "mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }"
CREATE = """mutation($input: CreateAccountInput!) { createAccount(input: $input) {
  id district issuer subject name roles active } }"""
DEACTIVATE = "mutation($id: ID!) { deactivateAccount(id: $id) { id active } }"
ORGS = "{ organizations { totalCount edges { node { district name } } } }"
CITY = token(None, "city_admin", city=HARBIN)
DAOLI_ADMIN = token(DAOLI, "bureau_admin")
NANGANG_ADMIN = token(NANGANG, "bureau_admin")


@asynccontextmanager
async def gateway_with_clock(subgraphs, clock):
    """A gateway of its own whose account cache reads `clock` (a test moves time, never sleeps)."""
    app = create_platform_app(platform_supergraph(subgraphs), alerts=False)
    app.state.callers.clock = clock
    async with serve(app, free_port()) as base:
        portal = Portal(base)
        try:
            yield portal
        finally:
            await portal.http.aclose()


async def onboard_with_organizations(gateway) -> None:
    for code, name in ((DAOLI, "道里区"), (NANGANG, "南岗区")):
        await gateway.ok(ONBOARD, {"input": {"code": code, "name": name, "cityCode": HARBIN}}, token=CITY)
        await seed_gazetteer(gateway, token(code, "bureau_admin"), code)
    for n, (district, admin) in enumerate(((DAOLI, DAOLI_ADMIN), (NANGANG, NANGANG_ADMIN)), start=1):
        await gateway.ok(REGISTER, {"input": {"name": f"{district}组织", "registration": "REGISTERED",
                                              "category": "ELDERLY_CARE", "creditCode": make_credit_code(district, n),
                                              "subdistrict": "新阳路街道"}}, token=admin)


async def create_daoli_admin(gateway) -> dict:
    """The city admin puts Daoli's bureau admin on the platform, as after onboarding a district."""
    return (await gateway.ok(CREATE, {"input": {"subject": "zhang.wei", "name": "张伟", "roles": ["BUREAU_ADMIN"],
                                                "district": DAOLI}}, token=CITY))["createAccount"]


async def dev_sign_in(gateway, subject: str) -> str:
    response = await gateway.http.post("/auth/dev/token", json={"subject": subject})
    assert response.status_code == 200, response.text
    return response.json()["token"]


def refusal(response) -> dict:
    """The first error's code and field (the gateway adds the subgraph's name beside them)."""
    extensions = response.json()["errors"][0]["extensions"]
    return {k: v for k, v in extensions.items() if k in ("code", "field")}


def idp_token(subject: str, **extra) -> str:
    """A development IdP token; `extra` claims are what a token might try to smuggle."""
    now = int(time.time())
    claims = {"iss": DEV_IDP_ISSUER, "aud": DEV_IDP_AUDIENCE, "sub": subject, "iat": now, "exp": now + 600, **extra}
    return jwt.encode(claims, DEV_IDP_SECRET, algorithm="HS256")


async def test_an_idp_token_with_standard_claims_only_reads_its_accounts_district_and_nothing_of_another(gateway):
    await onboard_with_organizations(gateway)
    await create_daoli_admin(gateway)
    signed_in = await dev_sign_in(gateway, "zhang.wei")
    assert set(jwt.decode(signed_in, options={"verify_signature": False})) <= {"iss", "aud", "sub", "exp", "iat", "name"}
    seen = await gateway.ok("""{ organizations { totalCount edges { node { district name } } }
                                 me { subject district roles name } }""", token=signed_in)
    assert seen["organizations"] == {"totalCount": 1, "edges": [{"node": {"district": DAOLI, "name": "230102组织"}}]}
    assert seen["me"] == {"subject": "zhang.wei", "district": DAOLI, "roles": ["BUREAU_ADMIN"], "name": "张伟"}
    other = await gateway.post('{ organizations(district: "230103") { totalCount } }', token=signed_in)
    assert other.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_claims_smuggled_into_an_idp_token_give_only_the_accounts_rights(gateway):
    await onboard_with_organizations(gateway)
    await create_daoli_admin(gateway)
    smuggler = idp_token("zhang.wei", district=NANGANG, city="2301", roles=["city_admin"],
                         org="00000000-0000-0000-0000-000000000001", agency="00000000-0000-0000-0000-000000000002")
    seen = await gateway.ok("{ organizations { edges { node { district } } } me { district roles } }", token=smuggler)
    assert seen == {"organizations": {"edges": [{"node": {"district": DAOLI}}]},
                    "me": {"district": DAOLI, "roles": ["BUREAU_ADMIN"]}}
    refused = await gateway.post(ONBOARD, {"input": {"code": "230104", "name": "道外区", "cityCode": HARBIN}},
                                 token=smuggler)
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert len((await gateway.ok("{ districts { code } }", token=CITY))["districts"]) == 2


async def test_an_unknown_subject_is_refused_with_a_clear_message(gateway):
    await onboard_with_organizations(gateway)
    response = await gateway.post(ORGS, token=await dev_sign_in(gateway, "nobody"))
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "no account on the platform" in error["message"]


async def test_a_token_signed_with_another_key_or_issuer_is_refused(gateway):
    await onboard_with_organizations(gateway)
    await create_daoli_admin(gateway)
    now = int(time.time())
    forged = jwt.encode({"iss": DEV_IDP_ISSUER, "aud": DEV_IDP_AUDIENCE, "sub": "zhang.wei", "iat": now,
                         "exp": now + 60}, "another-secret-of-at-least-32-bytes!!", algorithm="HS256")
    elsewhere = jwt.encode({"iss": "https://idp.example", "aud": DEV_IDP_AUDIENCE, "sub": "zhang.wei", "iat": now,
                            "exp": now + 60}, DEV_IDP_SECRET, algorithm="HS256")
    blank = idp_token(" ")
    for bad in (forged, elsewhere, blank):
        response = await gateway.post(ORGS, token=bad)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_deactivated_account_is_refused_once_the_cache_ttl_lapses(subgraphs, gateway):
    await onboard_with_organizations(gateway)
    account = await create_daoli_admin(gateway)
    now = [time.time()]
    async with gateway_with_clock(subgraphs, lambda: now[0]) as edge:
        signed_in = await dev_sign_in(edge, "zhang.wei")
        assert (await edge.ok(ORGS, token=signed_in))["organizations"]["totalCount"] == 1
        await edge.ok(DEACTIVATE, {"id": account["id"]}, token=DAOLI_ADMIN)
        now[0] += edge_cache_seconds(edge) + 1
        response = await edge.post(ORGS, token=signed_in)
        assert response.status_code == 403
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert "deactivated" in error["message"]


def edge_cache_seconds(portal) -> int:
    from services.common.kernel.identity import IdentitySettings

    return IdentitySettings.from_env().account_cache_seconds


async def test_a_bureau_admin_cannot_create_accounts_in_another_district_or_grant_city_admin(gateway):
    await onboard_with_organizations(gateway)
    before = (await gateway.ok("{ accounts { totalCount } }", token=CITY))["accounts"]["totalCount"]
    elsewhere = await gateway.post(CREATE, {"input": {"subject": "li.na", "name": "李娜", "roles": ["REVIEWER"],
                                                      "district": NANGANG}}, token=DAOLI_ADMIN)
    assert refusal(elsewhere) == {"code": "FORBIDDEN", "field": "input.district"}
    city_admin = await gateway.post(CREATE, {"input": {"subject": "li.na", "name": "李娜", "roles": ["CITY_ADMIN"]}},
                                    token=DAOLI_ADMIN)
    assert refusal(city_admin) == {"code": "FORBIDDEN", "field": "input.roles"}
    assert (await gateway.ok("{ accounts { totalCount } }", token=CITY))["accounts"]["totalCount"] == before


async def test_a_bureau_admin_picks_panel_members_from_its_reviewer_accounts_only(gateway):
    await onboard_with_organizations(gateway)
    for subject, name, admin in (("rev.daoli", "王评审", DAOLI_ADMIN), ("rev.nangang", "赵评审", NANGANG_ADMIN)):
        await gateway.ok(CREATE, {"input": {"subject": subject, "name": name, "roles": ["REVIEWER"]}}, token=admin)
    await gateway.ok(CREATE, {"input": {"subject": "clerk", "name": "刘办事员", "roles": ["SUBDISTRICT_OFFICER"],
                                        "subdistrict": "新阳路街道"}}, token=DAOLI_ADMIN)
    reviewers = await gateway.ok("{ accounts(role: REVIEWER) { edges { node { subject name district } } } }",
                                 token=DAOLI_ADMIN)
    assert reviewers["accounts"]["edges"] == [{"node": {"subject": "rev.daoli", "name": "王评审", "district": DAOLI}}]
    city = await gateway.ok("{ accounts(role: REVIEWER) { totalCount } }", token=CITY)
    assert city["accounts"]["totalCount"] == 2


async def test_an_account_needs_what_its_role_acts_with(gateway):
    await onboard_with_organizations(gateway)
    for roles, field in ((["ORG_MEMBER"], "input.organizationId"), (["EVALUATOR"], "input.agencyId"),
                         (["SUBDISTRICT_OFFICER"], "input.subdistrict"), ([], "input.roles")):
        response = await gateway.post(CREATE, {"input": {"subject": "x", "name": "某人", "roles": roles}},
                                      token=DAOLI_ADMIN)
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": field}
    other = await gateway.post(CREATE, {"input": {"subject": "x", "name": "某人", "roles": ["ORG_MEMBER"],
                                                  "organizationId": "00000000-0000-0000-0000-000000000009"}},
                               token=DAOLI_ADMIN)
    assert refusal(other) == {"code": "NOT_FOUND", "field": "input.organizationId"}


async def test_development_sign_in_lists_the_accounts(gateway):
    await onboard_with_organizations(gateway)
    await create_daoli_admin(gateway)
    config = (await gateway.http.get("/auth/config")).json()
    assert config == {"mode": "development",
                      "accounts": [{"subject": "zhang.wei", "name": "张伟", "district": DAOLI, "roles": ["bureau_admin"]}]}
    bad = await gateway.http.post("/auth/dev/token", json={"subject": "  "})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "subject"}


def rsa_pem() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


async def test_production_has_no_development_sign_in(monkeypatch):
    private, public = rsa_pem()
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.delenv("AUTH_JWT_SECRET", raising=False)
    monkeypatch.setenv("AUTH_JWT_PUBLIC_KEY", public)
    monkeypatch.setenv("PLATFORM_TOKEN_PRIVATE_KEY", private)
    monkeypatch.setenv("OIDC_ISSUER", "https://idp.example")
    monkeypatch.setenv("OIDC_CLIENT_ID", "civic-portal")
    app = create_platform_app(platform_supergraph(), alerts=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
        assert (await client.post("/auth/dev/token", json={"subject": "zhang.wei"})).status_code == 404
        assert (await client.get("/auth/config")).json() == {"mode": "oidc", "loginUrl": "/auth/login"}
        # Production's development secret does not exist: an HS256 platform token is refused at the edge.
        forged = jwt.encode({"iss": "civic-platform", "aud": "civic-platform", "sub": "x", "roles": ["bureau_admin"],
                             "district": DAOLI, "city": HARBIN, "iat": int(time.time()), "exp": int(time.time()) + 60},
                            "dev-only-secret-change-me-in-production-0123456789", algorithm="HS256")
        response = await client.post("/graphql", json={"query": "{ __typename }"},
                                     headers={"authorization": f"Bearer {forged}"})
        assert response.status_code == 401


def test_production_refuses_to_start_without_oidc_or_a_platform_signing_key(monkeypatch):
    from services.common.kernel.config import ConfigurationError

    private, public = rsa_pem()
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.delenv("AUTH_JWT_SECRET", raising=False)
    monkeypatch.setenv("AUTH_JWT_PUBLIC_KEY", public)
    with pytest.raises(ConfigurationError, match="OIDC_ISSUER"):
        create_platform_app(platform_supergraph(), alerts=False)
    monkeypatch.setenv("OIDC_ISSUER", "https://idp.example")
    monkeypatch.setenv("OIDC_CLIENT_ID", "civic-portal")
    with pytest.raises(ConfigurationError, match="PLATFORM_TOKEN_PRIVATE_KEY"):
        create_platform_app(platform_supergraph(), alerts=False)


async def test_the_alerts_socket_takes_an_idp_token_for_a_known_account_only(gateway):
    import asyncio
    import json

    import websockets

    await onboard_with_organizations(gateway)
    await create_daoli_admin(gateway)
    ws_url = gateway.base.replace("http", "ws") + "/graphql"
    for subject, expected in (("zhang.wei", "ack"), ("nobody", 4403)):
        signed_in = await dev_sign_in(gateway, subject)
        async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {signed_in}"}}))
            if expected == "ack":
                assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            else:
                with pytest.raises(websockets.ConnectionClosed) as refused:
                    await asyncio.wait_for(ws.recv(), 10)
                assert refused.value.rcvd.code == expected


def test_identity_settings_that_cannot_work_stop_the_gateway(monkeypatch):
    from services.common.kernel.config import ConfigurationError
    from services.common.kernel.identity import IdentitySettings

    monkeypatch.setenv("ACCOUNT_CACHE_SECONDS", "120")
    monkeypatch.setenv("PLATFORM_TOKEN_SECONDS", "60")
    with pytest.raises(ConfigurationError, match="PLATFORM_TOKEN_SECONDS must exceed"):
        IdentitySettings.from_env()
    monkeypatch.delenv("ACCOUNT_CACHE_SECONDS")
    monkeypatch.delenv("PLATFORM_TOKEN_SECONDS")
    monkeypatch.setenv("PLATFORM_TOKEN_PRIVATE_KEY", "not a key")
    with pytest.raises(ConfigurationError, match="PEM private key"):
        IdentitySettings.from_env()
    monkeypatch.delenv("PLATFORM_TOKEN_PRIVATE_KEY")
    monkeypatch.setenv("OIDC_ISSUER", "https://idp.example")
    with pytest.raises(ConfigurationError, match="OIDC_CLIENT_ID"):
        IdentitySettings.from_env()


async def test_a_city_admin_signs_in_to_its_city_and_creates_bureau_admins_of_its_districts_only(gateway):
    await onboard_with_organizations(gateway)
    await gateway.ok(CREATE, {"input": {"subject": "chen.city", "name": "陈市管", "roles": ["CITY_ADMIN"]}}, token=CITY)
    signed_in = await dev_sign_in(gateway, "chen.city")
    seen = await gateway.ok("{ me { district roles } districts { code } }", token=signed_in)
    assert seen == {"me": {"district": "230100", "roles": ["CITY_ADMIN"]},
                    "districts": [{"code": DAOLI}, {"code": NANGANG}]}
    created = await gateway.ok(CREATE, {"input": {"subject": "nangang.admin", "name": "南岗管理员",
                                                  "roles": ["BUREAU_ADMIN"], "district": NANGANG}}, token=signed_in)
    assert created["createAccount"]["district"] == NANGANG
    for district in ("230104", "230202"):  # not on the platform; another city's
        refused = await gateway.post(CREATE, {"input": {"subject": "x", "name": "某人", "roles": ["BUREAU_ADMIN"],
                                                        "district": district}}, token=signed_in)
        assert refusal(refused) == {"code": "FORBIDDEN", "field": "input.district"}
    reviewer = await gateway.post(CREATE, {"input": {"subject": "x", "name": "某人", "roles": ["REVIEWER"],
                                                     "district": DAOLI}}, token=signed_in)
    assert refusal(reviewer) == {"code": "FORBIDDEN", "field": "input.roles"}


async def test_an_account_change_reaches_the_next_sign_in_and_every_change_is_audited(subgraphs, gateway):
    await onboard_with_organizations(gateway)
    account = (await gateway.ok(CREATE, {"input": {"subject": "li.na", "name": "李娜", "roles": ["REVIEWER"]}},
                                token=DAOLI_ADMIN))["createAccount"]
    now = [time.time()]
    async with gateway_with_clock(subgraphs, lambda: now[0]) as edge:
        signed_in = await dev_sign_in(edge, "li.na")
        station = """mutation { upsertServiceStation(input: {subdistrict: "新阳路街道", community: "共乐社区"}) { id } }"""
        assert refusal(await edge.post(station, token=signed_in))["code"] == "FORBIDDEN"  # a reviewer records none
        await edge.ok("""mutation($id: ID!) { updateAccount(id: $id, input: {name: "李娜", roles: [REVIEWER,
            SUBDISTRICT_OFFICER], subdistrict: "新阳路街道"}) { roles } }""", {"id": account["id"]}, token=DAOLI_ADMIN)
        now[0] += edge_cache_seconds(edge) + 1
        assert await edge.ok(station, token=signed_in)  # the same sign-in, now with the officer's rights
        me = (await edge.ok("{ me { roles subdistrict } }", token=signed_in))["me"]
        assert me == {"roles": ["REVIEWER", "SUBDISTRICT_OFFICER"], "subdistrict": "新阳路街道"}
        other = await edge.post("""mutation($id: ID!) { updateAccount(id: $id, input: {name: "x", roles: [REVIEWER]}) {
            id } }""", {"id": account["id"]}, token=NANGANG_ADMIN)
        assert refusal(other) == {"code": "NOT_FOUND", "field": "id"}
    trail = await gateway.ok("""query($id: String!) { registryAuditTrail(entityType: "Account", entityId: $id) {
        edges { node { action actor } } } }""", {"id": account["id"]}, token=DAOLI_ADMIN)
    assert [e["node"]["action"] for e in trail["registryAuditTrail"]["edges"]] == ["createAccount", "updateAccount"]


async def test_the_first_city_admin_of_a_city_is_created_from_the_command_line_and_signs_in(gateway):
    import asyncio

    from services.cli import main

    await onboard_with_organizations(gateway)
    args = ["first-city-admin", "--city", HARBIN, "--subject", "first.admin", "--name", "首任市管", "--gateway", gateway.base]
    assert await asyncio.to_thread(main, args) == 0
    signed_in = await dev_sign_in(gateway, "first.admin")
    seen = await gateway.ok("{ me { district roles } }", token=signed_in)
    assert seen == {"me": {"district": HARBIN + "00", "roles": ["CITY_ADMIN"]}}
    # The same subject again is the account already there, not a second one.
    assert await asyncio.to_thread(main, args) == 1
