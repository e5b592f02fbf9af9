"""The simulator's word lists (names, places, vehicles, population) loaded from YAML."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class NamePool:
    """First names by gender and surnames that look plausible together."""

    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]


@dataclass(frozen=True)
class Town:
    """An invented town: its name, postcode area and rough position."""

    name: str
    postcode_area: str
    lat: float
    lon: float


@dataclass(frozen=True)
class EthnicGroup:
    """One ethnicity label, its share of the population and its name pool."""

    label: str
    share: float
    pool: str


@dataclass(frozen=True)
class Agencies:
    """Partnership-wide agencies (those not run per area)."""

    force_code: str
    force_name: str
    sexual_health_code: str
    sexual_health_name: str
    voluntary_code: str
    voluntary_name: str
    probation_code: str
    probation_name: str


@dataclass(frozen=True)
class WordLists:
    """Everything the world builder draws names and places from."""

    pools: dict[str, NamePool]
    short_forms: dict[str, tuple[str, ...]]
    street_names: tuple[str, ...]
    peer_names: tuple[str, ...]
    online_platforms: tuple[str, ...]
    ethnicity: tuple[EthnicGroup, ...]
    agencies: Agencies
    towns: tuple[Town, ...]
    street_stems: tuple[str, ...]
    street_suffixes: tuple[str, ...]
    businesses: dict[str, tuple[str, ...]]
    secondary_schools: tuple[str, ...]
    pru_names: tuple[str, ...]
    saints: tuple[str, ...]
    private_vehicles: tuple[tuple[str, str], ...]
    taxi_vehicles: tuple[tuple[str, str], ...]
    colours: tuple[str, ...]
    plate_regions: tuple[str, ...]


def _load(name: str) -> Any:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _strs(items: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in items)


@functools.cache
def word_lists() -> WordLists:
    """Return the word lists, read once per process."""
    names = _load("names.yaml")
    places = _load("places.yaml")
    population = _load("population.yaml")
    pools = {
        key: NamePool(_strs(v["female"]), _strs(v["male"]), _strs(v["surnames"]))
        for key, v in names["pools"].items()
    }
    groups = tuple(
        EthnicGroup(str(g["label"]), float(g["share"]), str(g["pool"]))
        for g in population["ethnicity"]
    )
    for group in groups:
        if group.pool not in pools:
            raise ValueError(f"population.yaml: unknown name pool {group.pool!r}")
    vehicles = places["vehicles"]
    return WordLists(
        pools=pools,
        short_forms={str(k): _strs(v) for k, v in names["short_forms"].items()},
        street_names=_strs(names["street_names"]),
        peer_names=_strs(names["peer_names"]),
        online_platforms=_strs(names["online_platforms"]),
        ethnicity=groups,
        agencies=Agencies(
            force_code=str(places["force"]["code"]),
            force_name=str(places["force"]["name"]),
            sexual_health_code=str(places["sexual_health"]["code"]),
            sexual_health_name=str(places["sexual_health"]["name"]),
            voluntary_code=str(places["voluntary"]["code"]),
            voluntary_name=str(places["voluntary"]["name"]),
            probation_code=str(places["probation"]["code"]),
            probation_name=str(places["probation"]["name"]),
        ),
        towns=tuple(
            Town(str(t["name"]), str(t["postcode_area"]), float(t["lat"]), float(t["lon"]))
            for t in places["towns"]
        ),
        street_stems=_strs(places["street_stems"]),
        street_suffixes=_strs(places["street_suffixes"]),
        businesses={str(k): _strs(v) for k, v in places["businesses"].items()},
        secondary_schools=_strs(places["schools"]["secondary"]),
        pru_names=_strs(places["schools"]["pru"]),
        saints=_strs(places["saints"]),
        private_vehicles=tuple((str(m), str(n)) for m, n in vehicles["private"]),
        taxi_vehicles=tuple((str(m), str(n)) for m, n in vehicles["taxi"]),
        colours=_strs(vehicles["colours"]),
        plate_regions=_strs(places["plate_regions"]),
    )
