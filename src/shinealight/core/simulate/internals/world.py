"""The true state of the simulated partnership: areas, places, agencies and people."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from shinealight.core.simulate.config import SimulationConfig
from shinealight.core.simulate.internals import ids
from shinealight.core.simulate.internals.data import WordLists, word_lists
from shinealight.core.simulate.internals.noise import Noise

# Numbers 07700 900000-900299 go to people an analyst would follow (suspects, victims'
# groomer-bought phones, professionals' work phones); the rest to ordinary children, so
# that a large world's ordinary phones can never starve the network of numbers.
NETWORK_PHONES = (900000, 900299)
GENERAL_PHONES = (900300, 900999)
# Made-up local-authority numbers (real ones stop at 938) keep UPNs fictional.
FIRST_LA_CODE = 990
MAX_PEOPLE = 999_999  # truth ids are T-NNNNNN; their text order must be their number order


@dataclass(slots=True, eq=False)
class Address:
    """A postal address as an agency would write it."""

    line: str
    postcode: str
    area: str
    lat: float
    lon: float


@dataclass(slots=True, eq=False)
class Place:
    """A named place: a school, a children's home, a takeaway, a hotel, a flat…"""

    name: str
    kind: str
    address: Address


@dataclass(slots=True, eq=False)
class Vehicle:
    """A vehicle and the person who drives it."""

    plate: ids.Plate
    make: str
    model: str
    colour: str
    owner: int
    taxi_firm: Place | None = None


@dataclass(slots=True, eq=False)
class Agency:
    """An agency of the partnership and the counter behind its record ids."""

    code: str
    type: str
    name: str
    area: str | None
    id_style: str
    prefix: str = ""
    counter: int = 0

    def next_record_id(self, year: int, prefix: str = "") -> str:
        """Return the next record id in this agency's own numbering style."""
        self.counter += 1
        n = self.counter
        style = self.id_style
        prefix = prefix or self.prefix
        if style == "police":
            return f"{prefix or 'INC'}-{year}-{n:06d}"
        if style == "csc":
            return f"{prefix or 'REF'}-{n:06d}"
        if style == "sexual_health":
            return f"SH-{year}-{n:05d}"
        if style == "ae":
            return f"AE{year}{n:07d}"
        if style == "school":
            return f"{prefix or 'SCH'}-{n:05d}"
        if style == "youth":
            return f"YS-{n:06d}"
        if style == "voluntary":
            return f"LP-{n:05d}"
        return f"PRB-{n:06d}"


@dataclass(slots=True, eq=False)
class School:
    """A secondary school or pupil referral unit; each is its own recording agency."""

    agency: Agency
    place: Place
    number: int
    pru: bool


@dataclass(slots=True, eq=False)
class Area:
    """A local-authority area with its streets, places and area-level agencies."""

    code: str
    name: str
    postcode_area: str
    la_code: int
    lat: float
    lon: float
    streets: list[tuple[str, str]]
    places: dict[str, list[Place]]
    schools: list[School]
    homes: list[Place]
    csc: Agency
    ae: Agency
    youth: Agency


