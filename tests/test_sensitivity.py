"""Sensitivity: Sobol estimators against analytic indices, range files, one-at-a-time runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import BASELINE, ROOT
from model.__main__ import main
from model.analysis.sensitivity import ab_matrices, check_ranges, one_at_a_time, read_ranges, saltelli_design, sobol_indices
from model.errors import UserError

SHORT = ["horizon.end_year=2023"]


def indices(f, bounds, n, seed=3):
    A, B = saltelli_design(bounds, n, seed)
    AB = ab_matrices(A, B)
    return sobol_indices(f(A), f(B), np.array([f(m) for m in AB]), [f"x{i + 1}" for i in range(len(bounds))], 400, seed)


def within_error(table, col, truth):
    """Estimate within 4 bootstrap standard errors (plus a little for the bootstrap's own noise)."""
    err = np.abs(table[col].to_numpy() - np.asarray(truth))
    return np.all(err <= 4 * table[f"{col}_se"].to_numpy() + 0.01), err


def test_ishigami_indices_within_sampling_error():
    a, b = 7.0, 0.1

    def ishigami(X):
        return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])

    # Analytic values (Ishigami & Homma 1990): V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2, etc.
    V = a**2 / 8 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 18 + 0.5
    V1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    V2 = a**2 / 8
    V13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    S1 = [V1 / V, V2 / V, 0.0]
    ST = [(V1 + V13) / V, V2 / V, V13 / V]
    table = indices(ishigami, [(-np.pi, np.pi)] * 3, 1024)
    for col, truth in (("S1", S1), ("ST", ST)):
        ok, err = within_error(table, col, truth)
        assert ok, (col, err, table)
    assert (table.S1_low <= table.S1).all() and (table.S1 <= table.S1_high).all()


def test_linear_model_indices_are_squared_weights():
    w = np.array([1.0, 2.0, 3.0, 0.0])
    table = indices(lambda X: 100.0 + X @ w, [(0.0, 1.0)] * 4, 512)
    truth = w**2 / (w**2).sum()
    for col in ("S1", "ST"):
        ok, err = within_error(table, col, truth)
        assert ok, (col, err)
    assert table.ST.iloc[3] == pytest.approx(0.0, abs=1e-12)


def test_design_rules():
    with pytest.raises(UserError, match="power of 2"):
        saltelli_design([(0, 1)], 48, 1)
    A, B = saltelli_design([(100, 300), (0.0, 1.0)], 64, 1)
    assert np.all(A[:, 0] == np.round(A[:, 0])) and A[:, 0].min() >= 100 and A[:, 0].max() <= 300
    assert not np.all(A[:, 1] == np.round(A[:, 1]))
    AB = ab_matrices(A, B)
    assert np.array_equal(AB[1][:, 0], A[:, 0]) and np.array_equal(AB[1][:, 1], B[:, 1])


def test_ranges_file_errors_are_listed(tmp_path):
    bad = tmp_path / "ranges.yaml"
    bad.write_text("attrition.rate.staff: [0.2, 0.1]\nelections.turnover: 0.3\npay.wage_growth: {range: [0.01, 0.05], source: x}\n")
    with pytest.raises(UserError) as err:
        read_ranges(bad)
    text = str(err.value)
    assert "attrition.rate.staff: low 0.2 must be below high 0.1" in text
    assert "elections.turnover: expected [low, high]" in text and "pay.wage_growth" not in text
    with pytest.raises(UserError) as err:
        check_ranges(BASELINE, {"attrition.rate.staff": (0.1, 1.5), "no.such": (0, 1)})
    assert "range attrition.rate.staff=1.5" in str(err.value) and "range no.such=0" in str(err.value)


def test_default_ranges_are_valid_for_the_baseline():
    ranges = read_ranges(ROOT / "scenarios" / "ranges" / "sensitivity_ranges.yaml")
    assert len(ranges) >= 8
    check_ranges(BASELINE, ranges)


def test_one_at_a_time_on_the_model():
    ranges = {"attrition.rate.staff": (0.04, 0.2), "social_insurance.employer.medical": (0.06, 0.1)}
    table = one_at_a_time(BASELINE, ranges, 2023, draws=6, seed=2, overrides=SHORT)
    row = table.set_index("parameter")
    assert row.loc["attrition.rate.staff", "change_high"] < 0 < row.loc["attrition.rate.staff", "change_low"]
    assert row.loc["social_insurance.employer.medical", "change_high"] > 0
    assert table.swing.is_monotonic_decreasing
    assert (table.se_low >= 0).all()


