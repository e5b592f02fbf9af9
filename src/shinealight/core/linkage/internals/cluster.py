"""Grouping linked mentions into people, honouring reviewers' decisions."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class Clusters(Generic[K]):
    """Union-find over mentions, with pairs a reviewer said are not the same person.

    A reviewer's 'not same' must hold however many other links would join the two:
    a union that would put such a pair in one group is refused.
    """

    def __init__(self, not_same: Iterable[tuple[K, K]] = ()) -> None:
        self._parent: dict[K, K] = {}
        self._size: dict[K, int] = {}
        self._apart: dict[K, set[K]] = {}
        for a, b in not_same:
            self.add(a)
            self.add(b)
            self._apart.setdefault(a, set()).add(b)
            self._apart.setdefault(b, set()).add(a)
        # Per root: the mentions in its group that carry a 'not same' decision.
        self._constrained: dict[K, set[K]] = {k: {k} for k in self._apart}

    def add(self, item: K) -> None:
        """Make `item` a group of its own, unless it is already known."""
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1

    def __contains__(self, item: object) -> bool:
        return item in self._parent

    def find(self, item: K) -> K:
        """Return the representative of the group holding `item`."""
        parent = self._parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:
            parent[item], item = root, parent[item]
        return root

    def may_join(self, a: K, b: K) -> bool:
        """Return False when joining the groups of a and b would break a 'not same'."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        left = self._constrained.get(ra)
        right = self._constrained.get(rb)
        if not left or not right:
            return True
        return not any(self._apart[x] & right for x in left)

    def union(self, a: K, b: K) -> bool:
        """Join the groups of a and b; return False (and do nothing) when forbidden."""
        self.add(a)
        self.add(b)
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not self.may_join(a, b):
            return False
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]
        moved = self._constrained.pop(rb, None)
        if moved:
            self._constrained.setdefault(ra, set()).update(moved)
        return True

    def groups(self) -> list[list[K]]:
        """Return every group as a sorted list, groups in order of their first member."""
        by_root: dict[K, list[K]] = {}
        for item in self._parent:
            by_root.setdefault(self.find(item), []).append(item)
        groups = [sorted(members) for members in by_root.values()]  # type: ignore[type-var]
        groups.sort(key=lambda g: g[0])  # type: ignore[arg-type,return-value]
        return groups

    def assignment(self) -> dict[K, K]:
        """Return each item's group representative."""
        return {item: self.find(item) for item in self._parent}


def cluster_pairs(
    items: Iterable[K],
    links: Iterable[tuple[K, K, float]],
    *,
    same: Iterable[tuple[K, K]] = (),
    not_same: Iterable[tuple[K, K]] = (),
) -> Clusters[K]:
    """Group items joined by links, strongest first, after reviewers' 'same' decisions.

    Reviewers' 'same' pairs are joined first; then links in order of falling weight,
    each refused if it would join a 'not same' pair.
    """
    clusters: Clusters[K] = Clusters(not_same)
    for item in items:
        clusters.add(item)
    for a, b in same:
        clusters.union(a, b)
    for a, b, _ in sorted(links, key=lambda link: -link[2]):
        clusters.union(a, b)
    return clusters


def decisions_by_pair(
    decisions: Mapping[tuple[K, K], str],
) -> tuple[list[tuple[K, K]], list[tuple[K, K]]]:
    """Split reviewer decisions into ('same' pairs, 'not same' pairs)."""
    same = [pair for pair, d in decisions.items() if d == "same"]
    apart = [pair for pair, d in decisions.items() if d == "not_same"]
    return same, apart
