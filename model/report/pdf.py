"""Build the A4 budget report (report.pdf) of a run folder with Typst.

Python gathers every number and sentence into one JSON document; template.typ lays it out.
Text from files reaches Typst only as JSON strings, which Typst shows verbatim (no markup is
interpreted), so no escaping of Typst syntax is needed.
"""

from __future__ import annotations

import json
from pathlib import Path

import typst

from model.lines import COST_TREE
from model.report import Run, flatten, fmt_num, fmt_pct, read_run, to_wan
from model.report.charts import FONT_DIR, FONT_FAMILY, write_charts
from model.report.text import POSTS, REGIMES, label, labels
from model.simulation.metrics import EXIT_KINDS

TEMPLATE = Path(__file__).parent / "template.typ"
ZWSP = "\u200b"  # lets long identifiers break at dots and underscores


FIGURE_COLUMNS = ("where", "metric", "year", "statistic", "unit", "printed")


def build_pdf(run_dir: Path, lang: str = "zh") -> Path:
    """Write run_dir/charts/*.svg, run_dir/report.pdf and, beside it, figures.csv (every figure the report
    prints: where, metric, year, statistic, unit, printed); return the PDF path. Another language writes
    report.<lang>.pdf, figures.<lang>.csv and charts/<lang>/ beside the Chinese files."""
    run_dir = Path(run_dir)
    labels(lang)
    printed: list[tuple] = []
    suffix = "" if lang == "zh" else f".{lang}"  # an English report sits beside the Chinese one
    pdf = write_pdf(report_data(read_run(run_dir), lang, printed=printed), run_dir / f"report{suffix}.pdf")
    write_figures(printed, run_dir / f"figures{suffix}.csv")
    return pdf


def write_figures(printed: list[tuple], path: Path) -> Path:
    """figures.csv: one row per printed figure, in the order printed (UTF-8 with BOM, for Excel)."""
    import csv
    import io

    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(FIGURE_COLUMNS)
    out.writerows(printed)
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
    return path


def compile_report(run_dir: Path, lang: str = "zh", fmt: str = "pdf", output: Path | None = None, ppi: int = 96):
    """Compile the report; returns (bytes or None, typst warnings). ``fmt="png"`` with an output
    path containing "{p}" writes one PNG per page."""
    labels(lang)
    return compile_data(report_data(read_run(run_dir), lang), fmt, output, ppi)


def compile_data(data: dict, fmt: str = "pdf", output: Path | None = None, ppi: int = 96):
    """Lay out report data with template.typ using only the bundled fonts; returns (result, warnings)."""
    return typst.compile_with_warnings(
        str(TEMPLATE),
        output=str(output) if output else None,
        root=str(TEMPLATE.parent),
        font_paths=[str(FONT_DIR)],
        ignore_system_fonts=True,
        format=fmt,
        ppi=ppi if fmt == "png" else None,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
    )


def write_pdf(data: dict, path: Path) -> Path:
    """Compile report data to ``path``; any Typst warning (e.g. an unknown font) is an error."""
    pdf, warnings = compile_data(data)
    if warnings:
        raise RuntimeError("typst warnings: " + "; ".join(str(w) for w in warnings))
    path.write_bytes(pdf)
    return path


def report_text(run_dir: Path, lang: str = "zh") -> str:
    """All text the report prints (to check glyph coverage)."""
    data = report_data(read_run(run_dir), lang, with_charts=False)
    out: list[str] = []

    def walk(x):
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(data)
    return "\n".join(out)


# ----------------------------------------------------------------------------- building blocks


def par(*parts) -> dict:
    """A paragraph; a part is plain text or ("b", text) for bold."""
    return {"kind": "par", "parts": [_part(p) for p in parts]}


def bullets(*items) -> dict:
    return {"kind": "list", "items": [[_part(p) for p in item] for item in items]}


def _part(p) -> dict:
    if isinstance(p, tuple):
        return {"text": p[1], "strong": True}
    return {"text": p, "strong": False}


def table(caption: str, header: list[str], rows: list, note: str = "", align: str | None = None,
          widths: list | None = None, size: float = 8.5, zebra: bool = True) -> dict:
    """A table; a row is a list of cells or {"cells": [...], "strong": bool, "indent": int}, or a shaded row
    across the table {"cells": [], "span": {"title": bold text, "text": grey text}}.
    ``align`` has one letter per column (l/r/c); the default is left then right; ``zebra`` shades every other row."""
    rows = [r if isinstance(r, dict) else {"cells": r} for r in rows]
    align = align or "l" + "r" * (len(header) - 1)
    widths = widths or ["auto"] + ["1fr"] * (len(header) - 1)
    return {"kind": "table", "caption": caption, "header": header, "rows": rows, "note": note,
            "align": list(align), "widths": widths, "size": size, "breakable": len(rows) > 20, "zebra": zebra}


def figure(svg_path: Path | None, caption: str) -> dict | None:
    if svg_path is None:
        return None
    return {"kind": "figure", "svg": svg_path.read_text(encoding="utf-8"), "caption": caption}


CN_NUMBERS = "一二三四五六七八九十"


def subheading(text: str) -> dict:
    return {"kind": "subheading", "text": text}


def breakable(text: str, at: str = "._") -> str:
    """Allow line breaks after the characters in ``at`` (dotted paths) and inside long unbroken text."""
    for ch in at:
        text = text.replace(ch, ch + ZWSP)
    if len(text) > 40 and " " not in text:
        text = ZWSP.join(text[i:i + 16] for i in range(0, len(text), 16))
    return text


def packed(items: list[str], sep: str, width: float) -> str:
    """Named parts (高中及以下 15%) packed into lines of at most ``width`` ems, so that no part is split by a
    line break (a CJK character is an em wide, other characters about half)."""
    def ems(text: str) -> float:
        return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)

    lines: list[str] = []
    for item in items:
        if lines and ems(lines[-1] + sep + item) <= width:
            lines[-1] += sep + item
        else:
            lines.append(item)
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the report


