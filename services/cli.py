"""`civic`: the platform's command-line tool. Every command has --help."""

from __future__ import annotations

import argparse
import sys

from services.common.auth import ROLES, mint_token


def _token(args: argparse.Namespace) -> int:
    print(
        mint_token(
            district=args.district,
            roles=args.role,
            city=args.city,
            sub=args.sub,
            subdistrict=args.subdistrict,
            org=args.org,
            agency=args.agency,
            ttl_seconds=args.hours * 3600,
        )
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civic", description="Community social-organization platform tools.")
    commands = parser.add_subparsers(dest="command", required=True)

    token = commands.add_parser("token", help="mint a development token (HS256 with AUTH_JWT_SECRET)")
    token.add_argument("--district", help="6-digit district code, e.g. 230102 (omit for a city admin)")
    token.add_argument("--city", help="4-digit city code; defaults to the district's first four digits")
    token.add_argument("--role", action="append", choices=sorted(ROLES), required=True, help="repeat for several roles")
    token.add_argument("--sub", help="the user id (default: a random dev id)")
    token.add_argument("--subdistrict", help="a subdistrict officer's subdistrict")
    token.add_argument("--org", help="an org member's organization id")
    token.add_argument("--agency", help="an evaluator's agency id")
    token.add_argument("--hours", type=int, default=8, help="lifetime in hours (default 8)")
    token.set_defaults(run=_token)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "token" and not args.district and "city_admin" not in args.role:
        print("civic token: --district is required unless --role city_admin", file=sys.stderr)
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
