"""Calculated query cost and the leaky bucket, as Shopify documents them.

Static cost (`requestedQueryCost`, before execution), per field:
  scalar or enum 0; object 1 plus its selection; a connection 2 plus
  `first` (or `last`) times the cost of one node (1 plus the node's selection,
  `pageInfo` and cursors free); a list field sized by its `ids` argument costs
  that many elements; an abstract type costs its most expensive possible type;
  every mutation field costs 10.
Actual cost (`actualQueryCost`, after execution) applies the same rules to what
came back: a connection counts the nodes it returned, a null object costs 1.

This is Shopify's published linear rule. Shopify's staff say the live formula
scales connections logarithmically, so live costs are at most these: a client
that stays inside the bucket here stays inside it on Shopify, never the reverse.

The bucket: a request needs its requested cost available, pays it, and gets the
difference between requested and actual back after execution; it refills
continuously at the restore rate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    is_abstract_type,
    is_leaf_type,
    value_from_ast_untyped,
)

MUTATION_COST = 10
MAX_INPUT_ARRAY = 250


def _unwrap(type_: Any) -> tuple[Any, bool]:
    """(named type, is a list) for a field's output type."""
    is_list = False
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        if isinstance(type_, GraphQLList):
            is_list = True
        type_ = type_.of_type
    return type_, is_list


def _is_connection(type_: Any) -> bool:
    return (
        isinstance(type_, GraphQLObjectType)
        and type_.name.endswith("Connection")
        and ("nodes" in type_.fields or "edges" in type_.fields)
    )