@dataclass(slots=True, eq=False)
class Person:
    """A true person: what the world knows, of which each agency records a part."""

    pid: int
    first: str
    middle: str | None
    surname: str
    gender: str
    dob: date
    ethnicity: str
    area: str
    is_child: bool
    addresses: list[tuple[date, Address]]
    former_surname: str | None = None
    surname_changed: date | None = None
    nicknames: tuple[str, ...] = ()
    short_forms: tuple[str, ...] = ()
    description: str | None = None
    nhs: str | None = None
    upn: str | None = None
    pnc: str | None = None
    csc_id: str | None = None
    phones: list[tuple[int, int, str]] = field(default_factory=list)
    important: bool = False
    vehicle: Vehicle | None = None
    online: tuple[str, str] | None = None
    # Children only.
    school: School | None = None
    looked_after: bool = False
    placement: Place | None = None
    carer: int | None = None
    household: int = -1
    vulnerabilities: tuple[str, ...] = ()
    absence: float = 0.03
    propensity: float = 1.0
    youth_member: bool = False
    youth_worker: int | None = None
    on_probation: bool = False
    in_network: bool = False
    confounder: bool = False
    mentions: int = 0

    @property
    def tid(self) -> str:
        """The id of this person in truth.json."""
        return f"T-{self.pid:06d}"

    def age_on(self, day: date) -> int:
        """Return the person's age in whole years on `day`."""
        before = (day.month, day.day) < (self.dob.month, self.dob.day)
        return day.year - self.dob.year - int(before)

    def address_on(self, day: date) -> tuple[Address, Address | None]:
        """Return the address on `day` and the one before it (None if there was none)."""
        starts = [start for start, _ in self.addresses]
        i = max(0, bisect.bisect_right(starts, day) - 1)
        previous = self.addresses[i - 1][1] if i > 0 else None
        return self.addresses[i][1], previous

    def move(self, day: date, address: Address) -> None:
        """Record that the person lives at `address` from `day`."""
        self.addresses.append((day, address))
        self.addresses.sort(key=lambda item: item[0])

    def surname_on(self, day: date) -> tuple[str, str | None]:
        """Return the surname on `day` and, after a change, the surname before it."""
        if self.former_surname is None or self.surname_changed is None:
            return self.surname, None
        if day < self.surname_changed:
            return self.former_surname, None
        return self.surname, self.former_surname

    def phone_on(self, day: date, pool: ids.PhonePool, rng: random.Random) -> str | None:
        """Return the phone the person uses on `day`, giving them one if they have none."""
        ordinal = day.toordinal()
        for start, end, held in reversed(self.phones):
            if start <= ordinal <= end:
                return held
        # Suspects change phones every few months; children keep theirs longer.
        lifetime = rng.randint(60, 240) if self.important else rng.randint(240, 900)
        number = pool.take(ordinal, ordinal + lifetime)
        if number is not None:
            self.phones.append((ordinal, ordinal + lifetime, number))
        return number


@dataclass(slots=True, eq=False)
class Household:
    """People living together: parents or carers and the children of the cohort."""

    hid: int
    area: str
    adults: list[int]
    children: list[int]
    vulnerabilities: tuple[str, ...]


@dataclass(frozen=True)
class Confounder:
    """A lawful pattern that looks like exploitation, listed in truth.json."""

    kind: str
    people: tuple[int, ...]
    note: str


@dataclass
class World:
    """Everything true about the partnership at the start of the period."""

    config: SimulationConfig
    start: date
    end: date
    words: WordLists
    areas: list[Area]
    police: Agency
    sexual_health: Agency
    voluntary: Agency
    probation: Agency
    people: list[Person] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    confounders: list[Confounder] = field(default_factory=list)
    staff_by_home: dict[str, list[int]] = field(default_factory=dict)
    youth_workers: dict[str, list[int]] = field(default_factory=dict)
    taxi_drivers: list[int] = field(default_factory=list)
    taxi_children: dict[int, list[int]] = field(default_factory=dict)
    foster_carers: list[int] = field(default_factory=list)
    peer_groups: list[list[int]] = field(default_factory=list)
    relatives: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.plates = ids.PlateRegistry(
            random.Random(f"{self.config.seed}:plates"), self.words.plate_regions
        )
        self.network_phones = ids.PhonePool(*NETWORK_PHONES)
        self.general_phones = ids.PhonePool(*GENERAL_PHONES)
        self.area_by_code = {area.code: area for area in self.areas}

    def phone_pool(self, person: Person) -> ids.PhonePool:
        """Return the pool a person's numbers come from."""
        return self.network_phones if person.important else self.general_phones


def slug(text: str) -> str:
    """Return `text` as an agency-code fragment: lower case, hyphens, a-z0-9 only."""
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


_BUILDS = ("slim", "stocky", "medium build", "heavy build", "tall", "short", "thin")
_HAIR = (
    "short hair",
    "shaved head",
    "curly hair",
    "long hair tied back",
    "receding hair",
    "spiky hair",
    "bald",
)
_EXTRA = (
    "beard",
    "stubble",
    "glasses",
    "tattoo on neck",
    "gold chain",
    "scar on left cheek",
    "earring",
    "tracksuit",
    "designer jacket",
    "moustache",
)