def test_a_range_end_at_the_scenarios_own_value_is_simulated_once(monkeypatch):
    # the low end of this range is the baseline's own value (women members on the 50 track): that run is the base
    # run again, so the runner simulates it once and the change at the low end is exactly 0
    from model.analysis import distributed

    simulated = []
    tallies = distributed.job_tallies
    monkeypatch.setattr(distributed, "job_tallies", lambda job, bar=None: simulated.append(job) or tallies(job, bar))
    table = one_at_a_time(BASELINE, {"retirement.female_original_age.member": (50, 55)}, 2023, draws=4, seed=2,
                          overrides=SHORT)
    assert len(simulated) == 2  # the base (and the low end) once, the high end
    row = table.iloc[0]
    assert row.change_low == 0 and row.at_low == row.base and row.se_low == 0


def test_repeated_jobs_get_equal_tallies_of_their_own():
    from model.analysis.distributed import Runner
    from model.scenario.load import load_scenario
    from model.simulation.results import make_job

    sc = load_scenario(BASELINE, overrides=SHORT)
    a, b = make_job(sc, 3, 1), make_job(sc, 3, 1)
    c = make_job(sc, 3, 2)  # another seed: another job
    assert a.key() == b.key() != c.key()
    ra, rb, rc = Runner(progress=False).raw([a, b, c])
    assert np.array_equal(ra, rb) and ra is not rb and not np.array_equal(ra, rc)


def test_sensitivity_command_writes_tornado_and_sobol(tmp_path, capsys):
    ranges = tmp_path / "r.yaml"
    ranges.write_text("attrition.rate.staff: [0.05, 0.2]\nhiring.annual_cap: [100, 300]\n")
    out = tmp_path / "s"
    base = ["sensitivity", str(BASELINE), "--year", "2022", "--ranges", str(ranges), "--draws", "3",
            "--set", "horizon.end_year=2022", "--out", str(out), "--quiet"]
    assert main(base) == 0, capsys.readouterr().err
    assert {"oat.csv", "tornado.svg", "sensitivity.md"} <= {p.name for p in out.iterdir()}
    assert main([*base, "--method", "sobol", "--samples", "4", "--bootstrap", "20"]) == 0
    sob = pd.read_csv(out / "sobol.csv")
    assert list(sob.parameter) == ["attrition.rate.staff", "hiring.annual_cap"]
    assert len(pd.read_csv(out / "sobol_runs.csv")) == 4 * (2 + 2)
    assert "bootstrap" in (out / "sensitivity.md").read_text()
    assert main([*base[:3], "2040", *base[4:]]) == 2
    assert "--year 2040: outside" in capsys.readouterr().err


def test_one_at_a_time_over_years_is_the_sum_of_the_years():
    ranges = {"social_insurance.employer.medical": (0.06, 0.10)}
    both = one_at_a_time(BASELINE, ranges, 2021, draws=3, overrides=SHORT, through=2022)
    each = [one_at_a_time(BASELINE, ranges, y, draws=3, overrides=SHORT) for y in (2021, 2022)]
    assert both.year.iloc[0] == "2021-2022"
    for col in ("base", "change_low", "change_high"):
        assert both[col].iloc[0] == pytest.approx(each[0][col].iloc[0] + each[1][col].iloc[0], rel=1e-12)
    # the medical rate moves cost by exactly its rate change x the clipped base: a lower rate costs less
    assert both.change_low.iloc[0] < 0 < both.change_high.iloc[0]


def test_a_year_does_not_depend_on_later_years():
    """Sensitivity runs stop at the last year they report: that is only right if every figure of a year is the
    same whether the projection ends there or runs on (random numbers keyed by year, no look-ahead)."""
    import model

    full = model.simulate(BASELINE, draws=6, seed=4, progress=False, overrides=["horizon.end_year=2030"])
    cut = model.simulate(BASELINE, draws=6, seed=4, progress=False, overrides=["horizon.end_year=2024"])
    assert list(cut.years) == list(range(2020, 2025))
    for name, values in cut.metrics.items():
        np.testing.assert_array_equal(values, full.metrics[name][:, :5], err_msg=name)
