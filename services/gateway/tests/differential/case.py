"""A corpus case: subgraph stubs composed together, and the queries to run through both gateways."""

from __future__ import annotations

from dataclasses import dataclass, field

from .stubs import Stub

FED = '''extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{}])'''
DIRECTIVES = ("@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible",
              "@interfaceObject", "@tag")


def sdl(body: str) -> str:
    """A subgraph SDL: the federation @link importing the directives the body uses, then the body."""
    used = [d for d in DIRECTIVES if d + "(" in body or d + " " in body or d + "\n" in body]
    return FED.format(", ".join(f'"{d}"' for d in used)) + "\n" + body


@dataclass
class Query:
    text: str
    variables: dict | None = None
    # Where @apollo/gateway departs from the Federation specification: why (the reference result is
    # then expected to differ; ours must follow the specification, written in `expected`).
    apollo_departs: str | None = None
    expected: dict | None = None


@dataclass
class Case:
    name: str  # also the stubs' URL segment
    feature: str
    subgraphs: dict[str, Stub]
    queries: list[Query] = field(default_factory=list)
