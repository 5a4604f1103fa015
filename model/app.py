"""The web explorer: the levers a finance bureau asks about, and what they do to cost, headcount and certificates.

``notebooks/explore.ipynb`` shows :func:`page`; ``python -m model.app`` (``make app``) serves that notebook with
Voila on 127.0.0.1 and prints its address (port from ``APP_PORT``, else 8866). Ctrl+C stops the server and its
kernels.

Each lever sets one scenario parameter the way ``--set PATH=VALUE`` does, and only when it differs from the
scenario's own value, so an untouched page is the scenario itself. A lever's Chinese name and unit come from
``model.scenario.parameter_labels`` and the scenario; its range is declared once, in ``LEVERS`` (tests/test_app.py checks
that both ends are valid under the schema). Every run uses the baseline's seed, so a difference between the two
comes from the settings changed, draw by draw, and not from chance.

An update runs the engine (the most of it), then redraws one figure kept between updates: its axes, titles and
labels have fixed positions, so a redraw needs no layout pass.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

import numpy as np

from model.errors import UserError
from model.paths import data_file, input_file, output_dir
from model.scenario.parameter_labels import label_of, parameter_about, parameter_name, parameter_unit

DEFAULT_PORT = 8866  # Voila's own default
REPORT_DRAWS = 1000  # draws of the full report, as `python -m model report`
REPORTS_ENV = "EXPLORER_REPORTS"  # the folder the report button writes under (set by the server; else reports/)
SHOWN = ("cost.total", "headcount", "quota", "certified_share")  # the metrics the page shows


@dataclass(frozen=True)
class Lever:
    """A control: the dotted parameter it sets and the values it offers."""

    path: str
    kind: str  # "number", "switch" (yes/no) or "from_election" (a rule that applies from an election on)
    low: float = 0
    high: float = 0
    step: float = 1
    note: str = ""  # why this range

    @property
    def scale(self) -> int:
        """Shares are shown in percent."""
        return 100 if self.kind == "number" and label_of(self.path).kind == "share" else 1

    def shown(self, value):
        """The parameter's value as its control holds it."""
        return round(value * self.scale, 6) if self.kind == "number" else value

    def value(self, shown):
        """The parameter's value from its control's."""
        return round(shown / self.scale, 8) if self.kind == "number" else shown


# The explorer's ranges: each holds the parameter's sensitivity range (scenarios/ranges/sensitivity_ranges.yaml)
# and the values a policy might set; shares as fractions.
LEVERS: tuple[Lever, ...] = (
    Lever("pay.reference_wage_monthly", "number", 2000, 4500, 50, "sensitivity range 2,400–3,600 widened for pay policy"),
    Lever("pay.wage_growth", "number", 0, 0.08, 0.005, "sensitivity range 2–5% widened to no uprating and 8%"),
    Lever("hiring.annual_cap", "number", 0, 400, 10, "0 is a recruitment freeze; sensitivity range 100–300"),
    Lever("attrition.rate.staff", "number", 0, 0.25, 0.01, "sensitivity range 5–20% (NGO social workers ~20%)"),
    Lever("elections.certificate_required", "from_election"),
    Lever("pay.certificate_allowance_monthly.junior", "number", 0, 1000, 50, "baseline 100; up to ten times it"),
    Lever("pay.certificate_allowance_monthly.intermediate", "number", 0, 1000, 50, "baseline 200"),
    Lever("pay.certificate_allowance_monthly.senior", "number", 0, 1000, 50, "baseline 300"),
    Lever("social_insurance.employer.housing_fund", "number", 0.05, 0.12, 0.01, "《住房公积金管理条例》: 5–12%"),
    Lever("retirement.reform", "switch"),
)
NEVER = 0  # a rule's "from year" when it never applies


def unit_of(lever: Lever, scenario) -> str:
    """The unit a lever is shown in: % for shares, else the parameter's unit as the report prints it."""
    if lever.kind != "number":
        return ""
    if lever.scale == 100:
        return "%"
    from model.scenario.load import provenance_of

    return parameter_unit(lever.path, given=provenance_of(scenario, lever.path).unit)


