"""Report charts as deterministic SVG: Noto Sans SC, greys and hatching plus one accent colour."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from model.process import in_two_processes
from model.report import Run, fmt_num, to_wan
from model.report.text import POSTS, label
from model.simulation.metrics import EXIT_KINDS

FONT_DIR = Path(__file__).parent / "fonts"
FONT_FAMILY = "Noto Sans SC"
ACCENT = "#1f5fa8"
GREYS = ["#ffffff", "#bdbdbd", "#7a7a7a", "#3a3a3a", "#dedede"]
HATCHES = ["", "///", "...", "xx", "\\\\\\", "++"]
LINESTYLES = ["-", "--", "-.", ":"]
WIDTH_IN = 6.3  # 16 cm: the text width of the A4 page

RC = {
    "font.family": [FONT_FAMILY],
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": True,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.5,
    "hatch.linewidth": 0.6,
    "hatch.color": "#333333",
    "svg.fonttype": "path",
    "svg.hashsalt": "community-workforce-report",
    "path.simplify": False,
}


def register_fonts() -> None:
    """Make the bundled Noto Sans SC files known to matplotlib (idempotent)."""
    known = {Path(f.fname).name for f in font_manager.fontManager.ttflist}
    for ttf in sorted(FONT_DIR.glob("*.ttf")):
        if ttf.name not in known:
            font_manager.fontManager.addfont(str(ttf))


def _wan(values) -> np.ndarray:
    return np.asarray(values, dtype=float) / 10_000


def _thousands(axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt_num(v)))


def _years_axis(ax, years) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=len(years)))
    ax.set_xlim(min(years) - 0.6, max(years) + 0.6)


def _figure(height_in: float = 2.9, ncols: int = 1, nrows: int = 1, **kw):
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def cost_fan(run: Run, lang: str) -> Figure:
    """Fan chart of cost.total: mean, P25–P75 and P5–P95 across draws, appropriation if set."""
    years = run.projected_years
    d = run.draws[run.draws["year"].isin(years)].groupby("year")["cost.total"]
    q = {p: _wan(d.quantile(p / 100).loc[years]) for p in (5, 25, 75, 95)}
    fig, ax = _figure()
    ax = ax[0, 0]
    ax.fill_between(years, q[5], q[95], color="#dcdcdc", lw=0, label="P5–P95")
    ax.fill_between(years, q[25], q[75], color="#a8a8a8", lw=0, label="P25–P75")
    ax.plot(years, _wan(run.series("cost.total").loc[years]), color=ACCENT, lw=1.8, marker="o", ms=3,
            label=label(lang, "mean"))
    if run.has("appropriation"):
        ax.plot(years, _wan(run.series("appropriation").loc[years]), color="black", lw=1.2, ls="--",
                drawstyle="steps-mid", label=label(lang, "appropriation"))
    ax.set_ylabel(label(lang, "unit.wan"))
    _thousands(ax.yaxis)
    _years_axis(ax, years)
    ax.legend(loc="upper left", ncols=4)
    return fig


def cost_components(run: Run, lang: str) -> Figure:
    """Stacked bars of the top-level cost lines by year (mean)."""
    years = run.projected_years
    fig, ax = _figure()
    _stacked_bars(ax[0, 0], run, years, run.cost_lines(), "cost.arrears", lang)
    return fig


def headcount(run: Run, lang: str) -> Figure:
    """Small multiples: headcount per post (mean, P5–P95) against its quota."""
    years = run.years
    fig, axes = _figure(height_in=3.6, nrows=2, ncols=2, sharex=True)
    for ax, post in zip(axes.flat, POSTS):
        m = f"headcount.{post}"
        if not run.has(m):
            ax.set_visible(False)
            continue
        ax.fill_between(years, run.series(m, "p05").loc[years], run.series(m, "p95").loc[years],
                        color="#d0d0d0", lw=0, label="P5–P95")
        ax.plot(years, run.series(m).loc[years], color=ACCENT, lw=1.6, label=label(lang, "headcount"))
        if run.has(f"quota.{post}"):
            ax.plot(years, run.series(f"quota.{post}").loc[years], color="black", lw=1, ls="--",
                    drawstyle="steps-mid", label=label(lang, "quota"))
        ax.set_title(label(lang, f"post.{post}"), loc="left")
        ax.set_ylim(bottom=0)
        _thousands(ax.yaxis)
        _years_axis(ax, years)
    axes[0, 0].legend(loc="lower left", ncols=3)
    return fig


def flows(run: Run, lang: str) -> Figure:
    """Hires (up) and exits by reason (down) per year, mean across draws."""
    years = run.projected_years
    fig, ax = _figure()
    ax = ax[0, 0]
    ax.bar(years, run.series("hires").loc[years], color=ACCENT, edgecolor="black", lw=0.5,
           label=label(lang, "hires"))
    bottom = np.zeros(len(years))
    reasons = [m for m in EXIT_KINDS if run.has(m)]
    for i, m in enumerate(reasons):
        v = -run.series(m).loc[years].to_numpy()
        ax.bar(years, v, bottom=bottom, color=GREYS[i], edgecolor="black", lw=0.5, hatch=HATCHES[i + 1],
               label=label(lang, m))
        bottom += v
    ax.axhline(0, color="black", lw=0.8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_num(abs(v))))
    ax.set_ylabel(label(lang, "unit.person"))
    _years_axis(ax, years)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=3)
    return fig


def grades(run: Run, lang: str) -> Figure:
    """Headcount by pay grade in the opening year, 2026 and the last year."""
    cols = sorted(run.metrics("grade."))
    shown = sorted({run.opening_year, *[y for y in (2026, run.years[-1]) if y in run.years]})
    fig, ax = _figure(height_in=2.6)
    ax = ax[0, 0]
    x = np.arange(1, len(cols) + 1)
    w = 0.8 / len(shown)
    faces = ["#ffffff", "#9a9a9a", ACCENT]
    for i, y in enumerate(shown):
        v = [run.value(c, y) for c in cols]
        ax.bar(x + (i - (len(shown) - 1) / 2) * w, v, width=w, color=faces[i % 3], edgecolor="black", lw=0.5,
               hatch=["///", "", ""][i % 3], label=str(y))
    ax.set_xticks(x)
    ax.set_xlabel(label(lang, "grade"))
    ax.set_ylabel(label(lang, "unit.person"))
    ax.legend(loc="upper right", ncols=len(shown))
    return fig


def certificates(run: Run, lang: str) -> Figure:
    """Certificate holders by level (stacked bars) and the certified share (line)."""
    years = run.years
    fig, ax = _figure()
    ax = ax[0, 0]
    bottom = np.zeros(len(years))
    faces = ["#ffffff", "#a0a0a0", ACCENT]
    for i, lvl in enumerate(("junior", "intermediate", "senior")):
        v = run.series(f"certified.{lvl}").loc[years].to_numpy()
        ax.bar(years, v, bottom=bottom, color=faces[i], edgecolor="black", lw=0.5, hatch=["///", "", ""][i],
               label=label(lang, f"certified.{lvl}"))
        bottom += v
    ax.set_ylabel(label(lang, "unit.person"))
    _thousands(ax.yaxis)
    ax2 = ax.twinx()
    ax2.plot(years, run.series("certified_share").loc[years] * 100, color="black", lw=1.4, marker="s", ms=3,
             label=label(lang, "certified_share"))
    ax2.set_ylim(0, 100)
    ax2.set_ylabel(label(lang, "certified_share") + " (%)")
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    _years_axis(ax, years)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=4)
    return fig


def social_insurance(run: Run, lang: str) -> Figure:
    """Employer contributions by insurance line, stacked by year (mean, 万元)."""
    years = run.projected_years
    lines = [m for m in ("cost.employer_pension", "si.employer_medical", "si.employer_unemployment",
                         "si.employer_work_injury", "si.occupational_annuity") if run.has(m)]
    fig, ax = _figure()
    _stacked_bars(ax[0, 0], run, years, lines, lines[0], lang)
    return fig


def arrears(run: Run, lang: str) -> Figure:
    """Months of contributions in arrears (bars) and the clearance cost (line)."""
    years = run.years
    fig, ax = _figure(height_in=2.6)
    ax = ax[0, 0]
    ax.bar(years, run.series("arrears.months_outstanding").loc[years], color="#c8c8c8", edgecolor="black",
           lw=0.5, hatch="///", label=label(lang, "arrears.months_outstanding"))
    ax.set_ylabel(label(lang, "arrears.months_outstanding"))
    _thousands(ax.yaxis)
    ax2 = ax.twinx()
    ax2.plot(years, _wan(run.series("cost.arrears").loc[years]), color=ACCENT, lw=1.6, marker="o", ms=3,
             label=label(lang, "cost.arrears") + f" ({label(lang, 'unit.wan')})")
    ax2.set_ylim(bottom=0)
    ax2.set_ylabel(label(lang, "unit.wan"))
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    _years_axis(ax, years)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper right")
    return fig


def bridge(run: Run, lang: str, year: int) -> Figure:
    """Waterfall of cost.total from the year before to ``year`` (bridge.* metrics, mean, 万元)."""
    steps = run.bridge_steps()
    start = run.wan("bridge.start", year) * 1e4  # the printed values (Run.wan), so labels match the tables
    deltas = [run.wan(m, year) * 1e4 for m in steps]
    names = [label(lang, m) for m in ["bridge.start", *steps, "bridge.end"]]
    fig, ax = _figure(height_in=2.8)
    ax = ax[0, 0]
    x = np.arange(len(names))
    level = start
    ax.bar(0, start / 1e4, color="#9a9a9a", edgecolor="black", lw=0.5)
    for i, d in enumerate(deltas, start=1):
        up = d >= 0
        ax.bar(i, d / 1e4, bottom=level / 1e4, color=ACCENT if up else "#ffffff", edgecolor="black", lw=0.5,
               hatch="" if up else "///")
        ax.plot([i - 1.4, i + 0.4], [level / 1e4] * 2, color="black", lw=0.4, ls=":")
        ax.annotate(("+" if up else "") + fmt_num(d / 1e4, 1), (i, (level + max(d, 0)) / 1e4),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=7)
        level += d
    end = run.wan("bridge.end", year) * 1e4
    ax.bar(len(names) - 1, end / 1e4, color="#9a9a9a", edgecolor="black", lw=0.5)
    for i, v in ((0, start), (len(names) - 1, end)):
        ax.annotate(fmt_num(v / 1e4, 1), (i, v / 1e4), xytext=(0, 2), textcoords="offset points", ha="center",
                    va="bottom", fontsize=7)
    lo = min(start, end, *np.cumsum([start] + deltas)) / 1e4
    hi = max(start, end, *np.cumsum([start] + deltas)) / 1e4
    pad = (hi - lo) * 0.35 or hi * 0.05 or 1
    ax.set_ylim(max(0, lo - pad), hi + pad * 0.5)
    ax.set_xticks(x, names)
    ax.set_ylabel(label(lang, "unit.wan"))
    _thousands(ax.yaxis)
    ax.set_title(f"{year - 1} → {year}", loc="left")
    return fig


def assumptions(run: Run, lang: str) -> Figure:
    """Tornado: change in cost.total of the budget year (万元, printed values) with each key assumption at the
    low (grey, hatched) and high (accent) end of its range, largest swing on top; the base is that of the runs
    the changes are measured from (assumptions.csv), as the report's table says."""
    t = run.assumptions.iloc[::-1]
    y0 = run.budget_year
    base = to_wan(t.base.iloc[0])
    fig, ax = _figure(height_in=0.6 + 0.32 * len(t))
    ax = ax[0, 0]
    y = np.arange(len(t))
    low = [to_wan(v) for v in t.change_low]
    high = [to_wan(v) for v in t.change_high]
    ax.barh(y, low, color="#ffffff", edgecolor="black", lw=0.5, hatch="///", label=label(lang, "end.low"))
    ax.barh(y, high, color=ACCENT, edgecolor="black", lw=0.5, label=label(lang, "end.high"))
    ax.set_yticks(y, [f"{label(lang, 'param.' + p)} [{a:g}, {b:g}]" for p, a, b in zip(t.parameter, t.low, t.high)])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(label(lang, "tornado.axis").format(year=y0, base=fmt_num(base, 1)))
    _thousands(ax.xaxis)
    ax.legend(loc="lower right")
    return fig


