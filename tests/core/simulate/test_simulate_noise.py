"""Noise: every configured rate is met within tolerance, and is visible in the output."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from simworld import Run, run_simulation

from shinealight.core.simulate import NoiseRates, SimulationConfig


def _within(applied: int, opportunities: int, rate: float) -> bool:
    # Four standard errors of a binomial proportion, plus a little for tiny rates.
    if opportunities == 0:
        return False
    error = math.sqrt(rate * (1 - rate) / opportunities)
    return abs(applied / opportunities - rate) <= 4 * error + 0.005


@pytest.fixture(scope="module")
def noisy(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A small world with every noise rate raised well above the default."""
    noise = NoiseRates(
        typo=0.2,
        short_name=0.5,
        surname_change=0.2,
        address_move=0.4,
        stale_details=0.6,
        dob_swap=0.3,
        dob_missing=0.25,
        wrong_gender=0.15,
        phone_format=0.7,
        plate_format=0.6,
        partial_plate=0.6,
        free_text_only=0.6,
    )
    config = SimulationConfig(seed=11, children=400, years=3, networks=3, noise=noise)
    return run_simulation(config, tmp_path_factory.mktemp("noisy"))


@pytest.mark.parametrize("name", ["demo", "noisy"])
def test_every_configured_noise_rate_is_met(name: str, request: pytest.FixtureRequest) -> None:
    run: Run = request.getfixturevalue(name)
    counts = run.summary.noise
    assert set(counts) == set(vars(run.config.noise))
    for kind, count in counts.items():
        assert count.configured == getattr(run.config.noise, kind)
        assert count.opportunities >= 20, kind
        assert _within(count.applied, count.opportunities, count.configured), (kind, count)


def _mention_values(run: Run, field: str) -> dict[str, list[str]]:
    owner = run.mention_owner()
    values: dict[str, list[str]] = defaultdict(list)
    for r in run.records:
        for p in r.get("persons", []):
            if field in p:
                values[owner[f"{r['agency']}/{r['record_id']}/{p['ref']}"]].append(p[field])
    return values


def test_wrong_gender_shows_in_the_records(noisy: Run) -> None:
    wrong = total = 0
    for genders in _mention_values(noisy, "gender").values():
        if len(genders) >= 5:
            usual = Counter(genders).most_common(1)[0][0]
            wrong += sum(1 for g in genders if g != usual)
            total += len(genders)
    assert _within(wrong, total, noisy.config.noise.wrong_gender)


def test_swapped_dates_of_birth_show_in_the_records(noisy: Run) -> None:
    swapped = swappable = 0
    for dobs in _mention_values(noisy, "dob").values():
        whole = [d for d in dobs if len(d) == 10]
        if len(whole) < 5:
            continue
        usual = Counter(whole).most_common(1)[0][0]
        year, month, day = usual.split("-")
        if int(day) > 12 or day == month:
            continue
        swappable += len(whole)
        swapped += sum(1 for d in whole if d == f"{year}-{day}-{month}")
    # A swap is drawn only after the date survived the "missing" draw.
    assert _within(swapped, swappable, noisy.config.noise.dob_swap)


def test_phone_and_plate_variants_show_in_the_records(noisy: Run) -> None:
    phones = [t["number"] for r in noisy.records for t in r.get("phones", [])]
    phones += [n for r in noisy.records for p in r.get("persons", []) for n in p.get("phones", [])]
    plain = sum(1 for n in phones if re.fullmatch(r"07700 9\d{5}", n))
    assert _within(len(phones) - plain, len(phones), noisy.config.noise.phone_format)
    vrms = [v for r in noisy.records for v in r.get("vehicles", [])]
    partial = [v for v in vrms if v["partial"]]
    assert partial and all("?" in v["vrm"] for v in partial)
    whole = [v["vrm"] for v in vrms if not v["partial"]]
    canonical = sum(
        1
        for t in whole
        if re.fullmatch(
            r"[A-Z]{2}\d\d [A-Z]{3}|[A-Z]\d{1,3} [A-Z]{3}|"
            r"[A-Z]{3} \d{1,3}[A-Z]",
            t,
        )
    )
    assert 0 < canonical < len(whole)


def test_default_noise_is_quieter_than_raised_noise(demo: Run, noisy: Run) -> None:
    for kind in ("typo", "wrong_gender", "dob_swap"):
        assert demo.summary.noise[kind].rate < noisy.summary.noise[kind].rate


def test_zero_noise_gives_clean_names(tmp_path: Path) -> None:
    quiet = NoiseRates(**{kind: 0.0 for kind in vars(NoiseRates())})
    run = run_simulation(
        SimulationConfig(seed=5, children=150, years=1, networks=1, noise=quiet), tmp_path
    )
    for genders in _mention_values(run, "gender").values():
        assert len(set(genders)) == 1
    assert all(count.applied == 0 for count in run.summary.noise.values())
