"""`civic`: the platform's command-line tool. Every command has --help.

    civic token            mint a development token
    civic onboard          bring a new district (tenant) into a city, through the gateway
    civic alerts           tail fund-recovery alerts from RabbitMQ, as a finance or audit subscriber would
    civic export-360giving export a district's awarded projects as 360Giving JSON, from the gateway
    civic demo             load the demo district through the gateway (same as python -m services.demo.load)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid

from services.common.kernel.auth import ROLES, mint_token
from services.common.kernel.config import ConfigurationError
from services.common.kernel.identity import mint_dev_idp_token

DEFAULT_GATEWAY = os.environ.get("CIVIC_GATEWAY", "http://127.0.0.1:4000")


def _token(args: argparse.Namespace) -> int:
    if args.subject:
        # What the portal's development sign-in hands out: standard claims only, mapped to the account.
        try:
            print(mint_dev_idp_token(args.subject, ttl_seconds=args.hours * 3600))
        except ConfigurationError as exc:
            print(f"civic token: {exc}", file=sys.stderr)
            return 2
        return 0
    if not args.role:
        print("civic token: give --subject (an account's development sign-in) or --role", file=sys.stderr)
        return 2
    if not args.district and "city_admin" not in args.role:
        print("civic token: --district is required unless --role city_admin", file=sys.stderr)
        return 2
    try:
        minted = mint_token(
            district=args.district,
            roles=args.role,
            city=args.city,
            sub=args.sub,
            subdistrict=args.subdistrict,
            org=args.org,
            agency=args.agency,
            ttl_seconds=args.hours * 3600,
        )
    except (ConfigurationError, ValueError) as exc:  # production, or longer than the platform accepts
        print(f"civic token: {exc}", file=sys.stderr)
        return 2
    print(minted)
    return 0


# --- onboard ------------------------------------------------------------------------------------------

ONBOARD = "mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code name cityCode bureauCreditCode } }"


def _onboard(args: argparse.Namespace) -> int:
    from services.demo.api import Api, ApiError

    city = args.city or args.code[:4]
    token = args.token or mint_token(district=None, roles=["city_admin"], city=city, sub="civic-cli")

    async def run() -> dict:
        async with Api(args.gateway) as api:
            return (await api.call(ONBOARD, {"input": {"code": args.code, "name": args.name, "cityCode": city,
                                                       "bureauCreditCode": args.credit_code}},
                                   token=token))["onboardDistrict"]

    try:
        district = asyncio.run(run())
    except ApiError as exc:
        print(f"civic onboard: {exc}", file=sys.stderr)
        return 1
    print(f"onboarded {district['code']} {district['name']} into city {district['cityCode']}")
    print(f"its bureau's token: civic token --district {district['code']} --role bureau_admin")
    return 0


# --- the first city admin ---------------------------------------------------------------------------

CREATE_ACCOUNT = "mutation($input: CreateAccountInput!) { createAccount(input: $input) { id subject district } }"


def _first_city_admin(args: argparse.Namespace) -> int:
    """A new city's first account: nobody can sign in yet to create it, so the platform's own key signs a
    five-minute city_admin token for this one call (the operator holds PLATFORM_TOKEN_PRIVATE_KEY_FILE)."""
    from services.common.kernel.config import AuthSettings
    from services.common.kernel.identity import IdentitySettings, sign_platform_token
    from services.demo.api import Api, ApiError

    claims = {"sub": "civic-first-city-admin", "roles": ["city_admin"], "city": args.city}
    token = sign_platform_token(claims, lifetime=300, platform=AuthSettings.from_env(), identity=IdentitySettings.from_env())

    async def run() -> dict:
        async with Api(args.gateway) as api:
            return (await api.call(CREATE_ACCOUNT, {"input": {"subject": args.subject, "name": args.name,
                                                              "roles": ["CITY_ADMIN"]}}, token=token))["createAccount"]

    try:
        account = asyncio.run(run())
    except ApiError as exc:
        print(f"civic first-city-admin: {exc}", file=sys.stderr)
        return 1
    print(f"city admin {account['subject']} of city {args.city} can now sign in with the city's identity provider")
    return 0


# --- alerts -------------------------------------------------------------------------------------------

ALERT_KEYS = "funding.recovery.*"


def format_alert(envelope: dict) -> str:
    """One human-readable line per fund-recovery alert."""
    from services.common.kernel.money import format_fen

    data = envelope.get("data") or {}
    kind = envelope.get("type", "").rsplit(".", 1)[-1].upper()  # ORDERED, SETTLED or OVERDUE
    amount = format_fen(int(data.get("outstandingFen", data.get("amountFen", 0))))
    what = data.get("projectTitle") or data.get("projectId")
    org = data.get("organizationName") or data.get("organizationId")
    line = f"{envelope.get('occurredAt', '')}  {envelope.get('district')}  recovery {kind:<7} CNY {amount:>12}  project {what}"
    if org:
        line += f"  ({org})"
    if data.get("reason"):
        line += f"  reason: {data['reason']}"
    if data.get("deadline"):
        line += f"  outstanding past its deadline {data['deadline']}"
    return line + f"  order {data.get('orderId')}"


async def tail_alerts(*, amqp: str, district: str | None, as_json: bool, count: int | None, out=print) -> int:
    """Binds an exclusive, auto-deleted queue of its own to funding.recovery.* and prints what arrives."""
    import aio_pika

    from services.common.events.topology import declare_exchanges

    connection = await aio_pika.connect_robust(amqp)
    seen = 0
    async with connection:
        channel = await connection.channel()
        exchange = await declare_exchanges(channel)
        # Named like the gateway's own alert queues: the gateway's broker user may declare only those.
        queue = await channel.declare_queue(f"gateway.alerts.{uuid.uuid4().hex[:12]}", exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key=ALERT_KEYS)
        print(f"listening for fund-recovery alerts ({ALERT_KEYS} on {exchange.name}); Ctrl-C stops", file=sys.stderr,
              flush=True)
        async with queue.iterator() as messages:
            async for message in messages:
                async with message.process():
                    try:
                        envelope = json.loads(message.body)
                    except ValueError:
                        continue
                    if district and envelope.get("district") != district:
                        continue
                    out(json.dumps(envelope, ensure_ascii=False) if as_json else format_alert(envelope))
                    seen += 1
                    if count is not None and seen >= count:
                        break
    return 0


def _alerts(args: argparse.Namespace) -> int:
    from services.common.kernel.config import amqp_url

    def out(line: str) -> None:
        print(line, flush=True)

    try:
        return asyncio.run(tail_alerts(amqp=args.amqp or amqp_url("gateway"), district=args.district, as_json=args.json,
                                       count=args.count, out=out))
    except KeyboardInterrupt:
        return 0


# --- export-360giving ---------------------------------------------------------------------------------

EXPORT = """query($after: String) {
  district { code name cityCode bureauCreditCode }
  gazetteer { kind code name }
  projects(status: AWARDED, first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id title category subdistrict community requested grant disbursed awardedAt beneficiaries personTimes
      round { id name year }
      organization { id name registration creditCode filingNumber }
      organizationName
      libraryEntry { needs { description } }
      tranches { sequence amount dueOn status disbursedAt }
      recoveryOrders { id amount status reason orderedAt settledAt } } } } }"""


async def export_360giving(gateway: str, token: str, *, prefix: str | None = None) -> dict:
    """The district's 360Giving package (services/open_data/giving360.py); ExportRefused when none can be."""
    from services.demo.api import Api
    from services.open_data import giving360

    nodes, after, data = [], None, {}
    async with Api(gateway) as api:
        while True:
            data = await api.call(EXPORT, {"after": after}, token=token)
            nodes += [e["node"] for e in data["projects"]["edges"]]
            if not data["projects"]["pageInfo"]["hasNextPage"]:
                break
            after = data["projects"]["pageInfo"]["endCursor"]
    return giving360.package(data["district"], nodes, gazetteer=data["gazetteer"], prefix=prefix or giving360.PREFIX)


