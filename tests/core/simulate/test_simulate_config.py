"""SimulationConfig: presets, command-line overrides and checks on every parameter."""

from __future__ import annotations

import dataclasses

import pytest

from shinealight.core.simulate import ConfounderCounts, NoiseRates, SimulationConfig


def test_presets_have_the_documented_sizes() -> None:
    demo = SimulationConfig.preset("demo")
    default = SimulationConfig.preset("default")
    large = SimulationConfig.preset("large")
    assert demo.children < 500 and demo.networks >= 2
    assert (default.children, default.years, default.networks) == (2000, 5, 8)
    assert large.children > default.children * 10
    assert {demo.preset_name, default.preset_name, large.preset_name} == {
        "demo",
        "default",
        "large",
    }


def test_overrides_replace_fields_and_none_means_keep() -> None:
    config = SimulationConfig.preset("demo", children=250, seed=9, years=None, networks=None)
    assert (config.children, config.seed) == (250, 9)
    assert config.years == SimulationConfig.preset("demo").years


def test_nested_overrides_take_a_mapping_of_fields() -> None:
    config = SimulationConfig.preset(
        "default", noise={"typo": 0.3}, confounders={"youth_worker": 1}
    )
    assert config.noise.typo == 0.3
    assert config.noise.dob_swap == NoiseRates().dob_swap
    assert config.confounders.youth_worker == 1
    assert config.confounders.foster_carer == ConfounderCounts().foster_carer


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"areas": 1}, "areas"),
        ({"areas": 13}, "areas"),
        ({"children": 10}, "children"),
        ({"colour": "red"}, "colour"),
        ({"noise": {"typo": 1.5}}, "noise.typo"),
        ({"noise": {"spelling": 0.1}}, "noise.spelling"),
        ({"confounders": {"youth_worker": -1}}, "confounders.youth_worker"),
    ],
)
def test_bad_parameters_are_refused_with_their_name(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SimulationConfig.preset("default", **overrides)


def test_unknown_preset_is_refused() -> None:
    with pytest.raises(ValueError, match="preset"):
        SimulationConfig.preset("huge")


def test_config_is_frozen() -> None:
    config = SimulationConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.seed = 2  # type: ignore[misc]
