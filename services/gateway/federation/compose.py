"""Composition by the reference composer: subgraph SDLs in, a join-spec supergraph SDL out.

The composer is Apollo's own (`@apollo/composition`, pinned with its lockfile in `apollo/`, run by
`apollo/compose.mjs` under Node), with its satisfiability checks. A home-made composer lived here until
the differential corpus showed it composing differently from the reference (two corpus cases refused,
five client schemas different); the engine runs what the reference composes.

`npm ci` runs on first use when `apollo/node_modules` is older than the lockfile (`make reference` does
the same at set-up).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

APOLLO_DIR = Path(__file__).parent / "apollo"
INSTALLED = APOLLO_DIR / "node_modules" / ".package-lock.json"


@dataclass(frozen=True)
class SubgraphSource:
    name: str
    url: str
    sdl: str


class CompositionError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("composition failed:\n" + "\n".join(f"  - {e}" for e in errors))
        self.errors = errors


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is needed to compose a supergraph (the reference composer runs under Node)")
    return found


def ensure_installed() -> None:
    """The pinned npm packages, installed from the lockfile when missing or older than it."""
    lock = APOLLO_DIR / "package-lock.json"
    if INSTALLED.exists() and INSTALLED.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run([_tool("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=APOLLO_DIR, check=True)


def compose(sources: list[SubgraphSource]) -> str:
    """The supergraph SDL the reference composer makes of `sources` (in their order), or CompositionError
    with the composer's own messages."""
    if not sources:
        raise CompositionError(["no subgraphs given"])
    ensure_installed()
    payload = json.dumps([{"name": s.name, "url": s.url, "sdl": s.sdl} for s in sources])
    done = subprocess.run([_tool("node"), "compose.mjs"], cwd=APOLLO_DIR, input=payload, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise CompositionError([line for line in done.stderr.splitlines() if line.strip()] or ["composer failed"])
    return done.stdout
