"""Ordinary life: most of the data, and the reason no indicator means much on its own."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from shinealight.core.simulate.internals.draw import poisson, pronouns
from shinealight.core.simulate.internals.world import Person

if TYPE_CHECKING:
    from shinealight.core.simulate.internals.engine import Simulation

# Half terms end about here each year; schools send absence returns then.
HALF_TERM_ENDS = ((2, 14), (3, 29), (5, 24), (7, 19), (10, 25), (12, 19))

_AE_REASONS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("Fell off bike, pain to left wrist. X-ray NAD. Discharged with advice.", (), 3),
    ("Football injury, right ankle. Soft tissue injury. RICE advice.", (), 3),
    ("Asthma exacerbation, responded to nebulisers. Discharged to GP follow-up.", (), 2),
    ("Abdominal pain, observed 4 hours, settled. Discharged home.", (), 2),
    ("Laceration to hand from broken glass at home. Steri-strips applied.", (), 1),
    ("Head injury after fall at school. GCS 15 throughout. Head injury advice given.", (), 2),
    ("Allergic reaction to nuts, antihistamine given, observed and discharged.", (), 1),
    ("Injury to face after fight with another pupil. Minor bruising only.", (), 1),
    (
        "Brought in by friends, intoxicated after drinking vodka at the park. Observed until "
        "sober.",
        ("alcohol_or_drugs",),
        0.5,
    ),
)
_AE_WEIGHTS = list(itertools.accumulate(r[2] for r in _AE_REASONS))

_MISSING_REASONS = (
    "stayed at a friend's house and did not tell anyone",
    "had an argument with mum about {pos} phone and walked out",
    "lost track of time in town",
    "went to see {pos} dad without permission",
    "was upset about a fall-out with friends and walked around",
    "did not want to go home because of the rows there",
    "stayed out with friends at the park until late",
)
_REFERRALS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "school",
        "School DSL reports concerns about {name}'s hygiene and that {sub} is often "
        "hungry. Mum struggling with her own health.",
        (),
    ),
    (
        "police",
        "Police attended domestic incident at the home address; {name} present in the "
        "house. DASH completed: medium.",
        ("domestic_abuse_at_home",),
    ),
    (
        "health",
        "School nurse reports {name} disclosed low mood and not sleeping; CAMHS "
        "referral also made.",
        ("mental_health",),
    ),
    (
        "parent",
        "Mum requesting support; says {name} is out of control, staying out late and "
        "refusing to go to school.",
        ("change_in_behaviour",),
    ),
    (
        "housing",
        "Family facing eviction; currently sofa-surfing with relatives.",
        ("homeless_or_unstable_housing",),
    ),
    ("anonymous", "Neighbour reports children left alone overnight at the address.", ()),
)
_SCHOOL_CONCERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "{name} appeared tired and withdrawn in lessons. Spoke to DSL, says {sub} is not sleeping "
        "well. Will monitor.",
        ("change_in_behaviour",),
    ),
    ("{name} was collected late again; no one answered the phone until 5pm.", ()),
    ("Fall-out between {name} and friends on social media. Parents informed.", ()),
    ("{name} has not had lunch money for several days. Free school meals form sent home.", ()),
    ("{name} upset in form time, says there are rows at home.", ()),
    ("Uniform and hygiene concerns for {name}. Discussed with parent.", ()),
)
_EXCLUSIONS = (
    "verbal abuse towards staff",
    "fighting",
    "persistent disruptive behaviour",
    "bringing a vape to school",
    "damage to school property",
)


class OrdinaryLife:
    """Everyday events for every child: absences, A&E, stops, missing, referrals."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        rates = sim.config.rates
        episodes = rates.episodes_per_missing_child
        # (rate per weighted child-year, weight for a child, what happens)
        self.kinds: list[
            tuple[float, Callable[[Person, date], float], Callable[[Person, date], None]]
        ] = [
            (rates.ae_attendance, lambda c, d: c.propensity, self.ae),
            (rates.self_harm, self._self_harm_weight, self.self_harm),
            (
                rates.asb_stop,
                lambda c, d: c.propensity * (1.6 if c.gender == "male" else 0.6),
                self.asb,
            ),
            (
                rates.missing_at_home * episodes,
                lambda c, d: 0.0 if c.looked_after else c.propensity,
                self.missing,
            ),
            (
                rates.missing_in_care * episodes,
                lambda c, d: 1.0 if c.looked_after else 0.0,
                self.missing,
            ),
            (rates.referral, self._referral_weight, self.referral),
            (
                rates.cse_assessment,
                lambda c, d: c.propensity * (2.0 if c.looked_after else 1.0),
                self.cse_assessment,
            ),
            (2.5, lambda c, d: 1.0 if c.youth_member else 0.0, self.youth),
            (
                rates.sexual_health_15_17,
                lambda c, d: 1.0 if c.age_on(d) >= 15 else 0.0,
                self.sexual_health,
            ),
            (
                rates.exclusion,
                lambda c, d: c.propensity * (2.0 if c.absence > 0.3 else 1.0),
                self.exclusion,
            ),
            (rates.school_concern, lambda c, d: c.propensity, self.school_concern),
            (0.3, lambda c, d: 1.0 if c.looked_after else 0.0, self.placement_move),
            (
                0.5,
                lambda c, d: 1.0 if "child_protection_plan" in c.vulnerabilities else 0.0,
                self.cp_strategy,
            ),
        ]
        self.year = -1
        self.tables: list[tuple[float, list[float]]] = []
        self.on_probation = [p for p in sim.world.people if p.on_probation and not p.in_network]

    @staticmethod
    def _self_harm_weight(child: Person, day: date) -> float:
        weight = 2.0 if child.gender == "female" else 0.6
        if "mental_health" in child.vulnerabilities:
            weight *= 4
        return weight if child.age_on(day) >= 12 else 0.0

    @staticmethod
    def _referral_weight(child: Person, day: date) -> float:
        del day
        return child.propensity * (1 + 3 * len(child.vulnerabilities))

    def _tables(self, year: int) -> None:
        # Weights are refreshed once a year: ages and circumstances change slowly, and
        # refreshing weekly would cost more than all the events of a large world.
        mid = date(year, 7, 1)
        self.tables = []
        kids = self.sim.kids
        for rate, weight, _ in self.kinds:
            cumulative: list[float] = []
            total = 0.0
            for child in kids:
                if 10 <= child.age_on(mid) <= 17:
                    total += weight(child, mid)
                cumulative.append(total)
            self.tables.append((rate * total, cumulative))
        self.year = year

    def week(self, start: date, end: date) -> None:
        """Generate one week of ordinary events."""
        sim = self.sim
        if start.year != self.year:
            self._tables(start.year)
        fraction = (end - start).days / 365.25
        kids = sim.kids
        for (_, _, happen), (yearly, cumulative) in zip(self.kinds, self.tables, strict=True):
            n = poisson(sim.ev, yearly * fraction)
            if n == 0 or not cumulative or cumulative[-1] <= 0:
                continue
            for child in sim.ev.choices(kids, cum_weights=cumulative, k=n):
                day = sim.day_in(start, end)
                if 10 <= child.age_on(day) <= 17:
                    happen(child, day)
        for month, dom in HALF_TERM_ENDS:
            day = date(start.year, month, dom)
            if start <= day < end:
                self.half_term(day)
        for adult in self.on_probation:
            if sim.ev.random() < 0.06:
                self.probation(adult, sim.day_in(start, end))

    # -- events -----------------------------------------------------------------------

    def name(self, child: Person) -> str:
        """Return how a practitioner would refer to the child in a note."""
        if child.short_forms and self.sim.tx.random() < 0.3:
            return self.sim.tx.choice(child.short_forms)
        return child.first

    def ae(self, child: Person, day: date) -> None:
        """An ordinary emergency-department attendance."""
        sim = self.sim
        text, indicators, _ = sim.tx.choices(_AE_REASONS, cum_weights=_AE_WEIGHTS)[0]
        area = sim.world.area_by_code[sim.residence_area(child, day)]
        b = sim.new(area.ae, "ae_attendance", sim.at(day, 8, 23.5), (0.2, 4), area.code)
        b.person(child, "subject", "full")
        carer = sim.carer_of(child)
        with_whom = ""
        if carer is not None:
            role = "parent" if not child.looked_after else "carer"
            b.person(carer, role, "named", phone=sim.tx.random() < 0.5)
            with_whom = (
                f" Attended with {'mum' if carer.gender == 'female' else 'dad'}."
                if role == "parent"
                else " Attended with carer."
            )
        sim.emit(b, text + with_whom, indicators)

    def self_harm(self, child: Person, day: date) -> None:
        """A hospital attendance for self-harm, with no exploitation behind it."""
        sim = self.sim
        area = sim.world.area_by_code[sim.residence_area(child, day)]
        b = sim.new(area.ae, "ae_attendance", sim.at(day, 15, 23.9), (0.2, 6), area.code)
        b.person(child, "subject", "full")
        text = sim.tx.choice(
            (
                "Superficial self-inflicted cuts to left forearm. Seen by CAMHS liaison; "
                "safety plan agreed, discharged home with follow-up.",
                "Took an overdose of paracetamol (about 10 tablets) after an argument at home. "
                "Bloods taken, admitted overnight. CAMHS to review.",
                "Low mood, reports thoughts of ending life. Assessed by liaison psychiatry.",
            )
        )
        sim.emit(b, text, ("self_harm_or_suicidal", "mental_health"))

    def asb(self, child: Person, day: date) -> None:
        """A group of young people stopped for antisocial behaviour."""
        sim = self.sim
        area = sim.world.area_by_code[sim.residence_area(child, day)]
        kind = sim.tx.choice(("park", "park", "takeaway", "shopping_centre", "bus_station", "shop"))
        place = sim.tx.choice(area.places[kind])
        b = sim.new(sim.world.police, "police_stop", sim.at(day, 16, 23.5), (0.3, 3), area.code)
        b.person(child, "subject", "named")
        peers = sim.peers_of(child, sim.ev.randint(1, 3), day)
        for peer in peers:
            b.person(peer, "associate", sim.tx.choice(("named", "named", "first")))
        b.place(place)
        drink = sim.tx.random() < 0.2
        text = (
            f"Group of {len(peers) + 1} youths causing ASB at {place.name}, throwing "
            f"stones and shouting at passers-by. Details taken and words of advice given."
            + (" Smell of cannabis; small amount of alcohol poured away." if drink else "")
        )
        sim.emit(
            b,
            text,
            ("alcohol_or_drugs",) if drink else (),
            update="Letters sent to parents under the ASB warning scheme.",
        )

    def missing(
        self,
        child: Person,
        day: date,
        *,
        with_: list[Person] | None = None,
        found: str | None = None,
    ) -> None:
        """A missing episode with no exploitation behind it, and the return interview."""
        sim = self.sim
        area_code = sim.residence_area(child, day)
        sub, obj, pos = pronouns(child)
        occurred = sim.at(day, 17, 23.9)
        b = sim.new(sim.world.police, "missing_episode", occurred, (1, 5), area_code, "MFH")
        b.person(child, "subject", "full")
        carer = sim.carer_of(child)
        where = "home"
        if child.looked_after and child.placement is not None:
            where = child.placement.name
        reporter = "mum"
        if carer is not None:
            role = "parent" if not child.looked_after else "carer"
            b.person(carer, role, "named", phone=sim.tx.random() < 0.6)
            if child.looked_after:
                reporter = "carer" if child.carer is not None else "staff"
            elif carer.gender == "male":
                reporter = "dad"
        for friend in with_ or []:
            b.person(friend, "associate", "named")
        reason = sim.tx.choice(_MISSING_REASONS).format(pos=pos)
        hours = sim.ev.randint(3, 30)
        found_text = found or (
            f"Returned after about {hours} hours of own accord; says {sub} {reason}."
        )
        indicators = ["missing_from_care" if child.looked_after else "missing_from_home"]
        text = (
            f"{self.name(child)} ({child.age_on(day)}) reported missing from {where} by "
            f"{reporter}. {found_text}"
        )
        sim.emit(b, text, indicators, update="Safe and well check completed.")
        self.return_interview(
            child, day + timedelta(days=sim.ev.randint(1, 3)), reason, with_ or []
        )

    def return_interview(
        self, child: Person, day: date, reason: str, friends: list[Person]
    ) -> None:
        """The statutory return-home interview after a missing episode."""
        sim = self.sim
        _, _, pos = pronouns(child)
        area = sim.world.area_by_code[child.area]
        if sim.tx.random() < 0.6:
            b = sim.new(area.csc, "return_interview", sim.at(day, 9, 17), (2, 96), area.code, "RHI")
        else:
            b = sim.new(
                sim.world.voluntary, "return_interview", sim.at(day, 9, 17), (4, 120), area.code
            )
        b.person(child, "subject", "named")
        text = f"Return interview with {self.name(child)}. Said {reason}."
        if friends:
            names = " and ".join(f.first for f in friends)
            for friend in friends:
                b.person(friend, "associate", "first")
            text += f" Was with {pos} friends {names}; no adults involved."
        text += sim.tx.choice(
            (
                " No exploitation concerns identified.",
                " No concerns about exploitation, advice given.",
                " Will continue to monitor.",
            )
        )
        sim.emit(b, text, ())

    def referral(self, child: Person, day: date) -> None:
        """A referral to children's social care (neglect, domestic abuse, behaviour…)."""
        sim = self.sim
        area = sim.world.area_by_code[child.area]
        source, template, indicators = sim.tx.choice(_REFERRALS)
        sub, _, _ = pronouns(child)
        b = sim.new(area.csc, "referral", sim.at(day, 9, 17), (1, 48), area.code, "REF")
        b.person(child, "subject", "full")
        parent = sim.parent_of(child)
        if parent is not None:
            b.person(parent, "parent", "named", phone=sim.tx.random() < 0.4)
        for sibling in sim.siblings_of(child):
            b.person(sibling, "sibling", "named")
        text = f"Referral from {source}. " + template.format(name=self.name(child), sub=sub)
        vulns = [v for v in child.vulnerabilities if v != "looked_after"]
        sim.emit(
            b,
            text,
            list(indicators) + vulns[:2],
            update="Outcome: progressed to child and family assessment.",
        )
        if sim.ev.random() < 0.6:
            later = day + timedelta(days=sim.ev.randint(10, 45))
            a = sim.new(area.csc, "assessment", sim.at(later, 9, 17), (1, 72), area.code, "ASM")
            a.person(child, "subject", "full")
            if parent is not None:
                a.person(parent, "parent", "named")
            outcome = sim.tx.choice(
                (
                    "No further action.",
                    "Step down to early help.",
                    "Child in need plan agreed.",
                    "Family support worker allocated.",
                )
            )
            sim.emit(
                a,
                f"Child and family assessment completed for {self.name(child)}. {outcome}",
                vulns[:2],
            )

    def cse_assessment(self, child: Person, day: date) -> None:
        """A CSE screening that finds no exploitation: the concern was something else."""
        sim = self.sim
        area = sim.world.area_by_code[child.area]
        pool = (
            "missing_from_home",
            "absent_from_school",
            "older_associates",
            "change_in_behaviour",
            "online_contact_with_unknown_adults",
            "alcohol_or_drugs",
            "unexplained_gifts_or_money",
            "sexualised_behaviour",
        )
        indicators = sim.tx.sample(pool, k=sim.tx.randint(1, 3))
        b = sim.new(area.csc, "assessment", sim.at(day, 9, 17), (2, 72), area.code, "ASM")
        b.person(child, "subject", "full")
        worry = sim.tx.choice(
            (
                "older friends met online",
                "staying out late",
                "a new group of friends",
                "a relationship with a 17-year-old",
                "messages on social media",
            )
        )
        outcome = sim.tx.choice(
            (
                "Score: low. No evidence of exploitation at this time.",
                "Score: low. Parents given advice on online safety.",
                "Score: medium. Review in 3 months; no named adults.",
            )
        )
        sim.emit(
            b,
            f"CSE screening tool completed for {self.name(child)} following concerns "
            f"about {worry}. {outcome}",
            indicators,
        )

    def youth(self, child: Person, day: date) -> None:
        """A youth-club contact, naming the youth worker."""
        sim = self.sim
        area = sim.world.area_by_code[sim.residence_area(child, day)]
        b = sim.new(area.youth, "youth_work_contact", sim.at(day, 16, 21), (1, 24 * 7), area.code)
        b.person(child, "subject", sim.tx.choice(("first", "named")))
        worker = sim.person(child.youth_worker) if child.youth_worker is not None else None
        text = f"{self.name(child)} attended drop-in session."
        if worker is not None:
            b.person(worker, "professional", "named", phone=sim.tx.random() < 0.4)
            text += f" Spoke with {worker.first}."
        for peer in sim.peers_of(child, sim.ev.randint(0, 2), day):
            b.person(peer, "associate", "first")
        text += " " + sim.tx.choice(
            (
                "Played pool, talked about school and exams.",
                "Helped with the cooking session.",
                "Talked about falling out with a friend.",
                "Asked about part-time jobs.",
                "Took part in the football session.",
            )
        )
        sim.emit(b, text, ())

    def sexual_health(self, child: Person, day: date) -> None:
        """An ordinary sexual-health attendance of a 15-17 year old."""
        sim = self.sim
        b = sim.new(
            sim.world.sexual_health,
            "sexual_health",
            sim.at(day, 9, 19),
            (0.2, 4),
            sim.residence_area(child, day),
        )
        b.person(child, "subject", "named")
        reason = sim.tx.choice(
            (
                "contraception advice",
                "emergency contraception",
                "STI screening",
                "C-card registration",
            )
        )
        text = f"Attended for {reason}. Fraser competent."
        indicators: list[str] = []
        if sim.tx.random() < 0.25:
            # A partner a year or two older is ordinary, but some practitioners still
            # tick "older boyfriend": one of the ways this indicator is noisy.
            partner = self._partner(child, day)
            if partner is not None:
                ref = b.person(partner, "associate", "unknown")
                b.link("p1", ref, "boyfriend" if partner.gender == "male" else "girlfriend")
                text += f" Partner is {partner.age_on(day)}, met at college."
                if partner.age_on(day) >= 18:
                    indicators.append("older_boyfriend")
        else:
            text += " Partner same age, at school."
        sim.emit(b, text, indicators)

    def _partner(self, child: Person, day: date) -> Person | None:
        sim = self.sim
        for _ in range(20):
            other = sim.ev.choice(sim.kids)
            if other.gender != child.gender and 0 <= other.age_on(day) - child.age_on(day) <= 2:
                return other
        return None

    def exclusion(self, child: Person, day: date) -> None:
        """A suspension from school."""
        sim = self.sim
        if child.school is None or not 11 <= child.age_on(day) <= 16:
            return
        b = sim.new(
            child.school.agency, "exclusion", sim.at(day, 9, 15), (0, 8), child.school.agency.area
        )
        b.person(child, "subject", "full")
        days = sim.ev.randint(1, 5)
        sim.emit(
            b,
            f"Suspension ({days} day{'s' if days > 1 else ''}) for "
            f"{sim.tx.choice(_EXCLUSIONS)}. Reintegration meeting booked.",
            ("excluded_from_school",),
        )

    def school_concern(self, child: Person, day: date) -> None:
        """A welfare concern a school writes down."""
        sim = self.sim
        if child.school is None or not 11 <= child.age_on(day) <= 16:
            return
        sub, _, _ = pronouns(child)
        template, indicators = sim.tx.choice(_SCHOOL_CONCERNS)
        b = sim.new(
            child.school.agency,
            "school_concern",
            sim.at(day, 8, 16),
            (0, 48),
            child.school.agency.area,
            "CON",
        )
        b.person(child, "subject", "full")
        sim.emit(
            b,
            template.format(name=self.name(child), sub=sub),
            indicators,
            update="Discussed with parent; no further concerns this week.",
        )

    def placement_move(self, child: Person, day: date) -> None:
        """A looked-after child moves placement (children's home or foster home)."""
        sim = self.sim
        world = sim.world
        if child.placement is None:
            return
        old = child.placement
        homes = [h for a in world.areas for h in a.homes if h is not old]
        if not homes:
            return
        new = sim.ev.choice(homes)
        if child.carer is not None:
            child.carer = None
        child.placement = new
        child.move(day, new.address)
        area = world.area_by_code[child.area]
        b = sim.new(area.csc, "placement_move", sim.at(day, 9, 18), (2, 24 * 5), area.code, "PLC")
        b.person(child, "subject", "full")
        carer = sim.carer_of(child)
        if carer is not None:
            b.person(carer, "carer", "named", phone=sim.tx.random() < 0.5)
        b.place(new)
        why = sim.tx.choice(
            (
                "placement breakdown",
                "planned move",
                "request of the provider",
                "concerns about peers at the previous placement",
            )
        )
        sim.emit(
            b,
            f"{self.name(child)} moved from {old.name} to {new.name} following {why}.",
            ("looked_after",),
        )

    def cp_strategy(self, child: Person, day: date) -> None:
        """A strategy discussion about a child on a protection plan (not about CSE)."""
        sim = self.sim
        area = sim.world.area_by_code[child.area]
        b = sim.new(area.csc, "strategy_meeting", sim.at(day, 9, 17), (2, 72), area.code, "SM")
        b.person(child, "subject", "full")
        parent = sim.parent_of(child)
        if parent is not None:
            b.person(parent, "parent", "named")
        sim.emit(
            b,
            "Strategy discussion (police, health, social care) following injury "
            f"noticed at school. {self.name(child)} says it happened at home. Section 47 "
            "enquiry to continue.",
            ("child_protection_plan", "unexplained_injuries"),
        )

    def half_term(self, day: date) -> None:
        """Absence returns at the end of a half term for pupils below 90% attendance."""
        sim = self.sim
        active = sim.exploitation_active
        for child in sim.kids:
            if child.school is None or not 11 <= child.age_on(day) <= 16:
                continue
            chance = child.absence
            note = ""
            if child.pid in active:
                # 66% of children assessed for CSE are persistently absent (domain.md §2).
                chance = max(chance, 0.8)
                note = active[child.pid]
            if sim.ev.random() >= chance:
                continue
            self.absence(child, day, note)

    def absence(self, child: Person, day: date, note: str) -> None:
        """A school's absence record for one half term."""
        sim = self.sim
        assert child.school is not None
        sessions = sim.ev.randint(6, 30)
        pct = round(100 * (60 - sessions) / 60)
        b = sim.new(
            child.school.agency,
            "school_absence",
            None,
            (24, 96),
            child.school.agency.area,
            "ABS",
            base=sim.at(day, 15, 17),
        )
        b.person(child, "subject", "full")
        parent = sim.carer_of(child)
        if parent is not None:
            b.person(parent, "carer" if child.looked_after else "parent", "named")
        action = sim.tx.choice(
            (
                "Letter sent home.",
                "Attendance panel meeting booked.",
                "Referred to the education welfare officer.",
                "Parent says illness; no medical evidence.",
            )
        )
        text = (
            f"{self.name(child)}: attendance {pct}% this half term ({sessions} sessions "
            f"missed). {action}"
        )
        if note:
            text += " " + note
        sim.emit(b, text, ("absent_from_school",))

    def probation(self, adult: Person, day: date) -> None:
        """A probation supervision note about an ordinary parent on licence."""
        sim = self.sim
        b = sim.new(sim.world.probation, "other", sim.at(day, 9, 17), (1, 72), adult.area)
        b.person(adult, "other", "full")
        hid = sim.household_of_adult.get(adult.pid)
        kids = (
            [] if hid is None else [sim.person(pid) for pid in sim.world.households[hid].children]
        )
        for kid in kids[:2]:
            b.person(kid, "other", "first")
        text = sim.tx.choice(
            (
                "Supervision appointment attended. Living at the family address with partner and "
                "children. Working cash-in-hand at a car wash.",
                "Home visit. Partner and children present. No concerns noted.",
                "Missed appointment; warning letter issued.",
            )
        )
        sim.emit(b, text, ())
