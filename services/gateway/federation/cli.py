"""The composition command line:

    python -m services.gateway.federation --subgraph name=URL ... [--sdl name=FILE ...] [--out FILE]
    python -m services.gateway.federation --sources MODULE:FUNCTION [--out FILE]

Fetches each subgraph's SDL with `{ _service { sdl } }` (or reads it from `--sdl name=FILE`), or takes
the `SubgraphSource`s a function returns (`make supergraph`: services.gateway.policy.subgraphs:sources,
the platform's three subgraphs), and writes the composed supergraph SDL (`--out -` or none: stdout).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import httpx

from .compose import CompositionError, SubgraphSource, compose


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


def _listed_sources(args: argparse.Namespace) -> list[SubgraphSource]:
    urls = _pairs(args.subgraph, "--subgraph")
    files = _pairs(args.sdl, "--sdl")
    return [
        SubgraphSource(name, url, Path(files[name]).read_text() if name in files else fetch_sdl(url))
        for name, url in urls.items()
    ]


def _named_sources(spec: str) -> list[SubgraphSource]:
    module, sep, function = spec.partition(":")
    if not sep or not module or not function:
        raise SystemExit(f"--sources expects MODULE:FUNCTION, got {spec!r}")
    return list(getattr(importlib.import_module(module), function)())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.gateway.federation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subgraph", action="append", default=[], metavar="NAME=URL")
    parser.add_argument("--sources", metavar="MODULE:FUNCTION",
                        help="a function returning the SubgraphSources to compose (instead of --subgraph)")
    parser.add_argument("--sdl", action="append", default=[], metavar="NAME=FILE",
                        help="read this subgraph's SDL from a file instead of fetching it")
    parser.add_argument("--out", help="output file (default: stdout)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if bool(args.sources) == bool(args.subgraph):
        raise SystemExit("give either --subgraph name=URL ... or --sources MODULE:FUNCTION")
    sources = _named_sources(args.sources) if args.sources else _listed_sources(args)
    try:
        supergraph = compose(sources)
    except CompositionError as error:
        print(error, file=sys.stderr)
        return 1
    if args.out and args.out != "-":
        Path(args.out).write_text(supergraph)
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(supergraph)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
