"""Resolving person mentions: the batch run and the incremental resolver."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shinealight.core.linkage.internals.batch import ScoredPair, predict_pairs
from shinealight.core.linkage.internals.cluster import Clusters, cluster_pairs
from shinealight.core.linkage.internals.comparisons import add_blocking_keys, cap_common_keys
from shinealight.core.linkage.internals.engines import Engine
from shinealight.core.linkage.internals.features import person_features
from shinealight.core.linkage.internals.incremental import CandidateIndex
from shinealight.core.linkage.internals.model import PersonModel

Decisions = Mapping[tuple[str, str], str]


def person_rows(mentions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return the feature rows (with blocking keys) of person mentions."""
    return [add_blocking_keys(person_features(m)) for m in mentions]


def is_weak(row: Mapping[str, Any]) -> bool:
    """A mention with no surname ("Ben, about 14"; "Rocky"; no name at all) is weak:
    it may join one named person but never bridges two (`Clusters`)."""
    return row.get("surname") is None


@dataclass
class PersonResolution:
    """The outcome of resolving person mentions.

    `assignment` maps every mention to its group's representative mention; `pairs`
    holds every scored pair at or above the review threshold, with its decision.
    """

    assignment: dict[str, str]
    pairs: list[ScoredPair]
    model: PersonModel
    refused: list[ScoredPair] = field(default_factory=list)
    """Links a reviewer's 'not same' kept apart."""
    unbridged: list[ScoredPair] = field(default_factory=list)
    """Links from a lone name that would have joined two named people (`Clusters`)."""
    joins: set[tuple[str, str]] = field(default_factory=set)
    """The links that joined two groups, strongest first: a spanning forest of each person."""
    too_common: dict[str, int] = field(default_factory=dict)
    """Per blocking rule, how many keys were shared by too many mentions to pair by."""

    def explaining_pairs(self) -> list[ScoredPair]:
        """Return the pairs worth keeping: those that joined each person's mentions, those
        in the review band, and links held apart (a 'not same', a lone name's bridge).

        The rest are links inside a group already joined by stronger ones: a person with
        500 mentions has 124,750 pairs, and 499 of them say why the mentions are one.
        """
        link = self.model.thresholds.link
        return [
            p
            for p in self.pairs
            if p.weight < link
            or (p.left, p.right) in self.joins
            or self.assignment[p.left] != self.assignment[p.right]
        ]

    def decision(self, pair: ScoredPair) -> str:
        """Return "link" or "review" for a kept pair, as the model's thresholds decide."""
        return self.model.thresholds.decide(pair.weight)

    def groups(self) -> dict[str, list[str]]:
        """Return representative -> sorted mentions."""
        groups: dict[str, list[str]] = {}
        for mention, rep in self.assignment.items():
            groups.setdefault(rep, []).append(mention)
        return {rep: sorted(ms) for rep, ms in groups.items()}


def _split(decisions: Decisions) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    same = [pair for pair, d in decisions.items() if d == "same"]
    apart = [pair for pair, d in decisions.items() if d == "not_same"]
    return same, apart


