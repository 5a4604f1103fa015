"""The scenario library: every policy scenario validates, runs, says where each changed value comes
from, and changes what it claims to change."""

from __future__ import annotations

import numpy as np
import pytest

import model
from model.__main__ import main
from model.params import resolve

from conftest import ROOT

LIBRARY = ["certificate_push", "posts_per_10k", "pay_linked_to_average_wage", "faster_progression",
           "arrears_cleared_two_years", "no_retirement_reform"]
SHORT = ["horizon.end_year=2027"]  # past the 2026 changes, short enough for a fast test


def path(name):
    return ROOT / "scenarios" / f"{name}.yaml"


def test_validate_command_accepts_every_scenario(capsys):
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    assert main(["validate", *files]) == 0
    assert len(files) >= len(LIBRARY) + 1


@pytest.mark.parametrize("name", LIBRARY)
def test_scenario_runs_and_sources_every_change(name):
    sc = model.load_scenario(path(name))
    assert sc.name == name and sc.model.extends == "baseline.yaml"
    assert sc.model.title and sc.model.rationale and sc.model.sources
    unsourced = [p for p, prov in sc.provenance.items() if prov.kind == "scenario"]
    assert unsourced == [], f"give these a source or an assumption: {unsourced}"
    res = model.simulate(path(name), draws=8, seed=3, progress=False, overrides=SHORT)
    assert list(res.years) == list(range(2020, 2028))
    assert np.all(res.metrics["cost.total"][:, 1:] > 0)


def at(P_series, year, P):
    return P_series[year - P.opening_year]


def test_each_scenario_changes_its_lever():
    base = resolve(model.load_scenario(ROOT / "scenarios" / "baseline.yaml").model)
    P = {n: resolve(model.load_scenario(path(n)).model) for n in LIBRARY}
    cp = P["certificate_push"]
    assert not at(cp.cert_required, 2021, cp) and at(cp.cert_required, 2026, cp)
    assert at(cp.sit, 2022, cp)[0] > at(base.sit, 2022, base)[0]
    pp = P["posts_per_10k"]
    # 18 per 10,000 x 1,600,000 served residents (assumed) = 2,880 posts in all
    assert at(pp.quota, 2026, pp).sum() == 18 * 1_600_000 // 10_000
    assert at(pp.quota, 2025, pp).sum() == at(base.quota, 2025, base).sum() == 2072
    pw = P["pay_linked_to_average_wage"]
    # from 2021, grade-1 pay with performance share = 80% of last year's average wage
    assert pw.wage_link[0] == 0 and np.all(pw.wage_link[1:] * (1 + pw.perf_share[1:]) == pytest.approx(0.8, rel=0.001))
    fp = P["faster_progression"]
    assert at(fp.years_per_grade, 2025, fp) == 3 and at(fp.years_per_grade, 2026, fp) == 2
    ar = P["arrears_cleared_two_years"]
    assert at(ar.clear_rate, 2021, ar) == 0.5 and at(ar.clear_rate, 2022, ar) == 1.0
    nr = P["no_retirement_reform"]
    assert not nr.reform and base.reform and np.all(nr.min_contrib_months == 180)