def _raw(scenario, path: str):
    value = scenario.model
    for part in path.split("."):
        value = getattr(value, part)
    return value


def budget_year(scenario) -> int:
    h = scenario.model.horizon
    return h.budget_year or h.opening_year + 1


def election_years(scenario) -> list[int]:
    """The community elections of the projection."""
    m = scenario.model
    return list(range(m.elections.first_year, m.horizon.end_year + 1, m.elections.interval_years))


def initial_settings(scenario) -> dict[str, object]:
    """Each lever's value in the scenario (what an untouched page shows): a dated value's in the budget year;
    for a yes/no rule that starts at an election, the first year it holds (NEVER if it never does)."""
    from model.scenario.schema import value_at

    out: dict[str, object] = {}
    opening = scenario.model.horizon.opening_year
    for lever in LEVERS:
        value = _raw(scenario, lever.path)
        if lever.kind == "from_election":
            years = [y for y, on in sorted(value.items()) if on]
            out[lever.path] = max(years[0], opening) if years else NEVER
        else:
            out[lever.path] = value_at(value, budget_year(scenario)) if isinstance(value, dict) else value
    return out


def overrides(scenario, settings: dict[str, object]) -> list[str]:
    """``PATH=VALUE`` overrides (as ``--set`` takes them) for the levers whose setting differs from the scenario."""
    start = initial_settings(scenario)
    opening = scenario.model.horizon.opening_year
    out = []
    for lever in LEVERS:
        value = settings.get(lever.path, start[lever.path])
        if value == start[lever.path]:
            continue
        if lever.kind == "switch":
            text = "true" if value else "false"
        elif lever.kind == "from_election":
            text = "false" if value == NEVER else f"{{{opening}: false, {int(value)}: true}}" if value > opening else "true"
        elif isinstance(start[lever.path], int) and not isinstance(start[lever.path], bool):
            if float(value) != int(value):
                raise UserError(f"{parameter_name(lever.path)} ({lever.path}): {value!r} is not a whole number")
            text = str(int(value))
        else:
            text = repr(float(value))
        out.append(f"{lever.path}={text}")
    return out


def setting_text(lever: Lever, value, unit: str) -> str:
    """A lever's setting as the page writes it."""
    if lever.kind == "from_election":
        return "不要求" if value == NEVER else f"自{value}年起"
    if lever.kind == "switch":
        return "是" if value else "否"
    shown = lever.shown(value)
    return f"{shown:,.4g}{unit}" if unit == "%" else f"{shown:,.6g}{unit}"


# ----------------------------------------------------------------------------- one run and its figures


