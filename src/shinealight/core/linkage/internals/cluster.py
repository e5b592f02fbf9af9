"""Grouping linked mentions into people, honouring reviewers' decisions."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class Clusters(Generic[K]):
    """Union-find over mentions, with pairs a reviewer said are not the same person.

    A reviewer's 'not same' must hold however many other links would join the two:
    a union that would put such a pair in one group is refused.

    A *weak* mention (a lone first name: "Ben, about 14") may join one named person,
    but never bridges two: a link from a weak mention that would join two groups each
    holding a named mention is refused. "Ben" matching Ben Smith and Ben Jones says
    nothing about whether they are one boy.
    """

    def __init__(self, not_same: Iterable[tuple[K, K]] = (), weak: Iterable[K] = ()) -> None:
        self._parent: dict[K, K] = {}
        self._size: dict[K, int] = {}
        self._apart: dict[K, set[K]] = {}
        self._weak: set[K] = set(weak)
        # Roots of the groups holding at least one mention that is not weak.
        self._named: set[K] = set()
        for a, b in not_same:
            self.add(a)
            self.add(b)
            self._apart.setdefault(a, set()).add(b)
            self._apart.setdefault(b, set()).add(a)
        # Per root: the mentions in its group that carry a 'not same' decision.
        self._constrained: dict[K, set[K]] = {k: {k} for k in self._apart}
        # The unions that joined two groups, in order: a spanning forest of the groups.
        self.joins: list[tuple[K, K]] = []

    def add(self, item: K, *, weak: bool | None = None) -> None:
        """Make `item` a group of its own, unless it is already known.

        `weak` marks the item weak (or not); None leaves it as the constructor said.
        """
        if weak is True:
            self._weak.add(item)
        elif weak is False:
            self._weak.discard(item)
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1
        if self._parent[item] == item and self._size[item] == 1:
            # A group of one is named exactly when its mention is not weak.
            if item in self._weak:
                self._named.discard(item)
            else:
                self._named.add(item)

    def mark_named(self, item: K) -> None:
        """Record that the group holding `item` has a named mention (stored elsewhere)."""
        self._named.add(self.find(item))

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

    def bridges(self, a: K, b: K) -> bool:
        """Return True when a link between a and b would be a weak mention bridging two
        named groups (see the class docstring)."""
        if a not in self._weak and b not in self._weak:
            return False
        ra, rb = self.find(a), self.find(b)
        return ra != rb and ra in self._named and rb in self._named

    def union(self, a: K, b: K, *, decided: bool = False) -> bool:
        """Join the groups of a and b; return False (and do nothing) when forbidden.

        `decided` marks a reviewer's 'same', which a weak mention's rule does not stop.
        """
        self.add(a)
        self.add(b)
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not self.may_join(a, b):
            return False
        if not decided and self.bridges(a, b):
            return False
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]
        if rb in self._named:
            self._named.discard(rb)
            self._named.add(ra)
        moved = self._constrained.pop(rb, None)
        if moved:
            self._constrained.setdefault(ra, set()).update(moved)
        self.joins.append((a, b))
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
    weak: Iterable[K] = (),
) -> Clusters[K]:
    """Group items joined by links, strongest first, after reviewers' 'same' decisions.

    Reviewers' 'same' pairs are joined first; then links in order of falling weight,
    each refused if it would join a 'not same' pair or let a weak item bridge two
    named groups.
    """
    clusters: Clusters[K] = Clusters(not_same, weak)
    for item in items:
        clusters.add(item)
    for a, b in same:
        clusters.union(a, b, decided=True)
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
