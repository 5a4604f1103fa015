"""Replays every input kept in tests/fuzz_found/ (see README.md there): each must end in a UserError
or, if it is valid, in a run with finite results; never in another exception."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pytest

import model
from model.errors import UserError
from model.scenario.params import resolve
from model.simulation.roster import read_roster
from model.scenario.load import load_scenario

HERE = Path(__file__).resolve().parent
BASELINE = HERE.parent.parent / "scenarios" / "baseline.yaml"
SCENARIOS = sorted(HERE.glob("*.yaml"))
ROSTERS = sorted([*HERE.glob("*.csv"), *HERE.glob("*.xlsx")])


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = model.simulate(path, draws=1, seed=1, progress=False)
    except UserError as err:
        assert path.name in str(err) or "extends" in str(err), str(err)
        return
    for name, values in results.metrics.items():
        assert all(math.isfinite(v) for v in values.ravel()), name


@pytest.mark.parametrize("path", ROSTERS, ids=[p.name for p in ROSTERS])
def test_roster(path):
    sc = load_scenario(BASELINE)
    with pytest.raises(UserError, match=path.name):
        read_roster(path, sc.model, resolve(sc.model))