@dataclass
class Outcome:
    """The shown metrics of one run: name -> [draw, year]."""

    years: np.ndarray
    metrics: dict[str, np.ndarray]
    seconds: float = 0.0

    def band(self, name: str, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean, P5 and P95 across draws, by year."""
        x = self.metrics[name] * scale
        p05, p95 = np.percentile(x, [5, 95], axis=0)
        return x.mean(axis=0), p05, p95

    def at(self, name: str, year: int) -> np.ndarray:
        """A metric's draws in one year."""
        return self.metrics[name][:, int(np.searchsorted(self.years, year))]


def run(scenario_path: Path, draws: int, seed: int, sets: list[str]) -> Outcome:
    """Simulate with the overrides and keep the metrics the page shows."""
    from model.simulation.results import simulate

    start = time.perf_counter()
    res = simulate(scenario_path, draws=draws, seed=seed, progress=False, overrides=sets)
    return Outcome(res.years, {k: res.metrics[k] for k in SHOWN}, time.perf_counter() - start)


def _signed(text: str) -> str:
    return text if text.startswith("\u2212") or text.strip("0.,%") == "" else "+" + text


def narrative(now: Outcome, base: Outcome, year: int, changed: list[str]) -> str:
    """A few sentences in Chinese on the budget year, the medium-term plan and the last year, as HTML."""
    from model.report import fmt_num, fmt_pct, fmt_wan

    end = int(now.years[-1])
    cost = now.at("cost.total", year)
    p05, p95 = np.percentile(cost, [5, 95])
    plan = [y for y in (year, year + 1, year + 2) if y <= end]
    plan_total = sum(now.at("cost.total", y) for y in plan)
    hc, quota = now.at("headcount", end).mean(), now.at("quota", end).mean()
    share = now.at("certified_share", end).mean()
    vacant = f"，空缺 {fmt_num(quota - hc)} 人" if quota - hc >= 0.5 else ""
    head = (f"<b>{year}年（预算年度）经费预计 <span class='cwm-cost'>{fmt_wan(cost.mean())} 万元</span></b>，"
            f"90%区间 {fmt_wan(p05)}–{fmt_wan(p95)} 万元")
    plan_text = f"{plan[0]}–{plan[-1]}年中期财政规划合计 {fmt_wan(plan_total.mean())} 万元"
    people = f"{end}年末在岗 {fmt_num(hc)} 人，核定员额 {fmt_num(quota)} 人{vacant}；持证率 {fmt_pct(share)}"
    if not changed:
        return (f"<p>{head}。</p><p>{plan_text}。</p><p>{people}。</p>"
                "<p class='cwm-changed'>当前为基准情景的设置。调整左侧参数后，文字、图表和表格随即重新测算。</p>")
    diff = cost - base.at("cost.total", year)
    d05, d95 = np.percentile(diff, [5, 95])
    base_mean = base.at("cost.total", year).mean()
    pct = f"（{_signed(fmt_pct(diff.mean() / base_mean))}）" if base_mean else ""
    plan_diff = plan_total - sum(base.at("cost.total", y) for y in plan)
    base_share = base.at("certified_share", end).mean()
    return (f"<p>{head}；比基准情景 <b>{_signed(fmt_wan(diff.mean()))} 万元</b>{pct}，"
            f"90%区间 {_signed(fmt_wan(d05))} 至 {_signed(fmt_wan(d95))} 万元。</p>"
            f"<p>{plan_text}，比基准 {_signed(fmt_wan(plan_diff.mean()))} 万元。</p>"
            f"<p>{people}（基准 {fmt_pct(base_share)}）。</p>"
            "<p class='cwm-changed'>已调整：" + "；".join(changed) + "。</p>")


def table(now: Outcome, base: Outcome, first_year: int) -> str:
    """Cost by year in 万元 with its band, the difference from the baseline, headcount, posts, certified share."""
    from model.report import fmt_num, fmt_pct, fmt_wan

    head = ("年度", "经费（万元）", "P5（万元）", "P95（万元）", "比基准（万元）", "在岗（人）", "核定员额（人）", "持证率")
    rows = []
    for y in (int(v) for v in now.years if v >= first_year):
        c = now.at("cost.total", y)
        p05, p95 = np.percentile(c, [5, 95])
        cells = (str(y), fmt_wan(c.mean()), fmt_wan(p05), fmt_wan(p95), _signed(fmt_wan((c - base.at("cost.total", y)).mean())),
                 fmt_num(now.at("headcount", y).mean()), fmt_num(now.at("quota", y).mean()),
                 fmt_pct(now.at("certified_share", y).mean()))
        rows.append("<tr>" + "".join(f"<td>{v}</td>" for v in cells) + "</tr>")
    return ("<table class='cwm-table'><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


BAND = "#d6e2f0"
BASE = "#666666"


class Chart:
    """Four panels: cost (万元) with its band, its difference from the baseline, headcount against posts, and the
    certified share. The figure is built once; :meth:`png` moves the data and draws it again."""

    def __init__(self, base: Outcome, year: int):
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        from model.report import fmt_num
        from model.report.charts import ACCENT, RC, register_fonts

        register_fonts()
        self.rc = {**RC, "font.size": 9.5, "axes.titlesize": 10.5, "legend.fontsize": 9.5}
        self.base = base
        years = base.years
        self.proj = years > years[0]  # money is shown for the projected years; people from the opening stock on
        with self._style():
            fig = Figure(figsize=(9.2, 6.4), dpi=100)
            fig.subplots_adjust(left=0.075, right=0.985, top=0.875, bottom=0.05, wspace=0.2, hspace=0.3)
            self.fig, axes = fig, fig.subplots(2, 2)
            self.ax = dict(zip(("cost", "diff", "people", "share"), axes.flat))
            titles = {"cost": "经费总额（万元）", "diff": "与基准情景之差（万元）", "people": "在岗人数与核定员额（人）",
                      "share": "持证率（%）"}
            fmt = FuncFormatter(lambda v, _: fmt_num(v, 0 if abs(v - round(v)) < 1e-9 else 1))
            for key, a in self.ax.items():
                a.set_title(titles[key], loc="left", y=1.0)  # placed, not fitted above the ticks at each draw
                a.xaxis.set_label_coords(0.5, -0.1)  # likewise the (empty) axis labels
                a.yaxis.set_label_coords(-0.1, 0.5)
                a.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
                a.yaxis.set_major_formatter(fmt)
                a.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
                a.set_xlim(years[0] - 0.5, years[-1] + 0.5)
                a.axvline(year, color="#bbbbbb", lw=0.8, zorder=0)
            self.ax["cost"].annotate("预算年度", (year, 1), xycoords=("data", "axes fraction"), xytext=(3, -2),
                                     textcoords="offset points", ha="left", va="top", fontsize=8.5, color="#777777")
            self.ax["diff"].axhline(0, color="black", lw=0.8)
            self.same = self.ax["diff"].text(0.5, 0.72, "与基准情景相同", transform=self.ax["diff"].transAxes,
                                             ha="center", va="center", color="#777777", fontsize=11)
            self.ax["share"].set_ylim(0, 100)
            self.bands, self.lines = {}, {}
            for key, x in (("cost", years[self.proj]), ("diff", years[self.proj]), ("people", years), ("share", years)):
                zero = np.zeros(len(x))
                self.bands[key] = self.ax[key].fill_between(x, zero, zero, color=BAND, lw=0)
                self.lines[key] = self.ax[key].plot(x, zero, color=ACCENT, lw=2, marker="o", ms=3)[0]
            self.ax["cost"].plot(years[self.proj], base.band("cost.total", 1e-4)[0][self.proj], color=BASE, lw=1.2, ls="--")
            self.ax["people"].plot(years, base.band("headcount")[0], color=BASE, lw=1.2, ls="--")
            self.quota = self.ax["people"].plot(years, base.band("quota")[0], color="black", lw=1.2, ls="-.",
                                                drawstyle="steps-mid")[0]
            self.ax["share"].plot(years, base.band("certified_share", 100)[0], color=BASE, lw=1.2, ls="--")
            handles = [Patch(color=BAND, label="P5–P95区间（90%的模拟落在其中）"),
                       Line2D([], [], color=ACCENT, lw=2, marker="o", ms=3, label="当前设置（均值）"),
                       Line2D([], [], color=BASE, lw=1.2, ls="--", label="基准情景（均值）"),
                       Line2D([], [], color="black", lw=1.2, ls="-.", label="核定员额")]
            fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.01, 0.995), ncols=4, frameon=False)

    def _style(self):
        from matplotlib import rc_context

        return rc_context(self.rc)

    @staticmethod
    def _limits(ax, *arrays, pad: float = 0.08, least: float = 0.0) -> None:
        """y limits holding every array, spanning at least ``least``."""
        lo = min(float(np.min(a)) for a in arrays)
        hi = max(float(np.max(a)) for a in arrays)
        if hi - lo < least:
            mid = (hi + lo) / 2
            lo, hi = mid - least / 2, mid + least / 2
        span = max(hi - lo, abs(hi) * 1e-3, 1e-9)
        ax.set_ylim(lo - pad * span, hi + pad * span)

    def png(self, now: Outcome) -> bytes:
        """The chart of ``now`` beside the baseline, as PNG bytes."""
        p = self.proj
        m, lo, hi = now.band("cost.total", 1e-4)
        self.bands["cost"].set_data(now.years[p], lo[p], hi[p])
        self.lines["cost"].set_ydata(m[p])
        self._limits(self.ax["cost"], lo[p], hi[p], self.base.band("cost.total", 1e-4)[0][p])
        d = (now.metrics["cost.total"] - self.base.metrics["cost.total"])[:, p] * 1e-4
        dm, (d05, d95) = d.mean(axis=0), np.percentile(d, [5, 95], axis=0)
        self.bands["diff"].set_data(now.years[p], d05, d95)
        self.lines["diff"].set_ydata(dm)
        self.same.set_visible(not d.any())
        self._limits(self.ax["diff"], d05, d95, [0.0], least=20.0)  # a difference of a few 万元 is not magnified
        m, lo, hi = now.band("headcount")
        self.bands["people"].set_data(now.years, lo, hi)
        self.lines["people"].set_ydata(m)
        self.quota.set_ydata(now.band("quota")[0])
        self._limits(self.ax["people"], lo, hi, now.band("quota")[0], self.base.band("headcount")[0])
        m, lo, hi = now.band("certified_share", 100)
        self.bands["share"].set_data(now.years, lo, hi)
        self.lines["share"].set_ydata(m)
        buf = io.BytesIO()
        with self._style():
            self.fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})  # 2% larger, encoded in half the time
        return buf.getvalue()


