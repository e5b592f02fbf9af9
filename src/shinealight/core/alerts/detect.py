"""The pattern detectors: one function per rule kind, each returning explained findings.

Every finding's `first_data_time` is the data time at which its condition first held
using only records recorded by then, so a batch run over history gives the same times
as a replay that runs the rules after every step.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from shinealight.core.alerts.config import (
    CrossAreaRule,
    EmergingNetworkRule,
    EscalationRule,
    JigsawRule,
    Rule,
    SharedAdultRule,
    SharedObjectRule,
)
from shinealight.core.alerts.context import ChildContact, Context, ObjectContact
from shinealight.core.alerts.explain import (
    compose,
    day,
    indicator_labels,
    join,
    number,
    person_phrase,
)
from shinealight.core.alerts.findings import Evidence, Finding, LawfulNote, Subject
from shinealight.core.network import RecordFact, connected_groups

T = TypeVar("T")

OBJECT_NAMES = {
    "vehicle": "Vehicle",
    "phone": "Phone number",
    "online": "Online account",
    "location": "Place",
}


def first_time_with(
    events: Sequence[tuple[datetime, datetime, T]], minimum: int, window: timedelta
) -> datetime | None:
    """The earliest time at which `minimum` distinct items are present.

    Each event is (qualifies_at, happened_at, item): the item counts from `qualifies_at`
    on, for as long as `happened_at` is within `window` of the moment considered. One
    sweep over the events in time order, so a place seen around thousands of children
    costs what its events number, not their square.
    """
    arriving = sorted(events, key=lambda e: e[0])
    present: Counter[T] = Counter()
    leaving: list[tuple[datetime, int, T]] = []  # (last moment it counts, order, item)
    i = 0
    while i < len(arriving):
        t = arriving[i][0]
        while i < len(arriving) and arriving[i][0] == t:
            _, happened, item = arriving[i]
            if happened >= t - window:
                present[item] += 1
                heapq.heappush(leaving, (happened + window, i, item))
            i += 1
        while leaving and leaving[0][0] < t:
            _, _, item = heapq.heappop(leaving)
            present[item] -= 1
            if not present[item]:
                del present[item]
        if len(present) >= minimum:
            return t
    return None


def time_windows(records: Sequence[RecordFact], window: timedelta) -> Iterator[tuple[int, int]]:
    """For each record, oldest first, the slice `records[lo:hi]` recorded within `window`
    up to it (records recorded at the same moment included).

    `records` must be in time order; both ends only move forward, so walking every
    window costs one pass, however many records a child has.
    """
    lo = hi = 0
    for r in records:
        t = r.recorded_at
        while hi < len(records) and records[hi].recorded_at <= t:
            hi += 1
        while records[lo].recorded_at < t - window:
            lo += 1
        yield lo, hi


class _Tally:
    """A running count of what the records in a moving window carry."""

    def __init__(self, records: Sequence[RecordFact], items: Callable[[RecordFact], Iterable[Any]]):
        self.records, self.items = records, items
        self.counts: Counter[Any] = Counter()
        self.lo = self.hi = 0

    def move(self, lo: int, hi: int) -> Counter[Any]:
        for r in self.records[self.hi : hi]:
            self.counts.update(self.items(r))
        for r in self.records[self.lo : lo]:
            self.counts.subtract(self.items(r))
        self.lo, self.hi = lo, hi
        return +self.counts


class _Citations:
    """Evidence for the records in the windows where a condition held, each cited once.

    `note` says why a record is cited, or None to leave it out.
    """

    def __init__(self, records: Sequence[RecordFact], note: Callable[[RecordFact], str | None]):
        self.records, self.note = records, note
        self.cited: dict[str, Evidence] = {}
        self.upto = 0

    def cite(self, lo: int, hi: int) -> None:
        for r in self.records[max(lo, self.upto) : hi]:
            note = self.note(r)
            if note is not None:
                self.cited[r.key] = _evidence(r, note)
        self.upto = max(self.upto, hi)


def _evidence(record: RecordFact, note: str = "") -> Evidence:
    return Evidence(
        record=record.key,
        agency=record.agency,
        record_id=record.record_id,
        event_type=record.event_type,
        at=record.occurred_at or record.recorded_at,
        recorded_at=record.recorded_at,
        grading=record.grading,
        note=note,
    )


def _trim(evidence: dict[str, Evidence], first: datetime, limit: int) -> tuple[Evidence, ...]:
    """Keep the records that established the alert, then the newest, up to `limit`."""
    ordered = sorted(evidence.values(), key=lambda e: (e.recorded_at, e.record))
    if len(ordered) <= limit:
        return tuple(ordered)
    founding = [e for e in ordered if e.recorded_at <= first][: limit // 2]
    rest = [e for e in ordered if e not in founding]
    return tuple(sorted(founding + rest[-(limit - len(founding)) :], key=lambda e: e.recorded_at))


def _severity(rule: Rule, children: int) -> str:
    if rule.high_from_children is not None and children >= rule.high_from_children:
        return "high"
    return rule.severity


def _area(records: Iterable[RecordFact]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for r in records:
        if r.area:
            counts[r.area] += 1
    return min(counts, key=lambda a: (-counts[a], a)) if counts else ""


class Detector:
    """Runs the rules over one context (the network and the derived facts)."""

    def __init__(self, ctx: Context, per_child: Collection[str] | None = None) -> None:
        """`per_child`: the only children whose own history the rules about one child
        (jigsaw, escalation) look at; None for all."""
        self.ctx = ctx
        self.per_child = None if per_child is None else set(per_child)
        self.g = ctx.graph
        self.limit = ctx.d.max_evidence
        # Contacts with a lawful reason, by record (in the context's order): each finding
        # looks up its own cited records instead of scanning every contact.
        self._lawful_by_record: dict[str, list[tuple[int, ChildContact]]] = defaultdict(list)
        for index, contact in enumerate(ctx.child_contacts):
            if contact.lawful is not None:
                self._lawful_by_record[contact.record.key].append((index, contact))

    def run(self, rules: Sequence[Rule]) -> list[Finding]:
        handlers: dict[str, Callable[[Rule], list[Finding]]] = {
            "shared_adult": self._shared_adult,  # type: ignore[dict-item]
            "shared_object": self._shared_object,  # type: ignore[dict-item]
            "jigsaw": self._jigsaw,  # type: ignore[dict-item]
            "escalation": self._escalation,  # type: ignore[dict-item]
            "emerging_network": self._emerging_network,  # type: ignore[dict-item]
            "cross_area": self._cross_area,  # type: ignore[dict-item]
        }
        findings: list[Finding] = []
        for rule in rules:
            findings.extend(handlers[rule.kind](rule))
        for f in findings:
            # A peer recruiter who has turned 18 can be a child and an adult of one group:
            # she is named once, in the role she was first named in.
            seen: set[tuple[str, str]] = set()
            unique = []
            for s in f.subjects:
                if (s.kind, s.entity) not in seen:
                    seen.add((s.kind, s.entity))
                    unique.append(s)
            f.subjects = tuple(unique)
        return sorted(findings, key=lambda f: (f.first_data_time, f.key))

    # helpers -------------------------------------------------------------------------------

    def _per_child(self) -> list[str]:
        """The children at risk whose own history the per-child rules look at."""
        chosen = self.per_child
        return [c for c in sorted(self.ctx.at_risk_since) if chosen is None or c in chosen]

    def _child(self, entity: str, since: datetime | None = None) -> Subject:
        return Subject("person", entity, "child", self.g.label(entity), since)

    def _children_since(
        self, events: Sequence[tuple[datetime, datetime, str]], first: datetime
    ) -> list[Subject]:
        earliest: dict[str, datetime] = {}
        for q, _, child in events:
            earliest[child] = min(q, earliest.get(child, q))
        return [self._child(c, max(first, t)) for c, t in sorted(earliest.items())]

    def _child_phrase(self, entity: str) -> str:
        signs = self.ctx.risk_signs.get(entity, [])
        detail = f"at risk: {indicator_labels(signs)}" if signs else ""
        return person_phrase(self._child(entity), detail)

    def _qualifies(self, child: str, at: datetime) -> datetime | None:
        since = self.ctx.at_risk_since.get(child)
        return None if since is None else max(since, at)

    def _lawful_notes(self, records: Iterable[str], exclude: set[str]) -> tuple[LawfulNote, ...]:
        """How each adult with a lawful reason in the cited records was treated."""
        notes: dict[str, LawfulNote] = {}
        contacts = sorted(
            (pair for r in set(records) for pair in self._lawful_by_record.get(r, ())),
            key=lambda pair: pair[0],
        )
        for _, contact in contacts:
            entity = contact.adult.entity
            if entity in exclude or entity in notes or contact.lawful is None:
                continue
            notes[entity] = LawfulNote(entity, self.g.label(entity), contact.lawful)
        return tuple(notes[k] for k in sorted(notes))

    # shared adult -------------------------------------------------------------------------

    def _suspicious_contacts(self) -> dict[str, list[ChildContact]]:
        by_adult: dict[str, list[ChildContact]] = defaultdict(list)
        for contact in self.ctx.child_contacts:
            if contact.lawful is None and contact.adult.role in self.ctx.d.adult_roles:
                by_adult[contact.adult.entity].append(contact)
        return by_adult

    def _shared_adult(self, rule: SharedAdultRule) -> list[Finding]:
        window = timedelta(days=rule.window_days)
        out = []
        for adult, contacts in sorted(self._suspicious_contacts().items()):
            events = [
                (q, c.record.recorded_at, c.child.entity)
                for c in contacts
                if (q := self._qualifies(c.child.entity, c.record.recorded_at)) is not None
            ]
            first = first_time_with(events, rule.min_children, window)
            if first is None:
                continue
            children = sorted({e[2] for e in events})
            kept = [c for c in contacts if c.child.entity in children]
            evidence = {c.record.key: _evidence(c.record, c.linked_as) for c in kept}
            trimmed = _trim(evidence, first, self.limit)
            label = self.g.label(adult)
            roles = sorted({c.adult.role or "role not recorded" for c in kept})
            opening = (
                f"{label} ({adult}, {self.ctx.age_phrase(adult, first)}; recorded as "
                f"{join(roles)}) was recorded with {number(len(children))} children at risk: "
                f"{join([self._child_phrase(c) for c in children])}"
            )
            subjects = (
                Subject("person", adult, "suspect", label, first),
                *self._children_since(events, first),
            )
            lawful = self._lawful_notes((e.record for e in trimmed), {adult, *children})
            out.append(
                Finding(
                    rule=rule.id,
                    key=f"{rule.id}:{adult}",
                    severity=_severity(rule, len(children)),
                    title=f"{label}: adult with {len(children)} children at risk",
                    area=_area(c.record for c in kept),
                    subjects=subjects,
                    evidence=trimmed,
                    first_data_time=first,
                    last_data_time=max(e.recorded_at for e in trimmed),
                    lawful=lawful,
                    opening=opening,
                    explanation=compose(opening, trimmed, lawful),
                )
            )
        return out

    # shared object ------------------------------------------------------------------------

    def _object_contacts(self, kinds: Iterable[str]) -> dict[tuple[str, str], list[ObjectContact]]:
        wanted = set(kinds)
        public = set(self.ctx.d.public_place_kinds)
        public_places = {
            o.entity
            for c in self.ctx.object_contacts
            if (o := c.obj).kind == "location" and o.place_kind in public
        }
        grooming = set(self.ctx.d.indicator_categories.get("grooming", ()))
        needs_sign = self.ctx.d.place_needs_grooming_sign
        by_object: dict[tuple[str, str], list[ObjectContact]] = defaultdict(list)
        for contact in self.ctx.object_contacts:
            obj = contact.obj
            if obj.kind not in wanted or contact.lawful is not None:
                continue
            if obj.kind == "location" and (
                obj.entity in public_places
                or (needs_sign and not grooming.intersection(contact.record.indicators))
            ):
                continue
            by_object[(obj.kind, obj.entity)].append(contact)
        return by_object

    def _shared_object(self, rule: SharedObjectRule) -> list[Finding]:
        window = timedelta(days=rule.window_days)
        out = []
        for (kind, entity), contacts in sorted(self._object_contacts([rule.object_kind]).items()):
            if not rule.include_partial and any(c.obj.partial for c in contacts):
                contacts = [c for c in contacts if not c.obj.partial]
            events = [
                (q, c.record.recorded_at, c.child.entity)
                for c in contacts
                if (q := self._qualifies(c.child.entity, c.record.recorded_at)) is not None
            ]
            first = first_time_with(events, rule.min_children, window)
            if first is None:
                continue
            children = sorted({e[2] for e in events})
            kept = [c for c in contacts if c.child.entity in children]
            evidence = {
                c.record.key: _evidence(c.record, "found in the note" if c.obj.extracted else "")
                for c in kept
            }
            trimmed = _trim(evidence, first, self.limit)
            label = _object_label(kept)
            owners = sorted({o for c in kept for o in c.obj.owners if o not in children})
            owner_subjects = tuple(
                Subject("person", o, "associate", self.g.label(o), first) for o in owners
            )
            opening = (
                f"{OBJECT_NAMES[kind]} {label} was recorded around {number(len(children))} "
                f"children at risk: {join([self._child_phrase(c) for c in children])}"
            )
            if owners:
                opening += f". Recorded with it: {join([person_phrase(s) for s in owner_subjects])}"
            subjects = (
                Subject(kind, entity, "object", label, first),
                *self._children_since(events, first),
                *owner_subjects,
            )
            lawful = self._lawful_notes((e.record for e in trimmed), {*children, *owners})
            out.append(
                Finding(
                    rule=rule.id,
                    key=f"{rule.id}:{entity}",
                    severity=_severity(rule, len(children)),
                    title=f"{OBJECT_NAMES[kind]} {label} with {len(children)} children at risk",
                    area=_area(c.record for c in kept),
                    subjects=subjects,
                    evidence=trimmed,
                    first_data_time=first,
                    last_data_time=max(e.recorded_at for e in trimmed),
                    lawful=lawful,
                    opening=opening,
                    explanation=compose(opening, trimmed, lawful),
                )
            )
        return out

    # jigsaw -------------------------------------------------------------------------------

    def _child_records(self, child: str) -> list[RecordFact]:
        return [
            r
            for r in self.g.records_of(child)
            if any(p.entity == child for p in self.g.subjects_of(r.key))
        ]

    def _jigsaw(self, rule: JigsawRule) -> list[Finding]:
        window = timedelta(days=rule.window_days)
        grooming = set(self.ctx.d.indicator_categories.get("grooming", ()))
        risk_codes = self.ctx.risk_codes
        out = []
        for child in self._per_child():
            records = self._child_records(child)
            meetings = [
                r.recorded_at
                for r in self.g.records_of(child)
                if r.event_type in rule.strategy_event_types
            ]
            concerns = [r for r in records if any(c in risk_codes for c in r.indicators)]
            first: datetime | None = None
            sources = _Tally(concerns, lambda c: (c.agency,))
            signs = _Tally(
                concerns, lambda c: ("sign" for code in c.indicators if code in grooming)
            )
            citations = _Citations(
                concerns, lambda c: indicator_labels([i for i in c.indicators if i in risk_codes])
            )
            for r, (lo, hi) in zip(concerns, time_windows(concerns, window), strict=True):
                t = r.recorded_at
                agencies, grooming_signs = sources.move(lo, hi), signs.move(lo, hi)
                if (
                    len(agencies) < rule.min_agencies
                    or grooming_signs["sign"] < rule.min_grooming_signs
                ):
                    continue
                before = bisect_right(meetings, t)
                if before and meetings[before - 1] >= t - window:
                    continue  # a strategy discussion was held within the window
                first = first or t
                citations.cite(lo, hi)
            if first is None:
                continue
            trimmed = _trim(citations.cited, first, self.limit)
            agencies_cited = sorted({e.agency for e in trimmed})
            opening = (
                f"{number(len(agencies_cited)).capitalize()} agencies recorded concerns about "
                f"{self._child_phrase(child)} within {rule.window_days} days "
                f"({join(agencies_cited)}), and no strategy discussion is recorded in that time"
            )
            title = f"{self.g.label(child)}: concerns from {len(agencies_cited)} agencies"
            out.append(self._child_finding(rule, child, title, first, trimmed, opening))
        return out

    def _child_finding(
        self, rule: Any, child: str, title: str, first: datetime, trimmed: Any, opening: str
    ) -> Finding:
        """A finding about one child (jigsaw, escalation), explained from its evidence."""
        lawful = self._lawful_notes((e.record for e in trimmed), {child})
        return Finding(
            rule=rule.id,
            key=f"{rule.id}:{child}",
            severity=rule.severity,
            title=title,
            area=_area(self.g.records[e.record] for e in trimmed),
            subjects=(self._child(child, first),),
            evidence=trimmed,
            first_data_time=first,
            last_data_time=max(e.recorded_at for e in trimmed),
            lawful=lawful,
            opening=opening,
            explanation=compose(opening, trimmed, lawful),
        )

    # escalation ---------------------------------------------------------------------------

    def _escalation(self, rule: EscalationRule) -> list[Finding]:
        missing_window = timedelta(days=rule.missing_window_days)
        spread_window = timedelta(days=rule.spread_window_days)
        category_of = self.ctx.category_of
        out = []
        for child in self._per_child():
            records = self._child_records(child)
            missing = [r for r in records if r.event_type in rule.missing_event_types]
            first: datetime | None = None
            reasons: list[str] = []
            episodes = _Citations(missing, lambda m: "missing episode")
            for r, (lo, hi) in zip(missing, time_windows(missing, missing_window), strict=True):
                if hi - lo < rule.missing_count:
                    continue
                if first is None:
                    first = r.recorded_at
                    reasons.append(
                        f"went missing {number(hi - lo)} times within "
                        f"{rule.missing_window_days} days (by {day(r.recorded_at)})"
                    )
                episodes.cite(lo, hi)
            spread_first: datetime | None = None
            areas = _Tally(
                records, lambda c: {category_of[i] for i in c.indicators if i in category_of}
            )
            concerns = _Citations(records, self._concern_note)
            for r, (lo, hi) in zip(records, time_windows(records, spread_window), strict=True):
                categories = areas.move(lo, hi)
                if len(categories) < rule.spread_categories:
                    continue
                if spread_first is None:
                    spread_first = r.recorded_at
                    reasons.append(
                        f"had concerns in {number(len(categories))} areas of life "
                        f"({join(sorted(categories))}) within {rule.spread_window_days} days "
                        f"(by {day(r.recorded_at)})"
                    )
                concerns.cite(lo, hi)
            # A record cited for both reasons is described by its concerns.
            cited = episodes.cited | concerns.cited
            if spread_first is not None and (first is None or spread_first < first):
                first = spread_first
            if first is None:
                continue
            trimmed = _trim(cited, first, self.limit)
            opening = f"{self._child_phrase(child)} {join(reasons)}"
            title = f"{self.g.label(child)}: escalating risk"
            out.append(self._child_finding(rule, child, title, first, trimmed, opening))
        return out

    def _concern_note(self, record: RecordFact) -> str | None:
        codes = [i for i in record.indicators if i in self.ctx.category_of]
        return indicator_labels(codes) if codes else None

    # emerging network ---------------------------------------------------------------------

    def _emerging_network(self, rule: EmergingNetworkRule) -> list[Finding]:
        # Edges in the order they became known; the group fires when it first has enough
        # children at risk and adults, and every later edge only grows it.
        edges: list[tuple[datetime, str, str, RecordFact]] = []
        for adult, contacts in self._suspicious_contacts().items():
            for c in contacts:
                q = self._qualifies(c.child.entity, c.record.recorded_at)
                if q is not None:
                    edges.append((q, "A:" + adult, "C:" + c.child.entity, c.record))
        for (kind, entity), seen in self._object_contacts(rule.connect_through).items():
            node = f"O:{kind}|{entity}"
            for oc in seen:
                if oc.obj.partial:
                    continue
                q = self._qualifies(oc.child.entity, oc.record.recorded_at)
                if q is not None:
                    edges.append((q, node, "C:" + oc.child.entity, oc.record))
                for owner in oc.obj.owners:
                    if owner != oc.child.entity and "A:" + owner:
                        edges.append((oc.record.recorded_at, node, "A:" + owner, oc.record))
        edges.sort(key=lambda e: (e[0], e[3].key, e[1], e[2]))

        adults_with_children = {e[1] for e in edges if e[1].startswith("A:")}
        parent: dict[str, str] = {}
        members: dict[str, set[str]] = {}
        fired: dict[str, datetime] = {}
        # Counts kept per group as groups merge: recounting a group on every edge made a
        # partnership with one large connected component quadratic.
        n_children: dict[str, int] = {}
        n_adults: dict[str, int] = {}

        def find(n: str) -> str:
            if n not in parent:
                parent[n] = n
                members[n] = {n}
                n_children[n] = int(n.startswith("C:"))
                n_adults[n] = int(n.startswith("A:") and n in adults_with_children)
            while parent[n] != n:
                parent[n] = parent[parent[n]]
                n = parent[n]
            return n

        since: dict[str, datetime] = {}
        for t, a, b, _ in edges:
            ra, rb = find(a), find(b)
            if ra != rb:
                if len(members[ra]) < len(members[rb]):
                    ra, rb = rb, ra
                parent[rb] = ra
                joining = members.pop(rb)
                members[ra] |= joining
                n_children[ra] += n_children.pop(rb)
                n_adults[ra] += n_adults.pop(rb)
                times = [fired.pop(r) for r in (ra, rb) if r in fired]
                if times:
                    fired[ra] = min(times)
                    # Whoever joins a group that has fired is named from now on.
                    for n in joining:
                        since.setdefault(n, t)
            if ra not in fired and (
                n_children[ra] >= rule.min_children and n_adults[ra] >= rule.min_adults
            ):
                fired[ra] = t
                for n in members[ra]:
                    since.setdefault(n, t)

        suspicious = self._suspicious_contacts()
        edges_of: dict[str, list[Any]] = defaultdict(list)
        for edge in edges:
            edges_of[find(edge[1])].append(edge)
        out = []
        for root, first in fired.items():
            group = members[root]
            children = sorted(n[2:] for n in group if n.startswith("C:"))
            adults = sorted(
                n[2:] for n in group if n.startswith("A:") and n in adults_with_children
            )
            objects = sorted(n[2:] for n in group if n.startswith("O:"))
            records = {e[3].key: e[3] for e in edges_of.get(root, ())}
            evidence = {k: _evidence(r) for k, r in records.items()}
            trimmed = _trim(evidence, first, self.limit)
            contacts_per_adult = {
                a: len({c.child.entity for c in suspicious.get(a, ())}) for a in adults
            }
            adult_subjects = [
                Subject(
                    "person",
                    a,
                    "suspect" if contacts_per_adult.get(a, 0) >= 2 else "associate",
                    self.g.label(a),
                    since.get("A:" + a, first),
                )
                for a in adults
            ]
            object_subjects = []
            for o in objects:
                kind, key = o.split("|", 1)
                mentions = self.g.object_mentions.get(o, [])
                label = mentions[0].label if mentions else key
                object_subjects.append(
                    Subject(kind, key, "object", label or key, since.get("O:" + o, first))
                )
            opening = (
                f"{number(len(children)).capitalize()} children at risk and "
                f"{number(len(adults))} adults are joined by shared records"
                + (", vehicles, phones, accounts or places" if objects else "")
                + f": children {join([self._child_phrase(c) for c in children])}; adults "
                + join([person_phrase(s) for s in adult_subjects])
            )
            if object_subjects:
                opening += "; through " + join(
                    [f"{s.kind} {s.label}" for s in object_subjects[:10]]
                )
            anchor = children[0]
            lawful = self._lawful_notes((e.record for e in trimmed), {*children, *adults})
            out.append(
                Finding(
                    rule=rule.id,
                    key=f"{rule.id}:{anchor}",
                    severity=rule.severity,
                    title=f"Emerging network: {len(children)} children, {len(adults)} adults",
                    area=_area(records.values()),
                    subjects=(
                        *(self._child(c, since.get("C:" + c, first)) for c in children),
                        *adult_subjects,
                        *object_subjects,
                    ),
                    evidence=trimmed,
                    first_data_time=first,
                    last_data_time=max(e.recorded_at for e in trimmed),
                    lawful=lawful,
                    opening=opening,
                    explanation=compose(opening, trimmed, lawful),
                )
            )
        return out

    # cross-area ---------------------------------------------------------------------------

    def _cross_area(self, rule: CrossAreaRule) -> list[Finding]:
        candidates: dict[tuple[str, str], list[tuple[datetime, RecordFact, str]]] = {}
        if "person" in rule.entity_kinds:
            for adult, contacts in self._suspicious_contacts().items():
                links = [
                    (q, c.record, c.child.entity)
                    for c in contacts
                    if (q := self._qualifies(c.child.entity, c.record.recorded_at)) is not None
                ]
                if links:
                    candidates[("person", adult)] = links
        objects = [k for k in rule.entity_kinds if k != "person"]
        for (kind, entity), seen in self._object_contacts(objects).items():
            links = [
                (q, c.record, c.child.entity)
                for c in seen
                if not c.obj.partial
                and (q := self._qualifies(c.child.entity, c.record.recorded_at)) is not None
            ]
            if links:
                candidates[(kind, entity)] = links
        out = []
        for (kind, entity), links in sorted(candidates.items()):
            if kind == "person":
                records = self.g.records_of(entity)
            else:
                records = self.g.object_records(kind, entity)
            first_in_area: dict[str, RecordFact] = {}
            for r in records:
                if r.area and r.area not in first_in_area:
                    first_in_area[r.area] = r
            if len(first_in_area) < rule.min_areas:
                continue
            linked_at = min(q for q, _, _ in links)
            nth_area = sorted(r.recorded_at for r in first_in_area.values())[rule.min_areas - 1]
            first = max(linked_at, nth_area)
            children = sorted({c for _, _, c in links})
            evidence = {r.key: _evidence(r, f"in {r.area}") for r in first_in_area.values()}
            for _, r, _ in links:
                evidence.setdefault(r.key, _evidence(r, "with a child at risk"))
            trimmed = _trim(evidence, first, self.limit)
            if kind == "person":
                label = self.g.label(entity)
                subject = Subject("person", entity, "suspect", label, first)
                name = f"{label} ({entity})"
            else:
                mentions = self.g.object_mentions.get(f"{kind}|{entity}", [])
                label = mentions[0].label if mentions else entity
                subject = Subject(kind, entity, "object", label, first)
                name = f"{OBJECT_NAMES[kind].lower()} {label}"
            areas = sorted(first_in_area)
            opening = (
                f"The same {name} appears in {number(len(areas))} areas ({join(areas)}) and is "
                f"linked to children at risk: {join([self._child_phrase(c) for c in children])}"
            )
            lawful = self._lawful_notes((e.record for e in trimmed), {entity, *children})
            out.append(
                Finding(
                    rule=rule.id,
                    key=f"{rule.id}:{kind}:{entity}",
                    severity=_severity(rule, len(children)),
                    title=f"{name[0].upper()}{name[1:]} in {len(areas)} areas",
                    area=_area(r for r in first_in_area.values()),
                    subjects=(
                        subject,
                        *self._children_since([(q, q, c) for q, _, c in links], first),
                    ),
                    evidence=trimmed,
                    first_data_time=first,
                    last_data_time=max(e.recorded_at for e in trimmed),
                    lawful=lawful,
                    opening=opening,
                    explanation=compose(opening, trimmed, lawful),
                )
            )
        return out


def _object_label(contacts: Sequence[ObjectContact]) -> str:
    labels = sorted({c.obj.label for c in contacts if c.obj.label and not c.obj.extracted})
    if not labels:
        labels = sorted({c.obj.label for c in contacts if c.obj.label})
    if not labels:
        return contacts[0].obj.entity
    return labels[0]


def groups_of(findings: Iterable[Finding]) -> list[set[str]]:
    """People joined by any finding: a quick view of how the alerts overlap (for reports)."""
    edges: list[tuple[str, str]] = []
    nodes: set[str] = set()
    for f in findings:
        people = [s.entity for s in f.subjects if s.kind == "person"]
        nodes.update(people)
        edges.extend(zip(people, people[1:], strict=False))
    return connected_groups(nodes, edges)
