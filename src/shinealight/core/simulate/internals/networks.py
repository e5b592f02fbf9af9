"""Exploitation networks planned up front, following documented modus operandi."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from shinealight.core.simulate.internals import ids
from shinealight.core.simulate.internals.world import (
    Area,
    Person,
    Place,
    Vehicle,
    World,
    WorldBuilder,
)

# Patterns from domain.md §2 (localised grooming, peer introducers, parties and movement,
# taxis and takeaways, online contact). Order matters only for the first networks: a peer
# recruiter early in the period has time to become an adult offender in a later network.
PATTERNS = (
    "peer_recruiter",
    "boyfriend",
    "party_flat",
    "takeaway",
    "taxi",
    "hotel_movement",
    "online",
)

# (victims low, high), (perpetrators low, high), share of boys among victims
_SHAPE: dict[str, tuple[tuple[int, int], tuple[int, int], float]] = {
    "boyfriend": ((2, 4), (2, 4), 0.15),
    "peer_recruiter": ((4, 7), (2, 4), 0.3),
    "party_flat": ((4, 8), (3, 6), 0.35),
    "takeaway": ((3, 7), (2, 5), 0.25),
    "taxi": ((3, 6), (2, 4), 0.2),
    "hotel_movement": ((4, 7), (3, 5), 0.3),
    "online": ((2, 5), (1, 3), 0.45),
}


@dataclass(slots=True, eq=False)
class VictimTrack:
    """One child's path through a network: groomed, exploited, perhaps a disclosure."""

    child: Person
    entry: date
    exploited_from: date
    leaves: date
    recruiter: bool = False
    disclosure: date | None = None
    retracts: bool = False
    new_phone: bool = False


@dataclass(slots=True, eq=False)
class Network:
    """An exploitation network: who, where, which vehicles, and over what period."""

    nid: str
    pattern: str
    area: Area
    other_area: Area | None
    start: date
    end: date
    perpetrators: list[Person]
    victims: list[VictimTrack]
    vehicles: list[Vehicle]
    locations: list[Place]
    arrest: date | None = None
    seen_vehicles: list[Vehicle] = field(default_factory=list)
    seen_places: list[Place] = field(default_factory=list)

    def note(self, objects: list[Vehicle | Place]) -> None:
        """Remember which of the network's vehicles and places an agency wrote down."""
        for item in objects:
            if isinstance(item, Vehicle):
                if item in self.vehicles and item not in self.seen_vehicles:
                    self.seen_vehicles.append(item)
            elif item in self.locations and item not in self.seen_places:
                self.seen_places.append(item)

    @property
    def lead(self) -> Person:
        """The 'boyfriend' or organiser: the perpetrator most often seen."""
        return self.perpetrators[0]


def _add_days(day: date, days: float) -> date:
    return day + timedelta(days=int(days))