def _content(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(
        (k, tuple(v) if isinstance(v, list) else v) for k, v in row.items() if k != "unique_id"
    )


def fold_identical(
    rows: Sequence[dict[str, Any]], model: PersonModel, *, keep: AbstractSet[str] = frozenset()
) -> tuple[list[dict[str, Any]], list[ScoredPair]]:
    """Set aside mentions identical in every feature to an earlier one, when the model
    links such a pair: return (the rows left to score, a link from each copy to its first).

    A child an agency records 2,000 times under one name, date of birth and NHS number
    would otherwise be 2 million pairs, each scored to say the same thing. A copy
    scores against everyone else exactly as its first does, so scoring the first alone
    decides the same groups. Weak mentions (no surname), whom the model may not link
    to each other, and mentions named in `keep` (a reviewer's decision) are never folded.
    """
    first: dict[tuple[Any, ...], dict[str, Any]] = {}
    verdict: dict[str, tuple[tuple[int, ...], tuple[float, ...], float] | None] = {}
    distinct: list[dict[str, Any]] = []
    copies: list[ScoredPair] = []
    for row in rows:
        mention = row["unique_id"]
        if mention in keep or is_weak(row):
            distinct.append(row)
            continue
        earlier = first.setdefault(_content(row), row)
        if earlier is row:
            distinct.append(row)
            continue
        rep = earlier["unique_id"]
        if rep not in verdict:
            levels, adjustments, weight = model.score_pair(earlier, row)
            linked = weight >= model.thresholds.link
            verdict[rep] = (levels, adjustments, weight) if linked else None
        scored = verdict[rep]
        if scored is None:
            distinct.append(row)
            continue
        a, b = (rep, mention) if rep < mention else (mention, rep)
        copies.append(ScoredPair(a, b, scored[2], scored[0], scored[1]))
    return distinct, copies


def resolve_people(
    rows: Sequence[dict[str, Any]],
    model: PersonModel,
    engine: Engine,
    *,
    decisions: Decisions | None = None,
    progress: Callable[[str], None] | None = None,
    fold: bool = True,
) -> PersonResolution:
    """Resolve person mentions in one batch run on `engine`.

    Pairs at or above the link threshold are joined, strongest first; pairs in the
    review band are kept for the queue but not joined; reviewers' decisions override
    the model both ways. Identical mentions are scored once (`fold_identical`) unless
    `fold` is False.
    """
    same, apart = _split(decisions or {})
    decided = {m for pair in (decisions or {}) for m in pair}
    distinct, copies = fold_identical(rows, model, keep=decided) if fold else (rows, [])
    distinct, too_common = cap_common_keys(distinct)
    pairs = list(predict_pairs(distinct, model, engine, block_limit=None, progress=progress))
    pairs.extend(copies)
    links = [(p.left, p.right, p.weight) for p in pairs if p.weight >= model.thresholds.link]
    clusters = cluster_pairs(
        (r["unique_id"] for r in rows),
        links,
        same=same,
        not_same=apart,
        weak=(r["unique_id"] for r in rows if is_weak(r)),
    )
    apart_now = [
        p
        for p in pairs
        if p.weight >= model.thresholds.link and clusters.find(p.left) != clusters.find(p.right)
    ]
    # A link left out because a reviewer's 'not same' forbids it, or because it was a
    # lone name bridging two named people.
    refused = [p for p in apart_now if not clusters.may_join(p.left, p.right)]
    unbridged = [p for p in apart_now if clusters.may_join(p.left, p.right)]
    joins = {(a, b) if a < b else (b, a) for a, b in clusters.joins}
    return PersonResolution(
        clusters.assignment(), pairs, model, refused, unbridged, joins, too_common
    )


@dataclass(frozen=True)
class Placement:
    """Where the incremental resolver put one new mention, and the pairs that decided it."""

    mention: str
    pairs: tuple[ScoredPair, ...]
    joined: tuple[str, ...]
    """Representatives of the existing groups the mention linked to (two or more: a merge)."""


class IncrementalResolver:
    """Resolve new person mentions one at a time against those already resolved.

    Each new mention is scored against the indexed mentions that share a blocking key
    with it; links at or above the threshold join its group (merging groups when it
    links to several), exactly as the batch run's connected groups would.
    """

    def __init__(self, model: PersonModel, *, decisions: Decisions | None = None) -> None:
        same, apart = _split(decisions or {})
        self.model = model
        self.index = CandidateIndex(model)
        self.clusters: Clusters[str] = Clusters(apart)
        self._same = same

    def load(
        self,
        rows: Iterable[dict[str, Any]],
        assignment: Mapping[str, str],
        *,
        named: Iterable[str] = (),
    ) -> None:
        """Index already-resolved rows with their existing groups (no scoring).

        `named` lists groups (values of `assignment`) known to hold a named mention
        even when none of it is among `rows`, so that a lone name cannot bridge them.
        """
        by_rep: dict[str, str] = {}
        for row in rows:
            mention = row["unique_id"]
            self.index.add(row)
            self.clusters.add(mention, weak=is_weak(row))
            rep = assignment.get(mention, mention)
            first = by_rep.setdefault(rep, mention)
            if first != mention:
                self.clusters.union(first, mention, decided=True)
        for rep in named:
            if rep in by_rep:
                self.clusters.mark_named(by_rep[rep])

    def place(self, row: dict[str, Any]) -> Placement:
        """Resolve one new mention and index it."""
        mention = row["unique_id"]
        pairs = self.index.score(row)
        self.clusters.add(mention, weak=is_weak(row))
        before = set()
        for p in pairs:
            if p.weight >= self.model.thresholds.link:
                other = self.clusters.find(p.left if p.right == mention else p.right)
                if self.clusters.union(p.left, p.right):
                    before.add(other)
        for a, b in self._same:
            if mention in (a, b) and a in self.clusters and b in self.clusters:
                self.clusters.union(a, b, decided=True)
        self.index.add(row)
        return Placement(mention, tuple(pairs), tuple(sorted(before)))

    def assignment(self) -> dict[str, str]:
        """Return each mention's group representative."""
        return self.clusters.assignment()


def read_mentions(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (kind, mention) from an agency-records file, newest version of each mention.

    For benchmarks and tests that work without a database; each person mention
    carries `recorded_at` from its record. Faulty lines are skipped.
    """
    from shinealight.core.records import flatten, iter_records

    latest: dict[str, tuple[str, dict[str, Any]]] = {}
    for _, record in iter_records(path):
        if isinstance(record, list):
            continue
        flat = flatten(record)
        for kind, items in (
            ("person", flat.persons),
            ("vehicle", flat.vehicles),
            ("phone", flat.phones),
            ("online", flat.online),
            ("location", flat.locations),
        ):
            for item in items:
                item = {
                    **item,
                    "recorded_at": flat.fields["recorded_at"],
                    "area": flat.fields.get("area"),
                    "agency": record.agency,
                }
                mention = str(item["mention_id"])
                # An update keeps the mention's place in arrival order, with new values.
                latest[mention] = (kind, item)
    yield from latest.values()