class CostCalculator:
    """Walks one operation of a validated document; see the module docstring for the rules."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.fragments = fragments
        self.variables = variables
        # (selection set, concrete type) -> its fields. Shopify's Node has hundreds of
        # possible types, each tried for every node of a `nodes(ids:)` answer.
        self._selected: dict[tuple[int, str], list[FieldNode]] = {}
        self._likeliest_type: dict[tuple[int, str, frozenset[str]], Any] = {}

    # ---------------------------------------------------------------- shared

    def _fields(self, selection_set: SelectionSetNode | None, parent: Any) -> list[FieldNode]:
        """The fields selected on `parent` (a concrete type), fragments flattened."""
        key = (id(selection_set), parent.name)
        if key not in self._selected:
            self._selected[key] = self._collect(selection_set, parent)
        return self._selected[key]

    def _collect(self, selection_set: SelectionSetNode | None, parent: Any) -> list[FieldNode]:
        out: list[FieldNode] = []
        if selection_set is None:
            return out
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                out.append(sel)
                continue
            if isinstance(sel, InlineFragmentNode):
                cond, sub = sel.type_condition, sel.selection_set
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments.get(sel.name.value)
                if frag is None:
                    continue
                cond, sub = frag.type_condition, frag.selection_set
            else:
                continue
            if cond is None or self._applies(cond.name.value, parent):
                out.extend(self._fields(sub, parent))
        return out

    def _applies(self, condition: str, parent: Any) -> bool:
        if condition == parent.name:
            return True
        cond_type = self.schema.get_type(condition)
        if (
            cond_type is not None
            and is_abstract_type(cond_type)
            and isinstance(parent, GraphQLObjectType)
        ):
            return self.schema.is_sub_type(cond_type, parent)
        return False

    def _arg(self, node: FieldNode, name: str) -> Any:
        for arg in node.arguments or ():
            if arg.name.value == name:
                return value_from_ast_untyped(arg.value, self.variables)
        return None

    def _concrete(self, type_: Any) -> list[Any]:
        if is_abstract_type(type_):
            return list(self.schema.get_possible_types(type_))
        return [type_]

    def _root(self) -> Any:
        if self.operation.operation.value == "mutation":
            return self.schema.mutation_type
        return self.schema.query_type

    # ---------------------------------------------------------------- requested

    def requested(self) -> int:
        root = self._root()
        fields = self._fields(self.operation.selection_set, root)
        if self.operation.operation.value == "mutation":
            return MUTATION_COST * sum(1 for f in fields if f.name.value != "__typename")
        return sum(self._field_cost(f, root) for f in fields)

    def _selection_cost(self, selection_set: SelectionSetNode | None, type_: Any) -> int:
        return max(
            (
                sum(self._field_cost(f, t) for f in self._fields(selection_set, t))
                for t in self._concrete(type_)
            ),
            default=0,
        )

    def _field_cost(self, node: FieldNode, parent: Any) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        type_, is_list = _unwrap(definition.type)
        if is_leaf_type(type_):
            return 0
        if _is_connection(type_):
            size = self._arg(node, "first") or self._arg(node, "last") or 0
            return 2 + int(size) * self._node_cost(node, type_)
        element = 1 + self._selection_cost(node.selection_set, type_)
        if is_list and isinstance(self._arg(node, "ids"), list):
            return len(self._arg(node, "ids")) * element
        return element

    def _node_cost(self, node: FieldNode, connection: GraphQLObjectType) -> int:
        """Cost of one node of a connection: the dearer of `nodes` and `edges.node`."""
        node_type = _unwrap(connection.fields["nodes"].type)[0]
        edge_type = _unwrap(connection.fields["edges"].type)[0]
        best = 1
        for sub in self._fields(node.selection_set, connection):
            if sub.name.value == "nodes":
                best = max(best, 1 + self._selection_cost(sub.selection_set, node_type))
            elif sub.name.value == "edges":
                for edge_field in self._fields(sub.selection_set, edge_type):
                    if edge_field.name.value == "node":
                        best = max(
                            best, 1 + self._selection_cost(edge_field.selection_set, node_type)
                        )
        return best

    # ---------------------------------------------------------------- actual

    def actual(self, data: dict[str, Any] | None) -> int:
        if self.operation.operation.value == "mutation":
            return self.requested()
        root = self._root()
        return self._actual_fields(self.operation.selection_set, root, data or {})

    def _actual_fields(self, selection_set: SelectionSetNode | None, type_: Any, value: Any) -> int:
        if not isinstance(value, dict):
            return 0
        candidates = self._concrete(type_)
        if len(candidates) > 1:  # abstract: the type whose fields came back
            named = [t for t in candidates if value.get("__typename") == t.name]
            candidates = named or [self._likeliest(selection_set, type_, value)]
        concrete = candidates[0]
        total = 0
        for f in self._fields(selection_set, concrete):
            key = (f.alias or f.name).value
            if key in value:
                total += self._actual_field(f, concrete, value[key])
        return total

    def _likeliest(self, selection_set: SelectionSetNode | None, type_: Any, value: dict) -> Any:
        """The possible type selecting most of the keys that came back (once per key set)."""
        key = (id(selection_set), type_.name, frozenset(value))
        if key not in self._likeliest_type:
            self._likeliest_type[key] = max(
                self._concrete(type_),
                key=lambda t: sum(
                    1 for f in self._fields(selection_set, t) if (f.alias or f.name).value in value
                ),
            )
        return self._likeliest_type[key]

    def _actual_field(self, node: FieldNode, parent: Any, value: Any) -> int:
        definition = parent.fields.get(node.name.value)
        if definition is None or node.name.value.startswith("__"):
            return 0
        type_, is_list = _unwrap(definition.type)
        if is_leaf_type(type_):
            return 0
        if value is None:
            return 1
        if _is_connection(type_) and isinstance(value, dict):
            return 2 + self._actual_nodes(node, type_, value)
        if is_list and isinstance(value, list):
            costs = [
                1 + self._actual_fields(node.selection_set, type_, v) if v is not None else 1
                for v in value
            ]
            if isinstance(self._arg(node, "ids"), list):
                return sum(costs)
            return max(costs, default=1)
        return 1 + self._actual_fields(node.selection_set, type_, value)

    def _actual_nodes(
        self, node: FieldNode, connection: GraphQLObjectType, value: dict[str, Any]
    ) -> int:
        node_type = _unwrap(connection.fields["nodes"].type)[0]
        edge_type = _unwrap(connection.fields["edges"].type)[0]
        best = 0
        for sub in self._fields(node.selection_set, connection):
            items = value.get((sub.alias or sub.name).value)
            if not isinstance(items, list):
                continue
            if sub.name.value == "nodes":
                cost = sum(1 + self._actual_fields(sub.selection_set, node_type, n) for n in items)
                best = max(best, cost)
            elif sub.name.value == "edges":
                for edge_field in self._fields(sub.selection_set, edge_type):
                    if edge_field.name.value != "node":
                        continue
                    key = (edge_field.alias or edge_field.name).value
                    cost = sum(
                        1 + self._actual_fields(edge_field.selection_set, node_type, e.get(key))
                        for e in items
                        if isinstance(e, dict)
                    )
                    best = max(best, cost)
        return best

    # ---------------------------------------------------------------- input limits

    def oversized_inputs(self) -> list[GraphQLError]:
        """Shopify refuses any input array longer than 250, before executing anything."""
        errors: list[GraphQLError] = []

        def walk(value: Any, path: list[str], node: FieldNode) -> None:
            if isinstance(value, list):
                if len(value) > MAX_INPUT_ARRAY:
                    errors.append(
                        GraphQLError(
                            f"The input array size of {len(value)} is greater than the maximum "
                            f"allowed of {MAX_INPUT_ARRAY}.",
                            nodes=[node],
                            path=path,
                            extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
                        )
                    )
                for item in value:
                    walk(item, path, node)
            elif isinstance(value, dict):
                for key, item in value.items():
                    walk(item, [*path, key], node)

        def visit(selection_set: SelectionSetNode | None, prefix: list[str]) -> None:
            for sel in selection_set.selections if selection_set else ():
                if isinstance(sel, FieldNode):
                    here = [*prefix, (sel.alias or sel.name).value]
                    for arg in sel.arguments or ():
                        walk(
                            value_from_ast_untyped(arg.value, self.variables),
                            [*here, arg.name.value],
                            sel,
                        )
                    visit(sel.selection_set, here)
                elif isinstance(sel, InlineFragmentNode):
                    visit(sel.selection_set, prefix)

        visit(self.operation.selection_set, [])
        return errors


class LeakyBucket:
    """Shopify's throttle for one access token: `maximum` points, `restore_rate` per second."""

    def __init__(
        self, maximum: float, restore_rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.maximum = maximum
        self.restore_rate = restore_rate
        self._clock = clock
        self._lock = threading.Lock()
        self._available = maximum
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._available = min(
            self.maximum, self._available + (now - self._stamp) * self.restore_rate
        )
        self._stamp = now

    def available(self) -> float:
        with self._lock:
            self._refill()
            return self._available

    def try_take(self, cost: float) -> bool:
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, points: float) -> None:
        with self._lock:
            self._refill()
            self._available = min(self.maximum, self._available + max(0.0, points))

    def status(self) -> dict[str, float | int]:
        """throttleStatus as Shopify writes it (maximum and rate as floats, available whole)."""
        return {
            "maximumAvailable": float(self.maximum),
            "currentlyAvailable": int(self.available()),
            "restoreRate": float(self.restore_rate),
        }
