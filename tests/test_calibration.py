"""Calibration: recovering known rates from a history the model made itself; history files; outputs."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import model
from conftest import BASELINE, ROOT
from model.__main__ import main
from model.analysis.calibration import calibrate, parse_fit, read_history
from model.errors import UserError

SHORT = "horizon.end_year=2024"


def model_history(overrides, metrics, seed, draws=40):
    res = model.simulate(BASELINE, draws=draws, seed=seed, progress=False, overrides=[SHORT, *overrides])
    rows = [(int(y), m, float(res.metrics[m][:, t].mean())) for m in metrics for t, y in enumerate(res.years) if y > 2020]
    return pd.DataFrame(rows, columns=["year", "metric", "value"])


def test_recovers_staff_attrition_from_its_own_history():
    history = model_history(["attrition.rate.staff=0.13"], ["exits.attrition", "headcount.staff", "hires"], seed=11)
    params = parse_fit(["attrition.rate.staff"], model.load_scenario(BASELINE), 2021)
    assert params[0].start == 0.08 and (params[0].low, params[0].high) == (0.0, 1.0)
    result = calibrate(BASELINE, history, params, draws=20, seed=1)  # other seed than the history's
    assert result["values"][0] == pytest.approx(0.13, abs=0.01)
    assert result["loss"] < result["start_loss"] / 10
    fit = result["fit"]
    assert list(fit.columns) == ["year", "metric", "observed", "fitted", "p05", "p95", "error", "rel_error"]
    assert fit.rel_error.abs().max() < 0.05


def test_history_errors_name_the_rows(tmp_path):
    f = tmp_path / "h.csv"
    f.write_text("# comment\nyear,metric,value\n2021,hires,10\n20x2,hires,11\n2023,hires,n/a\n2021,hires,12\n")
    with pytest.raises(UserError) as err:
        read_history(f)
    text = str(err.value)
    assert "row 2: year '20x2'" in text and "row 3: value 'n/a'" in text and "row 4: hires in 2021 given twice" in text
    f.write_text("year,value\n2021,3\n")
    with pytest.raises(UserError, match="missing column"):
        read_history(f)


def test_fit_argument_errors():
    sc = model.load_scenario(BASELINE)
    with pytest.raises(UserError) as err:
        parse_fit(["pay.reference_wage_monthly,no.such,retirement.reform", "elections.turnover=0.5:0.1"], sc, 2021)
    text = str(err.value)
    assert "pay.reference_wage_monthly: value 2800" in text and "give bounds" in text
    assert "no parameter 'no.such'" in text and "retirement.reform: not a number" in text
    assert "low 0.5 must be below high 0.1" in text
    [p] = parse_fit(["pay.reference_wage_monthly=2000:4000"], sc, 2021)
    assert (p.low, p.high, p.start) == (2000, 4000, 2800)


def test_example_history_reads_and_says_it_is_illustrative():
    path = ROOT / "data" / "history_example.csv"
    assert "ILLUSTRATIVE EXAMPLE, NOT OBSERVED DATA" in path.read_text().splitlines()[0]
    history = read_history(path)
    assert set(history.metric) >= {"headcount.staff", "hires", "exits.attrition", "cost.total"}


def test_calibrate_command_writes_a_loadable_calibration_file(tmp_path, capsys):
    history = model_history(["elections.turnover=0.25"], ["exits.election", "hires"], seed=4, draws=10)
    hfile = tmp_path / "history.csv"
    history.to_csv(hfile, index=False)
    out = tmp_path / "calibration" / "turnover_fit.yaml"
    code = main(["calibrate", str(BASELINE), "--history", str(hfile), "--fit", "elections.turnover",
                 "--draws", "6", "--max-evals", "12", "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert {p.name for p in out.parent.iterdir()} == {"turnover_fit.yaml", "turnover_fit_fit.csv", "turnover_fit_fit.md"}
    data = yaml.safe_load(out.read_text())
    assert data["name"] == "turnover_fit" and (out.parent / data["extends"]).resolve() == BASELINE.resolve()
    assert data["elections"]["turnover"]["source"].startswith("calibration: fitted")
    assert data["sources"]["calibration"] == f"calibrated to {hfile}"
    sc = model.load_scenario(out)
    assert sc.model.elections.turnover != model.load_scenario(BASELINE).model.elections.turnover
    assert "In-sample error" in (out.parent / "turnover_fit_fit.md").read_text()
    code = main(["calibrate", str(BASELINE), "--history", str(hfile), "--fit", "elections.turnover",
                 "--out", str(tmp_path / "x.txt"), "--quiet"])
    assert code == 2 and "must end in .yaml" in capsys.readouterr().err
