"""The parameters of a simulated partnership: size, base rates, noise and confounders."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

PresetName = Literal["demo", "default", "large"]

# Town definitions live in places.yaml; more areas than towns would need invented towns.
MAX_AREAS = 12


@dataclass(frozen=True)
class NoiseRates:
    """How often each kind of recording error or variation happens (each a probability).

    Rates are per opportunity: `typo` per written name, `dob_swap` per written date of
    birth whose day could be read as a month, `surname_change` per child, `address_move`
    per household, and so on. `SimulationSummary.noise` reports the opportunities and
    the times each was applied, so that tests and analysts can check the realised rate.
    """

    typo: float = 0.04
    """A written name has one typing error (letter dropped, doubled, swapped or mistyped)."""
    short_name: float = 0.2
    """A first name with a known short form is written as that (Katie for Katherine)."""
    surname_change: float = 0.03
    """A child's surname changes during the period (a parent remarries, a family change)."""
    address_move: float = 0.1
    """A household moves house during the period."""
    stale_details: float = 0.3
    """After a surname change or a move, a record still uses the old surname or address."""
    dob_swap: float = 0.02
    """A date of birth is written with day and month swapped (only where both are <= 12)."""
    dob_missing: float = 0.08
    """A date of birth the agency would normally hold is missing or only a year."""
    wrong_gender: float = 0.01
    """A person is recorded with the wrong gender."""
    phone_format: float = 0.35
    """A phone number is written in a format other than "07700 900123"."""
    plate_format: float = 0.3
    """A full registration mark is written other than "KX55 ABC" (no space, lower case…)."""
    partial_plate: float = 0.3
    """A registration mark seen by a witness or non-police agency is only partly known."""
    free_text_only: float = 0.3
    """A decisive detail (plate, phone, nickname) is written only in the summary."""

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"noise.{item.name}: must be a probability between 0 and 1")


@dataclass(frozen=True)
class ConfounderCounts:
    """How many of each lawful look-alike pattern to plant (each listed in truth.json)."""

    children_home_staff: int = 6
    """Residential care workers in contact with many looked-after children."""
    contracted_taxi_driver: int = 4
    """Council-contracted drivers who take looked-after children to school."""
    youth_worker: int = 4
    """Youth-service workers who meet many children and give out a work phone."""
    relatives_at_one_address: int = 5
    """Households of siblings and cousins, recorded together at one address."""
    peer_group_missing_together: int = 5
    """Groups of friends who go missing together with no adult involved."""
    foster_carer: int = 6
    """Foster carers who look after several children over the period."""

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"confounders.{item.name}: must be a whole number >= 0")


@dataclass(frozen=True)
class BaseRates:
    """Ordinary-life rates for children aged 10-17, calibrated to public figures.

    Rates are per child per year unless the name says otherwise. docs/simulation.md
    gives the source of each figure and how it was scaled.
    """

    persistent_absence: float = 0.13
    """Share of pupils persistently absent (DfE absence statistics, secondary, pre-2020)."""
    ae_attendance: float = 0.25
    """Emergency department attendances (children's ED use, NHS Digital HES A&E)."""
    asb_stop: float = 0.04
    """Police stops of a child in a group for antisocial behaviour."""
    missing_at_home: float = 0.008
    """Share of children living at home reported missing at least once in a year."""
    missing_in_care: float = 0.11
    """Share of looked-after children with a missing incident in a year (DfE SSDA903)."""
    episodes_per_missing_child: float = 3.0
    """Average missing episodes of a child who goes missing at all that year."""
    referral: float = 0.04
    """Referrals to children's social care (650,270 a year across all ages, domain.md §7)."""
    cse_assessment: float = 0.002
    """Assessments recording CSE as a factor (12,120 a year, 81% aged 10+, domain.md §7)."""
    youth_club_member: float = 0.15
    """Share of children who use a youth club (about two or three recorded contacts a year)."""
    sexual_health_15_17: float = 0.05
    """Sexual-health attendances of 15-17 year olds for ordinary reasons."""
    exclusion: float = 0.06
    """Suspensions and exclusions (DfE exclusion statistics, secondary)."""
    school_concern: float = 0.04
    """Welfare concerns a school writes down."""
    self_harm: float = 0.005
    """Hospital attendances for self-harm."""
    looked_after: float = 0.012
    """Share of 10-17 year olds who are looked after (DfE, about 70-100 per 10,000)."""

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or value < 0:
                raise ValueError(f"rates.{item.name}: must be a number >= 0")