class WorldBuilder:
    """Builds the world from the config with separate random streams.

    Ethnicity and names come from their own streams, read by nothing else, so that who
    is vulnerable, who is groomed and who offends can never depend on them.
    """

    def __init__(self, config: SimulationConfig, noise: Noise) -> None:
        self.config = config
        self.noise = noise
        seed = config.seed
        self.rng = random.Random(f"{seed}:world")
        self.names = random.Random(f"{seed}:names")
        self.ethnic = random.Random(f"{seed}:ethnicity")
        self.words = word_lists()
        self.start = date(config.start_year, 1, 1)
        self.end = date(config.start_year + config.years, 1, 1)
        groups = self.words.ethnicity
        total = sum(g.share for g in groups)
        self._ethnic_labels = [g.label for g in groups]
        self._ethnic_pools = {g.label: g.pool for g in groups}
        running = 0.0
        self._ethnic_cum: list[float] = []
        for g in groups:
            running += g.share / total
            self._ethnic_cum.append(running)

    # -- people -------------------------------------------------------------------------

    def ethnicity(self) -> str:
        """Draw an ethnicity from the fixed population distribution."""
        return self.ethnic.choices(self._ethnic_labels, cum_weights=self._ethnic_cum)[0]

    def new_person(
        self,
        world: World,
        *,
        gender: str,
        dob: date,
        area: Area,
        address: Address,
        is_child: bool,
        ethnicity: str | None = None,
        surname: str | None = None,
    ) -> Person:
        """Create a person with a name drawn from the pool of their ethnicity."""
        if len(world.people) >= MAX_PEOPLE:
            raise ValueError("children: too many people for six-digit truth ids")
        label = ethnicity if ethnicity is not None else self.ethnicity()
        pool = self.words.pools[self._ethnic_pools[label]]
        firsts = pool.female if gender == "female" else pool.male
        first = self.names.choice(firsts)
        middle = self.names.choice(firsts) if self.names.random() < 0.6 else None
        if middle == first:
            middle = None
        person = Person(
            pid=len(world.people) + 1,
            first=first,
            middle=middle,
            surname=surname if surname is not None else self.names.choice(pool.surnames),
            gender=gender,
            dob=dob,
            ethnicity=label,
            area=area.code,
            is_child=is_child,
            addresses=[(date.min, address)],
            short_forms=self.words.short_forms.get(first, ()),
            nhs=ids.nhs_number(self.rng),
        )
        world.people.append(person)
        return person

    def random_dob(self, on: date, low: float, high: float) -> date:
        """Return a date of birth giving an age between `low` and `high` years on `on`."""
        return on - timedelta(days=int(self.rng.uniform(low, high) * 365.25))

    def description(self) -> str:
        """Return a physical description in a police officer's words."""
        rng = self.rng
        parts = [rng.choice(_BUILDS), rng.choice(_HAIR)]
        if rng.random() < 0.6:
            parts.append(rng.choice(_EXTRA))
        return ", ".join(parts)

    def nickname(self, person: Person) -> tuple[str, ...]:
        """Return street names for an adult suspect (a short form of their name or not)."""
        rng = self.names
        names: list[str] = []
        if person.short_forms and rng.random() < 0.6:
            names.append(rng.choice(person.short_forms))
        names.append(rng.choice(self.words.street_names))
        if rng.random() < 0.3:
            names.append(rng.choice(self.words.street_names))
        unique: list[str] = []
        for name in names:
            if name not in unique:
                unique.append(name)
        return tuple(unique)

    def handle(self, person: Person) -> str:
        """Return an online handle made from one of the person's names."""
        return ids.handle(self.names, self.names.choice(person.nicknames or (person.first,)))

    # -- places -------------------------------------------------------------------------

    def address(self, area: Area, number: int | None = None, flat: str | None = None) -> Address:
        """Return an address on a random street of the area."""
        rng = self.rng
        street, postcode = rng.choice(area.streets)
        house = number if number is not None else rng.randint(1, 180)
        prefix = f"{flat}, " if flat else ""
        return Address(
            line=f"{prefix}{house} {street}, {area.name}",
            postcode=postcode,
            area=area.code,
            lat=round(area.lat + rng.uniform(-0.03, 0.03), 4),
            lon=round(area.lon + rng.uniform(-0.05, 0.05), 4),
        )

    def _fill(self, template: str, area: Area) -> str:
        street = self.rng.choice(area.streets)[0].rsplit(" ", 1)[0]
        return template.format(
            town=area.name, street=street, saint=self.rng.choice(self.words.saints)
        )

    def place(self, area: Area, kind: str, name: str) -> Place:
        """Create a place of `kind` in `area` and register it."""
        place = Place(name=name, kind=kind, address=self.address(area))
        area.places.setdefault(kind, []).append(place)
        return place

    def build_area(self, index: int) -> Area:
        """Create one local-authority area with its streets, places and agencies."""
        rng = self.rng
        words = self.words
        town = words.towns[index]
        code = slug(town.name)
        districts = [f"{town.postcode_area}{d}" for d in range(1, rng.randint(6, 12))]
        stems = rng.sample(words.street_stems, k=min(len(words.street_stems), 60))
        streets: list[tuple[str, str]] = []
        used: set[str] = set()
        for stem in stems:
            for _ in range(2):
                name = f"{stem} {rng.choice(words.street_suffixes)}"
                if name in used:
                    continue
                used.add(name)
                streets.append((name, ids.canonical_postcode(rng.choice(districts), rng)))
        area = Area(
            code=code,
            name=town.name,
            postcode_area=town.postcode_area,
            la_code=FIRST_LA_CODE + index,
            lat=town.lat,
            lon=town.lon,
            streets=streets,
            places={},
            schools=[],
            homes=[],
            csc=Agency(
                f"{code}-csc", "social_care", f"{town.name} Children's Social Care", code, "csc"
            ),
            ae=Agency(f"{code}-ae", "health", f"{town.name} General Hospital A&E", code, "ae"),
            youth=Agency(
                f"{code}-youth", "youth_service", f"{town.name} Youth Service", code, "youth"
            ),
        )
        counts = {
            "takeaway": 6,
            "taxi_firm": 2,
            "hotel": 3,
            "park": 4,
            "shop": 4,
            "bus_station": 1,
            "shopping_centre": 1,
        }
        for kind, n in counts.items():
            templates = list(words.businesses[kind])
            rng.shuffle(templates)
            seen: set[str] = set()
            for template in templates:
                if len(seen) >= n:
                    break
                name = self._fill(template, area)
                if name not in seen:
                    seen.add(name)
                    self.place(area, kind, name)
        for taxi_firm in list(area.places["taxi_firm"]):
            self.place(area, "taxi_rank", f"taxi rank outside {taxi_firm.name}")
        for i in range(6):
            house = rng.choice(["Court", "House", "Heights", "Tower", "Mews"])
            street = rng.choice(streets)[0].rsplit(" ", 1)[0]
            place = Place(
                name=f"Flat {rng.randint(1, 40)}, {street} {house}",
                kind="flat",
                address=self.address(area, flat=f"Flat {i + 1}"),
            )
            area.places.setdefault("flat", []).append(place)
        for _ in range(2):
            street = rng.choice(streets)[0].rsplit(" ", 1)[0]
            home = self.place(area, "childrens_home", f"{street} House")
            area.homes.append(home)
        n_schools = max(2, min(6, self.config.children // (self.config.areas * 350) + 2))
        names: list[str] = []
        templates = list(words.secondary_schools)
        rng.shuffle(templates)
        for template in templates:
            name = self._fill(template, area)
            if name not in names:
                names.append(name)
            if len(names) >= n_schools:
                break
        names.append(self._fill(rng.choice(words.pru_names), area))
        for number, name in enumerate(names, start=1):
            place = self.place(area, "school", name)
            initials = "".join(w[0] for w in name.replace("'s", "").split() if w[0].isalpha())
            agency = Agency(
                slug(name.replace("'", ""))[:40].strip("-"),
                "education",
                name,
                code,
                "school",
                prefix=initials.upper()[:4],
            )
            area.schools.append(
                School(
                    agency=agency,
                    place=place,
                    number=number * 100 + index,
                    pru=number == len(names),
                )
            )
        return area

    # -- the population -------------------------------------------------------------------

    def build(self) -> World:
        """Build the whole world: areas, agencies, households, children and confounders."""
        words = self.words
        cfg = self.config
        agencies = words.agencies
        police = Agency(
            f"{agencies.force_code}-police", "police", agencies.force_name, None, "police"
        )
        areas = [self.build_area(i) for i in range(cfg.areas)]
        world = World(
            config=cfg,
            start=self.start,
            end=self.end,
            words=words,
            areas=areas,
            police=police,
            sexual_health=Agency(
                agencies.sexual_health_code,
                "health",
                agencies.sexual_health_name,
                None,
                "sexual_health",
            ),
            voluntary=Agency(
                agencies.voluntary_code, "voluntary", agencies.voluntary_name, None, "voluntary"
            ),
            probation=Agency(
                agencies.probation_code, "probation", agencies.probation_name, None, "probation"
            ),
        )
        self._households(world)
        self._looked_after(world)
        self._confounders(world)
        self._moves_and_name_changes(world)
        return world

    def _child(
        self,
        world: World,
        household: Household,
        area: Area,
        address: Address,
        surname: str,
        ethnicity: str,
    ) -> Person:
        rng = self.rng
        gender = "female" if rng.random() < 0.49 else "male"
        # Each child is 10-17 for at least part of the period.
        low = 10.0 - self.config.years + 0.5
        dob = self.random_dob(self.start, low, 17.9)
        child = self.new_person(
            world,
            gender=gender,
            dob=dob,
            area=area,
            address=address,
            is_child=True,
            ethnicity=ethnicity,
            surname=surname,
        )
        child.household = household.hid
        child.school = rng.choice(area.schools[:-1])
        child.upn = ids.upn(rng, area.la_code, child.school.number % 10000)
        child.csc_id = f"{area.postcode_area}{child.pid:07d}"
        vulnerabilities = list(household.vulnerabilities)
        for code, share in (
            ("learning_disability", 0.04),
            ("mental_health", 0.06),
            ("prior_abuse", 0.03),
            ("bereavement", 0.03),
        ):
            if rng.random() < share:
                vulnerabilities.append(code)
        if rng.random() < 0.015:
            vulnerabilities.append("child_protection_plan")
        child.vulnerabilities = tuple(sorted(set(vulnerabilities)))
        # Persistent absentees: about rates.persistent_absence of pupils have a high
        # chance of an absence record each half term; the rest a small one.
        vulnerable = bool(child.vulnerabilities)
        high = rng.random() < self.config.rates.persistent_absence * (1.6 if vulnerable else 0.9)
        child.absence = rng.uniform(0.4, 0.8) if high else rng.uniform(0.0, 0.05)
        child.propensity = rng.lognormvariate(0.0, 0.5) * (1.8 if vulnerable else 1.0)
        child.youth_member = rng.random() < self.config.rates.youth_club_member
        household.children.append(child.pid)
        world.children.append(child.pid)
        return child

    def _households(self, world: World) -> None:
        rng = self.rng
        cfg = self.config
        relatives_wanted = cfg.confounders.relatives_at_one_address
        while len(world.children) < cfg.children:
            area = world.areas[len(world.households) % len(world.areas)]
            address = self.address(area)
            ethnicity = self.ethnicity()
            vulns: list[str] = []
            for code, share in (
                ("domestic_abuse_at_home", 0.05),
                ("parental_substance_misuse", 0.04),
                ("homeless_or_unstable_housing", 0.02),
            ):
                if rng.random() < share:
                    vulns.append(code)
            household = Household(len(world.households), area.code, [], [], tuple(vulns))
            world.households.append(household)
            mother = self.new_person(
                world,
                gender="female",
                dob=self.random_dob(self.start, 30, 52),
                area=area,
                address=address,
                is_child=False,
                ethnicity=ethnicity,
            )
            household.adults.append(mother.pid)
            surname = mother.surname
            if rng.random() < 0.55:
                father = self.new_person(
                    world,
                    gender="male",
                    dob=self.random_dob(self.start, 32, 56),
                    area=area,
                    address=address,
                    is_child=False,
                    ethnicity=ethnicity,
                    surname=surname,
                )
                household.adults.append(father.pid)
                father.on_probation = rng.random() < 0.03
            mother.on_probation = rng.random() < 0.005
            relatives = relatives_wanted > 0
            n = rng.choice((3, 3, 4)) if relatives else rng.choice((1, 1, 1, 2, 2, 3))
            n = min(n, cfg.children - len(world.children))
            for _ in range(n):
                self._child(world, household, area, address, surname, ethnicity)
            if relatives and n >= 2:
                # A cousin lives with them and keeps their own family's surname.
                cousin = world.people[household.children[-1] - 1]
                pool = self.words.pools[self._ethnic_pools[ethnicity]]
                while cousin.surname == surname:
                    cousin.surname = self.names.choice(pool.surnames)
                relatives_wanted -= 1
                members = tuple(household.children)
                for pid in members:
                    world.people[pid - 1].confounder = True
                world.confounders.append(
                    Confounder(
                        "relatives_at_one_address",
                        members,
                        "siblings and a cousin living at one address, recorded together by "
                        "several agencies",
                    )
                )

    def adult(
        self,
        world: World,
        area: Area,
        gender: str,
        low: float,
        high: float,
        address: Address | None = None,
    ) -> Person:
        """Create an adult aged between `low` and `high` at the start of the period."""
        return self.new_person(
            world,
            gender=gender,
            dob=self.random_dob(self.start, low, high),
            area=area,
            address=address or self.address(area),
            is_child=False,
        )

    def _looked_after(self, world: World) -> None:
        rng = self.rng
        cfg = self.config
        counts = cfg.confounders
        # Foster carers first: each looks after up to two children at a time.
        for i in range(counts.foster_carer):
            area = world.areas[i % len(world.areas)]
            carer = self.adult(world, area, "female" if rng.random() < 0.8 else "male", 35, 62)
            carer.important = True
            carer.confounder = True
            world.foster_carers.append(carer.pid)
            people = [carer.pid]
            if rng.random() < 0.5:
                partner = self.adult(
                    world,
                    area,
                    "male" if carer.gender == "female" else "female",
                    35,
                    65,
                    address=carer.addresses[0][1],
                )
                partner.surname = carer.surname
                partner.important = True
                partner.confounder = True
                partner.vehicle = Vehicle(
                    world.plates.issue(world.start.year),
                    *rng.choice(self.words.private_vehicles),
                    colour=rng.choice(self.words.colours),
                    owner=partner.pid,
                )
                people.append(partner.pid)
            world.confounders.append(
                Confounder(
                    "foster_carer",
                    tuple(people),
                    "approved foster carers looking after several children over the period",
                )
            )
        homes = [home for area in world.areas for home in area.homes]
        for home in homes:
            world.staff_by_home[home.name + "|" + home.address.area] = []
        for i in range(counts.children_home_staff):
            home = homes[i % len(homes)]
            area = world.area_by_code[home.address.area]
            worker = self.adult(world, area, "female" if rng.random() < 0.6 else "male", 22, 60)
            worker.important = True
            worker.confounder = True
            world.staff_by_home[home.name + "|" + home.address.area].append(worker.pid)
            world.confounders.append(
                Confounder(
                    "children_home_staff",
                    (worker.pid,),
                    f"residential care worker at {home.name}: contact with many looked-after "
                    "children for a lawful reason",
                )
            )
        foster_load: dict[int, int] = {pid: 0 for pid in world.foster_carers}
        for pid in world.children:
            child = world.people[pid - 1]
            weight = 3.0 if child.vulnerabilities else 0.6
            if rng.random() >= cfg.rates.looked_after * weight:
                continue
            child.looked_after = True
            child.vulnerabilities = tuple(sorted(set(child.vulnerabilities) | {"looked_after"}))
            child.absence = max(child.absence, rng.uniform(0.05, 0.3))
            free = [c for c in world.foster_carers if foster_load[c] < 2]
            if free and rng.random() < 0.5:
                carer_pid = rng.choice(free)
                foster_load[carer_pid] += 1
                carer = world.people[carer_pid - 1]
                child.carer = carer_pid
                address = carer.addresses[0][1]
                child.placement = Place(
                    f"foster placement with {carer.first} {carer.surname}", "foster_home", address
                )
            else:
                # About a third of children's-home placements are out of area.
                options = homes
                if rng.random() < 0.65:
                    options = [h for h in homes if h.address.area == child.area] or homes
                child.placement = rng.choice(options)
                address = child.placement.address
            child.addresses = [(date.min, address)]

        drivers_wanted = counts.contracted_taxi_driver
        looked_after = [pid for pid in world.children if world.people[pid - 1].looked_after]
        for i in range(drivers_wanted):
            area = world.areas[i % len(world.areas)]
            driver = self.adult(world, area, "male" if rng.random() < 0.9 else "female", 25, 66)
            driver.important = True
            driver.confounder = True
            firm = rng.choice(area.places["taxi_firm"])
            driver.vehicle = Vehicle(
                world.plates.issue(world.start.year),
                *rng.choice(self.words.taxi_vehicles),
                colour=rng.choice(self.words.colours),
                owner=driver.pid,
                taxi_firm=firm,
            )
            world.taxi_drivers.append(driver.pid)
            local = [
                pid
                for pid in looked_after
                if world.people[pid - 1].addresses[0][1].area == area.code
            ] or looked_after
            world.taxi_children[driver.pid] = sorted(rng.sample(local, k=min(len(local), 3)))
            world.confounders.append(
                Confounder(
                    "contracted_taxi_driver",
                    (driver.pid,),
                    f"driver for {firm.name} contracted by the council to take looked-after "
                    "children to school",
                )
            )

    def _confounders(self, world: World) -> None:
        rng = self.rng
        counts = self.config.confounders
        for i in range(counts.youth_worker):
            area = world.areas[i % len(world.areas)]
            worker = self.adult(world, area, "female" if rng.random() < 0.5 else "male", 21, 55)
            worker.important = True
            worker.confounder = True
            world.youth_workers.setdefault(area.code, []).append(worker.pid)
            world.confounders.append(
                Confounder(
                    "youth_worker",
                    (worker.pid,),
                    f"{area.name} youth worker: meets many children and gives them a work number",
                )
            )
        for pid in world.children:
            child = world.people[pid - 1]
            workers = world.youth_workers.get(child.area)
            if child.youth_member and workers:
                child.youth_worker = rng.choice(workers)
        # Friends who go missing together: children of one school, close in age.
        by_school: dict[str, list[int]] = {}
        for pid in world.children:
            child = world.people[pid - 1]
            if child.school is not None and not child.confounder:
                by_school.setdefault(child.school.agency.code, []).append(pid)
        schools = sorted(by_school)
        for i in range(counts.peer_group_missing_together):
            if not schools:
                break
            pupils = by_school[schools[i % len(schools)]]
            anchor = world.people[rng.choice(pupils) - 1]
            mates = [
                pid
                for pid in pupils
                if pid != anchor.pid
                and not world.people[pid - 1].confounder
                and abs((world.people[pid - 1].dob - anchor.dob).days) < 400
            ]
            size = min(len(mates), rng.randint(2, 3))
            if size < 2:
                continue
            group = [anchor.pid] + rng.sample(mates, k=size)
            for pid in group:
                world.people[pid - 1].confounder = True
            world.peer_groups.append(sorted(group))
            world.confounders.append(
                Confounder(
                    "peer_group_missing_together",
                    tuple(sorted(group)),
                    "friends who go missing together; no adult is involved",
                )
            )

    def _moves_and_name_changes(self, world: World) -> None:
        rng = self.rng
        span = (world.end - world.start).days
        for household in world.households:
            if any(world.people[pid - 1].looked_after for pid in household.children):
                continue
            if not self.noise.chance("address_move"):
                continue
            area = world.area_by_code[household.area]
            new = self.address(area)
            day = world.start + timedelta(days=rng.randrange(30, max(31, span - 30)))
            for pid in household.adults + household.children:
                person = world.people[pid - 1]
                if not person.looked_after:
                    person.move(day, new)
        for pid in world.children:
            child = world.people[pid - 1]
            if not self.noise.chance("surname_change"):
                continue
            pool = self.words.pools[self._ethnic_pools[child.ethnicity]]
            child.former_surname = child.surname
            surname = self.names.choice(pool.surnames)
            while surname == child.surname:
                surname = self.names.choice(pool.surnames)
            child.surname = surname
            child.surname_changed = world.start + timedelta(days=rng.randrange(30, max(31, span)))