def _export(args: argparse.Namespace) -> int:
    from services.demo.api import ApiError
    from services.open_data.giving360 import ExportRefused

    token = args.token or mint_token(district=args.district, roles=["bureau_admin"], sub="civic-cli-export")
    try:
        package = asyncio.run(export_360giving(args.gateway, token, prefix=args.prefix))
    except (ApiError, ExportRefused) as exc:
        print(f"civic export-360giving: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(package, ensure_ascii=False, indent=2)
    if args.out and args.out != "-":
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        print(f"wrote {len(package['grants'])} grants to {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from services.demo.load import main as load_main

    return load_main(["--gateway", args.gateway, "--scale", str(args.scale)])


# --- the parser ---------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civic", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    token = commands.add_parser("token", help="mint a development token (HS256 with AUTH_JWT_SECRET)",
                                description="Mint a development token. --subject S: the development identity "
                                            "provider's token for account S (standard claims only; the gateway "
                                            "maps it to the account, as it does the city IdP's). --role ...: a "
                                            "platform token carrying the claims itself (HS256 with "
                                            "AUTH_JWT_SECRET), accepted in development only. Production tokens "
                                            "come from the city's identity provider.")
    token.add_argument("--subject", help="an account's subject: a development sign-in as that account")
    token.add_argument("--district", help="6-digit district code, e.g. 230102 (omit for a city admin)")
    token.add_argument("--city", help="4-digit city code; defaults to the district's first four digits")
    token.add_argument("--role", action="append", choices=sorted(ROLES), help="repeat for several roles")
    token.add_argument("--sub", help="the user id (default: a random dev id)")
    token.add_argument("--subdistrict", help="a subdistrict officer's subdistrict")
    token.add_argument("--org", help="an org member's organization id")
    token.add_argument("--agency", help="an evaluator's agency id")
    token.add_argument("--hours", type=int, default=8, help="lifetime in hours (default 8)")
    token.set_defaults(run=_token)

    onboard = commands.add_parser("onboard", help="bring a new district (tenant) into a city, via the gateway",
                                  description="Onboard a new district into a city through the gateway's "
                                              "onboardDistrict mutation, with a city_admin token. "
                                              "Example: civic onboard --code 230104 --name 香坊区 --city 2301 "
                                              "--credit-code 11230104000000019H")
    onboard.add_argument("--code", required=True, help="the district's 6-digit administrative division code")
    onboard.add_argument("--name", required=True, help="the district's name, e.g. 香坊区")
    onboard.add_argument("--city", help="the city's 4-digit code (default: the code's first four digits)")
    onboard.add_argument("--credit-code", required=True,
                         help="the district bureau's own unified social credit code (authority 1 机构编制, type 1 机关), "
                              "checked in full; the funder's identifier in open data")
    onboard.add_argument("--gateway", default=DEFAULT_GATEWAY, help="the gateway's URL (default: %(default)s; env CIVIC_GATEWAY)")
    onboard.add_argument("--token", help="a city_admin token (default: a development token minted here)")
    onboard.set_defaults(run=_onboard)

    first = commands.add_parser("first-city-admin", help="create a city's first city_admin account (production set-up)",
                                description="Create the first city_admin account of a city, before anyone can sign "
                                            "in: signs a five-minute platform token with PLATFORM_TOKEN_PRIVATE_KEY_FILE "
                                            "(development: the development secret) and calls createAccount through "
                                            "the gateway. Example: civic first-city-admin --city 2301 --subject "
                                            "zhang.san@harbin.gov.cn --name 张三")
    first.add_argument("--city", required=True, help="the city's 4-digit code")
    first.add_argument("--subject", required=True, help="the person's subject (sub) at the city's identity provider")
    first.add_argument("--name", required=True, help="the person's name")
    first.add_argument("--gateway", default=DEFAULT_GATEWAY, help="the gateway's URL (default: %(default)s; env CIVIC_GATEWAY)")
    first.set_defaults(run=_first_city_admin)

    alerts = commands.add_parser("alerts", help="tail fund-recovery alerts from RabbitMQ",
                                 description="Tail fund-recovery alerts as a subscriber would: an exclusive queue of "
                                             "its own, bound to funding.recovery.* on the civic.events exchange "
                                             "(AMQP_URL). One human-readable line per alert, or --json lines (the "
                                             "event envelope). Systems that must not miss an alert bind a durable "
                                             "queue instead.")
    alerts.add_argument("--json", action="store_true", help="print each alert's envelope as one JSON line")
    alerts.add_argument("--district", help="only this district's alerts")
    alerts.add_argument("--amqp", help="RabbitMQ URL (default: GATEWAY_AMQP_URL, else AMQP_URL)")
    alerts.add_argument("--count", type=int, help="exit after this many alerts")
    alerts.set_defaults(run=_alerts)

    export = commands.add_parser("export-360giving", help="export a district's awarded projects as 360Giving JSON",
                                 description="Export a district's awarded projects as a 360Giving JSON package "
                                             "({\"grants\": [...]}), read through the gateway's GraphQL with a "
                                             "bureau_admin token. Funder and registered recipients are "
                                             "CN-USCI-<credit code>; grant ids are <prefix>-<district>-<projectId>. "
                                             "A district with no awarded project exports nothing (exit 1).")
    export.add_argument("--district", required=True, help="the district's 6-digit code, e.g. 230102")
    export.add_argument("--gateway", default=DEFAULT_GATEWAY, help="the gateway's URL (default: %(default)s; env CIVIC_GATEWAY)")
    export.add_argument("--out", help="write to this file (default: standard output)")
    export.add_argument("--prefix", help="the publisher's 360Giving prefix (default: 360G-civic)")
    export.add_argument("--token", help="a bureau_admin token of the district (default: a development token minted here)")
    export.set_defaults(run=_export)

    demo = commands.add_parser("demo", help="load the demo district through the gateway",
                               description="Load the demo district (Harbin's Daoli, from the source report) through "
                                           "the gateway; does nothing when it is already there.")
    demo.add_argument("--gateway", default=DEFAULT_GATEWAY, help="the gateway's URL (default: %(default)s)")
    demo.add_argument("--scale", type=float, default=1.0, help="shrink the service records and stations, e.g. 0.1")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
