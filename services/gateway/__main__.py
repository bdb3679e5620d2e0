"""`python -m services.gateway --supergraph FILE --port N [--host H] [--introspection]`

Runs the plain federation engine (no token policy) with plain uvicorn. `--policy platform` runs the
platform's gateway instead: tokens at the edge, fund-recovery alerts, city rollups (defaults: the
composed deploy/supergraph.graphql, port 4000).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """All command-line options in one place (a `--policy` flag can be added here)."""
    parser = argparse.ArgumentParser(prog="python -m services.gateway", description=__doc__)
    parser.add_argument("--supergraph", help="supergraph SDL file (join-spec form)")
    parser.add_argument("--port", type=int)
    parser.add_argument("--policy", choices=["none", "platform"], default="none",
                        help="platform: tokens, tenancy, alerts and city rollups on top of the engine")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--introspection", action="store_true", help="allow introspection queries")
    parser.add_argument("--redact-subgraph-errors", action="store_true")
    return parser.parse_args(argv)


def build_app(args: argparse.Namespace):
    from .engine import EngineOptions, create_engine_app

    if args.policy == "platform":
        from .policy.app import create_platform_app
        from .policy.subgraphs import DEFAULT_OUT

        return create_platform_app(Path(args.supergraph or DEFAULT_OUT).read_text())
    if not args.supergraph or not args.port:
        raise SystemExit("--supergraph and --port are required without --policy platform")

    options = EngineOptions(introspection=args.introspection, redact_subgraph_errors=args.redact_subgraph_errors)
    return create_engine_app(Path(args.supergraph).read_text(), options=options)


def access_log() -> bool:
    # A line per request costs CPU on the hot path; turn it on with ACCESS_LOG=1 when debugging.
    import os

    return os.environ.get("ACCESS_LOG") == "1"


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    args = parse_args(argv)
    port = args.port or (4000 if args.policy == "platform" else None)
    from services.common.runtime.heap import FreezeHeapAfterStartup
    from services.common.runtime.http_limits import BodyLimits, HttpLimits

    limits = HttpLimits.from_env()
    app = build_app(args)
    if args.policy != "platform":  # the platform app guards its bodies itself (policy/app.py)
        app = BodyLimits(app, limits, max_body_bytes=app.state.gateway.options.max_body_bytes)
    uvicorn.run(FreezeHeapAfterStartup(app), host=args.host, port=port, log_level="info", access_log=access_log(),
                proxy_headers=False, **limits.uvicorn_settings())


if __name__ == "__main__":
    main()