def _stacked_bars(ax, run: Run, years, metrics, accent: str, lang: str) -> None:
    """Stacked bars of ``metrics`` in 万元 by year: ``accent`` in the accent colour, the rest grey and hatched."""
    bottom = np.zeros(len(years))
    for i, m in enumerate(metrics):
        v = _wan(run.series(m).loc[years])
        face = ACCENT if m == accent else GREYS[i % len(GREYS)]
        ax.bar(years, v, bottom=bottom, color=face, edgecolor="black", lw=0.5,
               hatch="" if m == accent else HATCHES[i % len(HATCHES)], label=label(lang, m))
        bottom += v
    ax.set_ylabel(label(lang, "unit.wan"))
    _thousands(ax.yaxis)
    _years_axis(ax, years)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=3)


def write_svg(fig: Figure, path: Path) -> Path:
    """Save a figure as SVG with fixed metadata, so the same figure gives the same bytes."""
    fig.savefig(path, format="svg", metadata={"Date": None})  # constrained layout already fits the labels
    return path


def write_charts(run: Run, lang: str, out_dir: Path) -> dict[str, Path]:
    """Draw every chart the run's metrics allow into ``out_dir``; returns name -> SVG path. The charts are
    drawn in two processes where the system allows (model.process.in_two_processes)."""
    register_fonts()
    out_dir.mkdir(parents=True, exist_ok=True)
    makers = {
        "cost_fan": (cost_fan, ["cost.total"]),
        "cost_components": (cost_components, ["cost.total"]),
        "headcount": (headcount, ["headcount"]),
        "flows": (flows, ["hires"]),
        "grades": (grades, ["grade.01"]),
        "certificates": (certificates, ["certified.junior", "certified_share"]),
        "social_insurance": (social_insurance, ["cost.employer_pension"]),
        "arrears": (arrears, ["arrears.months_outstanding", "cost.arrears"]),
    }
    drawn = {name: partial(make, run, lang) for name, (make, needs) in makers.items() if all(run.has(m) for m in needs)}
    for y in run.bridge_years():
        drawn[f"bridge_{y}"] = partial(bridge, run, lang, y)
    if run.assumptions is not None and len(run.assumptions):
        drawn["assumptions"] = partial(assumptions, run, lang)
    out = {name: out_dir / f"{name}.svg" for name in drawn}
    in_two_processes([partial(_draw, make, out[name]) for name, make in drawn.items()])
    return out


def _draw(make, path: Path) -> Path:
    """Draw the figure ``make()`` in the report's style and save it as SVG at ``path``."""
    with matplotlib.rc_context(RC):
        return write_svg(make(), path)


def scenario_totals(runs: list[Run], lang: str, out: Path) -> Path:
    """cost.total (mean) of several runs by year, one line style each; the first run is the base."""
    register_fonts()
    with matplotlib.rc_context(RC):
        fig, ax = _figure()
        ax = ax[0, 0]
        years = runs[0].projected_years
        for i, run in enumerate(runs):
            ys = [y for y in years if y in run.projected_years]
            ax.plot(ys, _wan(run.series("cost.total").loc[ys]), color=ACCENT if i == 0 else GREYS[3 - i % 3],
                    ls=LINESTYLES[i % len(LINESTYLES)], lw=1.8 if i == 0 else 1.4, marker="os^Dv"[i % 5], ms=3,
                    label=run.scenario)
        ax.set_ylabel(label(lang, "unit.wan"))
        _thousands(ax.yaxis)
        _years_axis(ax, years)
        ax.legend(loc="upper left")
        out.parent.mkdir(parents=True, exist_ok=True)
        return write_svg(fig, out)
