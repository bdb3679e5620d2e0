"""Build a query plan for a client operation over a supergraph.

The planner walks the client selection set once. Fields go into the current
fetch group while its subgraph can resolve them; otherwise it "jumps": it adds
`__typename` + key (+ @requires) fields to the current group and plans the
field in a dependent `_entities` group of another subgraph at the same path.
Groups become a DAG; the plan runs them level by level.
"""

from __future__ import annotations

from collections import OrderedDict

import orjson

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    print_ast,
)

from .conditions import condition_values, is_included
from .pass_through import pass_through_fetch
from .plan import Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence
from .fetch_groups import FetchGroup, merge_selections, provided_tree, representation_conflicts
from .selections import SelectionList, print_arguments, print_compact
from .supergraph import EntityKey, Supergraph, parse_field_set
from .value_splits import ValueTypeSplits

COMPOSITE = ("object", "interface", "union")


class PlanningError(Exception):
    pass


class QueryPlanner:
    def __init__(self, supergraph: Supergraph, local_root_fields: set[str] = frozenset(), cache_size: int = 512):
        self.supergraph = supergraph
        self.local_root_fields = set(local_root_fields)  # e.g. {"Query.cityOverview"}
        self.cache_size = cache_size
        self._cache: OrderedDict = OrderedDict()
        self.cache_hits = 0

    def plan(self, document: DocumentNode, operation_name: str | None, variables: dict | None = None,
             cache_key: str | None = None) -> QueryPlan:
        operation, fragments = select_operation(document, operation_name)
        conditions = condition_values(operation, variables)
        key = (cache_key, operation_name, tuple(sorted(conditions.items()))) if cache_key else None
        if key is not None and key in self._cache:
            self._cache.move_to_end(key)
            self.cache_hits += 1
            return self._cache[key]
        plan = _OperationPlanner(self, operation, fragments, conditions).build()
        plan.pass_through = pass_through_fetch(plan, self.supergraph, operation, fragments, conditions)
        if key is not None:
            self._cache[key] = plan
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return plan


def select_operation(document: DocumentNode, name: str | None):
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    if name:
        matches = [o for o in operations if o.name and o.name.value == name]
    else:
        matches = operations if len(operations) == 1 else []
    if not matches:
        raise PlanningError(f"operation {name!r} not found" if name else "operation name required")
    return matches[0], fragments


