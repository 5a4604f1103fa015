"""Golden outputs: each library scenario still gives its reduced summary in tests/golden/ (see its README)."""

from __future__ import annotations

import pandas as pd
import pytest
from golden.update import GOLDEN, first_divergence, library, reduced_summary

SCENARIOS = library()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_library_scenario_matches_its_golden_output(name):
    golden = GOLDEN / f"{name}.csv"
    assert golden.exists(), f"no golden output for scenarios/{name}.yaml: run `make golden` and review the new file"
    problem = first_divergence(pd.read_csv(golden), reduced_summary(SCENARIOS[name]))
    assert problem is None, f"{name}: {problem} (if the change is intended, see tests/golden/README.md)"


def test_every_golden_output_has_its_scenario():
    stale = sorted(p.stem for p in GOLDEN.glob("*.csv") if p.stem not in SCENARIOS)
    assert not stale, f"golden outputs without a library scenario: {stale}; run `make golden` to remove them"


def test_divergence_names_year_and_metric():
    golden = pd.DataFrame({"year": [2021, 2021, 2022], "metric": ["cost.total", "headcount", "headcount"],
                           "mean": [1e8, 2000.0, 2010.0], "p05": 0.0, "p50": 0.0, "p95": 0.0})
    assert first_divergence(golden, golden.copy()) is None
    tiny = golden.assign(mean=golden["mean"] * (1 + 1e-9))
    assert first_divergence(golden, tiny) is None
    moved = golden.copy()
    moved.loc[2, "mean"] = 2011.0
    moved.loc[1, "p95"] = 1.0
    assert first_divergence(golden, moved) == "first divergence in 2021, headcount p95: golden 0.000000, now 1.000000"
    assert "missing" in first_divergence(golden, golden.iloc[:2])
