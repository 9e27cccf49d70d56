"""Dependency order and cycles for the show_if graph (plain integers in, plain lists out).

Nodes are numbered in document order; ``edges[n]`` lists the nodes ``n`` depends on.
Tarjan's algorithm gives the strongly connected components with every dependency before
its dependents, which is both the evaluation order and, for components of more than one
node (or a node that depends on itself), the cycles to report.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence


def components(edges: Sequence[Sequence[int]]) -> list[list[int]]:
    """Strongly connected components, each after every component it depends on."""
    tarjan = _Tarjan(edges)
    for node in range(len(edges)):
        if tarjan.index[node] < 0:
            tarjan.visit(node)
    return tarjan.found


def is_cycle(component: Sequence[int], edges: Sequence[Sequence[int]]) -> bool:
    """Whether a component is a cycle: several nodes, or one that depends on itself."""
    return len(component) > 1 or component[0] in edges[component[0]]


def cycle_path(start: int, members: set[int], edges: Sequence[Sequence[int]]) -> list[int]:
    """A shortest path ``start -> ... -> start`` inside one cyclic component."""
    parents: dict[int, int] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in edges[node]:
            if target == start:
                return [*_path_to(node, start, parents), start]
            if target in members and target not in parents:
                parents[target] = node
                queue.append(target)
    raise ValueError(f"node {start} is on no cycle")


def _path_to(node: int, start: int, parents: dict[int, int]) -> list[int]:
    path = [node]
    while path[-1] != start:
        path.append(parents[path[-1]])
    return path[::-1]


class _Tarjan:
    """Iterative, so a long chain of show_ifs cannot exhaust Python's recursion limit."""

    def __init__(self, edges: Sequence[Sequence[int]]) -> None:
        self.edges = edges
        self.index = [-1] * len(edges)
        self.low = [0] * len(edges)
        self.on_stack = [False] * len(edges)
        self.stack: list[int] = []
        self.counter = 0
        self.found: list[list[int]] = []

    def visit(self, root: int) -> None:
        work: list[tuple[int, Iterator[int]]] = [(root, self._enter(root))]
        while work:
            node, targets = work[-1]
            for target in targets:
                if self.index[target] < 0:
                    work.append((target, self._enter(target)))
                    break
                if self.on_stack[target]:
                    self.low[node] = min(self.low[node], self.index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    self.low[parent] = min(self.low[parent], self.low[node])
                if self.low[node] == self.index[node]:
                    self.found.append(self._pop_component(node))

    def _enter(self, node: int) -> Iterator[int]:
        self.index[node] = self.low[node] = self.counter
        self.counter += 1
        self.stack.append(node)
        self.on_stack[node] = True
        return iter(self.edges[node])

    def _pop_component(self, root: int) -> list[int]:
        component = []
        while True:
            node = self.stack.pop()
            self.on_stack[node] = False
            component.append(node)
            if node == root:
                return sorted(component)
