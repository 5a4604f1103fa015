"""Sweeps: grid parsing, errors that name the path, the tidy table, and serial = dask cluster."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import BASELINE
from model.__main__ import main
from model.analysis import distributed
from model.analysis.distributed import Runner
from model.analysis.sweep import combinations, parse_grid, run_sweep, split_values
from model.errors import UserError
from model.outputs import csv_bytes

SHORT = ["horizon.end_year=2024"]
GRID = ["attrition.rate.staff=0.05,0.12", "progression.years_per_grade=2,3"]


def test_values_split_outside_brackets():
    assert split_values("0.1, 0.2") == ["0.1", "0.2"]
    assert split_values("{2020: 0.03, 2026: 0.05},0.03") == ["{2020: 0.03, 2026: 0.05}", "0.03"]
    assert split_values("[1, 2],[3]") == ["[1, 2]", "[3]"]


def test_combinations_first_grid_slowest():
    grid = parse_grid(["a.b=1,2", "c.d=x,y,z"])
    combos = combinations(grid)
    assert len(combos) == 6
    assert combos[0] == {"a.b": "1", "c.d": "x"} and combos[3] == {"a.b": "2", "c.d": "x"}


@pytest.mark.parametrize("grid, expected", [
    (["attrition.rate.staff"], "--grid 'attrition.rate.staff': expected dotted.path=v1,v2"),
    (["attrition.rate.staff=0.1,,0.2"], "--grid attrition.rate.staff: empty value"),
    (["a.b=1", "a.b=2"], "--grid a.b: given twice"),
])
def test_malformed_grid_is_named(grid, expected):
    with pytest.raises(UserError) as err:
        parse_grid(grid)
    assert expected in str(err.value)


def test_invalid_grid_values_name_the_path(capsys):
    code = main(["sweep", str(BASELINE), "--grid", "attrition.rate.staff=0.1,1.5",
                 "--grid", "attrition.rate.nobody=1", "--grid", "progression.years_per_grade=2,two", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--grid attrition.rate.staff=1.5: attrition.rate.staff (--set): Input should be less than or equal to 1" in err
    assert "--grid attrition.rate.nobody=1: attrition.rate.nobody" in err
    assert "--grid progression.years_per_grade=two: progression.years_per_grade (--set)" in err
    assert "Traceback" not in err


def test_sweep_table_is_tidy():
    table = run_sweep(BASELINE, parse_grid(GRID), draws=6, seed=2, overrides=SHORT)
    assert list(table.columns) == ["combination", "attrition.rate.staff", "progression.years_per_grade",
                                   "year", "metric", "mean", "p05", "p50", "p95"]
    assert sorted(table.combination.unique()) == [0, 1, 2, 3]
    assert not table.duplicated(["combination", "year", "metric"]).any()
    cost = table[(table.metric == "cost.total") & (table.year == 2024)].set_index("combination")["mean"]
    assert cost[0] > cost[2]  # more staff leaving: fewer, more junior staff, lower cost (same random numbers)


def test_sweep_serial_equals_two_worker_cluster(monkeypatch):
    monkeypatch.setattr(distributed, "BLOCK_DRAWS", 4)  # several tasks per combination
    grid = parse_grid(GRID)
    serial = run_sweep(BASELINE, grid, draws=10, seed=5, overrides=SHORT)
    with Runner(workers=2, progress=False) as runner:
        spread = run_sweep(BASELINE, grid, draws=10, seed=5, overrides=SHORT, runner=runner)
    assert csv_bytes(serial) == csv_bytes(spread)


def test_sweep_command_writes_table_and_chart(tmp_path, capsys):
    out = tmp_path / "sweep"
    code = main(["sweep", str(BASELINE), "--grid", "elections.turnover=0.1,0.3", "--draws", "4",
                 "--set", "horizon.end_year=2023", "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == [".community-model-output", "cost_total.svg", "sweep.csv", "sweep.parquet"]
    csv = pd.read_csv(out / "sweep.csv")
    assert set(csv["elections.turnover"]) == {0.1, 0.3}
    assert pd.read_parquet(out / "sweep.parquet").shape == csv.shape
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("x")
    code = main(["sweep", str(BASELINE), "--grid", "elections.turnover=0.1", "--draws", "2",
                 "--set", "horizon.end_year=2021", "--out", str(tmp_path / "other"), "--quiet"])
    assert code == 2 and (tmp_path / "other" / "keep.txt").exists()