# ----------------------------------------------------------------------------- the page


CSS = """<style>
.cwm, .cwm * { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans SC", "Noto Sans CJK SC", sans-serif; }
.cwm-narrative p { margin: 0.1em 0 0.45em 0; font-size: 15px; line-height: 1.55; }
.cwm-narrative .cwm-changed { color: #555; font-size: 13.5px; }
.cwm-label { font-size: 13.5px; line-height: 1.3; margin-top: 4px; }
.cwm-label small { color: #666; font-size: 12px; }
.cwm-table { border-collapse: collapse; font-size: 13px; margin-top: 4px; }
.cwm-table th, .cwm-table td { border-bottom: 1px solid #ddd; padding: 2px 9px; text-align: right; white-space: nowrap; }
.cwm-table th { background: #f2f4f7; font-weight: 600; }
.cwm-status { color: #555; font-size: 12.5px; line-height: 1.45; }
.cwm-error { color: #a00; font-size: 14px; white-space: pre-wrap; }
</style>"""


def reports_root() -> Path:
    """Where the report button writes: the folder the server was started for, else the project's reports/."""
    return Path(os.environ.get(REPORTS_ENV) or output_dir("reports"))


class Explorer:
    """Controls on the left; the narrative, chart and table on the right, updated on each change."""

    def __init__(self, scenario: str | Path = "scenarios/baseline.yaml", draws: int = 200, seed: int = 1, cache_size: int = 32):
        from model.scenario.load import load_scenario

        self.path = input_file(scenario)
        self.scenario = load_scenario(self.path)
        self.draws, self.seed = draws, seed
        self.year = budget_year(self.scenario)
        self.start = initial_settings(self.scenario)
        self.units = {lever.path: unit_of(lever, self.scenario) for lever in LEVERS}
        self._cache: OrderedDict[tuple[str, ...], Outcome] = OrderedDict()
        self._cache_size = cache_size
        self.base = self.outcome([])
        self.last = self.base
        self.controls: dict[str, object] = {}
        self._quiet = False

    def outcome(self, sets: list[str]) -> Outcome:
        """The run with these overrides (kept for the last few settings, so going back is instant)."""
        key = tuple(sets)
        if key not in self._cache:
            self._cache[key] = run(self.path, self.draws, self.seed, list(sets))
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        self._cache.move_to_end(key)
        return self._cache[key]

    # -- widgets

    def _control(self, lever: Lever):
        import ipywidgets as w

        value, unit = self.start[lever.path], self.units[lever.path]
        layout = w.Layout(width="310px")
        text = parameter_name(lever.path)
        if lever.kind == "switch":
            ctl = w.Dropdown(options=[("是", True), ("否", False)], value=bool(value), layout=layout)
        elif lever.kind == "from_election":
            options = [("不要求", NEVER)] + [(f"自{y}年换届起", y) for y in election_years(self.scenario)]
            if value not in [v for _, v in options]:
                options.append((setting_text(lever, value, unit), value))
            ctl = w.Dropdown(options=options, value=value, layout=layout)
        else:
            k = lever.scale
            shown = lever.shown(value)
            low, high = min(lever.low * k, shown), max(lever.high * k, shown)  # a scenario's own value is always on the scale
            whole = all(float(v).is_integer() for v in (low, high, lever.step * k, shown))
            cls = w.IntSlider if whole else w.FloatSlider
            extra = {"readout_format": ",d"} if whole else {"readout_format": ".1f"}
            ctl = cls(min=low, max=high, step=lever.step * k, value=shown, continuous_update=False, layout=layout, **extra)
            span = f"{low:,.4g}–{high:,.4g}"
            text += f"<small>（{unit}，{span}）</small>" if unit else f"<small>（{span}）</small>"
        ctl.add_class("lever-" + lever.path.replace(".", "-"))
        about = escape(parameter_about(lever.path), quote=True)  # what it is and how the model uses it, on hover
        return w.HTML(f"<div class='cwm-label' title='{about}'>{text}</div>"), ctl

    def settings(self) -> dict[str, object]:
        """Each lever's setting on the page."""
        return {lever.path: lever.value(self.controls[lever.path].value) for lever in LEVERS}

    def changed(self, settings: dict[str, object]) -> list[str]:
        """The settings that differ from the scenario, as the page writes them."""
        return [f"{parameter_name(lever.path)} {setting_text(lever, self.start[lever.path], self.units[lever.path])} → "
                f"{setting_text(lever, settings[lever.path], self.units[lever.path])}"
                for lever in LEVERS if settings[lever.path] != self.start[lever.path]]

    def show(self):
        """Build the page and return its root widget (the notebook displays it)."""
        import ipywidgets as w

        pairs = {lever.path: self._control(lever) for lever in LEVERS}
        self.controls = {path: ctl for path, (_, ctl) in pairs.items()}
        self.narrative = w.HTML(layout=w.Layout(width="100%"))
        self.narrative.add_class("cwm-narrative")
        self.chart = Chart(self.base, self.year)
        self.image = w.Image(format="png", layout=w.Layout(width="100%"))
        self.table = w.HTML()
        self.status = w.HTML(layout=w.Layout(width="100%"))
        reset = w.Button(description="恢复基准设置", layout=w.Layout(width="310px"))
        self.report_button = w.Button(description="生成完整PDF报告", button_style="primary", layout=w.Layout(width="310px"))
        self.report_status = w.HTML(f"<div class='cwm-status'>按当前设置运行 {REPORT_DRAWS:,} 次模拟，写出完整报告"
                                    "（含参数附录与方法说明，约半分钟）。</div>", layout=w.Layout(width="310px"))
        for ctl in self.controls.values():
            ctl.observe(lambda _change: self.update(), names="value")
        reset.on_click(lambda _b: self.reset())
        self.report_button.on_click(lambda _b: self.write_report())
        left = w.VBox([w.HTML("<h3 style='margin:0 0 2px 0'>调整参数</h3>")] + [x for pair in pairs.values() for x in pair]
                      + [w.HTML("<div style='height:8px'></div>"), reset, self.report_button, self.report_status],
                      layout=w.Layout(width="330px", min_width="330px", padding="0 16px 0 0"))
        right = w.VBox([self.narrative, self.image, self.status, self.table],
                       layout=w.Layout(flex="1 1 auto", min_width="0", max_width="920px"))  # narrower where the window is
        root = w.HBox([left, right])
        root.add_class("cwm")
        self.update()
        return w.VBox([w.HTML(CSS), root])

    def reset(self):
        """Every lever back to the scenario's value, then one update."""
        self._quiet = True
        try:
            for lever in LEVERS:
                self.controls[lever.path].value = lever.shown(self.start[lever.path])
        finally:
            self._quiet = False
        self.update()

    def update(self):
        """Run the chosen settings (or take them from the cache) and redraw."""
        if self._quiet:
            return
        t0 = time.perf_counter()
        settings = self.settings()
        try:
            sets = overrides(self.scenario, settings)
            now = self.outcome(sets)
        except UserError as exc:
            self.status.value = f"<div class='cwm-error'>无法按此设置测算：{escape(str(exc))}</div>"
            return
        self.last = now
        self.narrative.value = narrative(now, self.base, self.year, self.changed(settings))  # the words first: the chart
        self.table.value = table(now, self.base, int(now.years[0]) + 1)  # takes longer to draw
        self.image.value = self.chart.png(now)
        self.seconds = time.perf_counter() - t0
        self.status.value = (f"<div class='cwm-status'>每次测算 {self.draws:,} 次模拟（随机种子 {self.seed}，与基准情景相同，"
                             f"差异只来自所调参数）；竖线为预算年度 {self.year} 年；按年度变化的参数调整后各年取同一数值。"
                             f"本次更新用时 {self.seconds:.2f} 秒。</div>")

    def report_command(self, out: Path, draws: int = REPORT_DRAWS) -> list[str]:
        """The command that writes the full report for the settings on the page into ``out``."""
        sets = overrides(self.scenario, self.settings())
        return [sys.executable, "-m", "model", "report", str(self.path), "--draws", str(draws), "--seed", str(self.seed),
                "--out", str(out)] + [a for s in sets for a in ("--set", s)]

    def write_report(self) -> threading.Thread:
        """Write the full PDF report for the chosen settings into a new folder, in the background."""
        out = reports_root() / f"explore-{datetime.now():%Y%m%d-%H%M%S}"
        cmd = self.report_command(out)
        self.report_button.disabled = True
        self.report_status.value = "<div class='cwm-status'>正在生成报告……</div>"

        def work():
            try:
                done = subprocess.run(cmd, capture_output=True, text=True)
                pdf = out / "report.pdf"
                if done.returncode == 0 and pdf.exists():
                    data = base64.b64encode(pdf.read_bytes()).decode()
                    self.report_status.value = (f"<div class='cwm-status'>报告已写入 {pdf}<br><a download='report.pdf' "
                                                f"href='data:application/pdf;base64,{data}'>下载PDF报告</a></div>")
                else:
                    why = (done.stderr.strip().splitlines() or ["未知错误"])[-1]
                    self.report_status.value = f"<div class='cwm-error'>报告未能生成：{why}</div>"
            finally:
                self.report_button.disabled = False

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        return thread


