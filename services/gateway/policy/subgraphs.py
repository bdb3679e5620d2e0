"""The platform's subgraphs, for composition (federation/): which ones, their SDL, their routing URLs.

    make supergraph   =  python -m services.gateway.federation --sources services.gateway.policy.subgraphs:sources
                                                                --out deploy/supergraph.graphql

The SDL is what each service serves at `{ _service { sdl } }`; the routing URLs come from
REGISTRY_URL, FUNDING_URL and EVALUATION_URL (default: the local ports).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from services.common.kernel.config import SERVICE_PORTS

from ..federation import SubgraphSource, compose

SUBGRAPHS = ("registry", "funding", "evaluation")
DEFAULT_OUT = Path(__file__).resolve().parents[3] / "deploy" / "supergraph.graphql"


def subgraph_url(name: str) -> str:
    return os.environ.get(f"{name.upper()}_URL", f"http://127.0.0.1:{SERVICE_PORTS[name]}/graphql")


def sources(urls: dict[str, str] | None = None) -> list[SubgraphSource]:
    """Each platform subgraph's SDL (from its schema module) and routing URL."""
    urls = urls or {name: subgraph_url(name) for name in SUBGRAPHS}
    found = []
    for name in SUBGRAPHS:
        schema = importlib.import_module(f"services.{name}.schema").schema
        found.append(SubgraphSource(name, urls[name], schema.as_str()))
    return found


def platform_supergraph(urls: dict[str, str] | None = None) -> str:
    return compose(sources(urls))
