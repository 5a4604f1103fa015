"""budget.xlsx: the run's budget as an Excel workbook (summary, one sheet per year, parameters)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path

import xlsxwriter

from model.lines import COST_TREE
from model.report import Run, flatten, read_run
from model.report.text import POSTS, REGIMES, label
from model.scenario.parameter_labels import parameter_about, parameter_name, parameter_unit
from model.simulation.metrics import EXIT_KINDS

LANG = "zh"
FIXED_TIME = datetime(2020, 12, 31)  # document property; a fixed value keeps the bytes reproducible
WORKFORCE = ["headcount", "quota", "vacancies", "hires", *EXIT_KINDS, "moves.to_staff", "elected.from_staff", "elected.outside",
             "certified.junior", "certified.intermediate", "certified.senior",
             "certified_share", "exam.passes", "mean_age", "arrears.months_outstanding", "arrears.months_cleared",
             "pension.retirees", "pension.mean_monthly", "pension.replacement_rate"]


def text_width(value) -> int:
    """Display width of a cell: East Asian wide characters count 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value))


class _Sheet:
    """A worksheet that remembers the widest cell of each column."""

    def __init__(self, wb, name: str, fmts: dict):
        self.ws, self.fmts, self.widths = wb.add_worksheet(name), fmts, {}

    def write(self, row: int, col: int, value, fmt: str | None = None, shown: str | None = None):
        if isinstance(value, str):  # text stays text: never read as a formula or a link (=HYPERLINK, =cmd|...)
            self.ws.write_string(row, col, value, self.fmts.get(fmt))
        else:
            self.ws.write(row, col, value, self.fmts.get(fmt))
        if isinstance(value, float) and shown is None:
            shown = f"{value:,.1f}"
        self.widths[col] = max(self.widths.get(col, 0), text_width(shown if shown is not None else value))

    def row(self, r: int, values: list, fmts: list | None = None):
        for c, v in enumerate(values):
            self.write(r, c, v, fmts[c] if fmts else None)

    def finish(self, freeze_row: int = 1, freeze_col: int = 1):
        for col, w in self.widths.items():
            self.ws.set_column(col, col, min(w + 2, 70))
        self.ws.freeze_panes(freeze_row, freeze_col)


def _cost_metrics(run: Run) -> list[tuple[str, int]]:
    """(metric, depth) for every cost line in the run, total first."""
    out, depth = [], {}
    for m, p in COST_TREE + [(m, "cost.total") for m in run.other_lines()]:
        if run.has(m):
            depth[m] = depth[p] + 1 if p else 0
            out.append((m, depth[m]))
    return out


