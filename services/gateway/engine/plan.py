"""Query plan data structures (plain data) and an Apollo-style printout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .selections import SelectionList, print_indented


@dataclass
class Fetch:
    subgraph: str
    operation_text: str
    operation_kind: str  # "query" | "mutation"
    variable_usages: tuple[str, ...]
    selections: SelectionList  # what is sent (for entity fetches: the `_entities` selection)
    requires: SelectionList | None = None  # representation shape, entity fetches only
    typename_rewrites: dict[str, str] = field(default_factory=dict)  # for @interfaceObject
    request_body: bytes | None = None  # the encoded request, when it needs no variables

    @property
    def is_entity_fetch(self) -> bool:
        return self.requires is not None


@dataclass
class Flatten:
    path: tuple[str, ...]  # response keys, "@" for each list level
    node: Fetch


@dataclass
class Sequence:
    nodes: list["PlanNode"]


@dataclass
class Parallel:
    nodes: list["PlanNode"]


PlanNode = Union[Fetch, Flatten, Sequence, Parallel]


@dataclass
class QueryPlan:
    node: PlanNode | None
    operation_kind: str
    pass_through: Fetch | None = None  # the one fetch whose answer can be the response (pass_through.py)

    def fetches(self) -> list[Fetch]:
        found: list[Fetch] = []

        def walk(node):
            if isinstance(node, Fetch):
                found.append(node)
            elif isinstance(node, Flatten):
                walk(node.node)
            elif node is not None:
                for child in node.nodes:
                    walk(child)

        walk(self.node)
        return found


def print_plan(plan: QueryPlan) -> str:
    lines = ["QueryPlan {"]
    if plan.node is not None:
        lines += _print_node(plan.node, 1)
    lines.append("}")
    return "\n".join(lines)


def _print_node(node: PlanNode, indent: int) -> list[str]:
    pad = "  " * indent
    if isinstance(node, (Sequence, Parallel)):
        lines = [f"{pad}{type(node).__name__} {{"]
        for child in node.nodes:
            child_lines = _print_node(child, indent + 1)
            child_lines[-1] += ","
            lines += child_lines
        return lines + [f"{pad}}}"]
    if isinstance(node, Flatten):
        path = ".".join(node.path)
        inner = _print_node(node.node, indent + 1)
        inner[-1] += ","
        return [f'{pad}Flatten(path: "{path}") {{', *inner, f"{pad}}}"]
    lines = [f'{pad}Fetch(service: "{node.subgraph}") {{']
    if node.requires is not None:
        req = print_indented(node.requires, indent + 1)
        req[0] = pad + "  " + req[0]
        req[-1] += " =>"
        lines += req
    body = print_indented(node.selections, indent + 1)
    body[0] = pad + "  " + body[0]
    return lines + body + [f"{pad}}}"]
