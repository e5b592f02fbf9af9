"""Fixtures for the linkage core: the default simulated world, built once per session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def default_world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from shinealight.core.linkage import read_mentions
    from shinealight.core.simulate import SimulationConfig, simulate

    out = tmp_path_factory.mktemp("default-world")
    simulate(SimulationConfig.preset("default"), out)
    mentions = [m for kind, m in read_mentions(out / "records.jsonl.gz") if kind == "person"]
    truth = json.loads((out / "truth.json").read_text())["people"]
    return {"mentions": mentions, "truth": truth, "path": Path(out)}