def _budget_sheets(wb, run: Run, fmts: dict, L) -> None:
    """The budget template (预算表: budget lines x years with their codes, totals as =SUM formulas with
    their values cached), the 中期财政规划 and who pays; every amount is the report's printed value (万元)."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    b = run.budget
    if not b:
        return
    years = run.projected_years
    lines = run.budget_lines()

    def template(name: str, ys: list[int], title: str, plan: bool = False):
        """A sheet of budget lines x years ``ys``; the medium-term plan (``plan``) adds the three years' sum of each
        line and the band of the total (P5, P95), as the report's table does."""
        s = _Sheet(wb, name, fmts)
        s.write(0, 0, title, "title", shown="")
        head = [L("item"), "指标", "支出功能分类", "部门预算支出经济分类"] + [f"{y}年" for y in ys]
        s.row(2, head + (["三年合计"] if plan else []), ["head"] * (len(head) + plan))
        sum_col = 4 + len(ys)

        def row_sum(row: int, values: list[float]) -> None:  # the three years' sum, as a formula with its value
            rng = f"{xl_rowcol_to_cell(row, 4)}:{xl_rowcol_to_cell(row, sum_col - 1)}"
            s.ws.write_formula(row, sum_col, f"=SUM({rng})", fmts["wan"], round(sum(values), 1))

        for i, m in enumerate(lines):
            s.row(3 + i, [L(m), m, b["functional_code"], b["economic_codes"][m]])
            for j, y in enumerate(ys):
                s.write(3 + i, 4 + j, run.wan(m, y), "wan")
            if plan:
                row_sum(3 + i, [run.wan(m, y) for y in ys])
        last = 3 + len(lines)
        s.row(last, [L("cost.total"), "cost.total", b["functional_code"], ""], ["bold"] * 4)
        for j, y in enumerate(ys):
            col = 4 + j
            rng = f"{xl_rowcol_to_cell(3, col)}:{xl_rowcol_to_cell(last - 1, col)}"
            s.ws.write_formula(last, col, f"=SUM({rng})", fmts["wan"], run.wan("cost.total", y))
        note = last + 2
        if plan:
            row_sum(last, [run.wan("cost.total", y) for y in ys])
            for k, (stat, shown) in enumerate((("p05", "P5"), ("p95", "P95")), start=1):
                s.write(last + k, 0, f"经费总额 {shown}", None)
                s.write(last + k, 1, f"cost.total {stat}")
                for j, y in enumerate(ys):
                    s.write(last + k, 4 + j, run.wan("cost.total", y, stat), "wan")
            note = last + 4
        s.write(note, 0, "单位：万元。金额与报告所列一致（每个数只取舍一次）；合计为公式。科目对应关系和负担比例为情景参数，"
                "来源或假设见“参数”表。" + ("P5、P95为经费总额的第5和第95百分位，不可相加。" if plan else ""), "note", shown="")
        s.ws.set_landscape()
        s.ws.set_paper(9)  # A4
        s.ws.fit_to_pages(1, 0)
        s.ws.repeat_rows(2)
        s.finish(3, 2)

    template("预算表", years, f"{L('report_title')}：分年度预算表（{run.scenario}）")
    plan = run.budget_years()
    if len(plan) == 3:
        template("中期财政规划", plan, f"中期财政规划（{plan[0]}—{plan[-1]}年）", plan=True)
    if run.has("bridge.start"):  # the wage-bill bridge, year by year: last year's total + the steps = this year's
        s = _Sheet(wb, "经费增减因素", fmts)
        names = ["bridge.start", *run.bridge_steps(), "bridge.end"]
        s.row(0, [L("item"), "指标"] + [f"{y}年" for y in years], ["head"] * (2 + len(years)))
        for i, m in enumerate(names, start=1):
            s.row(i, [L(m), m], ["bold", None] if m in ("bridge.start", "bridge.end") else None)
            for j, y in enumerate(years):
                s.write(i, 2 + j, run.wan(m, y), "wan")
        s.write(len(names) + 2, 0, "单位：万元。上年经费加各因素等于本年经费（与报告所列一致）。", "note", shown="")
        s.finish(1, 2)
    shares = b.get("payer_shares", {})
    s = _Sheet(wb, "分级负担", fmts)
    names = {"city": "市级财政", "district": "区级财政", "transfer": "上级转移支付"}
    head = ["负担方", "指标"] + [f"{y}年" for y in years]
    s.row(0, head, ["head"] * len(head))
    for i, k in enumerate(names):
        s.row(1 + i, [names[k], f"payer.{k}"])
        for j, y in enumerate(years):
            s.write(1 + i, 2 + j, run.wan(f"payer.{k}", y), "wan")
    last = 1 + len(names)
    s.row(last, ["合计", "cost.total"], ["bold", "bold"])
    for j, y in enumerate(years):
        col = 2 + j
        s.ws.write_formula(last, col, f"=SUM({xl_rowcol_to_cell(1, col)}:{xl_rowcol_to_cell(last - 1, col)})",
                           fmts["wan"], run.wan("cost.total", y))
    def split(y: int) -> str:
        return "/".join(f"{shares[str(y)][k]:.0%}" for k in names)

    periods = []  # runs of years with the same shares
    for y in years:
        if periods and split(y) == split(periods[-1][1]) and periods[-1][1] == y - 1:
            periods[-1][1] = y
        else:
            periods.append([y, y])
    s.write(last + 2, 0, "负担比例（市级、区级、上级转移支付）：" + "；".join(
        f"{a}–{z}年 {split(a)}" if z > a else f"{a}年 {split(a)}" for a, z in periods)
        + "（情景参数 budget.payer_shares）。单位：万元。", "note", shown="")
    s.finish(1, 2)


def _metric_format(metric: str) -> str:
    """The cell format of a workforce metric, as the report prints it: shares in percent to one decimal, the mean
    age to one decimal, persons (retirees too) and pensions whole."""
    if metric.endswith("share") or metric.endswith("rate") or metric == "prob_exceed":
        return "pct"
    if metric == "mean_age":
        return "dec"
    return "int"


