"""Scoring alerts against a simulated world's ground truth (`truth.json`).

Alerts name resolved entities; the entities file says which mentions each holds, and the
truth says whose each mention is, so every named entity is read as the true person most
of its mentions belong to.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class DetectionScores:
    """The figures `evaluate detection` reports (docs/alerts.md explains each)."""

    alerts: int = 0
    networks: int = 0
    networks_found: int = 0
    network_recall: float = 0.0
    alert_precision: float = 0.0
    people_named: int = 0
    named_person_precision: float = 0.0
    confounder_people: int = 0
    confounders_named_as_suspects: int = 0
    confounder_suspect_share: float = 0.0
    victims: int = 0
    victims_named: int = 0
    child_recall: float = 0.0
    median_lead_days: float | None = None
    lead_days: dict[str, int] = field(default_factory=dict)
    by_rule: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def entity_truth(truth: Mapping[str, Any], entities: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Map each entity id to the true person most of its mentions belong to."""
    owner = {m: person for person, mentions in truth["people"].items() for m in mentions}
    out: dict[str, str] = {}
    for row in entities:
        votes = Counter(owner[m] for m in row.get("mentions", ()) if m in owner)
        if votes:
            out[str(row["entity_id"])] = min(votes, key=lambda p: (-votes[p], p))
    return out


def _day(value: str) -> date:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).date()


def _found_at(since: Mapping[str, date], victims: set[str], perps: set[str]) -> date | None:
    """The day an alert first named two victims, or a victim and a perpetrator."""
    v = sorted(d for p, d in since.items() if p in victims)
    p = sorted(d for q, d in since.items() if q in perps)
    options = []
    if len(v) >= 2:
        options.append(v[1])
    if v and p:
        options.append(max(v[0], p[0]))
    return min(options) if options else None


def evaluate_detection(
    truth: Mapping[str, Any],
    alerts: Iterable[Mapping[str, Any]],
    entity_to_person: Mapping[str, str],
) -> DetectionScores:
    """Score alerts (export rows) against the planted networks and confounders."""
    rows = list(alerts)
    networks = truth["networks"]
    victims = {v for n in networks for v in n["victims"]}
    perpetrators = {p for n in networks for p in n["perpetrators"]}
    planted = victims | perpetrators
    confounders = {p for c in truth["confounders"] for p in c["people"]} - planted
    scores = DetectionScores(alerts=len(rows), networks=len(networks), victims=len(victims))

    named: set[str] = set()
    named_children: set[str] = set()
    named_suspects: set[str] = set()
    precise = 0
    first_hit: dict[str, date] = {}
    by_rule: dict[str, Counter[str]] = {}
    for row in sorted(rows, key=lambda r: str(r["raised_at"])):
        people = [
            (entity_to_person.get(str(p["entity_id"])), str(p["role"])) for p in row["persons"]
        ]
        people_known = [(p, role) for p, role in people if p is not None]
        names = {p for p, _ in people_known}
        named |= names
        named_children |= {p for p, role in people_known if role == "child"}
        named_suspects |= {p for p, role in people_known if role in ("suspect", "associate")}
        hit = bool(names & planted)
        precise += hit
        counts = by_rule.setdefault(str(row["rule"]), Counter())
        counts["alerts"] += 1
        counts["naming_network_member"] += hit
        # When the alert first named enough of a network: an alert that grew to take in a
        # second network found it when it grew, not when it was first raised.
        since: dict[str, date] = {}
        for p, (person, _) in zip(row["persons"], people, strict=True):
            if person is not None:
                at = _day(str(p.get("since") or row["raised_at"]))
                since[person] = min(at, since.get(person, at))
        for network in networks:
            found = _found_at(since, set(network["victims"]), set(network["perpetrators"]))
            if found is not None and found < first_hit.get(network["id"], date.max):
                first_hit[network["id"]] = found

    scores.networks_found = len(first_hit)
    scores.network_recall = len(first_hit) / len(networks) if networks else 0.0
    scores.alert_precision = precise / len(rows) if rows else 0.0
    scores.people_named = len(named)
    scores.named_person_precision = len(named & planted) / len(named) if named else 0.0
    scores.confounder_people = len(confounders)
    scores.confounders_named_as_suspects = len(named_suspects & confounders)
    scores.confounder_suspect_share = (
        len(named_suspects & confounders) / len(confounders) if confounders else 0.0
    )
    scores.victims_named = len(named_children & victims)
    scores.child_recall = len(named_children & victims) / len(victims) if victims else 0.0
    for network in networks:
        if network["id"] in first_hit:
            start = date.fromisoformat(network["start"])
            scores.lead_days[network["id"]] = (first_hit[network["id"]] - start).days
    if scores.lead_days:
        scores.median_lead_days = float(statistics.median(scores.lead_days.values()))
    scores.by_rule = {rule: dict(c) for rule, c in sorted(by_rule.items())}
    return scores


def truth_resolver(truth: Mapping[str, Any], anonymous: Iterable[str] = ()) -> dict[str, str]:
    """The oracle's mention → entity map, for developing and testing the rules.

    Perfect entity resolution, except that a mention with no name and no identifier
    (`anonymous`: "an older boyfriend, about 24") stays on its own, as no real linkage
    could place it. Unknown mentions are left out (callers let them stand alone).
    """
    alone = set(anonymous)
    return {
        m: person
        for person, mentions in truth["people"].items()
        for m in mentions
        if m not in alone
    }
