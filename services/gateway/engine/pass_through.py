"""Pass-through: when a plan is one root fetch that selects exactly what the client selected, the
subgraph's answer is already the client's response, so its bytes go out without being parsed into
the response tree, shaped and encoded again.

Decided in two steps:
- at plan time (`pass_through_fetch`, cached with the plan): the fetch's selection is the client's,
  field for field and in order (same response keys, no `__typename` or key fields added by the
  planner, no local or introspection root fields), and no type on the way is abstract (those need
  `__typename` filtering);
- per answer (`answer_is_final`): nothing but `data`, an object, and no `null` anywhere. With errors
  the full path maps their paths; with a null the shaper may have to propagate it (a subgraph's
  nullability can differ from the supergraph's). Either falls back to the full path, with the
  answer already fetched.
"""

from __future__ import annotations

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

from .conditions import is_included
from .plan import Fetch, QueryPlan
from .selections import FieldSel, SelectionList
from .supergraph import Supergraph


def answer_is_final(payload: dict, content: bytes) -> bool:
    """The subgraph's answer needs no error mapping, null propagation or dropping of extensions."""
    return len(payload) == 1 and isinstance(payload.get("data"), dict) and b"null" not in content


def pass_through_fetch(plan: QueryPlan, supergraph: Supergraph, operation, fragments: dict,
                       conditions: dict[str, bool]) -> Fetch | None:
    """The plan's one fetch when its selection is exactly the client's, else None."""
    fetch = plan.node
    if not isinstance(fetch, Fetch) or fetch.is_entity_fetch:
        return None
    root = supergraph.root_types.get(plan.operation_kind)
    same = _SameShape(supergraph, fragments, conditions)
    return fetch if root and same.check(root, [operation.selection_set], fetch.selections) else None


class _SameShape:
    def __init__(self, supergraph: Supergraph, fragments: dict, conditions: dict[str, bool]):
        self.sg = supergraph
        self.fragments = fragments
        self.conditions = conditions

    def check(self, type_name: str, selection_sets, sent: SelectionList) -> bool:
        t = self.sg.types.get(type_name)
        if t is None or t.is_abstract:
            return False
        collected: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            if not self.collect(type_name, selection_set.selections, collected):
                return False
        if len(collected) != len(sent):
            return False
        for (key, nodes), sel in zip(collected.items(), sent):
            if not isinstance(sel, FieldSel) or sel.response_key != key or sel.name != nodes[0].name.value:
                return False
            if sel.name == "__typename":
                continue  # an object type's subgraph answers the same name
            info = self.sg.field(type_name, sel.name)
            if info is None:
                return False
            child = self.sg.types.get(info.named_type)
            if child is not None and child.kind in ("object", "interface", "union"):
                subs = [n.selection_set for n in nodes if n.selection_set]
                if sel.selections is None or not self.check(child.name, subs, sel.selections):
                    return False
            elif sel.selections is not None or (child is not None and child.hidden_values):
                return False  # a value the client schema hides must be refused by the shaper
        return True

    def collect(self, type_name: str, selections, into: dict[str, list[FieldNode]]) -> bool:
        """Fields by response key, as the shaper collects them; False on a fragment on another type."""
        for node in selections:
            if not is_included(node, self.conditions):
                continue
            if isinstance(node, FieldNode):
                into.setdefault(node.alias.value if node.alias else node.name.value, []).append(node)
                continue
            if isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is None:
                    return False
                condition, sub = fragment.type_condition.name.value, fragment.selection_set.selections
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else type_name
                sub = node.selection_set.selections
            else:
                return False
            if condition != type_name or not self.collect(type_name, sub, into):
                return False
        return True