def write_workbook(run_dir: Path) -> Path:
    """Write run_dir/budget.xlsx from the run folder's files; return its path."""
    run_dir = Path(run_dir)
    run = read_run(run_dir)
    path = run_dir / "budget.xlsx"
    L = lambda k: label(LANG, k)  # noqa: E731
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": f"{L('report_title')} · {run.scenario}", "created": FIXED_TIME})
    fmts = {
        "head": wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                               "valign": "vcenter"}),
        "title": wb.add_format({"bold": True, "font_size": 12}),
        "yuan": wb.add_format({"num_format": "#,##0"}),
        "wan": wb.add_format({"num_format": "#,##0.0"}),
        "int": wb.add_format({"num_format": "#,##0"}),
        "dec": wb.add_format({"num_format": "#,##0.0"}),
        "pct": wb.add_format({"num_format": "0.0%"}),
        "bold": wb.add_format({"bold": True}),
        "note": wb.add_format({"italic": True, "font_color": "#555555"}),
    }
    costs = _cost_metrics(run)
    stats = ["mean", "p05", "p95"]
    _budget_sheets(wb, run, fmts, L)

    # summary: cost lines by year, in yuan and 万元
    s = _Sheet(wb, "汇总", fmts)
    head = [L("year"), L("item"), "指标", "均值（元）", "P5（元）", "P95（元）", "均值（万元）", "P5（万元）", "P95（万元）"]
    s.row(0, head, ["head"] * len(head))
    r = 1
    for y in run.projected_years:
        for m, depth in costs:
            name = "　" * depth + L(m)
            s.write(r, 0, y)
            s.write(r, 1, name, "bold" if depth == 0 else None)
            s.write(r, 2, m)
            for i, st in enumerate(stats):
                v = run.value(m, y, st)
                s.write(r, 3 + i, v, "yuan", shown=f"{v:,.0f}")
                s.write(r, 6 + i, run.wan(m, y, st), "wan")  # the printed value (one figure, one value)
            r += 1
    s.ws.autofilter(0, 0, r - 1, len(head) - 1)
    s.write(r + 1, 0, "注：均值、P5、P95 为各次模拟的统计量；P5、P95 不可相加。", "note", shown="")
    s.finish(1, 3)

    # one sheet per projected year
    for y in run.projected_years:
        s = _Sheet(wb, str(y), fmts)
        s.write(0, 0, f"{y}年 经费与队伍（{run.scenario}）", "title", shown="")
        r = 2
        s.row(r, [L("item"), "指标", "均值（元）", "P5（元）", "P95（元）", "均值（万元）"], ["head"] * 6)
        r += 1
        for m, depth in costs:
            s.write(r, 0, "　" * depth + L(m), "bold" if depth == 0 else None)
            s.write(r, 1, m)
            for i, st in enumerate(stats):
                s.write(r, 2 + i, run.value(m, y, st), "yuan", shown=f"{run.value(m, y, st):,.0f}")
            s.write(r, 5, run.wan(m, y), "wan")
            r += 1
        r += 1
        s.row(r, ["岗位", "在岗人数", "核定员额", "招聘", "经费（元）", "经费（万元）"], ["head"] * 6)
        r += 1
        for p in POSTS:
            vals = [run.value(m, y) if run.has(m) else None
                    for m in (f"headcount.{p}", f"quota.{p}", f"hires.{p}", f"cost_by_post.{p}")]
            s.write(r, 0, L(f"post.{p}"))
            for i, (v, f) in enumerate(zip(vals, ["int", "int", "int", "yuan"])):
                if v is not None:
                    s.write(r, 1 + i, v, f, shown=f"{v:,.0f}")
            if vals[3] is not None:
                s.write(r, 5, run.wan(f"cost_by_post.{p}", y), "wan")
            r += 1
        r += 1
        s.row(r, ["身份", "在岗人数", "经费（元）", "经费（万元）"], ["head"] * 4)
        r += 1
        for g in REGIMES:
            s.write(r, 0, L(f"regime.{g}"))
            if run.has(f"headcount.regime.{g}"):
                s.write(r, 1, run.value(f"headcount.regime.{g}", y), "int")
            if run.has(f"cost_by_regime.{g}"):
                v = run.value(f"cost_by_regime.{g}", y)
                s.write(r, 2, v, "yuan", shown=f"{v:,.0f}")
                s.write(r, 3, run.wan(f"cost_by_regime.{g}", y), "wan")
            r += 1
        r += 1
        s.row(r, ["队伍指标", "指标", "均值", "P5", "P95"], ["head"] * 5)
        r += 1
        for m in [m for m in WORKFORCE if run.has(m)]:
            s.write(r, 0, L(m))
            s.write(r, 1, m)
            for i, st in enumerate(stats):
                s.write(r, 2 + i, run.value(m, y, st), _metric_format(m), shown="0,000.0")
            r += 1
        s.finish(3, 1)

    # parameters with sources
    s = _Sheet(wb, "参数", fmts)
    s.row(0, [L("param.path"), L("param.year"), L("param.value"), L("param.unit"), L("param.source"), "类别", "参数名称",
              "文献", "参数说明"], ["head"] * 9)
    for i, rec in enumerate(run.parameters.to_dict("records"), start=1):
        kind, key = rec.get("kind", ""), rec.get("path", "")
        s.row(i, [key, rec.get("year", ""), rec.get("value", ""), parameter_unit(key, "zh", rec.get("unit", "")),
                  rec.get("source", "") or L("assumption"), "来源" if kind == "source" else L("assumption"),
                  parameter_name(key), rec.get("document", ""), parameter_about(key)])
    s.ws.autofilter(0, 0, len(run.parameters), 8)
    s.finish(1, 1)

    # run record
    s = _Sheet(wb, "运行记录", fmts)
    s.row(0, [L("manifest.key"), L("manifest.value")], ["head"] * 2)
    for i, (k, v) in enumerate(flatten(run.shown_manifest), start=1):
        s.row(i, [k, v])
    s.finish(1, 1)

    wb.close()
    return path
