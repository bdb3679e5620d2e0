"""`python -m services.gateway --supergraph FILE --port N [--host H] [--introspection]`

Runs the plain federation engine (no token policy) with uvicorn.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """All command-line options in one place (a `--policy` flag can be added here)."""
    parser = argparse.ArgumentParser(prog="python -m services.gateway", description=__doc__)
    parser.add_argument("--supergraph", required=True, help="supergraph SDL file (join-spec form)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--introspection", action="store_true", help="allow introspection queries")
    parser.add_argument("--redact-subgraph-errors", action="store_true")
    return parser.parse_args(argv)


def build_app(args: argparse.Namespace):
    from .engine import EngineOptions, create_engine_app

    options = EngineOptions(introspection=args.introspection, redact_subgraph_errors=args.redact_subgraph_errors)
    return create_engine_app(Path(args.supergraph).read_text(), options=options)


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    args = parse_args(argv)
    uvicorn.run(build_app(args), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
