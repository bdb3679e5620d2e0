"""`python -m services.gateway.compose --subgraph name=URL ... --out FILE`

Fetches each subgraph's SDL with `{ _service { sdl } }` (or reads it from
`--sdl name=FILE`) and writes the composed supergraph SDL.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx

from .composition import CompositionError, SubgraphSource, compose


def fetch_sdl(url: str, timeout: float = 10.0) -> str:
    response = httpx.post(url, json={"query": "{ _service { sdl } }"}, timeout=timeout)
    response.raise_for_status()
    payload = response.json()
    if payload.get("errors"):
        raise RuntimeError(f"{url}: {payload['errors'][0].get('message')}")
    return payload["data"]["_service"]["sdl"]


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name or not rest:
            raise SystemExit(f"{option} expects name=VALUE, got {value!r}")
        pairs[name] = rest
    return pairs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.gateway.compose", description=__doc__)
    parser.add_argument("--subgraph", action="append", default=[], metavar="NAME=URL", required=True)
    parser.add_argument("--sdl", action="append", default=[], metavar="NAME=FILE",
                        help="read this subgraph's SDL from a file instead of fetching it")
    parser.add_argument("--out", help="output file (default: stdout)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    urls = _pairs(args.subgraph, "--subgraph")
    files = _pairs(args.sdl, "--sdl")
    sources = [
        SubgraphSource(name, url, Path(files[name]).read_text() if name in files else fetch_sdl(url))
        for name, url in urls.items()
    ]
    try:
        supergraph = compose(sources)
    except CompositionError as error:
        print(error, file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).write_text(supergraph)
    else:
        sys.stdout.write(supergraph)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