class _OperationPlanner(ValueTypeSplits):
    def __init__(self, planner: QueryPlanner, operation, fragments, conditions):
        self.sg = planner.supergraph
        self.local_root_fields = planner.local_root_fields
        self.operation = operation
        self.kind = operation.operation.value
        self.fragments = fragments
        self.conditions = conditions
        self.groups: list[FetchGroup] = []
        self.roots: list[FetchGroup] = []

    # -- client selection helpers ----------------------------------------------
    def included(self, node) -> bool:
        return is_included(node, self.conditions)

    def sub_selections(self, node):
        if isinstance(node, FragmentSpreadNode):
            return self.fragments[node.name.value].selection_set.selections
        return node.selection_set.selections

    def type_condition(self, node, parent: str) -> str:
        if isinstance(node, FragmentSpreadNode):
            return self.fragments[node.name.value].type_condition.name.value
        return node.type_condition.name.value if node.type_condition else parent

    def applies(self, condition: str, parent: str) -> bool:
        if condition == parent:
            return True
        if self.sg.types[parent].is_abstract:
            # In an @interfaceObject group the parent is the interface itself.
            return False
        return parent in self.sg.possible_types(condition)

    def collect_fields(self, parent: str, selections) -> list[FieldNode]:
        fields = []
        for node in selections:
            if not self.included(node):
                continue
            if isinstance(node, FieldNode):
                fields.append(node)
            elif self.applies(self.type_condition(node, parent), parent):
                fields += self.collect_fields(parent, self.sub_selections(node))
        return fields

    def client_keys(self, parent: str, selections) -> dict[str, str]:
        keys = {}
        for f in self.collect_fields(parent, selections):
            key = f.alias.value if f.alias else f.name.value
            keys[key] = f.name.value + print_arguments(f.arguments)[0]
        return keys

    # -- resolvability -----------------------------------------------------------
    def can_resolve(self, subgraph: str, parent: str, name: str, provided: dict | None) -> bool:
        join = self.sg.field_join(subgraph, parent, name)
        if join is None:
            return False
        if provided is not None and name in provided:
            return True
        return join.resolvable and not join.requires

    def local_type(self, subgraph: str, parent: str, name: str) -> str:
        """The named type of parent.name in the subgraph (join__field `type:` when it differs)."""
        join = self.sg.field_join(subgraph, parent, name)
        if join is not None and join.type:
            return join.type.strip("[]!")
        return self.sg.field(parent, name).named_type

    def resolved_by_implementations(self, subgraph: str, interface: str, name: str, provided: dict | None) -> bool:
        """An interface field is local only if every implementation the subgraph returns resolves it there
        (an implementation may have it @override-n away, or @external)."""
        if subgraph in self.sg.types[interface].interface_object_in:
            return True
        return all(self.can_resolve(subgraph, obj, name, provided) for obj in self.sg.possible_types_in(subgraph, interface))

    def provided_below(self, subgraph: str, parent: str, name: str, provided: dict | None) -> dict | None:
        if provided is not None and name in provided and provided[name]:
            return provided[name]
        join = self.sg.field_join(subgraph, parent, name)
        return provided_tree(join.provides) if join and join.provides else None

    def is_local(self, subgraph: str, parent: str, selections, provided: dict | None) -> bool:
        t = self.sg.types[parent]
        for node in selections:
            if not self.included(node):
                continue
            if isinstance(node, FieldNode):
                name = node.name.value
                if name == "__typename":
                    if t.is_abstract and subgraph in t.interface_object_in:
                        return False
                    continue
                if not self.can_resolve(subgraph, parent, name, provided):
                    return False
                if t.kind == "interface" and not self.resolved_by_implementations(subgraph, parent, name, provided):
                    return False
                rtype = self.sg.types.get(self.local_type(subgraph, parent, name))
                if rtype and rtype.kind in COMPOSITE and node.selection_set:
                    below = self.provided_below(subgraph, parent, name, provided)
                    if not self.is_local(subgraph, rtype.name, node.selection_set.selections, below):
                        return False
                continue
            condition = self.type_condition(node, parent)
            if condition == parent or (not t.is_abstract and self.applies(condition, parent)):
                if not self.is_local(subgraph, parent, self.sub_selections(node), provided):
                    return False
            elif t.is_abstract:
                if subgraph in t.interface_object_in or not self.sg.knows_type(subgraph, condition):
                    return False
                if self.sg.types[condition].kind == "object" and condition not in self.sg.possible_types_in(subgraph, parent):
                    return False  # e.g. the type implements the interface only in other subgraphs
                if self.sg.types[condition].is_abstract and condition != parent:
                    return False  # nested abstract conditions: let the planner expand
                if not self.is_local(subgraph, condition, self.sub_selections(node), provided):
                    return False
        return True

    # -- planning ----------------------------------------------------------------
    def new_group(self, subgraph: str, path: tuple[str, ...], parent: FetchGroup | None) -> FetchGroup:
        group = FetchGroup(subgraph, path, parent)
        self.groups.append(group)
        if parent is not None:
            parent.children.setdefault((subgraph, path), []).append(group)
            group.deps.add(parent)
        return group

    def child_group(self, group: FetchGroup, subgraph: str, path: tuple[str, ...], avoid: set[FetchGroup]) -> FetchGroup:
        for candidate in group.children.get((subgraph, path), []):
            if candidate not in avoid:
                return candidate
        return self.new_group(subgraph, path, group)

    def plan_selections(self, group, target: SelectionList, parent: str, selections, path, provided) -> set[FetchGroup]:
        target.client_keys.update(self.client_keys(parent, selections))
        used = {group}
        for node in selections:
            if not self.included(node):
                continue
            if isinstance(node, FieldNode):
                used |= self.plan_field(group, target, parent, node, path, provided)
                continue
            condition = self.type_condition(node, parent)
            if self.applies(condition, parent):
                used |= self.plan_selections(group, target, parent, self.sub_selections(node), path, provided)
        return used

    def plan_field(self, group, target: SelectionList, parent: str, node: FieldNode, path, provided,
                   entity_jump: bool = False) -> set[FetchGroup]:
        name = node.name.value
        alias = node.alias.value if node.alias else None
        if name == "__typename":
            target.add_field("__typename", alias)
            return {group}
        info = self.sg.field(parent, name)
        if info is None:
            raise PlanningError(f"unknown field {parent}.{name}")
        if not (entity_jump or self.can_resolve(group.subgraph, parent, name, provided)):
            return self.plan_jump(group, target, parent, node, path, provided)
        rtype = self.sg.types.get(info.named_type)
        composite = bool(rtype and rtype.kind in COMPOSITE)
        args, variables = print_arguments(node.arguments)
        sel = target.add_field(name, alias, args, variables, composite)
        if not composite:
            return {group}
        sub_path = path + (alias or name,) + ("@",) * info.list_depth
        below = self.provided_below(group.subgraph, parent, name, provided)
        subs = node.selection_set.selections
        local = self.sg.types[self.local_type(group.subgraph, parent, name)]
        if rtype.is_abstract and not local.is_abstract:
            # the subgraph's field has one of the types (a shareable field whose type differs between subgraphs)
            sel.selections.add_field("__typename")
            rtype = local
        elif rtype.is_abstract:
            return {group} | self.plan_abstract(group, sel.selections, local.name, subs, sub_path, below)
        used = {group}
        subs, moved = self.split_value_field(group, parent, node, rtype.name, sub_path, below)
        for subgraph, subfields in moved.items():
            used |= self.plan_through_parent(group, target, parent, node, subfields, path, provided, subgraph)
        return used | self.plan_selections(group, sel.selections, rtype.name, subs, sub_path, below)

    def plan_abstract(self, group, target: SelectionList, type_name: str, selections, path, provided) -> set[FetchGroup]:
        subgraph = group.subgraph
        t = self.sg.types[type_name]
        if subgraph in t.interface_object_in and not self.is_local(subgraph, type_name, selections, provided):
            local, remote = self.split_local(subgraph, type_name, selections, provided)
            self.copy_local(target, type_name, local, subgraph)
            return {group} | self.jump_to_real_interface(group, target, type_name, remote, path)
        target.add_field("__typename")
        if self.is_local(subgraph, type_name, selections, provided):
            self.copy_local(target, type_name, selections, subgraph)
            return {group}
        used = {group}
        possible = self.sg.possible_types_in(subgraph, type_name)
        if not possible:
            # No object type of it in this subgraph, so no jump either (e.g. an interface whose
            # @interfaceObject elsewhere is not resolvable): the selection cannot be satisfied.
            raise PlanningError(f"cannot resolve the selection on {type_name} from subgraph {subgraph!r}")
        for obj in possible:
            fragment = target.add_fragment(obj)
            used |= self.plan_selections(group, fragment.selections, obj, selections, path, provided)
        return used

    def split_local(self, subgraph: str, type_name: str, selections, provided) -> tuple[list, list]:
        """Split interface-level selections into those the subgraph resolves and the rest."""
        local, remote = [], []
        for node in selections:
            if not self.included(node):
                continue
            if isinstance(node, FieldNode):
                is_typename = node.name.value == "__typename"
                fits = not is_typename and self.is_local(subgraph, type_name, [node], provided)
                (local if fits else remote).append(node)
            elif self.type_condition(node, type_name) == type_name:
                more_local, more_remote = self.split_local(subgraph, type_name, self.sub_selections(node), provided)
                local += more_local
                remote += more_remote
            else:
                remote.append(node)
        return local, remote

    def copy_local(self, target: SelectionList, parent: str, selections, subgraph: str) -> None:
        """Copy a selection the current subgraph fully resolves, keeping fragments."""
        target.client_keys.update(self.client_keys(parent, selections))
        for node in selections:
            if not self.included(node):
                continue
            if isinstance(node, FieldNode):
                name = node.name.value
                alias = node.alias.value if node.alias else None
                if name == "__typename":
                    target.add_field(name, alias)
                    continue
                rtype = self.sg.types.get(self.local_type(subgraph, parent, name))
                composite = bool(rtype and rtype.kind in COMPOSITE)
                args, variables = print_arguments(node.arguments)
                sel = target.add_field(name, alias, args, variables, composite)
                if composite:
                    if rtype.is_abstract or self.sg.types[self.sg.field(parent, name).named_type].is_abstract:
                        sel.selections.add_field("__typename")
                    self.copy_local(sel.selections, rtype.name, node.selection_set.selections, subgraph)
                continue
            condition = self.type_condition(node, parent)
            if condition == parent or (not self.sg.types[parent].is_abstract and self.applies(condition, parent)):
                self.copy_local(target, parent, self.sub_selections(node), subgraph)
            elif self.sg.types[parent].is_abstract:
                self.copy_local(target.add_fragment(condition).selections, condition, self.sub_selections(node),
                                subgraph)

    def add_internal(self, target: SelectionList, parent: str, selections) -> SelectionList:
        """Add key/requires fields resolvable locally; return the representation
        shape (aliased where the client already uses the response key)."""
        shape = SelectionList()
        for node in selections:
            if isinstance(node, FieldNode):
                name = node.name.value
                info = self.sg.field(parent, name)
                composite = bool(node.selection_set)
                sel = target.add_internal_field(name, composite, *print_arguments(node.arguments))
                out = shape.add_field(name, sel.alias, composite=composite)
                if composite:
                    if self.sg.types[info.named_type].is_abstract:
                        # the representation's fragments are matched on the runtime type
                        sel.selections.add_field("__typename")
                        out.selections.add_field("__typename")
                    sub = self.add_internal(sel.selections, info.named_type, node.selection_set.selections)
                    merge_selections(out.selections, sub)
            else:
                condition = self.type_condition(node, parent)
                sub = self.add_internal(target.add_fragment(condition).selections, condition, self.sub_selections(node))
                merge_selections(shape.add_fragment(condition).selections, sub)
        return shape

    def ensure_fields(self, group, target, parent, selections, path) -> tuple[SelectionList, set[FetchGroup]]:
        """Make `selections` (key or requires fields) available in the response
        data at `path`; return their representation shape and the groups
        fetching them."""
        if self.is_local(group.subgraph, parent, selections, None):
            return self.add_internal(target, parent, selections), {group}
        used = self.plan_selections(group, target, parent, selections, path, None)
        shape = SelectionList()
        self.copy_shape(shape, parent, selections)
        return shape, used

    def copy_shape(self, shape: SelectionList, parent: str, selections) -> None:
        for node in selections:
            if isinstance(node, FieldNode):
                composite = bool(node.selection_set)
                out = shape.add_field(node.name.value, node.alias.value if node.alias else None, composite=composite)
                if composite:
                    self.copy_shape(out.selections, self.sg.field(parent, node.name.value).named_type,
                                    node.selection_set.selections)
            else:
                condition = self.type_condition(node, parent)
                self.copy_shape(shape.add_fragment(condition).selections, condition, self.sub_selections(node))

    def jump_candidates(self, group, parent: str, name: str, path) -> list[tuple[str, str, EntityKey]]:
        """(subgraph, entity type seen by that subgraph, key) to fetch parent.name."""
        options = []
        t = self.sg.types[parent]
        for sub in self.sg.resolvers_of(parent, name):
            for key in t.keys_in(sub):
                options.append((sub, parent, key))
        for iface in t.interfaces:
            it = self.sg.types[iface]
            for sub in it.interface_object_in:
                if name in it.fields and sub in self.sg.resolvers_of(iface, name):
                    for key in it.keys_in(sub):
                        options.append((sub, iface, key))

        def rank(option):
            sub, _, key = option
            existing = (sub, path) in group.children
            local = self.is_local(group.subgraph, parent, key.selection_set.selections, None)
            return (not existing, not local, list(self.sg.subgraphs).index(sub))

        return sorted(options, key=rank)

    def plan_jump(self, group, target, parent: str, node: FieldNode, path, provided,
                  only: str | None = None) -> set[FetchGroup]:
        name = node.name.value
        options = [o for o in self.jump_candidates(group, parent, name, path) if only in (None, o[0])]
        if not options:
            raise PlanningError(f"cannot resolve field {parent}.{name} from subgraph {group.subgraph!r}")
        subgraph, entity_type, key = options[0]
        target.add_internal_field("__typename")
        key_shape, deps = self.ensure_fields(group, target, parent, key.selection_set.selections, path)
        join = self.sg.field_join(subgraph, entity_type, name)
        req_shape = None
        if join is not None and join.requires:
            req_shape, req_deps = self.ensure_fields(
                group, target, parent, parse_field_set(join.requires).selections, path
            )
            deps |= req_deps
        avoid = set(deps)
        for d in deps:
            avoid |= d.closure()
        avoid.discard(group)
        if req_shape is not None:
            # One representation holds one value per field: a @requires of the same field with other
            # arguments (another source alias) needs a fetch of its own.
            avoid |= {c for c in group.children.get((subgraph, path), [])
                      if representation_conflicts(c.requires.add_fragment(parent).selections, req_shape)}
        child = self.child_group(group, subgraph, path, avoid)
        child.deps |= deps
        child.deps.discard(child)
        representation = child.requires.add_fragment(parent).selections
        representation.add_field("__typename")
        merge_selections(representation, key_shape)
        if req_shape is not None:
            merge_selections(representation, req_shape)
        if entity_type != parent:
            child.typename_rewrites[parent] = entity_type
        fragment = child.selections.add_fragment(entity_type)
        return deps | {child} | self.plan_field(child, fragment.selections, entity_type, node, path, None, entity_jump=True)

    def jump_to_real_interface(self, group, target, type_name: str, selections, path) -> set[FetchGroup]:
        """An @interfaceObject subgraph can't tell runtime types: ask a subgraph
        that has the real interface (it resolves `{__typename: "I", ...key}`)."""
        t = self.sg.types[type_name]
        options = [
            (sub, key)
            for sub in t.owners
            if sub not in t.interface_object_in
            for key in t.keys_in(sub)
            if self.is_local(group.subgraph, type_name, key.selection_set.selections, None)
        ]
        if not options:
            raise PlanningError(f"no subgraph can resolve the runtime type of {type_name}")
        subgraph, key = options[0]
        target.add_internal_field("__typename")
        key_shape = self.add_internal(target, type_name, key.selection_set.selections)
        child = self.child_group(group, subgraph, path, set())
        representation = child.requires.add_fragment(type_name).selections
        representation.add_field("__typename")
        merge_selections(representation, key_shape)
        fragment = child.selections.add_fragment(type_name)
        return {group, child} | self.plan_abstract(child, fragment.selections, type_name, selections, path, None)

    # -- root and assembly -------------------------------------------------------
    def build(self) -> QueryPlan:
        root_type = self.sg.root_types.get(self.kind)
        if self.kind == "subscription":
            raise PlanningError("subscriptions are not planned by the gateway engine")
        roots: list[FetchGroup] = self.roots
        if root_type is not None:
            fields = self.collect_fields(root_type, self.operation.selection_set.selections)
            for node in fields:
                name = node.name.value
                if name.startswith("__") or f"{root_type}.{name}" in self.local_root_fields:
                    continue
                group = self.root_group_for(roots, root_type, node)
                group.selections.client_keys.update(self.client_keys(root_type, fields))
                self.plan_field(group, group.selections, root_type, node, (), None)
        return QueryPlan(self.assemble(roots), self.kind)

    def root_group_for(self, roots: list[FetchGroup], root_type: str, node: FieldNode) -> FetchGroup:
        name = node.name.value
        candidates = [s for s in self.sg.subgraphs if self.can_resolve(s, root_type, name, None)]
        if not candidates:
            raise PlanningError(f"no subgraph resolves {root_type}.{name}")
        if self.kind == "mutation":
            # Mutations run in field order; consecutive fields of one subgraph share a fetch.
            if roots and roots[-1].subgraph in candidates:
                return roots[-1]
            chosen = candidates[0]
        else:
            local = [s for s in candidates if self.is_local(s, root_type, [node], None)]
            existing = [g.subgraph for g in roots]
            preferred = [s for s in local if s in existing] or local or [s for s in candidates if s in existing]
            chosen = (preferred or candidates)[0]
            for g in roots:
                if g.subgraph == chosen:
                    return g
        group = self.new_group(chosen, (), None)
        roots.append(group)
        return group

    def root_group_in(self, subgraph: str) -> FetchGroup:
        for g in self.roots:
            if g.subgraph == subgraph:
                return g
        group = self.new_group(subgraph, (), None)
        self.roots.append(group)
        return group

    def assemble(self, roots: list[FetchGroup]) -> PlanNode | None:
        for g in self.groups:
            g.selections.prune_empty()
        live = [g for g in self.groups if g.selections]
        if self.kind == "mutation":
            parts = []
            for root in roots:
                members = [g for g in live if _root_of(g) is root]
                node = self.levels(members)
                if node is not None:
                    parts.append(node)
            return _wrap(Sequence, parts)
        return self.levels(live)

    def levels(self, groups: list[FetchGroup]) -> PlanNode | None:
        members = set(groups)
        level: dict[FetchGroup, int] = {}

        def depth(g: FetchGroup, visiting: frozenset = frozenset()) -> int:
            if g in level:
                return level[g]
            if g in visiting:
                raise PlanningError("cyclic dependency between fetches")
            deps = [d for d in g.deps if d in members]
            level[g] = 1 + max((depth(d, visiting | {g}) for d in deps), default=-1)
            return level[g]

        for g in groups:
            depth(g)
        steps = []
        for n in range(max(level.values(), default=-1) + 1):
            at_level = [self.to_node(g) for g in groups if level[g] == n]
            steps.append(_wrap(Parallel, at_level))
        return _wrap(Sequence, steps)

    def to_node(self, group: FetchGroup) -> PlanNode:
        used = group.selections.variables()
        definitions = [
            print_ast(vd) for vd in self.operation.variable_definitions or () if vd.variable.name.value in used
        ]
        usages = tuple(vd.variable.name.value for vd in self.operation.variable_definitions or ()
                       if vd.variable.name.value in used)
        name = ""
        if self.operation.name:
            name = f" {self.operation.name.value}__{group.subgraph}__{self.groups.index(group)}"
        if group.is_entity:
            definitions.insert(0, "$representations: [_Any!]!")
            body = "{_entities(representations: $representations) " + print_compact(group.selections) + "}"
            kind = "query"
        else:
            body = print_compact(group.selections)
            kind = self.kind
        text = f"{kind}{name}" + (f"({', '.join(definitions)})" if definitions else "") + " " + body
        fetch = Fetch(
            subgraph=group.subgraph,
            operation_text=text,
            operation_kind=kind,
            variable_usages=usages,
            selections=group.selections,
            requires=group.requires if group.is_entity else None,
            typename_rewrites=dict(group.typename_rewrites),
            request_body=None if group.is_entity or usages else orjson.dumps({"query": text}),
        )
        return Flatten(group.path, fetch) if group.is_entity else fetch


def _root_of(group: FetchGroup) -> FetchGroup:
    while group.parent is not None:
        group = group.parent
    return group


def _wrap(kind, nodes: list) -> PlanNode | None:
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else kind(nodes)
