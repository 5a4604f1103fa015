"""The PDF report: pages, fonts, text and headline figures, determinism; rounding helpers."""

import re

import pandas as pd
import pytest
from fontTools.ttLib import TTFont

import model
from model.errors import UserError
from model.report import fmt_num, fmt_wan, largest_remainder, read_run, reconcile_wan
from model.report.charts import FONT_DIR
from model.report.pdf import build_pdf, compile_report, report_text
from model.report.text import labels

pypdf = pytest.importorskip("pypdf")
needs_engine = pytest.mark.skipif(not hasattr(model, "simulate"), reason="engine not available yet")
SECTIONS = ["sec.summary", "sec.budget", "sec.workforce", "sec.certificates", "sec.insurance",
            "sec.uncertainty", "sec.bridge", "sec.method", "sec.appendix_params", "sec.appendix_manifest"]




@pytest.fixture(scope="module")
def pdf_zh(run_dir):
    return build_pdf(run_dir, "zh").read_bytes()


def pdf_text(data: bytes) -> tuple[int, str]:
    import io

    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), text.replace("\u200b", "")


def test_largest_remainder_keeps_the_total():
    parts = [1.26, 2.26, 3.48]  # rounded one by one: 1 + 2 + 3 = 6, but the total rounds to 7
    assert largest_remainder(parts, 7) == [1.0, 2.0, 4.0]
    wan, total = reconcile_wan([12_345.0, 23_455.0, 34_455.0], 70_255.0)
    assert total == 7.0 and round(sum(wan), 6) == 7.0


def test_number_formats():
    assert fmt_wan(123_456_789) == "12,345.7"
    assert fmt_num(-1234.5, 1) == "\u22121,234.5"
    assert fmt_num(-0.04, 1) == "0.0"


def test_unknown_language_is_a_user_error(tmp_path):
    with pytest.raises(UserError):
        build_pdf(tmp_path, "fr")


@needs_engine
def test_pdf_pages_fonts_and_text(run_dir, pdf_zh):
    pages, text = pdf_text(pdf_zh)
    assert pages >= 8
    assert b"/FontFile2" in pdf_zh or b"/FontFile3" in pdf_zh
    fonts = set(re.findall(rb"/BaseFont/[A-Z]{6}\+([\w-]+)", pdf_zh))
    assert fonts <= {b"NotoSansSC-Regular", b"NotoSansSC-Bold"}, fonts
    for key in SECTIONS:
        assert labels("zh")[key] in text, key
    run = read_run(run_dir)
    for year in run.budget_years():
        assert fmt_wan(run.value("cost.total", year)) in text, year


@needs_engine
def test_no_typst_warnings_and_every_glyph_in_the_font(run_dir):
    for lang in ("zh", "en"):
        _, warnings = compile_report(run_dir, lang)
        assert warnings == []
        cmap = TTFont(FONT_DIR / "NotoSansSC-Regular.ttf").getBestCmap()
        missing = {c for c in report_text(run_dir, lang) if ord(c) not in cmap and c not in "\n\u200b"}
        assert not missing, missing


@needs_engine
def test_pages_render_to_png(run_dir, pdf_zh, tmp_path):
    pages, _ = pdf_text(pdf_zh)
    compile_report(run_dir, "zh", fmt="png", output=tmp_path / "page-{0p}.png", ppi=40)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == pages
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 1000 for p in pngs)


@needs_engine
def test_same_run_gives_the_same_bytes(run_dir, pdf_zh):
    # built twice here: another test may have left the English charts in the folder
    assert build_pdf(run_dir, "zh").read_bytes() == pdf_zh
    charts = {p.name: p.read_bytes() for p in (run_dir / "charts").glob("*.svg")}
    assert build_pdf(run_dir, "zh").read_bytes() == pdf_zh
    assert {p.name: p.read_bytes() for p in (run_dir / "charts").glob("*.svg")} == charts


@needs_engine
def test_charts_drawn_in_one_process_are_the_same(run_dir, pdf_zh, monkeypatch):
    """The charts are shared with a forked child (model.process.in_two_processes); drawn all here, the same bytes."""
    import model.report.charts as charts_module

    build_pdf(run_dir, "zh")
    shared = {p.name: p.read_bytes() for p in (run_dir / "charts").glob("*.svg")}
    monkeypatch.setattr(charts_module, "in_two_processes", lambda tasks: [task() for task in tasks])
    assert build_pdf(run_dir, "zh").read_bytes() == pdf_zh
    assert {p.name: p.read_bytes() for p in (run_dir / "charts").glob("*.svg")} == shared


