"""A small mutable selection tree used to build subgraph operations.

Unlike graphql-core's immutable AST it can merge fields as the planner adds
them, and it prints both compact operation text and indented plan text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import ArgumentNode, VariableNode, print_ast, visit
from graphql.language import Visitor


@dataclass
class FieldSel:
    name: str
    alias: str | None = None
    args: str = ""  # printed arguments, e.g. "(first: $n)"
    variables: frozenset[str] = frozenset()
    selections: SelectionList | None = None

    @property
    def response_key(self) -> str:
        return self.alias or self.name


@dataclass
class FragmentSel:
    type_condition: str
    selections: SelectionList = field(default_factory=lambda: SelectionList())


class SelectionList(list):
    """Ordered selections; adding a field with an existing response key merges."""

    def __init__(self, items=()):
        super().__init__(items)
        # response key -> "name(args)" of client fields at this level, so that
        # fields the planner adds for its own needs can dodge alias conflicts.
        self.client_keys: dict[str, str] = {}

    def find_field(self, response_key: str) -> FieldSel | None:
        for sel in self:
            if isinstance(sel, FieldSel) and sel.response_key == response_key:
                return sel
        return None

    def add_field(
        self,
        name: str,
        alias: str | None = None,
        args: str = "",
        variables: frozenset[str] = frozenset(),
        composite: bool = False,
    ) -> FieldSel:
        if alias == name:
            alias = None
        existing = self.find_field(alias or name)
        if existing is not None and existing.name == name and existing.args == args:
            if composite and existing.selections is None:
                existing.selections = SelectionList()
            return existing
        if existing is not None:
            raise ValueError(f"conflicting selections for response key {alias or name!r}")
        sel = FieldSel(name, alias, args, variables, SelectionList() if composite else None)
        self.append(sel)
        return sel

    def add_internal_field(self, name: str, composite: bool = False, args: str = "",
                           variables: frozenset[str] = frozenset()) -> FieldSel:
        """Add a field the planner needs (key, requires, with the arguments a @requires gives);
        alias it if the client uses the same response key for something else."""
        alias = None
        client = self.client_keys.get(name)
        if client is not None and client != name + args:
            alias = f"_fed_{name}"
        existing = self.find_field(alias or name)
        if existing is not None and (existing.name != name or existing.args != args):
            alias = f"_fed_{name}"
        n = 1
        while (taken := self.find_field(alias or name)) is not None and (taken.name != name or taken.args != args):
            n += 1
            alias = f"_fed_{name}_{n}"  # e.g. a third @requires of the field with other arguments
        return self.add_field(name, alias, args, variables, composite=composite)

    def add_fragment(self, type_condition: str) -> FragmentSel:
        for sel in self:
            if isinstance(sel, FragmentSel) and sel.type_condition == type_condition:
                return sel
        frag = FragmentSel(type_condition)
        self.append(frag)
        return frag

    def prune_empty(self) -> None:
        """Drop fragments and composite fields that ended up with no selections."""
        keep = []
        for sel in self:
            if sel.selections is not None:
                sel.selections.prune_empty()
                if not sel.selections:
                    continue
            keep.append(sel)
        self[:] = keep

    def variables(self) -> set[str]:
        found: set[str] = set()
        for sel in self:
            if isinstance(sel, FieldSel):
                found |= sel.variables
            if sel.selections is not None:
                found |= sel.selections.variables()
        return found


def print_arguments(arguments: tuple[ArgumentNode, ...] | list[ArgumentNode]) -> tuple[str, frozenset[str]]:
    if not arguments:
        return "", frozenset()
    names: set[str] = set()

    class Collect(Visitor):
        def enter_variable(self, node: VariableNode, *_):
            names.add(node.name.value)

    for arg in arguments:
        visit(arg, Collect())
    text = "(" + ", ".join(f"{a.name.value}: {print_ast(a.value)}" for a in arguments) + ")"
    return text, frozenset(names)


def print_compact(sels: SelectionList) -> str:
    parts = []
    for sel in sels:
        if isinstance(sel, FieldSel):
            head = (f"{sel.alias}: " if sel.alias else "") + sel.name + sel.args
            parts.append(head + (" " + print_compact(sel.selections) if sel.selections is not None else ""))
        else:
            parts.append(f"... on {sel.type_condition} " + print_compact(sel.selections))
    return "{" + " ".join(parts) + "}"


def print_indented(sels: SelectionList, indent: int) -> list[str]:
    pad = "  " * indent
    lines = ["{"]
    for sel in sels:
        if isinstance(sel, FieldSel):
            head = (f"{sel.alias}: " if sel.alias else "") + sel.name + sel.args
        else:
            head = f"... on {sel.type_condition}"
        if sel.selections is None:
            lines.append(f"{pad}  {head}")
        else:
            inner = print_indented(sel.selections, indent + 1)
            lines.append(f"{pad}  {head} {inner[0]}")
            lines.extend(inner[1:])
    lines.append(pad + "}")
    return lines