def _not_interrupt_noise(record) -> bool:
    return "KeyboardInterrupt caught in kernel" not in record.getMessage()


def _quiet_kernel_interrupts() -> None:
    """Jupyter interrupts a kernel before it shuts it down (the page closed, or the server stopped); a kernel busy
    with a widget message then logs "KeyboardInterrupt caught in kernel" to the server's terminal, which is no
    error. In a kernel, that line is dropped."""
    kernelapp = sys.modules.get("ipykernel.kernelapp")  # imported where a kernel runs (importing it elsewhere
    if kernelapp is None or not kernelapp.IPKernelApp.initialized():  # changes how widgets' comms are made)
        return
    log = kernelapp.IPKernelApp.instance().log
    if _not_interrupt_noise not in log.filters:
        log.addFilter(_not_interrupt_noise)


def page(scenario: str | Path = "scenarios/baseline.yaml", draws: int = 200, seed: int = 1):
    """The explorer's page, or a message saying what is wrong with the notebook's parameters."""
    import ipywidgets as w

    _quiet_kernel_interrupts()
    try:
        return Explorer(scenario, draws=draws, seed=seed).show()
    except UserError as exc:
        return w.HTML(f"{CSS}<div class='cwm-error'>无法打开参数探索页面：{escape(str(exc))}</div>")


