"""The scenario library: every policy scenario validates, runs, says where each changed value comes
from, and changes what it claims to change."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import model
from conftest import ROOT
from model.__main__ import main
from model.scenario.params import resolve

LIBRARY = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml") if p.stem != "baseline")
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
    assert name in OUTCOMES, f"say what {name} changes in its outcome (OUTCOMES)"
    m, b, years = res.metrics, baseline_short().metrics, list(res.years)
    OUTCOMES[name](lambda k, y: m[k][:, years.index(y)], lambda k, y: b[k][:, years.index(y)])


@functools.lru_cache(maxsize=1)
def baseline_short():
    return model.simulate(path("baseline"), draws=8, seed=3, progress=False, overrides=SHORT)


def _arrears(s, b):
    # 50 % of the workers with gaps clear in 2021, every remaining one in 2022 (baseline: 25 % a year)
    assert (s("arrears.months_outstanding", 2022) == 0).all() and (b("arrears.months_outstanding", 2022) > 0).all()
    assert s("cost.arrears", 2021).mean() > b("cost.arrears", 2021).mean()


def _certificates(s, b):
    # every member elected in 2026 holds a certificate; the subsidy from 2022 raises the sittings
    assert (s("elected.certified_share", 2026) == 1).all() and (b("elected.certified_share", 2026) < 1).all()
    assert s("exam.sat", 2022).mean() > 1.3 * b("exam.sat", 2022).mean()  # junior 30 % -> 50 %, intermediate 15 -> 25 %
    assert (s("cost.other.exam_subsidy", 2021) == 0).all() and (s("cost.other.exam_subsidy", 2022) > 0).all()


def _same_until(metric, year):
    # the scenario changes nothing before `year`: the same draws give the same numbers
    def check(s, b):
        assert np.array_equal(s(metric, year - 1), b(metric, year - 1))
        assert s(metric, year).mean() > b(metric, year).mean()
    return check


def _no_reform(s, b):
    # without the delay, the cohorts reaching 60 / 55 / 50 in 2025-2027 retire on time, not months later
    ret = lambda f: sum(f("exits.retirement", y) + f("exits.retirement_short", y) for y in (2025, 2026, 2027))  # noqa: E731
    assert ret(s).mean() > ret(b).mean()
    assert np.array_equal(s("exits.retirement", 2024), b("exits.retirement", 2024))


def _freeze(s, b):
    assert (s("hires", 2026) == 0).all() and (s("hires", 2027) == 0).all() and (b("hires", 2026) > 0).all()
    assert s("vacancies", 2027).mean() > b("vacancies", 2027).mean()


def _posts(s, b):
    assert (s("quota.staff", 2026) == 1864).all()
    assert s("headcount.staff", 2027).mean() > b("headcount.staff", 2027).mean() + 300  # the cap doubled to 400
    assert np.array_equal(s("headcount", 2025), b("headcount", 2025))


OUTCOMES = {
    "arrears_cleared_two_years": _arrears,
    "certificate_push": _certificates,
    "faster_progression": _same_until("cost.pay", 2026),  # 2 years a grade from 2026: 2026 recruits graded on it
    "no_retirement_reform": _no_reform,
    "pay_linked_to_average_wage": _same_until("pay.base", 2021),  # 0.4841 x 6,088 = 2,947 > 2,800 x 1.03
    "pay_to_average_wage_share": _same_until("pay.base", 2026),  # 55 % of ~7,480 = ~4,110 > ~3,340
    "posts_per_10k": _posts,
    "recruitment_freeze": _freeze,
}


def at(P_series, year, P):
    return P_series[year - P.opening_year]


def test_each_scenario_changes_its_lever():
    base = resolve(model.load_scenario(ROOT / "scenarios" / "baseline.yaml").model)
    P = {n: resolve(model.load_scenario(path(n)).model) for n in LIBRARY}
    cp = P["certificate_push"]
    assert not at(cp.certificate_required, 2021, cp) and at(cp.certificate_required, 2026, cp)
    assert at(cp.sitting_rate, 2022, cp)[0] > at(base.sitting_rate, 2022, base)[0]
    pp = P["posts_per_10k"]
    # 18 per 10,000 x 1,580,211 urban residents (2,469,079 x 64%) = 2,844 posts in all
    assert at(pp.quota, 2026, pp).sum() == int(18 * round(2_469_079 * 0.64) / 10_000) == 2844
    assert at(pp.quota, 2025, pp).sum() == at(base.quota, 2025, base).sum() == 2072
    pw = P["pay_linked_to_average_wage"]
    # from 2021, grade-1 gross pay g = 1.2 k A below the floor f A: g + employer SI on f A + housing fund on g = 0.8 A
    for t in range(1, pw.n_years):
        si, hf, f = pw.employer[t, :4].sum(), pw.employer[t, 4], pw.base_floor_share[t]
        assert pw.link_to_average_wage[t] == pytest.approx((0.8 - si * f) / ((1 + pw.performance_share[t]) * (1 + hf)), abs=1e-4)
    assert pw.link_to_average_wage[0] == 0
    fp = P["faster_progression"]
    assert at(fp.years_per_grade, 2025, fp) == 3 and at(fp.years_per_grade, 2026, fp) == 2
    ar = P["arrears_cleared_two_years"]
    assert at(ar.clearance_rate, 2021, ar) == 0.5 and at(ar.clearance_rate, 2022, ar) == 1.0
    rf = P["recruitment_freeze"]
    assert at(rf.annual_cap, 2026, rf) == at(rf.annual_cap, 2027, rf) == 0
    assert at(rf.annual_cap, 2028, rf) == at(base.annual_cap, 2028, base)
    ps = P["pay_to_average_wage_share"]
    assert at(ps.link_to_average_wage, 2025, ps) == 0 and at(ps.link_to_average_wage, 2026, ps) == 0.55
    nr = P["no_retirement_reform"]
    assert not nr.reform and base.reform and np.all(nr.min_contribution_months == 180)
    # and nothing else: each scenario's parameters differ from the baseline's only where its file sets a value
    levers = {"arrears_cleared_two_years": {"clearance_rate"},  # arrears.clearance_rate
              "certificate_push": {"certificate_required", "sitting_rate", "per_sitter"},  # candidacy rule, sitting rates, per sitter
              "faster_progression": {"years_per_grade"}, "no_retirement_reform": {"reform", "min_contribution_months"},
              "pay_linked_to_average_wage": {"link_to_average_wage"}, "pay_to_average_wage_share": {"link_to_average_wage"},
              "posts_per_10k": {"quota", "annual_cap"}, "recruitment_freeze": {"annual_cap"}}
    assert set(levers) == set(LIBRARY)
    for name, Pn in P.items():
        changed = {f for f in Pn._fields if not np.array_equal(np.asarray(getattr(Pn, f)), np.asarray(getattr(base, f)))}
        assert changed == levers[name], name