class _Writer:
    """Turns one run into the report's sections in one language."""

    def __init__(self, run: Run, lang: str, charts: dict[str, Path]):
        self.run, self.lang, self.charts = run, lang, charts
        self.L = labels(lang)
        self.zh = lang == "zh"
        self.years = run.projected_years
        self.budget_years = run.budget_years()
        self.detail_years = sorted({*self.budget_years, *[y for y in range(2026, 2031) if y in self.years]})
        self.printed: list[tuple] = []  # (where, metric, year, statistic, unit, printed): figures.csv
        self.where = ""

    # printed figures: each rounded once (Run.wan for money) and logged ---------
    def _log(self, metric: str, year, stat: str, unit: str, text: str) -> str:
        self.printed.append((self.where, metric, year, stat, unit, text.lstrip("+")))
        return text

    def w(self, metric: str, year: int, stat: str = "mean", signed: bool = False) -> str:
        """A money figure in 万元 as printed everywhere (Run.wan)."""
        return self.wan_value(metric, year, self.run.wan(metric, year, stat), signed, stat)

    def w_sum(self, metric: str, years: list[int], span: str) -> str:
        """A money figure's sum over ``years`` (the printed values added), printed and kept as ``metric``.sum of ``span``."""
        return self.wan_value(f"{metric}.sum", span, round(sum(self.run.wan(metric, y) for y in years), 1))

    def wan_value(self, metric: str, year, value: float, signed: bool = False, stat: str = "mean") -> str:
        """A money figure already in 万元: one of Run.wan, or a sum or difference of printed figures."""
        return self._log(metric, year, stat, "万元", ("+" if signed and value > 0 else "") + fmt_num(value, 1))

    def n(self, metric: str, year: int, stat: str = "mean") -> str:
        """A count of persons (or person-months) as printed: whole."""
        return self._log(metric, year, stat, "人", fmt_num(self.v(metric, year, stat)))

    def pct(self, metric: str, year, stat: str = "mean", value: float | None = None) -> str:
        """A share as printed, in percent to one decimal."""
        share = self.v(metric, year, stat) if value is None else value
        return self._log(metric, year, stat, "%", fmt_pct(share))

    # helpers ---------------------------------------------------------------
    def l(self, key: str) -> str:  # noqa: E743 - short name used in many f-strings
        return label(self.lang, key)

    def v(self, metric: str, year: int, stat: str = "mean") -> float:
        return self.run.value(metric, year, stat)

    def cap(self, text: str, unit: str) -> str:
        return f"{text}（单位：{unit}）" if self.zh else f"{text} ({unit})"

    def fig(self, name: str, caption: str):
        return figure(self.charts.get(name), caption)

    def change_text(self, year: int) -> tuple[str, str]:
        """Change of the printed cost.total on the year before's, in 万元 and percent."""
        if year - 1 not in self.years:
            return "—", "—"
        prev, now = self.run.wan("cost.total", year - 1), self.run.wan("cost.total", year)
        d = round(now - prev, 1)
        sign = "+" if d > 0 else ""
        return (self.wan_value("cost.total.change", year, d, signed=True),
                sign + self.pct("cost.total.change_pct", year, value=d / prev) if prev else "—")

    def drivers(self, year: int, n: int = 3) -> list[tuple[str, str, str]]:
        """The n largest mean effects on the change in cost in ``year``, as printed (name, value, detail): the bridge
        steps, with those who left and those who joined taken together (each alone is large, and they largely
        offset each other), their parts as the detail."""
        if not self.run.has("bridge.start"):
            return []
        turnover = ("bridge.exits", "bridge.hires")
        effects = {m: self.run.wan(m, year) for m in self.run.bridge_steps() if m not in turnover}
        effects["turnover"] = round(sum(self.run.wan(m, year) for m in turnover), 1)
        out = []
        for m in sorted(effects, key=lambda m: -abs(effects[m]))[:n]:
            if effects[m] == 0:
                continue
            if m != "turnover":
                out.append((self.l(m), self.w(m, year, signed=True), ""))
                continue
            exits, hires = (self.w(x, year, signed=True) for x in turnover)
            net = self.wan_value("bridge.exits_and_hires", year, effects[m], signed=True)
            out.append(("人员进出净额", net, f"；其中退出 {exits}、新进 {hires}") if self.zh else
                       ("leavers and joiners, net", net, f": leavers {exits}, joiners {hires}"))
        return out

    def against_quota(self, metric: str, quota: str, year: int) -> str:
        q = self.n(quota, year) if self.run.has(quota) else "—"
        return f"{self.n(metric, year)} / {q}"

    def appropriation_text(self, year: int) -> str | None:
        if not self.run.has("appropriation"):
            return None
        if self.v("appropriation", year) != self.v("appropriation", year):  # NaN: no appropriation that year
            return None
        a, p = self.w("appropriation", year), self.pct("prob_exceed", year)
        if self.zh:
            return f"{year}年预算安排数 {a} 万元，模拟经费超出该数的概率为 {p}。"
        return f"{year}: appropriation {a} (10k yuan); probability that cost exceeds it: {p}."

    # sections ----------------------------------------------------------------
    def summary(self) -> list:
        r, zh = self.run, self.zh
        m = r.manifest
        last = self.years[-1]
        draws, seed = r.n_draws, m.get("seed", "—")
        if zh:
            intro = par(f"本报告依据情景“{r.title}”测算{self.l('city')}城市社区工作者的薪酬与用工经费。测算以"
                        f"{r.opening_year}年末队伍存量为起点，按年度模拟人员退休、流失、换届、晋级、考证、招聘和"
                        f"薪酬缴费，至{last}年止，共进行{draws}次随机模拟（随机种子{seed}）。除特别说明外，"
                        f"文中数值为各次模拟的均值，括号内为第5至第95百分位区间（P5–P95）；金额单位为万元。"
                        f"预算年度为{r.budget_year}年，此前年度为历史年度（模型回溯测算）。")
        else:
            intro = par(f"This report projects the pay and employment cost of {self.l('city')}'s urban community "
                        f"workers under the scenario “{r.title}”. It starts from the workforce at the end of "
                        f"{r.opening_year} and simulates retirements, attrition, elections, progression, "
                        f"certificates, hiring, pay and contributions each year to {last}, over {draws} random "
                        f"draws (seed {seed}). Figures are means across draws with the 5th–95th percentile range "
                        f"(P5–P95) in brackets; money is in 10,000 yuan. The budget year is {r.budget_year}; earlier "
                        f"years are history (the model's backcast).")
        items = []
        for y in self.budget_years:
            total = ("b", self.w("cost.total", y))
            band = f"{self.w('cost.total', y, 'p05')}–{self.w('cost.total', y, 'p95')}"
            ch, pct = self.change_text(y)
            drv = self.drivers(y) if ch != "—" else []
            if zh:
                change = (f"比上年增减 {ch} 万元（{pct}）" if ch != "—" else "为首个预测年度，上年无可比经费数")
                text = [f"{y}年：经费总额 ", total, f" 万元（P5–P95：{band} 万元），{change}"]
                if drv:
                    text.append("；主要影响因素为" + "、".join(f"{n}（{v} 万元{d}）" for n, v, d in drv))
                text.append("。")
            else:
                change = f"change on the year before {ch} ({pct})" if ch != "—" else "first projected year"
                text = [f"{y}: total cost ", total, f" (P5–P95: {band}); {change}"]
                if drv:
                    text.append("; main drivers: " + ", ".join(f"{n} ({v}{d})" for n, v, d in drv))
                text.append(".")
            items.append(text)
        blocks = [intro, subheading("主要测算结果" if zh else "Headline figures"), bullets(*items)]
        plans = []
        for first, zh_name, en_name in ((2021, "十四五", "14th"), (2026, "十五五", "15th")):
            plan = [y for y in range(first, first + 5) if y in self.years]
            if len(plan) == 5:
                total5 = self.w_sum("cost.total", plan, f"{first}-{first + 4}")
                plans.append((f"“{zh_name}”时期（{first}–{first + 4}年）经费合计 ", total5, " 万元") if zh else
                             (f"{first}–{first + 4} ({en_name} Five-Year Plan) total: ", total5, ""))
        if plans:
            parts = []
            for i, (lead, total5, unit) in enumerate(plans):
                parts += [("；" if zh else "; ") + lead if i else lead, ("b", total5), unit]
            blocks.append(par(*parts, "。" if zh else "."))
        header = [self.l("year"), self.l("cost.total"), "P5", "P95", "比上年增减" if zh else "Change",
                  "增幅" if zh else "Change %", self.l("headcount"), self.l("certified_share")]
        rows = []
        for y in self.budget_years:
            ch, pct = self.change_text(y)
            rows.append([str(y), self.w("cost.total", y), self.w("cost.total", y, "p05"),
                         self.w("cost.total", y, "p95"), ch, pct, self.n("headcount", y),
                         self.pct("certified_share", y) if r.has("certified_share") else "—"])
        blocks.append(table(self.cap("主要年度测算结果" if zh else "Headline figures for the budget years",
                                     "万元、人" if zh else "10k yuan; persons"), header, rows))
        blocks += self.medium_term_plan()
        risk = [t for t in (self.appropriation_text(y) for y in self.budget_years) if t]
        if risk:
            blocks.append(par(" ".join(risk)))
        else:
            blocks.append(par("本情景未设定预算安排数，故未计算超出预算的概率。" if zh else
                              "The scenario sets no appropriation, so no probability of exceeding one is given."))
        blocks.append(par(self.rounding_note()))
        return blocks

    def year_label(self, year: int) -> str:
        """A year as printed in tables by year: years before the budget year are history (marked *)."""
        return f"{year}*" if year < self.run.budget_year else str(year)

    def history_note(self) -> str:
        by = self.run.budget_year
        if self.zh:
            return (f"* 预算年度（{by}年）之前为历史年度（{by - 1}年为编制预算的本年度）：未提供决算数或预计执行数，"
                    "所列为模型回溯测算值，仅供对照。")
        return (f"* Years before the budget year ({by}) are history ({by - 1} is the current year, in which the budget "
                "is prepared): no actuals or expected outturn were given, so the model's backcast is shown for "
                "comparison only. ")

    def medium_term_plan(self) -> list:
        """The 中期财政规划 table: the budget year and the two after it, by cost line, with the band of the total."""
        years = self.budget_years
        if len(years) < 3:
            return []
        zh = self.zh
        lines = self.run.cost_lines()
        rows = []
        for m in lines + ["cost.total"]:
            rows.append({"cells": [self.l(m)] + [self.w(m, y) for y in years] + [self.w_sum(m, years, f"{years[0]}-{years[-1]}")],
                         "strong": m == "cost.total", "indent": 0 if m == "cost.total" else 1})
        both = self.run.has("cost.total.random_only")
        bands = [("cost.total", ("（含参数不确定性）" if zh else " (with parameters)") if both else "")]
        if both:
            bands.append(("cost.total.random_only", "（仅随机模拟）" if zh else " (random draws only)"))
        for metric, what in bands:
            for stat in ("p05", "p95"):
                rows.append({"cells": [f"{self.l('cost.total')} {stat.upper().replace('P0', 'P')}{what}"] +
                             [self.w(metric, y, stat) for y in years] + ["—"], "indent": 1})
        head = [self.l("item")] + [str(y) for y in years] + ["三年合计" if zh else "Three-year total"]
        return [*self._plan_table(years, rows, head, both), *self.classified(years), *self.payers(years)]

    def classified(self, years: list[int]) -> list:
        """The budget lines with their classification codes (scenario budget.*) for ``years``."""
        b = self.run.budget
        if not b:
            return []
        zh = self.zh
        rows = [[self.l(m), b["functional_code"], b["economic_codes"][m]] + [self.w(m, y) for y in years]
                for m in self.run.budget_lines()]
        rows.append({"cells": [self.l("cost.total"), b["functional_code"], ""] + [self.w("cost.total", y) for y in years],
                     "strong": True})
        return [table(self.cap("预算科目（支出功能分类、部门预算支出经济分类）" if zh else
                               "Budget lines with classification codes", self.l("unit.wan")),
                      [self.l("item"), "功能分类" if zh else "Functional", "经济分类" if zh else "Economic"] +
                      [str(y) for y in years], rows, align="lcc" + "r" * len(years),
                      widths=["2.2fr", "0.9fr", "0.8fr"] + ["1fr"] * len(years), size=8,
                      note=("科目对应关系为情景参数（附录一“部门预算支出经济分类科目”各行），其依据或假设见附录一。" if zh else
                            "The mapping is a scenario parameter (Appendix A, economic codes), with its source or assumption."))]

    def payers(self, years: list[int]) -> list:
        """cost.total by payer (市级, 区级, 上级转移支付) for ``years``."""
        shares = self.run.budget.get("payer_shares", {})
        if not shares:
            return []
        zh = self.zh
        names = {"city": "市级财政" if zh else "City", "district": "区级财政" if zh else "Districts",
                 "transfer": "上级转移支付" if zh else "Transfers from above"}
        rows = [[names[k]] + [self.w(f"payer.{k}", y) for y in years] for k in names]
        rows.append({"cells": [self.l("total")] + [self.w("cost.total", y) for y in years], "strong": True})
        return [table(self.cap("分级负担" if zh else "Who pays", self.l("unit.wan")), [self.l("item")] +
                      [str(y) for y in years], rows,
                      note=("负担比例为情景参数，其依据或假设见附录一“分级负担比例”各行；个别项目可另定比例。" if zh else
                            "Shares are scenario parameters; their source or assumption is in Appendix A (payer "
                            "shares; a line may have its own)."))]

    def _plan_table(self, years: list[int], rows: list, head: list[str], both: bool) -> list:
        zh = self.zh
        covers = (("“含参数不确定性”的区间同时反映随机模拟和情景所列参数区间（uncertainty.parameter_ranges），"
                   "“仅随机模拟”的区间不含后者" if both else "仅反映随机模拟的离散程度，不含参数假设的不确定性（见第六部分）")
                  if zh else
                  ("the band 'with parameters' covers the random draws and the scenario's parameter ranges "
                   "(uncertainty.parameter_ranges), the 'random draws only' band the draws alone" if both else
                   "they cover the random draws only, not the assumed parameters (see section 6)"))
        return [
            subheading(f"中期财政规划（{years[0]}—{years[-1]}年）" if zh else
                       f"Medium-term fiscal plan ({years[0]}–{years[-1]})"),
            par(f"以{years[0]}年为预算年度，{years[0]}—{years[-1]}年经费按项目列示如下；P5、P95为经费总额的第5和第95百分位，"
                f"不可相加；{covers}。" if zh else
                f"With {years[0]} as the budget year, cost by line for {years[0]}–{years[-1]}; P5 and P95 are percentiles "
                f"of the total across draws and do not add up; {covers}."),
            table(self.cap("中期财政规划", self.l("unit.wan")) if zh else
                  self.cap("Medium-term fiscal plan", self.l("unit.wan")), head, rows,
                  widths=["2.2fr"] + ["1fr"] * (len(head) - 1)),
        ]

    def rounding_note(self) -> str:
        if self.zh:
            return ("金额尾数处理：每个数只取舍一次，全文、各表、图和工作簿所列同一数值一致。合计数按四舍五入保留一位小数"
                    "（0.1万元），各分项按最大余数法取舍，使分项之和与合计数一致。人数为各次模拟均值四舍五入取整，"
                    "分项与合计之间可能有尾差。")
        return ("Rounding: every figure is rounded once and printed with the same value in the text, every table, "
                "the charts and the workbook. Totals are rounded half up to 0.1 (10k yuan); components are rounded by "
                "the largest-remainder method so that they add up to the rounded total. Persons are means rounded to "
                "whole persons; components may not add up exactly.")

    def budget(self) -> list:
        zh = self.zh
        lines = self.run.cost_lines()
        header = [self.l("year")] + [self.l(m) for m in lines] + [self.l("total")]
        rows = []
        for y in self.years:
            rows.append([self.year_label(y)] + [self.w(m, y) for m in lines] + [self.w("cost.total", y)])
        blocks = [
            par(*(["分年度经费按工资薪酬、单位社会保险缴费、住房公积金和社保欠费补缴四项列示，"
                   f"{self.years[0]}年至{self.years[-1]}年经费由 ",
                   ("b", self.w("cost.total", self.years[0])), " 万元变为 ",
                   ("b", self.w("cost.total", self.years[-1])), " 万元。"] if zh else
                  ["Cost by year and component (pay, employer social insurance, housing fund, arrears "
                   f"clearance). From {self.years[0]} to {self.years[-1]} total cost moves from ",
                   ("b", self.w("cost.total", self.years[0])), " to ",
                   ("b", self.w("cost.total", self.years[-1])), " (10k yuan)."])),
            table(self.cap("分年度经费预算" if zh else "Budget by year and component", self.l("unit.wan")),
                  header, rows, note=self.history_note() + self.rounding_note(), size=8),
            self.fig("cost_components", "分年度经费构成（均值）" if zh else "Cost by component (mean)"),
            self.detail_table(),
            self.breakdown_table(),
            *self.backcast(),
        ]
        return blocks

    def backcast(self) -> list:
        """Past years' actuals (决算) beside the model's backcast, where report --actuals gave them."""
        a = self.run.actuals
        if a is None or not len(a):
            return []
        zh = self.zh
        rows = []
        for r in a.itertuples():
            money = r.unit == "万元"
            model_v = self.run.wan(r.metric, r.year) if money else round(self.v(r.metric, r.year))
            actual = self._log(f"{r.metric}.actual", r.year, "actual", r.unit, fmt_num(r.value, 1 if money else 0))
            shown = self.w(r.metric, r.year) if money else self.n(r.metric, r.year)
            diff = model_v - r.value
            rows.append([str(r.year), self.l(r.metric), actual, shown,
                         ("+" if diff > 0 else "") + fmt_num(diff, 1 if money else 0),
                         ("+" if diff > 0 else "") + fmt_pct(diff / r.value) if r.value else "—"])
        return [table(self.cap("决算与模型回溯对比" if zh else "Actuals and the model's backcast", "万元、人" if zh else
                               "10k yuan; persons"),
                      [self.l("year"), self.l("item"), "决算数" if zh else "Actual", "模型回溯" if zh else "Model",
                       "差异" if zh else "Difference", "差异率" if zh else "Difference %"], rows,
                      align="llrrrr", size=8,
                      note=("差异为模型回溯值减决算数；决算数来自 report --actuals 所给文件。" if zh else
                            "Difference: the model's backcast less the actual; actuals from the file given to report --actuals."))]

    def detail_table(self) -> dict:
        """Every cost line (COST_TREE) for the detail years; each level adds up to its rounded parent."""
        years = self.detail_years
        tree = [(m, p) for m, p in COST_TREE if self.run.has(m)]
        tree += [(m, "cost.total") for m in self.run.other_lines()]
        depth = {}
        rows = []
        for m, p in tree:
            depth[m] = depth[p] + 1 if p else 0
            rows.append({"cells": [self.l(m)] + [self.w(m, y) for y in years],
                         "strong": depth[m] < 2, "indent": depth[m]})
        span = f"{years[0]}–{years[-1]}"
        return table(self.cap(f"经费明细（{span}年）" if self.zh else f"Cost detail, {span}", self.l("unit.wan")),
                     [self.l("item")] + [str(y) for y in years], rows,
                     widths=["auto"] + ["1fr"] * len(years))

    def breakdown_table(self) -> dict | None:
        """cost.total by post and by regime for the detail years."""
        groups = [("cost_by_post.", [f"cost_by_post.{p}" for p in POSTS], "post."),
                  ("cost_by_regime.", [f"cost_by_regime.{g}" for g in REGIMES], "regime.")]
        rows = []
        years = self.detail_years
        for _, metrics, lab in groups:
            metrics = [m for m in metrics if self.run.has(m)]
            if not metrics:
                continue
            for m in metrics:
                rows.append({"cells": [self.l(lab + m.split(".")[1])] + [self.w(m, y) for y in years],
                             "indent": 1})
            rows.append({"cells": [self.l("total")] + [self.w("cost.total", y) for y in years],
                         "strong": True})
        if not rows:
            return None
        return table(self.cap("分岗位、分身份经费" if self.zh else "Cost by post and by regime", self.l("unit.wan")),
                     [self.l("item")] + [str(y) for y in years], rows, widths=["2.2fr"] + ["1fr"] * len(years))

    def workforce(self) -> list:
        r, zh = self.run, self.zh
        o, last = r.opening_year, self.years[-1]
        hc = lambda y: self.n("headcount", y)  # noqa: E731
        lo_y = min(self.years, key=lambda y: self.v("hires", y))
        hi_y = max(self.years, key=lambda y: self.v("hires", y))
        text = (f"{o}年末在岗 {hc(o)} 人、核定员额 {self.n('quota', o)} 人。测算期内每年招聘 "
                f"{self.n('hires', lo_y)}–{self.n('hires', hi_y)} 人，至{last}年末在岗 {hc(last)} 人"
                f"（P5–P95：{self.n('headcount', last, 'p05')}–{self.n('headcount', last, 'p95')} 人），"
                f"空缺 {self.n('vacancies', last)} 人。"
                if zh else
                f"At the end of {o}: {hc(o)} in post against a quota of {self.n('quota', o)}. "
                f"Hiring runs at {self.n('hires', lo_y)}–{self.n('hires', hi_y)} a year; by the end of {last}, "
                f"{hc(last)} in post (P5–P95: {self.n('headcount', last, 'p05')}–"
                f"{self.n('headcount', last, 'p95')}), {self.n('vacancies', last)} vacancies.")
        flow_metrics = [m for m in ("quota", "headcount", "vacancies", "hires", *EXIT_KINDS, "moves.to_staff", "elected.from_staff",
                                    "elected.outside") if r.has(m)]
        rows = [[str(y)] + [self.n(m, y) for m in flow_metrics] for y in r.years]
        post_years = [y for y in [o] + self.budget_years if y in r.years]
        post_rows = []
        for p in [p for p in POSTS if r.has(f"headcount.{p}")]:
            post_rows.append([self.l(f"post.{p}")] + [self.against_quota(f"headcount.{p}", f"quota.{p}", y)
                                                      for y in post_years])
        post_rows.append({"cells": [self.l("total")] + [self.against_quota("headcount", "quota", y)
                                                        for y in post_years], "strong": True})
        post_header = ["岗位" if zh else "Post"] + [str(y) for y in post_years]
        return [
            par(text),
            self.fig("headcount", "分岗位在岗人数与核定员额（阴影为P5–P95）" if zh else
                     "Headcount by post against quota (shaded: P5–P95)"),
            table(self.cap("分岗位在岗人数／核定员额" if zh else "Headcount / quota by post", self.l("unit.person")),
                  post_header, post_rows),
            table(self.cap("队伍规模与人员流动" if zh else "Workforce and flows", self.l("unit.person")),
                  [self.l("year")] + [self.l(m) for m in flow_metrics], rows, size=8,
                  note=("人数为年末存量，招聘、退出为当年流量；期初年只有存量。空缺为各岗位员额减在岗人数之和，"
                        "超出职数的岗位不抵减其他岗位的空缺。" if zh else
                        "Headcount is the year-end stock; hires and exits are flows in the year; the opening "
                        "year has stocks only. Vacancies are summed over posts; a post above its quota does not "
                        "offset another's vacancies.")),
            self.fig("flows", "年度招聘与退出人数（均值）" if zh else "Hires and exits per year (mean)"),
            self.fig("grades", "各等级人数分布" if zh else "Headcount by pay grade"),
        ]

    def certificates(self) -> list:
        r, zh = self.run, self.zh
        if not r.has("certified_share"):
            return []
        o, last = r.opening_year, self.years[-1]
        allowance = [y for y in self.budget_years if r.has("cost.certificate_allowance")]
        text = (f"持证率由{o}年末的 {self.pct('certified_share', o)} 升至{last}年末的 "
                f"{self.pct('certified_share', last)}。证书津贴按持证等级逐月发放，标准见附录一。" +
                "".join(f"{y}年证书津贴 {self.w('cost.certificate_allowance', y)} 万元；" for y in allowance)
                .rstrip("；") + "。") if zh else (
                f"The certified share rises from {self.pct('certified_share', o)} at the end of {o} to "
                f"{self.pct('certified_share', last)} at the end of {last}. Allowance rates per level are in "
                "Appendix A. Certificate allowance: " +
                "; ".join(f"{y}: {self.w('cost.certificate_allowance', y)}" for y in allowance) +
                " (10k yuan).")
        cols = [m for m in ("certified.junior", "certified.intermediate", "certified.senior") if r.has(m)]
        rows = []
        for y in r.years:
            row = [str(y)] + [self.n(m, y) for m in cols] + [self.pct("certified_share", y)]
            row.append(self.n("exam.passes", y) if r.has("exam.passes") else "—")
            row.append(self.w("cost.certificate_allowance", y) if r.has("cost.certificate_allowance") else "—")
            rows.append(row)
        header = [self.l("year")] + [self.l(m) for m in cols] + [self.l("certified_share"), self.l("exam.passes"),
                                                                 self.l("cost.certificate_allowance")]
        return [
            par(text),
            self.fig("certificates", "持证人数与持证率" if zh else "Certificate holders and certified share"),
            table(self.cap("职业资格证书持有与津贴" if zh else "Certificates and allowance",
                           "人、万元" if zh else "persons; allowance in 10k yuan"), header, rows, size=8),
        ]

    def insurance(self) -> list:
        r, zh = self.run, self.zh
        blocks = []
        lines = [m for m in ("cost.employer_pension", "si.employer_medical", "si.employer_unemployment",
                             "si.employer_work_injury", "si.occupational_annuity") if r.has(m)]
        if lines:
            rows = []
            for y in self.years:
                hf = [self.w("cost.housing_fund", y)] if r.has("cost.housing_fund") else []
                rows.append([str(y)] + [self.w(m, y) for m in lines] + [self.w("cost.employer_social_insurance", y)] + hf)
            header = [self.l("year")] + [self.l(m) for m in lines] + [self.l("total")]
            if r.has("cost.housing_fund"):
                header.append(self.l("cost.housing_fund"))
            y0 = self.budget_years[-1]
            share = self.pct("cost.employer_social_insurance.share_of_pay", y0,
                             value=self.v("cost.employer_social_insurance", y0) / self.v("cost.pay", y0))
            si0 = self.w("cost.employer_social_insurance", y0)
            blocks += [
                par(f"单位社会保险缴费按缴费基数（个人工资，按上年全省平均工资的上下限截取）乘以各险种费率计算。{y0}年单位社保缴费"
                    f" {si0} 万元，相当于工资薪酬的 {share}。"
                    if zh else
                    f"Employer contributions are the rate times the pay base clipped to the floor and ceiling set on "
                    f"last year's provincial average wage. In {y0}: {si0} (10k yuan), {share} of gross pay."),
                table(self.cap("单位社会保险缴费（分险种）" if zh else "Employer contributions by line",
                               self.l("unit.wan")), header, rows, size=8,
                      note="住房公积金不属于社会保险，单列于最后一栏，不计入合计。" if zh else
                      "The housing fund is not social insurance: shown in the last column, not in the total."),
                self.fig("social_insurance", "单位社会保险缴费构成（均值）" if zh else "Employer contributions by line (mean)"),
            ]
        if r.has("arrears.months_outstanding"):
            o = r.opening_year
            clear_years = [y for y in self.years if self.v("cost.arrears", y) > 0]
            span = f"{clear_years[0]}–{clear_years[-1]}" if clear_years else "—"
            total, fees = (self.w_sum(m, self.years, span) for m in ("cost.arrears", "arrears.late_fees"))
            blocks += [
                subheading("社保欠费补缴" if zh else "Arrears clearance"),
                par(f"{o}年末欠缴（含断缴）共 {self.n('arrears.months_outstanding', o)} 人月。"
                    f"{span}年补缴支出合计 {total} 万元，其中滞纳金 {fees} 万元；{self.years[-1]}年末尚余 "
                    f"{self.n('arrears.months_outstanding', self.years[-1])} 人月。" if zh else
                    f"Arrears at the end of {o}: {self.n('arrears.months_outstanding', o)} "
                    f"person-months. Clearance falls in {span}, {total} (10k yuan) in all, of which late fees "
                    f"{fees}; {self.n('arrears.months_outstanding', self.years[-1])} person-months "
                    f"remain at the end of {self.years[-1]}."),
                self.fig("arrears", "欠缴月数与补缴支出" if zh else "Months in arrears and clearance cost"),
                table(self.cap("社保欠费补缴", "人月、万元") if zh else
                      self.cap("Arrears clearance", "person-months; 10k yuan"),
                      [self.l("year"), self.l("arrears.months_outstanding"), self.l("arrears.months_cleared"),
                       self.l("arrears.late_fees"), self.l("cost.arrears")],
                      [[str(y), self.n("arrears.months_outstanding", y),
                        self.n("arrears.months_cleared", y), self.w("arrears.late_fees", y),
                        self.w("cost.arrears", y)] for y in r.years
                       if y == o or self.v("arrears.months_cleared", y) > 0 or self.v("cost.arrears", y) > 0],
                      size=8),
            ]
        if r.has("pension.replacement_rate"):
            ys = [y for y in self.years if self.v("pension.retirees", y) > 0]
            rows = [[str(y), self.n("pension.retirees", y),
                     self._log("pension.mean_monthly", y, "mean", "元/月", fmt_num(self.v("pension.mean_monthly", y))),
                     self.pct("pension.replacement_rate", y),
                     f"{self.pct('pension.replacement_rate', y, 'p05')}–"
                     f"{self.pct('pension.replacement_rate', y, 'p95')}"] for y in ys]
            blocks += [
                subheading("退休待遇" if zh else "Pensions at retirement"),
                par("养老金为退休人员个人待遇（基础养老金加个人账户养老金），不属于本级财政支出，列示以反映队伍保障水平。"
                    "基础养老金按退休当年的养老金计发基数计算（见附录一）。未计入过渡性养老金（个人账户建立之前视同缴费"
                    "年限的部分）：有视同缴费年限的退休人员，实际待遇高于表中数值。"
                    "替代率为退休首月养老金与退休前月工资之比。" if zh else
                    "Pensions are the workers' outcomes (basic pension plus individual account), not city spending. "
                    "The basic pension is on the pension base (计发基数) of the year of retirement (see Appendix A). "
                    "The transitional pension (for deemed contribution years before individual accounts) is not "
                    "included: retirees with such years receive more than shown. "
                    "The replacement rate is the first monthly pension over the last monthly gross pay."),
                table(self.cap("退休人员养老金与替代率", "人、元/月") if zh else
                      self.cap("Pensions and replacement rates", "persons; yuan per month"),
                      [self.l("year"), self.l("pension.retirees"), self.l("pension.mean_monthly"),
                       self.l("pension.replacement_rate"), "P5–P95"], rows, size=8,
                      note="退休人数为各次模拟均值，取整到人。" if zh else "Retirees are means, rounded to whole persons."),
            ]
        return blocks

    def uncertainty(self) -> list:
        r, zh = self.run, self.zh
        y = self.budget_years[-1]
        lo, hi, mean = (self.run.wan("cost.total", y, s) for s in ("p05", "p95", "mean"))
        width = self.pct("cost.total.band_width", y, value=(hi - lo) / mean)
        text = (f"各次模拟的差异来自两方面：人员退休、流失、换届、晋级和考证等个人层面的随机事件；以及逐年工资增长的随机波动、"
                "每次模拟整体偏高或偏低的流失率和考试通过率（附录一中“工资增长随机波动”“流失率倍数”“通过率倍数”各项）。"
                f"{y}年经费的P5–P95区间为 "
                f"{self.w('cost.total', y, 'p05')}–{self.w('cost.total', y, 'p95')} 万元，宽度相当于均值的 {width}。" if zh else
                f"Draws differ through random events for each worker (retirements, exits, elections, progression, exams) "
                f"and through uncertain parameters: a yearly wage-growth shock, and attrition and pass rates scaled up or "
                f"down for a whole draw (Appendix A: the wage-growth shock and the attrition and pass-rate multipliers). In {y} the "
                f"P5–P95 range of total cost is {self.w('cost.total', y, 'p05')}–{self.w('cost.total', y, 'p95')} (10k yuan), "
                f"{width} of the mean.")
        has_app = r.has("appropriation")
        header = [self.l("year"), self.l("mean"), "P5", "P50", "P95", "区间宽度/均值" if zh else "Range/mean"]
        if has_app:
            header += [self.l("appropriation"), self.l("prob_exceed")]
        rows = []
        for yy in self.years:
            s = {k: self.run.wan("cost.total", yy, k) for k in ("mean", "p05", "p50", "p95")}
            row = [str(yy)] + [self.w("cost.total", yy, k) for k in ("mean", "p05", "p50", "p95")]
            row.append(self.pct("cost.total.band_width", yy, value=(s["p95"] - s["p05"]) / s["mean"]) if s["mean"] else "—")
            if has_app:
                a = self.v("appropriation", yy)
                row += [self.w("appropriation", yy), self.pct("prob_exceed", yy)] if a == a else ["—", "—"]
            rows.append(row)
        risk = [t for t in (self.appropriation_text(yy) for yy in self.budget_years) if t]
        return [
            par(text + (" " + " ".join(risk) if risk else "")),
            self.fig("cost_fan", self.band_caption()),
            *self.key_assumptions(),
            table(self.cap("经费总额分布", self.l("unit.wan")) if zh else
                  self.cap("Distribution of total cost", self.l("unit.wan")), header, rows, size=8,
                  note="超出预算概率为经费总额高于预算安排数的模拟次数占比。" if zh and has_app else
                  ("P(exceed) is the share of draws whose total cost is above the appropriation." if has_app else "")),
        ]

    def band_caption(self) -> str:
        """What the fan chart's bands cover."""
        ranged = self.run.has("cost.total.random_only")
        if self.zh:
            return ("经费总额的不确定性（扇形图；区间同时反映随机模拟和情景所列参数区间，仅随机模拟的区间见中期财政规划表）"
                    if ranged else "经费总额的不确定性（扇形图；区间只反映随机模拟，不含参数假设的不确定性，后者见下表）")
        return ("Total cost: fan chart (the bands cover the random draws and the scenario's parameter ranges; the "
                "draws-only band is in the medium-term plan table)" if ranged else
                "Total cost: fan chart (the bands cover the random draws only, not the assumed parameters: see the table below)")

    def key_assumptions(self) -> list:
        """The assumptions that move the budget most: each at the ends of its range (assumptions.csv), in 万元."""
        t = self.run.assumptions
        if t is None or not len(t):
            return []
        zh, y = self.zh, self.run.budget_year
        rows = []
        from model.scenario.parameter_labels import parameter_value

        for r in t.itertuples():
            lo, hi = to_wan(r.change_low), to_wan(r.change_high)
            low, high = (parameter_value(r.parameter, float(v), self.lang) for v in (r.low, r.high))
            rows.append([self.l("param." + r.parameter), parameter_value(r.parameter, float(r.value), self.lang),
                         f"{low}–{high}",
                         self.wan_value(f"assumption.{r.parameter}.low", y, lo, signed=True),
                         self.wan_value(f"assumption.{r.parameter}.high", y, hi, signed=True)])
        big = t.iloc[0]
        base = self.wan_value("assumption.base", y, to_wan(big.base))
        if "draws" in t:  # (written by this version; a run folder of an earlier one has no count)
            k, n = int(t.draws.iloc[0]), self.run.n_draws
            runs = (f"每项测算取正文 {n} 次模拟中的前 {k} 次（相同的随机数），基数为这 {k} 次的{y}年经费均值 {base} 万元。"
                    if zh else f"Each run takes the first {k} of the report's {n} draws (the same random numbers); the "
                    f"base is their mean {y} total cost, {base}.")
        else:
            runs = (f"各次测算使用相同的随机数，基数为 {base} 万元。" if zh else
                    f"Every run uses the same random numbers; the base is {base}.")
        lead = (f"参数假设的不确定性往往大于随机波动。逐一将下列关键假设取其合理区间的上下限（其他参数不变）重新测算，{y}年经费"
                f"变化如下表；影响最大的是{self.l('param.' + big.parameter)}。" if zh else
                f"Assumed parameters often move the budget more than chance. Each key assumption below was set to the "
                f"ends of its plausible range, the others unchanged; the change in {y} total cost is in the table. "
                f"The largest is {self.l('param.' + big.parameter)}.")
        return [
            par(lead),
            table(self.cap(f"关键假设对{y}年经费的影响" if zh else f"Key assumptions and {y} total cost", self.l("unit.wan")),
                  ["假设" if zh else "Assumption", "取值" if zh else "Value", "区间" if zh else "Range",
                   "取下限" if zh else "At low end", "取上限" if zh else "At high end"], rows,
                  align="lrrrr", widths=["2.6fr", "0.8fr", "1fr", "1fr", "1fr"], size=8,
                  note=("区间为各项假设的合理上下限。" + runs if zh else
                        "Ranges: the plausible low and high ends of each assumption. " + runs)),
            self.fig("assumptions", f"关键假设对{y}年经费的影响（万元）" if zh else f"Key assumptions: change in {y} cost (10k yuan)"),
        ]

    def bridge(self) -> list:
        r, zh = self.run, self.zh
        if not r.has("bridge.start"):
            return []
        steps = r.bridge_steps()
        years = r.bridge_years()
        names = ["bridge.start"] + steps + ["bridge.end"]
        ends = ("bridge.start", "bridge.end")
        rows = [{"cells": [self.l(m)] + [self.w(m, y, signed=m not in ends) for y in years],
                 "strong": m in ends, "indent": 0 if m in ends else 1}
                for m in names]
        blocks = [par("经费增减按因素分解：从上年经费出发，依次计入人员退出、新进人员、晋级晋档、新增持证、工资调整、"
                      "缴费政策变化和欠费补缴的影响，得到本年经费；各因素之和等于两年经费之差。" if zh else
                      "The change in total cost is split into steps: from the previous year's cost, add the effect "
                      "of exits, hires, progression, new certificates, uprating, contribution rules and arrears, to "
                      "reach this year's cost; the steps add up exactly to the change.")]
        for y in years:
            blocks.append(self.fig(f"bridge_{y}", f"{y}年经费增减因素（万元）" if zh else f"Cost bridge {y} (10k yuan)"))
            where, self.where = self.where, f"chart bridge_{y}"
            for m in names:  # the waterfall's labels (charts.bridge prints Run.wan)
                self.w(m, y)
            self.where = where
        blocks.append(table(self.cap("经费增减因素分解", self.l("unit.wan")) if zh else
                            self.cap("Cost bridge", self.l("unit.wan")),
                            [self.l("item")] + [str(y) for y in years], rows))
        return blocks

    def method(self) -> list:
        """How the figures are made, in plain language."""
        by = self.run.budget_year
        if self.zh:
            items = [
                ["逐人模拟：", "以期末在岗人员为起点，每人有岗位、等级、身份、年龄、性别、学历、工作年限、证书和缴费记录，"
                 "每年依次经历退休、离职与考核、换届、招聘、计薪缴费、晋级、考证和工龄增长。"],
                ["退休：", "按2024年全国人大常委会决定逐人计算法定退休年龄；达到时劳动合同终止，缴费满当年最低年限者领取养老金，"
                 "不满者离岗不领养老金（单列“达龄缴费不足离岗”）。"],
                ["换届：", "换届年空出的两委职位在选举时补齐，先由符合条件的专职人员当选，其余由外部人员当选，"
                 "不占年度招聘名额；专职岗位空缺再由招聘补充。"],
                ["薪酬与缴费：", "工资按等级系数、绩效、津贴计算；单位社保和公积金按个人工资计缴，基数按上年全省平均工资的上下限截取；"
                 "每笔金额按分取整一次后汇总，合计与分项严格相等。"],
                ["计薪时点：", "晋级、取得证书以及换届中转任或当选的，次年1月起按新等级、新岗位计薪；新招人员试用期内不发绩效工资，"
                 "月工资不低于本岗位最低档工资的法定比例（《劳动合同法》第二十条，取值见附录一）。"],
                ["不确定性：", "同一情景重复模拟多次，每次的人员事件和工资增长不同，给出均值和第5至第95百分位区间；"
                 "参数假设的影响另列关键假设表，也可在情景中设定参数区间纳入区间。"],
                ["预算年度：", f"以{by}年为预算年度，之前年度为历史年度（模型回溯），预算年度及其后两年构成中期财政规划。"],
            ]
            return [par("本报告的数字由社区工作者队伍微观模拟模型计算，方法要点如下。"), bullets(*items),
                    par("全部参数及其来源或假设列于附录一；同一情景、随机种子和模拟次数可逐字节重现本报告的数字。")]
        items = [
            ["Worker by worker: ", "from the workers in post at the opening, each year runs retirement, exits and reviews, "
             "elections, hiring, pay and contributions, progression, exams and ageing."],
            ["Retirement: ", "each worker's statutory age under the 2024 decision; the contract ends then, with a pension "
             "after the minimum contribution years of that year, otherwise the worker leaves without one."],
            ["Elections: ", "vacated 两委 seats are filled at the election, first by eligible full-time staff, then by "
             "outside candidates, outside the recruitment cap; staff posts so vacated are refilled by recruitment."],
            ["Pay and contributions: ", "pay by grade coefficient, performance and allowances; contributions on pay clipped "
             "to the floor and ceiling of last year's provincial average wage; each amount rounded to the fen once."],
            ["Timing of pay: ", "grade steps, new certificates and posts taken at an election are paid from the next "
             "January; recruits on probation get no performance pay and at least the legal share of the post's "
             "lowest-grade pay (Labour Contract Law art. 20; the value is in Appendix A)."],
            ["Uncertainty: ", "many draws of the same scenario differ in individual events and wage growth: means and "
             "P5–P95 bands; the key assumptions are shown apart, or can be drawn per draw (parameter ranges)."],
            ["Budget year: ", f"{by}; earlier years are history (the model's backcast); it and the next two years form "
             "the medium-term fiscal plan."],
        ]
        return [par("The figures come from a microsimulation of the community workforce:"), bullets(*items),
                par("Every parameter with its source or assumption is in Appendix A; the same scenario, seed and draws "
                    "reproduce these figures byte for byte.")]

    def appendix_params(self) -> list:
        """Every parameter value within the horizon: its name, value, unit and basis, under a line that says
        what the parameter is and how the model uses it (one per parameter, from model.scenario.parameter_labels). A
        source is cited by the number of its document in the list that follows (the scenario's ``sources:``);
        the Chinese report leaves the English working remarks to parameters.csv and the workbook."""
        from model.scenario.load import Provenance
        from model.scenario.parameter_labels import (
            LABELS,
            labelled_prefix,
            parameter_about,
            parameter_name,
            parameter_unit,
            parameter_value,
        )

        p = self.run.parameters
        docs = self.run.scenario_sources
        last = self.years[-1]
        numbers: dict[str, int] = {}
        rows = []
        group = None
        for rec in p.to_dict("records"):
            year = str(rec.get("year", ""))
            if year.isdigit() and int(year) > last:
                continue  # a dated value beyond the horizon is never used
            head = labelled_prefix(rec["path"])
            if head and head != group:  # the parameter's description, once above its rows
                name = LABELS[head].zh if self.zh else LABELS[head].en
                rows.append({"cells": [], "span": {"title": name, "text": parameter_about(rec["path"], self.lang)}})
            group = head
            prov = Provenance(rec.get("kind", ""), str(rec.get("source", "") or ""))
            cites = "".join(f"〔{numbers.setdefault(k, len(numbers) + 1)}〕" for k in prov.cites if k in docs)
            if prov.kind == "source":
                basis = cites if self.zh else f"{cites} {prov.remark}".strip()
            elif prov.kind == "assumption" or not prov.text:
                basis = "测算假设" if self.zh else "Assumption: " + prov.text
            else:
                basis = "本情景设定" if self.zh else "Set by this scenario"
            value = parameter_value(rec["path"], rec.get("value", ""), self.lang)
            items = value.split(sep := "；" if self.zh else "; ")
            value = packed(items, sep, 17 if self.zh else 11.5) if len(items) > 1 else breakable(value, at="")
            rows.append([parameter_name(rec["path"], self.lang), year, value,
                         parameter_unit(rec["path"], self.lang, rec.get("unit", "")), basis])
        n_src = int((p.get("kind") == "source").sum()) if "kind" in p else 0
        refs = [[f"〔{n}〕", docs[k]] for k, n in numbers.items()]
        params = table(self.cap("参数取值与依据", "见单位栏") if self.zh else self.cap("Parameters and sources", "units as stated"),
                       [self.l("param.path"), self.l("param.year"), self.l("param.value"), self.l("param.unit"),
                        self.l("param.source")], rows, align="lclll",
                       widths=["2.6fr", "0.5fr", "2.2fr", "1.1fr", "1fr"] if self.zh else ["2.3fr", "0.5fr", "1.8fr", "1.1fr", "3.3fr"],
                       size=7.5,
                       zebra=False)  # the description rows are shaded instead
        return [
            par(f"共 {len(p)} 项参数取值，其中有文件依据的 {n_src} 项（依据栏的编号对应表后所列文献），其余为测算假设。"
                "每项参数的取值之上，灰底一行说明该参数的含义及其在测算中的用法。"
                if self.zh else
                f"{len(p)} parameter values: {n_src} rest on a document (numbered as in the list after the table), "
                "the rest are labelled assumptions. Above each parameter's values, a shaded line says what it is "
                "and how the model uses it."),
            params,
            table("参数依据文献" if self.zh else "Documents cited", ["", "文献" if self.zh else "Document"], refs,
                  align="ll", widths=["0.3fr", "5fr"], size=7.5),
        ]

    def appendix_manifest(self) -> list:
        rows = [[breakable(k), breakable(v)] for k, v in flatten(self.run.shown_manifest)]
        return [table("运行记录（manifest.json）" if self.zh else "Run record (manifest.json)",
                      [self.l("manifest.key"), self.l("manifest.value")], rows, align="ll",
                      widths=["1fr", "2fr"], size=7.5)]

    def sections(self) -> list[dict]:
        parts = [("sec.summary", self.summary), ("sec.budget", self.budget), ("sec.workforce", self.workforce),
                 ("sec.certificates", self.certificates), ("sec.insurance", self.insurance),
                 ("sec.uncertainty", self.uncertainty), ("sec.bridge", self.bridge), ("sec.method", self.method),
                 ("sec.appendix_params", self.appendix_params), ("sec.appendix_manifest", self.appendix_manifest)]
        out = []
        for key, make in parts:
            self.where = key
            blocks = [b for b in make() if b]
            numbered = [b for b in blocks if b.get("kind") == "subheading"]
            for i, b in enumerate(numbered):  # （一）（二）… within a section
                b["text"] = (f"（{CN_NUMBERS[i]}）" if self.zh else f"{i + 1}. ") + b["text"]
            if blocks:
                out.append({"title": self.l(key), "numbered": not key.startswith("sec.appendix"),
                            "pagebreak": key in ("sec.appendix_params",), "blocks": blocks})
        return out


