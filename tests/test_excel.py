"""budget.xlsx: sheets, totals equal summary.csv, reproducible bytes."""

import pytest
from openpyxl import load_workbook

from model.report import read_run
from model.report.excel import text_width, write_workbook


def test_cjk_counts_double():
    assert text_width("社区ab") == 6


def test_sheets_and_totals(run_dir):
    run = read_run(run_dir)
    wb = load_workbook(write_workbook(run_dir))
    assert wb.sheetnames[:5] == ["预算表", "中期财政规划", "经费增减因素", "分级负担", "汇总"] and "参数" in wb.sheetnames
    assert [str(y) for y in run.projected_years] == wb.sheetnames[5:5 + len(run.projected_years)]
    bridge = {r[1]: r for r in wb["经费增减因素"].iter_rows(min_row=2, values_only=True) if r[1]}
    for j, y in enumerate(run.projected_years):  # last year's printed total + the printed steps = this year's
        steps = sum(bridge[m][2 + j] for m in run.bridge_steps())
        assert round(bridge["bridge.start"][2 + j] + steps, 1) == bridge["bridge.end"][2 + j] == run.wan("cost.total", y)
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


def test_medium_term_plan_sheet_as_the_report_shows_it(run_dir):
    # the three years' sum of each line and of the total (Table 2's 三年合计), the band's two rows together above the
    # note, and who pays: the shares of every year, not only the first
    import zipfile

    run = read_run(run_dir)
    path = write_workbook(run_dir)
    rows = list(load_workbook(path)["中期财政规划"].iter_rows(values_only=True))
    by = {r[1]: i for i, r in enumerate(rows) if r[1]}
    assert rows[2][-1] == "三年合计" and rows[by["cost.total"]][-1].startswith("=SUM(")
    assert by["cost.total p95"] == by["cost.total p05"] + 1 == by["cost.total"] + 2
    assert rows[by["cost.total"] + 4][0].startswith("单位：万元")
    # the total's three-year sum as cached in the file (what a reader sees) is the report's three-year total
    three = round(sum(run.wan("cost.total", y) for y in run.budget_years()), 1)
    assert f"<v>{three:.16G}</v>" in zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml").decode()
    note = [c.value for c in load_workbook(path)["分级负担"]["A"] if c.value][-1]
    years = run.projected_years
    assert f"{years[0]}–{years[-1]}年" in note  # one share for every year of the baseline


def test_two_writes_give_the_same_bytes(run_dir):
    first = write_workbook(run_dir).read_bytes()
    assert write_workbook(run_dir).read_bytes() == first


def test_budget_template_with_codes_and_sum_formulas(run_dir):
    # the main sheet: budget lines x years, codes in columns, totals as =SUM formulas whose cached values are the
    # report's printed totals (and the lines, rounded once, add up to them)
    run = read_run(run_dir)
    write_workbook(run_dir)
    wb = load_workbook(run_dir / "budget.xlsx")
    ws = wb["预算表"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    lines = [r for r in rows if r[1] and r[1] != "cost.total"]
    total = next(r for r in rows if r[1] == "cost.total")
    assert {r[1]: r[3] for r in lines}["pay.base"] == "30101" and all(r[2] == "2080208" for r in lines)
    assert total[4] == f"=SUM(E4:E{3 + len(lines)})"
    cached = load_workbook(run_dir / "budget.xlsx", data_only=True)["预算表"]
    y0 = run.projected_years[0]
    assert cached.cell(row=4 + len(lines), column=5).value == run.wan("cost.total", y0)
    assert round(sum(r[4] for r in lines), 1) == run.wan("cost.total", y0)
    assert all("　" not in str(r[0]) for r in rows if r[0])  # no indentation characters in names
    payers = wb["分级负担"]
    assert [r[0] for r in payers.iter_rows(min_row=2, max_row=4, values_only=True)] == ["市级财政", "区级财政", "上级转移支付"]


def test_payer_split_per_line(tmp_path):
    # the housing fund paid by the city alone, every other line 5 : 5: city = half of the rest + the housing fund
    import model

    res = model.simulate(model.load_scenario(
        __import__("conftest").BASELINE,
        overrides=["budget.payer_shares_by_line={cost.housing_fund: {city: 1.0, district: 0.0, transfer: 0.0}}"]),
        draws=4, seed=1, progress=False)
    model.write_run(res, tmp_path / "run", workbook=False)
    run = read_run(tmp_path / "run")
    y = 2027
    total, housing = run.value("cost.total", y), run.value("cost.housing_fund", y)
    assert run.wan("payer.city", y) == pytest.approx((0.5 * (total - housing) + housing) / 1e4, abs=0.1)
    assert run.wan("payer.district", y) == pytest.approx(0.5 * (total - housing) / 1e4, abs=0.1)
    assert round(run.wan("payer.city", y) + run.wan("payer.district", y) + run.wan("payer.transfer", y), 1) == run.wan("cost.total", y)
