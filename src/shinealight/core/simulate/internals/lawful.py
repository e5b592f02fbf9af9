"""Lawful contact that looks like exploitation: the confounders listed in truth.json."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from shinealight.core.simulate.internals.world import Person

if TYPE_CHECKING:
    from shinealight.core.simulate.internals.engine import Simulation
    from shinealight.core.simulate.internals.ordinary import OrdinaryLife


class LawfulContact:
    """Taxi runs, placement visits, friends missing together, relatives at one address."""

    def __init__(self, sim: Simulation, life: OrdinaryLife) -> None:
        self.sim = sim
        self.life = life

    def week(self, start: date, end: date) -> None:
        """Generate one week of lawful contact."""
        sim = self.sim
        world = sim.world
        ev = sim.ev
        for driver_pid in world.taxi_drivers:
            if ev.random() < 0.08:
                children = [sim.person(pid) for pid in world.taxi_children[driver_pid]]
                day = sim.day_in(start, end)
                children = [c for c in children if c.looked_after and 10 <= c.age_on(day) <= 17]
                if children:
                    self.school_run(sim.person(driver_pid), ev.choice(children), day)
        for group in world.peer_groups:
            if ev.random() < 0.02:
                day = sim.day_in(start, end)
                friends = [sim.person(pid) for pid in group]
                if all(10 <= f.age_on(day) <= 17 for f in friends):
                    self.missing_together(friends, day)
        for confounder in world.confounders:
            if confounder.kind == "relatives_at_one_address" and ev.random() < 0.02:
                child = sim.person(confounder.people[0])
                day = sim.day_in(start, end)
                if 10 <= child.age_on(day) <= 17:
                    self.life.referral(child, day)
        for key, staff in world.staff_by_home.items():
            if staff and ev.random() < 0.05:
                day = sim.day_in(start, end)
                residents = [
                    c
                    for c in sim.looked_after
                    if c.looked_after
                    and c.carer is None
                    and c.placement is not None
                    and c.placement.name + "|" + c.placement.address.area == key
                    and 10 <= c.age_on(day) <= 17
                ]
                if residents:
                    self.placement_visit(ev.choice(residents), sim.person(ev.choice(staff)), day)
        for carer_pid in world.foster_carers:
            if ev.random() < 0.04:
                day = sim.day_in(start, end)
                placed = [
                    c
                    for c in sim.looked_after
                    if c.carer == carer_pid and 10 <= c.age_on(day) <= 17
                ]
                if placed:
                    self.placement_visit(ev.choice(placed), sim.person(carer_pid), day)

    def school_run(self, driver: Person, child: Person, day: date) -> None:
        """A council-contracted taxi taking a looked-after child to school."""
        sim = self.sim
        vehicle = driver.vehicle
        assert vehicle is not None
        firm = vehicle.taxi_firm.name if vehicle.taxi_firm else "the contracted firm"
        roll = sim.tx.random()
        if roll < 0.6 and child.school is not None and 11 <= child.age_on(day) <= 16:
            b = sim.new(
                child.school.agency,
                "school_concern",
                sim.at(day, 8.5, 10),
                (0, 24),
                child.school.agency.area,
                "CON",
            )
            b.person(child, "subject", "full")
            ref = b.person(driver, "driver", sim.tx.choice(("first", "named")))
            plate = b.vehicle(vehicle, [ref], witness=True)
            minutes = sim.ev.randint(20, 70)
            text = (
                f"{self.life.name(child)} arrived {minutes} minutes late in the contracted "
                f"taxi ({firm}, {plate}). Driver {driver.first} said the traffic was bad."
            )
            # A careful teacher ticks this when an unfamiliar driver brings the child.
            ticks = ("in_car_with_unknown_adults",) if sim.tx.random() < 0.1 else ()
            sim.emit(b, text, ticks)
        elif roll < 0.85:
            area = sim.world.area_by_code[child.area]
            b = sim.new(area.csc, "other", sim.at(day, 9, 17), (1, 72), area.code, "TRN")
            b.person(child, "subject", "named")
            ref = b.person(driver, "driver", "named", phone=True)
            plate = b.vehicle(vehicle, [ref], witness=False)
            sim.emit(
                b,
                f"Transport arranged with {firm}: driver {driver.first} {driver.surname} "
                f"({plate}) to take {self.life.name(child)} to school and to family "
                "contact on Saturdays.",
                ("looked_after",),
            )
        else:
            area_code = sim.residence_area(child, day)
            b = sim.new(sim.world.police, "police_stop", sim.at(day, 7.5, 9), (0.3, 3), area_code)
            ref = b.person(driver, "driver", "full")
            b.person(child, "associate", "named")
            plate = b.vehicle(vehicle, [ref], witness=False)
            sim.emit(
                b,
                f"Private hire vehicle {plate} stopped for a defective brake light. "
                f"Driver licensed, working for {firm}. Passenger is a looked-after child "
                "being taken to school under a council contract. No concerns.",
                (),
            )

    def missing_together(self, friends: list[Person], day: date) -> None:
        """Friends go missing together and are found together, with no adult involved."""
        sim = self.sim
        area = sim.world.area_by_code[sim.residence_area(friends[0], day)]
        place = sim.tx.choice(area.places["park"] + area.places["bus_station"])
        found = (
            f"Found together with friends at {place.name} by officers at "
            f"0{sim.ev.randint(0, 3)}:{sim.ev.randint(10, 59)}; no adults present."
        )
        for child in friends:
            others = [f for f in friends if f is not child]
            self.life.missing(child, day, with_=others, found=found)

    def placement_visit(self, child: Person, carer: Person, day: date) -> None:
        """A social worker's visit to a placement, naming the carer or key worker."""
        sim = self.sim
        area = sim.world.area_by_code[child.area]
        b = sim.new(area.csc, "other", sim.at(day, 9, 18), (2, 24 * 7), area.code, "VIS")
        b.person(child, "subject", "named")
        foster = child.carer is not None
        b.person(carer, "carer", "named", phone=sim.tx.random() < 0.5)
        where = child.placement.name if child.placement else "placement"
        text = (
            f"Statutory visit to {self.life.name(child)} at {where}. "
            f"{'Foster carer' if foster else 'Key worker'} {carer.first} reports "
            f"{child.first} is settled and attending school."
        )
        if foster and sim.tx.random() < 0.4:
            partner = [
                p
                for c in sim.world.confounders
                if carer.pid in c.people
                for p in c.people
                if p != carer.pid
            ]
            if partner:
                other = sim.person(partner[0])
                if other.vehicle is not None:
                    ref = b.person(other, "carer", "first")
                    plate = b.vehicle(other.vehicle, [ref], witness=True)
                    text += (
                        f" {other.first} drives {child.first} to school in the family car "
                        f"({other.vehicle.colour} {other.vehicle.make}, {plate})."
                    )
        sim.emit(b, text, ("looked_after",))

    def make_sure_everyone_is_recorded(self) -> None:
        """Give any confounder nobody wrote about one record, so truth lists only the seen."""
        sim = self.sim
        world = sim.world
        moment = sim.at(world.end - timedelta(days=1), 6, 12)
        for confounder in world.confounders:
            for pid in confounder.people:
                person = sim.person(pid)
                if person.mentions:
                    continue
                area = world.area_by_code[person.area]
                b = sim.new(area.csc, "other", None, (0, 8), area.code, "FR", base=moment)
                if person.is_child:
                    b.person(person, "subject", "named")
                    text = f"Case file review for {person.first}; no open concerns."
                else:
                    b.person(person, "professional", "named", phone=person.important)
                    text = (
                        f"Professionals' meeting: {person.first} {person.surname} attended "
                        f"({confounder.kind.replace('_', ' ')})."
                    )
                sim.emit(b, text, ())