@needs_engine
def test_english_report_sits_beside_the_chinese_one(run_dir, tmp_path):
    import shutil

    own = tmp_path / "run"
    shutil.copytree(run_dir, own)
    zh = build_pdf(own, "zh").read_bytes()
    en = build_pdf(own, "en")
    assert en.name == "report.en.pdf" and (own / "figures.en.csv").exists() and (own / "charts" / "en").is_dir()
    assert (own / "report.pdf").read_bytes() == zh  # not replaced
    pages, text = pdf_text(en.read_bytes())
    for key in SECTIONS:
        assert labels("en")[key] in text.replace("\n", " "), key
    _, ztext = pdf_text(zh)
    assert "征求意见稿" in ztext and "编制单位：（待填写）" in ztext and "不构成预算批复" in ztext.replace("\n", "")
    # what the pensions leave out is said where they are shown
    assert "未计入过渡性养老金" in ztext.replace("\n", "")
    assert "transitional pension" in text.replace("-\n", "").replace("\n", " ")  # (a word hyphenated at a line end)


def test_one_figure_one_value_in_the_report_and_the_workbook(pdf_zh, run_dir):
    """Every (metric, year, statistic, unit) the report prints has one value (figures.csv), and the
    workbook's 万元 cells hold those same values."""
    import collections

    import openpyxl
    import pandas as pd

    figs = pd.read_csv(run_dir / "figures.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(figs.columns) == ["where", "metric", "year", "statistic", "unit", "printed"]
    assert len(figs) > 300
    values = collections.defaultdict(set)
    for rec in figs.itertuples():
        values[(rec.metric, rec.year, rec.statistic, rec.unit)].add(rec.printed)
    twice = {k: v for k, v in values.items() if len(v) > 1}
    assert twice == {}, f"printed with two values: {list(twice.items())[:5]}"
    # the components printed in the budget table add up to the printed total, year by year
    run = read_run(run_dir)
    for y in run.years:
        parts = sum(run.wan(m, y) for m in run.cost_lines())
        assert round(parts, 1) == run.wan("cost.total", y)
    # the workbook's summary sheet: 万元 columns (mean, P5, P95) equal the printed figures
    ws = openpyxl.load_workbook(run_dir / "budget.xlsx", read_only=True)["汇总"]
    stats = {6: "mean", 7: "p05", 8: "p95"}
    checked = 0
    for row in ws.iter_rows(min_row=2, values_only=True):
        if not row or row[2] is None:
            continue
        for col, stat in stats.items():
            key = (row[2], str(row[0]), stat, "万元")
            if key in values:
                assert {fmt_num(row[col], 1)} == values[key], key
                checked += 1
    assert checked > 50
    # each year's sheet: persons, shares and pensions show what the report prints (as the cell's format shows them)
    wb = openpyxl.load_workbook(run_dir / "budget.xlsx")
    shown = {"#,##0": lambda v: fmt_num(v), "#,##0.0": lambda v: fmt_num(v, 1), "0.0%": lambda v: fmt_num(v * 100, 1) + "%"}
    units = {"#,##0": ("人", "元/月"), "#,##0.0": ("人", "元/月"), "0.0%": ("%",)}
    seen = collections.Counter()
    for ws in (ws for ws in wb.worksheets if ws.title.isdigit()):
        for row in ws.iter_rows(min_row=2):
            if len(row) < 5 or not isinstance(row[1].value, str) or not isinstance(row[2].value, (int, float)):
                continue
            for cell, stat in zip(row[2:5], ("mean", "p05", "p95")):
                for unit in units.get(cell.number_format, ()):
                    key = (row[1].value, ws.title, stat, unit)
                    if key in values:
                        assert {shown[cell.number_format](cell.value)} == values[key], key
                        seen[row[1].value] += 1
    assert seen["headcount"] > 0 and seen["pension.retirees"] > 0 and seen["certified_share"] > 0, seen


def test_costing_note_says_when_a_saving_comes_from_vacancies(tmp_path):
    # a recruitment freeze saves money only by leaving posts empty: the note must say so in the same sentence,
    # beside the paired band and the headcount and vacancy effects, and list what is not priced
    from conftest import ROOT
    from model.report.compare import paired, run_comparison

    dirs = run_comparison(str(ROOT / "scenarios" / "baseline.yaml"), [str(ROOT / "scenarios" / "recruitment_freeze.yaml")],
                          draws=8, seed=1, out_dir=tmp_path / "cmp", lang="zh")
    _, text = pdf_text((tmp_path / "cmp" / "comparison.pdf").read_bytes())
    flat = text.replace("\n", "")
    assert "政策成本说明" in flat and "配对P5–P95" in flat
    assert "空缺岗位平均增加" in flat and "这部分“节约”来自岗位空缺" in flat
    assert "中期财政规划期（2027—2029年）合计" in flat.replace(" ", "")
    assert "未计入的成本：替代空缺人员的加班或购买服务支出" in flat
    base, alt = read_run(dirs[0]), read_run(dirs[1])
    d = paired(base, alt, "cost.total")
    assert (d[2026] < 0).all()  # the freeze costs less in every draw ...
    assert (paired(base, alt, "vacancies")[2026] > 0).all()  # ... because posts stay empty
    # one figure, one value: the comparison logs what it prints, a difference is that of the printed totals
    fig = pd.read_csv(tmp_path / "cmp" / "figures.csv", dtype=str)
    assert fig.groupby(["metric", "year", "statistic", "unit"]).printed.nunique().max() == 1
    rows = fig.drop_duplicates(["metric", "year", "statistic"]).set_index(["metric", "year", "statistic"]).printed
    level = lambda run, y: float(rows[(f"{run.scenario}:cost.total", str(y), "mean")].replace(",", ""))
    key = f"{alt.scenario}−{base.scenario}:cost.total"
    for y in (2026, 2027):
        assert float(rows[(key, str(y), "mean")].replace(",", "").replace("−", "-")) == pytest.approx(level(alt, y) - level(base, y))
        assert level(base, y) == base.wan("cost.total", y)  # the base's level as its own report prints it
    plan3 = sum(float(rows[(key, str(y), "mean")].replace(",", "").replace("−", "-")) for y in (2027, 2028, 2029))
    assert float(rows[(key, "2027-2029", "mean")].replace(",", "").replace("−", "-")) == pytest.approx(plan3)


def test_medium_term_plan_follows_the_budget_year(pdf_zh, run_dir):
    # the baseline's budget year is 2027: the 中期财政规划 covers 2027-2029, years before 2027 are history (*)
    import pandas as pd

    _, text = pdf_text(pdf_zh)
    flat = text.replace("\n", "")
    assert "中期财政规划（2027—2029年）" in flat and "2026*" in flat and "2027*" not in flat
    figs = pd.read_csv(run_dir / "figures.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    printed = {(r.metric, r.year): float(r.printed.replace(",", "").replace("\u2212", "-")) for r in figs.itertuples()
               if r.statistic == "mean" and r.unit == "万元"}
    three = sum(printed[("cost.total", str(y))] for y in (2027, 2028, 2029))
    assert printed[("cost.total.sum", "2027-2029")] == pytest.approx(three, abs=1e-6)


def test_budget_year_on_the_command_line(tmp_path):
    import json
    import subprocess
    import sys

    from conftest import BASELINE, ROOT

    bad = subprocess.run([sys.executable, "-m", "model", "run", str(BASELINE), "--draws", "2", "--budget-year", "2034",
                          "--out", str(tmp_path / "x")], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "--budget-year 2034: must be after the opening year 2020 and at most 2033" in bad.stderr
    assert not (tmp_path / "x").exists()
    ok = subprocess.run([sys.executable, "-m", "model", "run", str(BASELINE), "--draws", "2", "--budget-year", "2028",
                         "--out", str(tmp_path / "y"), "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert json.loads((tmp_path / "y" / "manifest.json").read_text())["budget_year"] == 2028


def test_key_assumptions_table_and_tornado(run_dir, tmp_path):
    # the report shows what the band does not cover: each key assumption at the ends of its range, in 万元
    import shutil

    import pandas as pd

    from conftest import BASELINE
    from model.report import write_assumptions

    own = tmp_path / "run"
    shutil.copytree(run_dir, own)
    path = write_assumptions(own, BASELINE, draws=3)
    t = pd.read_csv(path)
    assert set(t.year) == {2027} and "pay.reference_wage_monthly" in set(t.parameter)
    wage = t.set_index("parameter").loc["pay.reference_wage_monthly"]
    assert wage.change_low < 0 < wage.change_high  # a lower base wage costs less, a higher one more
    _, text = pdf_text(build_pdf(own, "zh").read_bytes())
    flat = text.replace("\n", "")
    assert "关键假设对2027年经费的影响" in flat and "区间只反映随机模拟" in flat
    assert (own / "charts" / "assumptions.svg").exists()
    figs = pd.read_csv(own / "figures.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert (figs.metric == "assumption.pay.reference_wage_monthly.high").sum() == 1
    # the table says how many of the report's draws its runs took, and its base: the mean of those draws, which the
    # tornado's axis prints too (not the report's own mean over all its draws)
    base = f"{t.base.iloc[0] / 1e4:,.1f}"
    tight = re.sub(r"\s", "", flat)
    assert set(t.draws) == {3} and "取正文40次模拟中的前3次" in tight and f"2027年经费均值{base}万元" in tight
    from model.report.charts import assumptions as tornado

    assert f"基准 {base}" in tornado(read_run(own), "zh").axes[0].get_xlabel()
    printed = figs[figs.metric == "assumption.base"].printed.tolist()
    assert printed == [base]


def test_headline_drivers_take_leavers_and_joiners_together(pdf_zh, tmp_path):
    # exits and hires are each large and largely offset: the headline ranks their net with the other steps
    _, text = pdf_text(pdf_zh)
    tight = re.sub(r"\s", "", text)
    assert "主要影响因素为" in tight and "主要影响因素为人员退出" not in tight and "主要影响因素为新进人员" not in tight
    # with recruitment frozen in 2027, leavers are not replaced: their net is the largest driver, shown with its parts
    res = model.simulate(model.paths.data_file("scenarios/recruitment_freeze.yaml"), draws=10, seed=1, progress=False)
    out = tmp_path / "freeze"
    model.write_run(res, out)
    tight = re.sub(r"\s", "", pdf_text(build_pdf(out, "zh").read_bytes())[1])
    assert re.search(r"2027年：经费总额[^·]*?主要影响因素为人员进出净额（−[\d,.]+万元；其中退出−[\d,.]+、新进\+?[\d,.]+）", tight)


def test_parameter_appendix_is_written_for_readers(pdf_zh):
    # Chinese names, values as a person writes them, nothing beyond the horizon
    from model.scenario.parameter_labels import parameter_name, parameter_value

    assert parameter_name("attrition.rate.staff") == "年流失率（专职人员）"
    assert parameter_name("social_insurance.employer.pension") == "单位缴费率（养老保险）"
    assert parameter_value("social_insurance.employer.pension", "0.16") == "16%"
    assert parameter_value("retirement.reform", "true") == "是"
    _, text = pdf_text(pdf_zh)
    appendix = text[text.rindex("附录一"):]
    assert "年流失率（专职人员）" in appendix and "领取养老金最低缴费年限" in appendix
    assert "True" not in appendix and "False" not in appendix
    assert re.search(r"2035\s+18\b", appendix) and not re.search(r"2036\s+18\.5", appendix)  # 2036-2039: beyond 2035
    # sources by document number, the documents listed in full; no pointer to files a reader does not have
    flat = re.sub(r"\s", "", appendix)
    assert "参数依据文献" in flat and "国办发〔2019〕13号" in flat and "213号" in flat
    assert "facts" not in text and "§" not in text


def test_actuals_beside_the_backcast(run_dir, tmp_path):
    import shutil

    from model.report.actuals import read_actuals

    src = tmp_path / "actuals.csv"
    src.write_text('year,metric,value\n2021,cost.total,"13,900.5"\n2022,headcount.staff,1010\n')
    a = read_actuals(src, 2020, 2027)
    assert list(a.value) == [13900.5, 1010.0] and list(a.unit) == ["万元", "人"]
    bad = tmp_path / "bad.csv"
    bad.write_text("year,metric,value\n2028,cost.total,1\n2021,cost.totl,5\n2021,cost.total,1\n2021,cost.total,2\n")
    with pytest.raises(UserError) as err:
        read_actuals(bad, 2020, 2027)
    text = str(err.value)
    assert "row 2, year: 2028 is not a past year" in text and "did you mean 'cost.total'" in text
    assert "cost.total 2021 is given more than once" in text
    own = tmp_path / "run"
    shutil.copytree(run_dir, own)
    a.to_csv(own / "actuals.csv", index=False)
    _, pdf = pdf_text(build_pdf(own, "zh").read_bytes())
    run = read_run(own)
    assert "决算与模型回溯对比" in pdf and "13,900.5" in pdf
    diff = round(run.wan("cost.total", 2021) - 13900.5, 1)
    assert fmt_num(diff, 1) in pdf  # the model less the actual, from the printed model value