# ----------------------------------------------------------------------------- serving the notebook


def port_from_env() -> int:
    text = os.environ.get("APP_PORT", "").strip()
    if not text:
        return DEFAULT_PORT
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise UserError(f"APP_PORT={text!r}: expected a port number from 1 to 65535")
    return int(text)


def check_port(port: int) -> None:
    """A clear message now rather than a server that cannot listen."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise UserError(f"port {port} on 127.0.0.1 is in use; set APP_PORT to another port") from None


def serve(port: int) -> int:
    """Serve notebooks/explore.ipynb with Voila on 127.0.0.1:port, in this process, until Ctrl+C (or SIGTERM);
    Voila then shuts the page's kernels down."""
    import zmq
    from voila.app import Voila
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

    class Shutdown(VoilaShutdownKernelHandler):
        def check_xsrf_cookie(self):
            """The page asks for its kernel's shutdown as it unloads (a beacon, which cannot carry the XSRF token);
            refused, every page load would leave a kernel running. The kernel's id in the address is a random UUID,
            which another site cannot know."""

    class Server(Voila):
        def init_handlers(self):
            return [(h[0], Shutdown, *h[2:]) if h[1] is VoilaShutdownKernelHandler else h for h in super().init_handlers()]

        def initialize(self, argv=None):
            super().initialize(argv)
            # the kernel websocket's ping timeout no longer than its interval, as this tornado requires (else it
            # says so on every page load)
            self.tornado_settings = {**self.tornado_settings, "ws_ping_timeout": 30_000}
            signal.signal(signal.SIGINT, self.stop_soon)
            signal.signal(signal.SIGTERM, self.stop_soon)

        def stop_soon(self, _sig, _frame):
            """Ctrl+C or SIGTERM: the loop stops between two callbacks, then Voila shuts the kernels down (a
            KeyboardInterrupt raised inside a callback can leave that shutdown waiting for ever)."""
            loop = getattr(self, "ioloop", None)
            if loop is None:  # not serving yet
                raise KeyboardInterrupt
            loop.asyncio_loop.call_soon_threadsafe(loop.stop)

        def launch_browser(self):  # Voila calls this once it listens, before it serves: the moment to give the address
            print(f"社区工作者经费测算 · 参数探索 / explorer: http://127.0.0.1:{self.port}/   (Ctrl+C to stop)", flush=True)

    os.environ.setdefault(REPORTS_ENV, str(output_dir("reports")))
    argv = [str(data_file("notebooks/explore.ipynb")), f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            "--Voila.open_browser=True", "--theme=light", "--show_tracebacks=False", "--Voila.log_level=ERROR",
            # a kernel whose page went away without saying so (a browser closed) is shut down after 10 minutes
            "--MappingKernelManager.cull_idle_timeout=600", "--MappingKernelManager.cull_interval=60"]
    if zmq.has("curve"):  # encrypted kernel sockets: the kernel has nothing to warn about
        argv.append("--KernelManager.transport_encryption=auto")
    Server.launch_instance(argv=argv)
    print("stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.app", description=(
        "Serve the web explorer (notebooks/explore.ipynb with Voila) on 127.0.0.1 and print its address. "
        f"The port is APP_PORT when set, else {DEFAULT_PORT}. Ctrl+C stops it."))
    parser.parse_args(argv)
    try:
        port = port_from_env()
        check_port(port)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        import voila  # noqa: F401
    except ImportError:
        print("error: the explorer needs Voila: pip install 'community-workforce-model[app]'", file=sys.stderr)
        return 2
    return serve(port)


if __name__ == "__main__":
    sys.exit(main())
