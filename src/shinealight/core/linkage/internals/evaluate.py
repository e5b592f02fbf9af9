"""Pairwise and B-cubed scores of a clustering against ground truth."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class LinkageScores:
    """Precision, recall and F1 over pairs of mentions, and B-cubed F1 over mentions."""

    mentions: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_clusters(
    predicted: Mapping[str, str], truth: Mapping[str, Iterable[str]]
) -> LinkageScores:
    """Score `predicted` (mention -> entity) against `truth` (true person -> mentions).

    Only mentions present in both are scored; a mention the prediction lacks would
    otherwise count as a singleton and hide what went wrong.
    """
    true_of: dict[str, str] = {}
    for person, mentions in truth.items():
        for mention in mentions:
            true_of[mention] = person
    common = [m for m in true_of if m in predicted]
    both = Counter((predicted[m], true_of[m]) for m in common)
    pred_sizes = Counter(predicted[m] for m in common)
    true_sizes = Counter(true_of[m] for m in common)
    correct = sum(_pairs(n) for n in both.values())
    predicted_pairs = sum(_pairs(n) for n in pred_sizes.values())
    true_pairs = sum(_pairs(n) for n in true_sizes.values())
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    # B-cubed: per mention, the share of its predicted cluster that is truly its person
    # (precision) and the share of its person that the cluster caught (recall).
    n = len(common)
    b_precision = sum(k * k / pred_sizes[p] for (p, _), k in both.items()) / n if n else 1.0
    b_recall = sum(k * k / true_sizes[t] for (_, t), k in both.items()) / n if n else 1.0
    return LinkageScores(
        mentions=n,
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        correct_pairs=correct,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        bcubed_precision=b_precision,
        bcubed_recall=b_recall,
        bcubed_f1=_f1(b_precision, b_recall),
    )


def pairwise_agreement(first: Mapping[str, str], second: Mapping[str, str]) -> float:
    """Return the share of pairs linked by either clustering that both link.

    Pairs neither links are left out: counting them would make any two clusterings
    of a large partnership agree 99.99%.
    """
    groups_a: dict[str, list[str]] = {}
    for mention, entity in first.items():
        groups_a.setdefault(entity, []).append(mention)
    linked_a = sum(_pairs(len(g)) for g in groups_a.values())
    groups_b: Counter[str] = Counter(second[m] for m in first if m in second)
    linked_b = sum(_pairs(n) for n in groups_b.values())
    both = Counter((first[m], second[m]) for m in first if m in second)
    linked_both = sum(_pairs(n) for n in both.values())
    union = linked_a + linked_b - linked_both
    return linked_both / union if union else 1.0
