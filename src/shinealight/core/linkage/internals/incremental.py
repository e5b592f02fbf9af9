"""Incremental resolution: score a new mention against an in-memory candidate index.

Splink's own way to link one new record is a SQL query per record. Here the trained
parameters are applied in Python to the few mentions that share a blocking key with
the new one, which takes milliseconds against a million.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shinealight.core.linkage.internals.batch import ScoredPair
from shinealight.core.linkage.internals.comparisons import (
    add_blocking_keys,
    blocking_keys_of,
    probe_keys_of,
)
from shinealight.core.linkage.internals.model import PersonModel


class CandidateIndex:
    """Feature rows of known mentions, found by their blocking keys."""

    def __init__(self, model: PersonModel) -> None:
        self.model = model
        self._rows: dict[str, Mapping[str, Any]] = {}
        self._by_key: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, mention_id: object) -> bool:
        return mention_id in self._rows

    def add(self, row: dict[str, Any]) -> None:
        """Index a feature row (blocking keys are added when missing)."""
        if "bk_nhs" not in row or "bk_lone_probe" not in row:
            add_blocking_keys(row)
        mention_id = row["unique_id"]
        if mention_id in self._rows:
            self.remove(mention_id)
        self._rows[mention_id] = row
        for key in blocking_keys_of(row):
            self._by_key.setdefault(key, []).append(mention_id)

    def add_all(self, rows: Iterable[dict[str, Any]]) -> None:
        """Index many feature rows."""
        for row in rows:
            self.add(row)

    def remove(self, mention_id: str) -> None:
        """Forget a mention (for example before re-adding its updated version)."""
        row = self._rows.pop(mention_id, None)
        if row is None:
            return
        for key in blocking_keys_of(row):
            members = self._by_key.get(key)
            if members and mention_id in members:
                members.remove(mention_id)

    def candidates(self, row: Mapping[str, Any]) -> list[str]:
        """Return the indexed mentions a blocking rule pairs with `row`.

        Most rules pair mentions sharing a key; the lone-name rule pairs a mention's
        probes with others' first name + year keys, both ways (`probe_keys_of`).
        """
        seen: dict[str, None] = {}
        own = row["unique_id"]
        for key in probe_keys_of(row):
            for other in self._by_key.get(key, ()):
                if other != own:
                    seen[other] = None
        return list(seen)

    def score(self, row: dict[str, Any], *, min_weight: float | None = None) -> list[ScoredPair]:
        """Score `row` against its candidates; return pairs at or above `min_weight`.

        `min_weight` defaults to the model's review threshold. The row is not indexed;
        call `add` once it has been resolved.
        """
        if "bk_nhs" not in row or "bk_lone_probe" not in row:
            add_blocking_keys(row)
        threshold = self.model.thresholds.review if min_weight is None else min_weight
        pairs = []
        own = row["unique_id"]
        for other in self.candidates(row):
            levels, adjustments, weight = self.model.score_pair(row, self._rows[other])
            if weight >= threshold:
                a, b = (own, other) if own < other else (other, own)
                pairs.append(ScoredPair(a, b, weight, levels, adjustments))
        pairs.sort(key=lambda p: -p.weight)
        return pairs
