"""Running the baseline: outputs, seed facts, reproducibility, identities, splitting of draws."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import model
from conftest import BASELINE, ROOT
from model.scenario.params import resolve
from model.scenario.schema import POSTS
from model.simulation import engine
from model.simulation.checks import IdentityError, check_raw
from model.simulation.population import synthesise

SPEC_METRICS = ["headcount", "headcount.chief", "headcount.deputy", "headcount.member", "headcount.staff", "quota",
                "vacancies", "hires", "exits.retirement", "exits.attrition", "exits.election", "certified_share",
                "certified.junior", "certified.intermediate", "certified.senior", "cost.total", "cost.pay",
                "cost.certificate_allowance", "cost.employer_pension", "cost.employer_social_insurance",
                "cost.housing_fund", "cost.arrears"]


def test_opening_stock_is_the_seeds(baseline_results):
    s = baseline_results.summary().set_index(["year", "metric"])
    assert s.loc[(2020, "headcount"), "mean"] == 2009  # 1,068 两委 + 941 staff
    assert s.loc[(2020, "quota"), "mean"] == 2072
    assert s.loc[(2020, "vacancies"), "mean"] == 151  # staff only: 两委 are 88 over quota
    assert s.loc[(2020, "headcount.regime.establishment"), "mean"] == 38


def test_two_committees_within_quota_after_2021_election(baseline_results):
    m = baseline_results.metrics
    years = list(baseline_results.years)
    two = m["headcount.chief"] + m["headcount.deputy"] + m["headcount.member"]
    assert two[:, years.index(2020)].min() == 1068
    assert two[:, years.index(2021)].max() <= 980


def test_every_spec_metric_every_year(baseline_results):
    s = baseline_results.summary()
    for name in SPEC_METRICS:
        rows = s[s.metric == name]
        assert list(rows.year) == list(baseline_results.years), name
        assert rows[["mean", "p05", "p50", "p95"]].notna().all().all(), name
    assert (s.p05 <= s.p50 + 1e-9).all() and (s.p50 <= s.p95 + 1e-9).all()


def test_money_identities_every_draw(baseline_results):
    m = baseline_results.metrics
    parts = m["cost.pay"] + m["cost.employer_social_insurance"] + m["cost.housing_fund"] + m["cost.arrears"]
    np.testing.assert_allclose(m["cost.total"], parts, rtol=0, atol=1e-6)
    by_post = sum(m[f"cost_by_post.{p}"] for p in POSTS)
    np.testing.assert_allclose(m["cost.total"], by_post, rtol=0, atol=1e-6)
    bridge = m["bridge.start"] + sum(m[k] for k in ("bridge.exits", "bridge.hires", "bridge.progression",
                                                    "bridge.certificates", "bridge.uprating", "bridge.contributions", "bridge.arrears"))
    np.testing.assert_allclose(bridge[:, 1:], m["bridge.end"][:, 1:], rtol=0, atol=1e-5)
    assert (m["cost.pay"] >= m["cost.certificate_allowance"]).all()
    assert (m["cost.employer_social_insurance"] >= m["cost.employer_pension"]).all()


def test_results_do_not_depend_on_how_draws_are_split():
    sc = model.load_scenario(BASELINE)
    P = resolve(sc.model)
    R = synthesise(sc.model, P, 3)
    cap = engine.capacity_for(P, len(R.wid))
    whole = engine.simulate_draws(P, R, 3, np.arange(10), cap)
    parts = np.concatenate([engine.simulate_draws(P, R, 3, np.arange(a, b), cap) for a, b in ((0, 3), (3, 4), (4, 10))])
    odd_first = engine.simulate_draws(P, R, 3, np.array([9, 1, 5]), cap)
    assert (whole == parts).all()
    assert (whole[[9, 1, 5]] == odd_first).all()


def test_threads_do_not_change_results():
    import numba

    sc = model.load_scenario(BASELINE)
    P = resolve(sc.model)
    R = synthesise(sc.model, P, 3)
    cap = engine.capacity_for(P, len(R.wid))
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = engine.simulate_draws(P, R, 3, np.arange(70), cap)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        # 70 draws: threads take them in blocks of 70 // (threads x 16) (2 on two threads), the last one short
        many = engine.simulate_draws(P, R, 3, np.arange(70), cap)
        few = engine.simulate_draws(P, R, 3, np.arange(3), cap)
    finally:
        numba.set_num_threads(before)
    assert (one == many).all()
    assert (few == one[:3]).all()
    assert len({one[d].tobytes() for d in range(70)}) == 70  # every draw filled, and each its own


def test_identity_check_catches_a_slip(baseline_results):
    sc = model.load_scenario(BASELINE)
    P = resolve(sc.model)
    R = synthesise(sc.model, P, 1)
    raw = engine.simulate_draws(P, R, 1, np.arange(2), engine.capacity_for(P, len(R.wid)))
    check_raw(raw, baseline_results.years)
    from model.simulation.metrics import R_HC
    raw[1, 5, R_HC[0]] += 1
    with pytest.raises(IdentityError, match="draw 1, year 2025"):
        check_raw(raw, baseline_results.years)


def test_cli_run_writes_files_byte_identical(tmp_path):
    outs = []
    for name, chunk_env in (("a", "1"), ("b", "2")):
        out = tmp_path / name
        r = subprocess.run([sys.executable, "-m", "model", "run", str(BASELINE), "--draws", "30", "--seed", "5",
                            "--out", str(out), "--quiet"], capture_output=True, text=True, cwd=ROOT,
                           env={**__import__("os").environ, "NUMBA_NUM_THREADS": chunk_env})
        assert r.returncode == 0, r.stderr
        outs.append(out)
    for f in ("summary.csv", "draws.parquet", "manifest.json", "parameters.csv"):
        assert (outs[0] / f).exists(), f
    assert (outs[0] / "summary.csv").read_bytes() == (outs[1] / "summary.csv").read_bytes()
    summary = pd.read_csv(outs[0] / "summary.csv")
    assert list(summary.columns[:7]) == ["scenario", "year", "metric", "mean", "p05", "p50", "p95"]
    man = json.loads((outs[0] / "manifest.json").read_text())
    assert man["seed"] == 5 and man["draws"] == 30 and len(man["run_digest"]) == 64
    draws = pd.read_parquet(outs[0] / "draws.parquet")
    assert len(draws) == 30 * summary.year.nunique()


def test_cli_bad_arguments_exit_2(tmp_path):
    for args in (["run", str(BASELINE), "--draws", "0"], ["run", str(BASELINE), "--draws", "x"],
                 ["run", str(tmp_path / "missing.yaml")], ["run", str(BASELINE), "--set", "nope.x=1"]):
        r = subprocess.run([sys.executable, "-m", "model", *args, "--out", str(tmp_path / "o")], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 2, (args, r.stderr)
        assert "Traceback" not in r.stderr
        assert not (tmp_path / "o").exists()


def test_probability_of_exceeding_the_appropriation():
    res = model.simulate(BASELINE, draws=20, seed=2, progress=False,
                         overrides=["appropriation={2020: 1.0e8, 2026: 0.0001}"])  # 万元
    s = res.summary().set_index(["year", "metric"])["mean"]
    assert s[(2025, "prob_exceed")] == 0.0  # a trillion yuan is never exceeded
    assert s[(2026, "prob_exceed")] == 1.0  # one yuan always is
    total = res.metrics["cost.total"][:, list(res.years).index(2030)]
    cut = float(np.median(total))
    res2 = model.simulate(BASELINE, draws=20, seed=2, progress=False, overrides=[f"appropriation={cut / 1e4}"])
    s2 = res2.summary().set_index(["year", "metric"])["mean"]
    assert s2[(2030, "prob_exceed")] == pytest.approx((total > cut).mean())
    assert s2[(2030, "appropriation")] == pytest.approx(cut, rel=1e-12)


def test_run_on_a_local_cluster_is_byte_identical(tmp_path):
    outs = []
    for name, extra in (("serial", []), ("cluster", ["--workers", "2"])):
        r = subprocess.run([sys.executable, "-m", "model", "run", str(BASELINE), "--draws", "12", "--seed", "4",
                            "--out", str(tmp_path / name), "--quiet", *extra], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        outs.append((tmp_path / name / "summary.csv").read_bytes())
    assert outs[0] == outs[1]


def test_memory_guard_says_how_many_draws_fit(monkeypatch):
    """With memory for 7.5 draws beyond the running state, 1,000 draws are refused with '7 draws fit';
    7 draws then run and 8 are refused."""
    import re

    from model.errors import UserError
    from model.simulation import results

    sc = model.load_scenario(BASELINE)
    P = resolve(sc.model)
    cap = engine.capacity_for(P, len(results.opening_roster(sc, P, 1).wid))
    state = engine.running_bytes(P, cap)
    have = int((state + 7.5 * results.estimate_bytes(1, P.n_years)) / 0.8)
    monkeypatch.setattr(results, "available_bytes", lambda: have)
    with pytest.raises(UserError) as err:
        results.simulate(sc, draws=1000, progress=False)
    fit = int(re.search(r"at most ([\d,]+) draws fit", str(err.value)).group(1).replace(",", ""))
    assert fit == 7
    assert results.simulate(sc, draws=fit, progress=False).draws == fit
    with pytest.raises(UserError):
        results.simulate(sc, draws=fit + 1, progress=False)


def test_roster_built_in_slices_equals_one_piece(monkeypatch):
    from model.simulation import population

    sc = model.load_scenario(BASELINE)
    P = resolve(sc.model)
    whole = synthesise(sc.model, P, 3)
    monkeypatch.setattr(population, "SLICE", 300)  # 7 slices
    monkeypatch.setattr(population.numba, "get_num_threads", lambda: 3)
    sliced = synthesise(sc.model, P, 3)
    for name, a, b in zip(whole._fields, whole, sliced):
        assert a.dtype == b.dtype and np.array_equal(a, b), name


def test_dated_appropriation_in_wan_yuan(tmp_path):
    # appropriation {2021: 13,500, 2026: 16,000} 万元: none in 2020, 135,000,000 yuan 2021-2025, 160,000,000 from 2026;
    # the probability of exceeding it is the share of draws whose cost.total is above it
    import pandas as pd

    res = model.simulate(BASELINE, draws=20, seed=1, progress=False, overrides=["appropriation={2021: 13500, 2026: 16000}"])
    s = res.summary()
    a = s[s.metric == "appropriation"].set_index("year")["mean"]
    assert 2020 not in a.index
    assert a[2021] == a[2025] == 135_000_000 and a[2026] == 160_000_000
    p = s[s.metric == "prob_exceed"].set_index("year")["mean"]
    t = list(res.years).index(2026)
    assert p[2026] == (res.metrics["cost.total"][:, t] > 160_000_000).mean()
    assert isinstance(a, pd.Series)
