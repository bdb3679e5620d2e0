"""`make supergraph`: composes the platform's supergraph from the three subgraph schemas.

    python -m services.gateway.policy.supergraph [--out deploy/supergraph.graphql]

The SDL is what each service serves at `{ _service { sdl } }`; the routing URLs come from
REGISTRY_URL, FUNDING_URL and EVALUATION_URL (default: the local ports).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from services.common.config import SERVICE_PORTS

from ..composition import SubgraphSource, compose

SUBGRAPHS = ("registry", "funding", "evaluation")
DEFAULT_OUT = Path(__file__).resolve().parents[3] / "deploy" / "supergraph.graphql"


def subgraph_url(name: str) -> str:
    return os.environ.get(f"{name.upper()}_URL", f"http://127.0.0.1:{SERVICE_PORTS[name]}/graphql")


def platform_supergraph(urls: dict[str, str] | None = None) -> str:
    urls = urls or {name: subgraph_url(name) for name in SUBGRAPHS}
    sources = []
    for name in SUBGRAPHS:
        schema = importlib.import_module(f"services.{name}.schema").schema
        sources.append(SubgraphSource(name, urls[name], schema.as_str()))
    return compose(sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.gateway.policy.supergraph", description=__doc__)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="where to write it (- for stdout)")
    args = parser.parse_args(argv)
    text = platform_supergraph()
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
