"""Fetch groups (one subgraph call each, as the planner builds them) and the selection helpers
for the representations they send."""

from __future__ import annotations

import itertools

from graphql import FieldNode

from .selections import FieldSel, FragmentSel, SelectionList
from .supergraph import parse_field_set


class FetchGroup:
    _ids = itertools.count()

    def __init__(self, subgraph: str, path: tuple[str, ...], parent: "FetchGroup | None"):
        self.id = next(self._ids)
        self.subgraph = subgraph
        self.path = path
        self.parent = parent
        self.is_entity = parent is not None
        self.selections = SelectionList()
        self.requires = SelectionList()
        self.typename_rewrites: dict[str, str] = {}
        self.deps: set[FetchGroup] = set()
        self.children: dict[tuple[str, tuple[str, ...]], list[FetchGroup]] = {}

    def __repr__(self) -> str:
        return f"<FetchGroup {self.id} {self.subgraph} {'.'.join(self.path)}>"

    def closure(self) -> set["FetchGroup"]:
        seen: set[FetchGroup] = set()
        stack = [self]
        while stack:
            g = stack.pop()
            for d in g.deps:
                if d not in seen:
                    seen.add(d)
                    stack.append(d)
        return seen


def provided_tree(fields: str) -> dict:
    """A @provides field set as nested dicts (type conditions merged away)."""

    def walk(selections, into: dict) -> dict:
        for s in selections:
            if isinstance(s, FieldNode):
                sub = into.setdefault(s.name.value, {})
                if s.selection_set:
                    walk(s.selection_set.selections, sub)
            elif s.selection_set:
                walk(s.selection_set.selections, into)
        return into

    return walk(parse_field_set(fields).selections, {})


def merge_selections(into: SelectionList, source: SelectionList) -> None:
    for sel in source:
        if isinstance(sel, FieldSel):
            out = into.add_field(sel.name, sel.alias, sel.args, sel.variables, sel.selections is not None)
            if sel.selections is not None:
                merge_selections(out.selections, sel.selections)
        elif isinstance(sel, FragmentSel):
            merge_selections(into.add_fragment(sel.type_condition).selections, sel.selections)



def representation_conflicts(representation: SelectionList, shape: SelectionList) -> bool:
    """Whether `shape` reads a field the representation already reads from another response key."""
    for sel in shape:
        if isinstance(sel, FieldSel):
            for existing in representation:
                if isinstance(existing, FieldSel) and existing.name == sel.name:
                    if existing.response_key != sel.response_key:
                        return True
                    if sel.selections is not None and existing.selections is not None and \
                            representation_conflicts(existing.selections, sel.selections):
                        return True
        elif isinstance(sel, FragmentSel):
            if representation_conflicts(representation.add_fragment(sel.type_condition).selections, sel.selections):
                return True
    return False
