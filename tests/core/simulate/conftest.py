"""Simulated worlds shared by the simulator's tests: each is built once per session."""

from __future__ import annotations

import pytest
from simworld import Run, run_simulation

from shinealight.core.simulate import SimulationConfig


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The demo preset: a few hundred children, three networks."""
    return run_simulation(SimulationConfig.preset("demo"), tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The default preset: the evaluation world for linkage and alerts."""
    return run_simulation(SimulationConfig.preset("default"), tmp_path_factory.mktemp("default"))