def report_data(run: Run, lang: str, with_charts: bool = True, printed: list | None = None) -> dict:
    """Everything the template prints, as JSON-ready data; ``printed`` collects the printed figures."""
    charts_dir = run.path / "charts" / ("" if lang == "zh" else lang)
    first = run.projected_years[0]
    charts = write_charts(run, lang, charts_dir) if with_charts else {}
    w = _Writer(run, lang, charts)
    L = labels(lang)
    created = str(run.manifest.get("created", ""))[:10]
    issuer = str(run.manifest.get("issuer") or "")
    return {
        "lang": lang,
        "font": FONT_FAMILY,
        "cover": {
            "city": L["city"],
            "title": L["report_title"],
            "scenario_title": run.title,
            "scenario": f"{L['scenario']}：{run.scenario}" if lang == "zh" else f"{L['scenario']}: {run.scenario}",
            "years": f"{first}–{run.years[-1]}",
            "date": (f"{L['date']}：{chinese_date(created)}" if lang == "zh" else f"{L['date']}: {created}") if created else "",
            "issuer": (f"编制单位：{issuer or '（待填写）'}" if lang == "zh" else f"Prepared by: {issuer or '(to be filled in)'}"),
            "status": str(run.manifest.get("status") or ""),
            "disclaimer": L["disclaimer"],
            "digest_label": L["digest"],
            "digest": run.digest,
            "draws_seed": L["draws_seed"].format(draws=run.manifest.get("draws", "—"), seed=run.manifest.get("seed", "—")),
        },
        "contents": L["contents"],
        "header": f"{L['report_title']} · {run.scenario}",
        "sections": _sections(w, printed),
    }


def chinese_date(iso: str) -> str:
    """2026-11-30 -> 2026年11月30日."""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def _sections(w: _Writer, printed: list | None) -> list[dict]:
    out = w.sections()
    if printed is not None:
        printed.extend(w.printed)
    return out