def _preset_table() -> dict[str, dict[str, Any]]:
    return {
        "demo": {
            "areas": 2,
            "children": 300,
            "years": 3,
            "networks": 3,
            "confounders": ConfounderCounts(
                children_home_staff=3,
                contracted_taxi_driver=2,
                youth_worker=2,
                relatives_at_one_address=2,
                peer_group_missing_together=2,
                foster_carer=2,
            ),
        },
        "default": {"areas": 2, "children": 2000, "years": 5, "networks": 8},
        # Tuned so that one run writes a little over 1,000,000 lines (docs/benchmarks.md):
        # about the 10-17 year olds of a police force area with eight local authorities.
        "large": {
            "areas": 8,
            "children": 125_000,
            "years": 10,
            "networks": 100,
            "confounders": ConfounderCounts(
                children_home_staff=48,
                contracted_taxi_driver=32,
                youth_worker=32,
                relatives_at_one_address=80,
                peer_group_missing_together=80,
                foster_carer=80,
            ),
        },
    }


PRESETS: tuple[str, ...] = ("demo", "default", "large")


@dataclass(frozen=True)
class SimulationConfig:
    """Everything that shapes a simulated partnership; same config and seed, same bytes."""

    seed: int = 1
    areas: int = 2
    """Local-authority areas (2 or more, at most 12)."""
    children: int = 2000
    """Children in the population (each is 10-17 for at least part of the period)."""
    years: int = 5
    networks: int = 8
    """Exploitation networks to plant."""
    start_year: int = 2019
    update_rate: float = 0.06
    """Share of records later sent again as an update (same agency and record_id)."""
    rates: BaseRates = field(default_factory=BaseRates)
    noise: NoiseRates = field(default_factory=NoiseRates)
    confounders: ConfounderCounts = field(default_factory=ConfounderCounts)
    preset_name: str = "custom"

    def __post_init__(self) -> None:
        if not 2 <= self.areas <= MAX_AREAS:
            raise ValueError(f"areas: must be between 2 and {MAX_AREAS}")
        if self.children < 50:
            raise ValueError("children: must be at least 50")
        if not 1 <= self.years <= 30:
            raise ValueError("years: must be between 1 and 30")
        if self.networks < 0:
            raise ValueError("networks: must be 0 or more")
        if not 1990 <= self.start_year <= 2100:
            raise ValueError("start_year: must be between 1990 and 2100")
        if not 0.0 <= self.update_rate <= 1.0:
            raise ValueError("update_rate: must be a probability between 0 and 1")

    @classmethod
    def preset(cls, name: str = "default", **overrides: Any) -> SimulationConfig:
        """Return a named preset with the given fields replaced.

        Overrides whose value is None are ignored, so a command line can pass every
        option straight through. `noise`, `rates` and `confounders` take either their
        dataclass or a mapping of the fields to change, e.g. ``noise={"typo": 0.1}``.
        """
        table = _preset_table()
        if name not in table:
            raise ValueError(f"preset: {name!r} is not one of {', '.join(PRESETS)}")
        values: dict[str, Any] = {"preset_name": name, **table[name]}
        base = cls(**values)
        return base.replace(**overrides)

    def replace(self, **overrides: Any) -> SimulationConfig:
        """Return a copy with some fields changed (None values are ignored)."""
        known = {item.name for item in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            if key not in known:
                raise ValueError(f"{key}: not a simulation parameter")
            if value is None:
                continue
            if key in ("noise", "rates", "confounders") and isinstance(value, Mapping):
                current = getattr(self, key)
                fields = {item.name for item in dataclasses.fields(current)}
                unknown = sorted(str(name) for name in value if name not in fields)
                if unknown:
                    raise ValueError(f"{key}.{unknown[0]}: not a simulation parameter")
                value = dataclasses.replace(current, **dict(value))
            changes[key] = value
        return dataclasses.replace(self, **changes)