class NetworkPlanner:
    """Plans every network before time starts, from its own random stream."""

    def __init__(self, world: World, builder: WorldBuilder) -> None:
        self.world = world
        self.builder = builder
        self.rng = random.Random(f"{world.config.seed}:networks")
        self.used: set[int] = set()
        self.recruiters: list[Person] = []
        self.perpetrators: list[Person] = []
        # Children who could be targeted in an area: living there or in its care.
        self.by_area_gender: dict[tuple[str, str], list[Person]] = {}
        for pid in world.children:
            child = world.people[pid - 1]
            if child.confounder:
                continue
            areas = {child.area, child.addresses[0][1].area}
            for code in sorted(areas):
                self.by_area_gender.setdefault((code, child.gender), []).append(child)

    def plan(self) -> list[Network]:
        """Return the networks, in order of their start."""
        world = self.world
        rng = self.rng
        n = world.config.networks
        span = (world.end - world.start).days
        starts = sorted(rng.uniform(0, max(1.0, span - 270)) for _ in range(n))
        patterns = list(PATTERNS)
        rest = list(PATTERNS[1:])
        rng.shuffle(rest)
        patterns = [PATTERNS[0]] + rest
        networks: list[Network] = []
        for i, offset in enumerate(starts):
            pattern = patterns[i % len(patterns)]
            area = world.areas[i % len(world.areas)]
            others = [a for a in world.areas if a is not area]
            cross = pattern == "hotel_movement" or rng.random() < 0.25
            other_area = rng.choice(others) if cross and others else None
            start = _add_days(world.start, offset)
            end = min(world.end - timedelta(days=1), _add_days(start, rng.uniform(180, 1080)))
            network = self._network(f"N-{i + 1:02d}", pattern, area, other_area, start, end)
            if network is not None:
                networks.append(network)
        return networks

    def _network(
        self, nid: str, pattern: str, area: Area, other_area: Area | None, start: date, end: date
    ) -> Network | None:
        rng = self.rng
        (v_low, v_high), (p_low, p_high), boys = _SHAPE[pattern]
        perpetrators = self._perpetrators(pattern, area, start, rng.randint(p_low, p_high))
        locations = self._locations(pattern, area, other_area)
        vehicles = [p.vehicle for p in perpetrators if p.vehicle is not None]
        network = Network(
            nid, pattern, area, other_area, start, end, perpetrators, [], vehicles, locations
        )
        self._victims(network, rng.randint(v_low, v_high), boys)
        if not network.victims:
            return None
        network.end = max(v.leaves for v in network.victims)
        if network.end < self.world.end - timedelta(days=60) and rng.random() < 0.5:
            network.arrest = network.end
        return network

    def _perpetrators(self, pattern: str, area: Area, start: date, n: int) -> list[Person]:
        rng = self.rng
        world = self.world
        chosen: list[Person] = []
        # A young recruiter who has since turned 18 is drawn in as an adult (domain.md §2).
        grown = [r for r in self.recruiters if r.age_on(start) >= 18 and r not in chosen]
        if grown and rng.random() < 0.85:
            chosen.append(grown[0])
            self.recruiters.remove(grown[0])
        # Some men offend in more than one network.
        if self.perpetrators and rng.random() < 0.45:
            candidate = rng.choice(self.perpetrators)
            if candidate not in chosen:
                chosen.append(candidate)
        while len(chosen) < n:
            low, high = (18, 26) if pattern == "boyfriend" and not chosen else (19, 52)
            gender = "male" if rng.random() < 0.95 else "female"
            person = self.builder.adult(world, area, gender, low, high)
            person.nicknames = self.builder.nickname(person)
            self._equip(person, pattern, area, start)
            chosen.append(person)
            self.perpetrators.append(person)
        if pattern == "boyfriend":
            # The 'boyfriend' is the one the child names; keep him first.
            chosen.sort(key=lambda p: p.age_on(start))
        taken: set[str] = set()
        for person in chosen:
            person.in_network = True
            person.important = True
            # Two men in one group answering to the same street name would make the
            # children's accounts ambiguous in a way real groups avoid.
            for _ in range(6):
                if person.nicknames and not taken.intersection(person.nicknames):
                    break
                person.nicknames = self.builder.nickname(person)
            taken.update(person.nicknames)
            if person.description is None:
                person.description = self.builder.description()
            if person.vehicle is None and rng.random() < 0.6:
                self._car(person, start)
        return chosen

    def _car(self, person: Person, start: date, taxi: Place | None = None) -> None:
        rng = self.rng
        words = self.world.words
        make, model = rng.choice(words.taxi_vehicles if taxi else words.private_vehicles)
        person.vehicle = Vehicle(
            self.world.plates.issue(start.year),
            make,
            model,
            rng.choice(words.colours),
            person.pid,
            taxi_firm=taxi,
        )

    def _equip(self, person: Person, pattern: str, area: Area, start: date) -> None:
        rng = self.rng
        if rng.random() < 0.45:
            person.pnc = ids.pnc_id(rng, start.year - rng.randint(1, 12))
            person.on_probation = rng.random() < 0.4
        if pattern == "taxi":
            self._car(person, start, taxi=rng.choice(area.places["taxi_firm"]))
        elif rng.random() < 0.7:
            self._car(person, start)
        if pattern == "online" or rng.random() < 0.25:
            platform = rng.choice(self.world.words.online_platforms)
            # The handle is made from the person's names, so it is drawn from the name
            # stream: this stream must not depend on names, or ethnicity would leak in.
            person.online = (platform, self.builder.handle(person))

    def _locations(self, pattern: str, area: Area, other_area: Area | None) -> list[Place]:
        rng = self.rng
        places = area.places
        where = other_area or area
        flat = rng.choice(places["flat"])
        chosen: list[Place] = [flat]
        if pattern in ("takeaway", "boyfriend", "peer_recruiter"):
            chosen.append(rng.choice(places["takeaway"]))
        if pattern in ("peer_recruiter", "boyfriend", "online"):
            chosen.append(rng.choice(places["park"] + places["shopping_centre"]))
        if pattern == "taxi":
            chosen.append(rng.choice(places["taxi_rank"]))
        if pattern in ("hotel_movement", "party_flat", "online") or other_area is not None:
            chosen.append(rng.choice(where.places["hotel"]))
        if other_area is not None:
            chosen.append(rng.choice(other_area.places["flat"]))
        unique: list[Place] = []
        for place in chosen:
            if place not in unique:
                unique.append(place)
        return unique

    def _eligible(self, area: Area, day: date, gender: str, school: str | None) -> list[Person]:
        out = []
        for child in self.by_area_gender.get((area.code, gender), []):
            if child.pid in self.used or not 12 <= child.age_on(day) <= 16:
                continue
            if school is not None and (child.school is None or child.school.agency.code != school):
                continue
            out.append(child)
        return out

    def _victims(self, network: Network, n: int, boys: float) -> None:
        rng = self.rng
        world = self.world
        duration = (network.end - network.start).days
        recruiter_school: str | None = None
        for i in range(n):
            entry = (
                network.start
                if i == 0
                else _add_days(network.start, rng.uniform(0, duration * 0.7))
            )
            recruiter = network.pattern == "peer_recruiter" and i == 0
            gender = "male" if rng.random() < boys else "female"
            area = network.area
            if network.other_area is not None and rng.random() < 0.3:
                area = network.other_area
            candidates = self._eligible(area, entry, gender, recruiter_school)
            if not candidates and recruiter_school is not None:
                candidates = self._eligible(area, entry, gender, None)
            if recruiter:
                candidates = [c for c in candidates if c.age_on(entry) >= 15] or candidates
            if not candidates:
                continue
            weights = [_vulnerability_weight(c) for c in candidates]
            child = rng.choices(candidates, weights=weights)[0]
            self.used.add(child.pid)
            child.in_network = True
            child.important = True
            grooming = rng.uniform(30, 120)
            exploited_from = _add_days(entry, grooming)
            eighteen = date(child.dob.year + 18, child.dob.month, min(child.dob.day, 28))
            leaves = min(
                network.end,
                eighteen - timedelta(days=1),
                _add_days(entry, rng.uniform(180, 900)),
                world.end - timedelta(days=1),
            )
            if leaves <= exploited_from:
                leaves = min(world.end - timedelta(days=1), _add_days(exploited_from, 30))
            track = VictimTrack(
                child,
                entry,
                exploited_from,
                leaves,
                recruiter=recruiter,
                new_phone=rng.random() < 0.6,
            )
            if rng.random() < 0.3 and (leaves - exploited_from).days > 20:
                track.disclosure = _add_days(
                    exploited_from, rng.uniform(10, (leaves - exploited_from).days)
                )
                track.retracts = rng.random() < 0.5
            network.victims.append(track)
            if recruiter:
                self.recruiters.append(child)
                if child.school is not None:
                    recruiter_school = child.school.agency.code
        network.victims.sort(key=lambda v: (v.entry, v.child.pid))


def _vulnerability_weight(child: Person) -> float:
    # Care, prior abuse and persistent absence raise the chance of being targeted
    # (domain.md §3); ethnicity is deliberately absent from this weighting.
    weight = 1.0
    vulns = child.vulnerabilities
    if "looked_after" in vulns:
        weight *= 6
    if "child_protection_plan" in vulns:
        weight *= 3
    if "prior_abuse" in vulns:
        weight *= 2
    if "learning_disability" in vulns or "mental_health" in vulns:
        weight *= 1.5
    if child.absence > 0.3:
        weight *= 2
    return weight
