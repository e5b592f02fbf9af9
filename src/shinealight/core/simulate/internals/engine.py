"""The simulation clock: week by week, ordinary life, lawful look-alikes and networks."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from shinealight.core.simulate.config import SimulationConfig
from shinealight.core.simulate.internals.exploitation import Exploitation
from shinealight.core.simulate.internals.lawful import LawfulContact
from shinealight.core.simulate.internals.networks import Network, NetworkPlanner
from shinealight.core.simulate.internals.noise import Noise
from shinealight.core.simulate.internals.ordinary import OrdinaryLife
from shinealight.core.simulate.internals.render import Mention, RecordBuilder, stamp
from shinealight.core.simulate.internals.world import Agency, Person, World, WorldBuilder
from shinealight.core.simulate.internals.writer import RecordStream


class Simulation:
    """Runs the world forward and streams what each agency writes down.

    Separate random streams keep the parts independent: `world`, `names`, `ethnicity`
    and `plates` build the world, `networks` plans the networks before time starts,
    `events` decides what happens week by week, `text` how it is written down and
    `noise` the recording errors.
    """

    def __init__(
        self, config: SimulationConfig, out_dir: Path, progress: Callable[[int], None] | None
    ) -> None:
        self.config = config
        seed = config.seed
        self.noise = Noise(config.noise, random.Random(f"{seed}:noise"))
        self.builder = WorldBuilder(config, self.noise)
        self.world: World = self.builder.build()
        self.networks: list[Network] = NetworkPlanner(self.world, self.builder).plan()
        self.ev = random.Random(f"{seed}:events")
        self.tx = random.Random(f"{seed}:text")
        self.stream = RecordStream(out_dir, progress)
        world = self.world
        self.kids: list[Person] = [world.people[pid - 1] for pid in world.children]
        self.looked_after: list[Person] = [child for child in self.kids if child.looked_after]
        # Children in a network's grooming or exploitation now, with what a school
        # might add to an absence return about them.
        self.exploitation_active: dict[int, str] = {}
        self.household_of_adult: dict[int, int] = {
            pid: h.hid for h in world.households for pid in h.adults
        }
        self.by_school: dict[str, list[Person]] = {}
        for child in self.kids:
            if child.school is not None:
                self.by_school.setdefault(child.school.agency.code, []).append(child)

    # -- people helpers ---------------------------------------------------------------

    def person(self, pid: int) -> Person:
        """Return the true person with this id number."""
        return self.world.people[pid - 1]

    def parent_of(self, child: Person) -> Person | None:
        """Return the parent an agency would speak to (the first adult of the household)."""
        if child.household < 0:
            return None
        adults = self.world.households[child.household].adults
        return self.person(adults[0]) if adults else None

    def carer_of(self, child: Person) -> Person | None:
        """Return who looks after the child day to day: parent, foster carer or staff."""
        if not child.looked_after:
            return self.parent_of(child)
        if child.carer is not None:
            return self.person(child.carer)
        if child.placement is not None:
            key = child.placement.name + "|" + child.placement.address.area
            staff = self.world.staff_by_home.get(key, [])
            if staff:
                return self.person(self.tx.choice(staff))
        return None

    def siblings_of(self, child: Person) -> list[Person]:
        """Return the other cohort children of the child's household."""
        if child.household < 0:
            return []
        return [
            self.person(pid)
            for pid in self.world.households[child.household].children
            if pid != child.pid
        ]

    def peers_of(self, child: Person, k: int, day: date) -> list[Person]:
        """Return up to `k` schoolmates within two years of the child's age."""
        if child.school is None:
            return []
        pupils = self.by_school[child.school.agency.code]
        out: list[Person] = []
        age = child.age_on(day)
        for _ in range(25):
            if len(out) >= k:
                break
            other = self.ev.choice(pupils)
            if (
                other is not child
                and other not in out
                and abs(other.age_on(day) - age) <= 2
                and 10 <= other.age_on(day) <= 17
            ):
                out.append(other)
        return out

    def residence_area(self, person: Person, day: date) -> str:
        """Return the code of the area the person lives in on `day`."""
        return person.address_on(day)[0].area

    # -- time helpers -------------------------------------------------------------------

    def at(self, day: date, low: float, high: float) -> datetime:
        """Return a moment on `day` between hours `low` and `high` (24-hour clock)."""
        minutes = int(self.tx.uniform(low, high) * 60)
        minutes = max(0, min(minutes, 24 * 60 - 1))
        return datetime.combine(day, time(minutes // 60, minutes % 60))

    def day_in(self, start: date, end: date) -> date:
        """Return a random day in [start, end)."""
        span = max(1, (end - start).days)
        return start + timedelta(days=self.ev.randrange(span))

    # -- records ------------------------------------------------------------------------

    def new(
        self,
        agency: Agency,
        kind: str,
        occurred: datetime | None,
        lag_hours: tuple[float, float],
        area: str | None,
        prefix: str = "",
        base: datetime | None = None,
    ) -> RecordBuilder:
        """Start a record written `lag_hours` after the event (or after `base`)."""
        anchor = base or occurred
        assert anchor is not None
        recorded = anchor + timedelta(minutes=int(self.tx.uniform(*lag_hours) * 60))
        return RecordBuilder(
            self.world, self.noise, self.tx, agency, kind, occurred, recorded, area, prefix
        )

    def emit(
        self,
        b: RecordBuilder,
        summary: str | None,
        indicators: tuple[str, ...] | list[str] = (),
        grading: dict[str, str] | None = None,
        update: str | None = None,
    ) -> dict[str, Any]:
        """Queue a record; with `update` text, sometimes send a later version too."""
        record = b.record(summary, indicators, grading)
        mentions = tuple(b.mentions)
        people = self.world.people
        for pid, _ in mentions:
            people[pid - 1].mentions += 1
        self.stream.push(record, mentions)
        if update is not None and self.tx.random() < self.config.update_rate:
            self.send_update(b, record, mentions, update)
        return record

    def send_update(
        self,
        b: RecordBuilder,
        record: dict[str, Any],
        mentions: tuple[Mention, ...],
        text: str,
        change: Callable[[dict[str, Any]], None] | None = None,
        after_hours: tuple[float, float] = (6, 24 * 21),
    ) -> None:
        """Send the record again later with more written: an update, not a new record."""
        newer = dict(record)
        newer["recorded_at"] = stamp(b.recorded + timedelta(hours=self.tx.uniform(*after_hours)))
        newer["summary"] = f"{record.get('summary', '')} UPDATE: {text}".strip()
        if change is not None:
            change(newer)
        self.stream.push(newer, mentions, update=True)

    # -- the clock ----------------------------------------------------------------------

    def run(self) -> None:
        """Advance week by week to the end of the period, then write truth."""
        world = self.world
        life = OrdinaryLife(self)
        look_alikes = LawfulContact(self, life)
        networks = Exploitation(self)
        week = world.start
        try:
            while week < world.end:
                end = min(world.end, week + timedelta(days=7))
                life.week(week, end)
                look_alikes.week(week, end)
                networks.week(week, end)
                if end >= world.end:
                    # Late entries for anyone planted but never written about, dated in
                    # this last week so that the file stays in recorded order.
                    networks.make_sure_everyone_is_recorded()
                    look_alikes.make_sure_everyone_is_recorded()
                # Nothing generated later can be recorded before `end`.
                self.stream.flush_before(stamp(datetime.combine(end, time())))
                week = end
            self.stream.finish(self.truth_head(), len(world.people))
        except BaseException:
            self.stream.abort()
            raise

    def truth_head(self) -> dict[str, Any]:
        """Return truth.json's networks and confounders (people are streamed)."""
        people = self.world.people
        networks = []
        for n in self.networks:
            networks.append(
                {
                    "id": n.nid,
                    "pattern": n.pattern,
                    "area": n.area.code,
                    "victims": sorted(v.child.tid for v in n.victims),
                    "perpetrators": sorted(p.tid for p in n.perpetrators),
                    # Only what some agency wrote down: a car nobody saw cannot be found.
                    "vehicles": sorted({v.plate.normalised for v in n.seen_vehicles}),
                    "locations": sorted({p.address.postcode for p in n.seen_places}),
                    "start": n.start.isoformat(),
                    "end": n.end.isoformat(),
                }
            )
        confounders = [
            {
                "kind": c.kind,
                "people": sorted(people[pid - 1].tid for pid in c.people),
                "note": c.note,
            }
            for c in self.world.confounders
        ]
        return {"confounders": confounders, "networks": networks}
