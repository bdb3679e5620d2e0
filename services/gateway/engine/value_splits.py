"""Splitting a value-type field over subgraphs (a planner mixin).

A shareable field returning a value type (no key) may be resolved by several subgraphs, each with some of
the type's fields (e.g. the same root field in three subgraphs, or `Product.category` in two). A subfield
the current subgraph can't resolve, and can't reach by an entity jump on the value type itself, is fetched
with the field from another subgraph that resolves both, through the parent: as that subgraph's own root
field (queries), or by an entity jump on the parent entity (a "parent entity call").
"""

from __future__ import annotations

from graphql import FieldNode, SelectionSetNode


class ValueTypeSplits:
    def split_value_field(self, group, parent: str, node: FieldNode, value_type: str, sub_path, below) -> tuple[list, dict[str, list]]:
        """The subfields planned here, and by subgraph those fetched elsewhere through the parent."""
        stay, moved = [], {}
        for f in self.collect_fields(value_type, node.selection_set.selections):
            name = f.name.value
            if (name == "__typename" or self.can_resolve(group.subgraph, value_type, name, below)
                    or self.jump_candidates(group, value_type, name, sub_path)):
                stay.append(f)
                continue
            targets = [s for s in self.sg.subgraphs if s != group.subgraph
                       and self.can_resolve(s, value_type, name, None)
                       and self.can_resolve(s, parent, node.name.value, None)
                       and self.reachable_through_parent(group, parent, s)]
            if not targets:
                stay.append(f)  # planned here: fails with a clear "cannot resolve"
                continue
            moved.setdefault(next((s for s in targets if s in moved), targets[0]), []).append(f)
        return stay, moved

    def reachable_through_parent(self, group, parent: str, subgraph: str) -> bool:
        if parent == self.sg.root_types.get(self.kind) and group.parent is None:
            return self.kind == "query"  # a mutation field must not run twice
        return bool(self.sg.types[parent].keys_in(subgraph))

    def plan_through_parent(self, group, target, parent: str, node: FieldNode, subfields: list, path, provided,
                            subgraph: str) -> set:
        """Fetch `node` with only `subfields` from `subgraph`, next to the current group's fetch."""
        partial = with_selections(node, subfields)
        if group.parent is None and parent == self.sg.root_types.get(self.kind):
            other = self.root_group_in(subgraph)
            return self.plan_field(other, other.selections, parent, partial, path, None)
        return self.plan_jump(group, target, parent, partial, path, provided, only=subgraph)


def with_selections(node: FieldNode, selections: list) -> FieldNode:
    return FieldNode(name=node.name, alias=node.alias, arguments=node.arguments, directives=node.directives,
                     selection_set=SelectionSetNode(selections=tuple(selections)))
