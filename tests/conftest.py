"""Shared fixtures and hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
CASES = ROOT / "tests" / "cases"

# Example database policy. The default profile (`make test`, CI) is reproducible: derandomize=True draws the same
# examples on every run and machine, and database=None neither reads nor writes .hypothesis/, so a run does not
# depend on what an earlier run found. The long profile (`make fuzz`) searches at random and keeps what it finds in
# the local database; a failure found there is copied into the test as an explicit @example, so every run tries it.
settings.register_profile("default", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=True, database=None)
settings.register_profile("long", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def baseline_results():
    """The baseline with 40 draws, shared by tests that only read it."""
    import model

    return model.simulate(BASELINE, draws=40, seed=1, progress=False)


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory, baseline_results):
    """A run folder of the baseline (40 draws), for the report and workbook tests."""
    import model

    out = tmp_path_factory.mktemp("run") / "baseline"
    model.write_run(baseline_results, out)
    return out


ROSTER_HEADER = "id,post,regime,sex,birth,education,service_years,contribution_years,certificate,grade,arrears_months\n"


def hand_case(tmp_path, rows, *overrides):
    """Run tests/cases/hand.yaml (1 draw) on a roster of ``rows``; returns value(metric, year) of the mean."""
    import model

    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_HEADER + "".join(r + "\n" for r in rows))
    res = model.simulate(CASES / "hand.yaml", draws=1, seed=1, progress=False,
                         overrides=[f"opening.roster_file={roster}", *overrides])
    s = res.summary()
    return lambda metric, year: float(s[(s.metric == metric) & (s.year == year)]["mean"].iloc[0])
