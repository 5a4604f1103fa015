"""budget.xlsx: sheets, totals equal summary.csv, reproducible bytes."""

import pytest
from openpyxl import load_workbook

from model.excel import text_width, write_workbook
from model.report import read_run




def test_cjk_counts_double():
    assert text_width("社区ab") == 6


def test_sheets_and_totals(run_dir):
    run = read_run(run_dir)
    wb = load_workbook(write_workbook(run_dir))
    assert wb.sheetnames[0] == "汇总" and "参数" in wb.sheetnames
    assert [str(y) for y in run.projected_years] == wb.sheetnames[1:1 + len(run.projected_years)]
    rows = list(wb["汇总"].iter_rows(min_row=2, values_only=True))
    totals = {r[0]: r for r in rows if r[2] == "cost.total"}
    assert sorted(totals) == run.projected_years
    for year, r in totals.items():
        assert r[3] == pytest.approx(run.value("cost.total", year), rel=1e-12)
        assert r[6] == run.wan("cost.total", year)  # 万元: the report's printed value
        assert abs(r[6] - run.value("cost.total", year) / 10_000) <= 0.05
    year = run.projected_years[-1]
    sheet = {r[1]: r for r in wb[str(year)].iter_rows(values_only=True) if r[1]}
    assert sheet["cost.total"][2] == pytest.approx(run.value("cost.total", year), rel=1e-12)
    assert wb["汇总"].freeze_panes == "D2"
    assert wb["参数"].max_row == len(run.parameters) + 1


def test_two_writes_give_the_same_bytes(run_dir):
    first = write_workbook(run_dir).read_bytes()
    assert write_workbook(run_dir).read_bytes() == first
