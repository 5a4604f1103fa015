"""Report layer: reads a finished run folder (docs/outputs.md) and turns it into PDF, charts and tables.

Money is shown in 万元 (10,000 yuan) with one decimal. Rounding rule, used everywhere:
a total is rounded half up to 0.1 万元; its components are rounded with the largest-remainder
method so that the rounded components add up exactly to the rounded total.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from model.errors import UserError
from model.report.text import BRIDGE_STEPS

if TYPE_CHECKING:  # pandas is imported where used: `model report` runs its notebook without it
    import pandas as pd


@dataclass
class Run:
    """The files of one run folder, read once."""

    path: Path
    summary: pd.DataFrame
    parameters: pd.DataFrame
    manifest: dict

    @cached_property
    def draws(self) -> pd.DataFrame:
        """Per-draw, per-year metrics (read on first use)."""
        import pandas as pd

        parquet = self.path / "draws.parquet"
        if parquet.exists():
            return pd.read_parquet(parquet)
        return pd.read_csv(self.path / "draws.csv")

    @cached_property
    def table(self) -> dict[str, pd.DataFrame]:
        """Statistic -> frame indexed by year with one column per metric."""
        return {
            stat: self.summary.pivot(index="year", columns="metric", values=stat).sort_index()
            for stat in ("mean", "p05", "p50", "p95")
        }

    @property
    def n_draws(self) -> int:
        """The run's number of draws (the manifest's; a folder without it: the draws in draws.parquet)."""
        return int(self.manifest.get("draws", self.draws["draw"].nunique()))

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.table["mean"].index]

    @property
    def opening_year(self) -> int:
        return self.years[0]

    @property
    def projected_years(self) -> list[int]:
        return self.years[1:]

    def has(self, metric: str) -> bool:
        return metric in self.table["mean"].columns

    def metrics(self, prefix: str) -> list[str]:
        """Metrics whose name starts with ``prefix`` (in file order)."""
        return [m for m in self.table["mean"].columns if m.startswith(prefix)]

    def value(self, metric: str, year: int, stat: str = "mean") -> float:
        return self._values[(metric, int(year), stat)]

    @cached_property
    def _values(self) -> dict[tuple[str, int, str], float]:
        """(metric, year, statistic) -> value: the summary as a dict (the report and workbook read thousands)."""
        s = self.summary
        keys = list(zip(s["metric"], s["year"].astype(int)))
        return {(m, y, stat): float(v) for stat in ("mean", "p05", "p50", "p95") for (m, y), v in zip(keys, s[stat])}

    def series(self, metric: str, stat: str = "mean") -> pd.Series:
        return self.table[stat][metric]

    @property
    def title(self) -> str:
        return str(self.manifest.get("title") or self.manifest.get("scenario") or self.path.name)

    @property
    def scenario(self) -> str:
        return str(self.manifest.get("scenario") or self.summary["scenario"].iloc[0])

    @property
    def digest(self) -> str:
        return str(self.manifest.get("run_digest") or self.manifest.get("digest") or "")

    @property
    def budget_year(self) -> int:
        """The budget year (manifest, from the scenario's horizon.budget_year or --budget-year); earlier years
        are history. Runs written before it was recorded: the first projected year."""
        by = self.manifest.get("budget_year")
        if by is None:
            return self.projected_years[0]
        return min(max(int(by), self.projected_years[0]), self.projected_years[-1])  # a short run: its last year

    def budget_years(self) -> list[int]:
        """Headline years: the budget year and the two after it (the 中期财政规划), those in the run."""
        return [y for y in range(self.budget_year, self.budget_year + 3) if y in self.projected_years]

    def bridge_steps(self) -> list[str]:
        """bridge.* step metrics (not start or end) in the documented order, then any others."""
        known = [f"bridge.{s}" for s in BRIDGE_STEPS if self.has(f"bridge.{s}")]
        extra = [m for m in self.metrics("bridge.") if m not in known and m not in ("bridge.start", "bridge.end")]
        return known + extra

    def bridge_years(self) -> list[int]:
        """Years shown as waterfalls: the first projected year (if it has a previous-year cost) and 2026."""
        if not self.has("bridge.start"):
            return []
        wanted = [self.projected_years[0], self.budget_year]
        return sorted({y for y in wanted if y in self.projected_years and self.value("bridge.start", y) > 0})

    def wan(self, metric: str, year: int, stat: str = "mean") -> float:
        """The one printed value of a money figure, 万元 to 0.1: every table, text, chart and the workbook
        use it (one figure, one value).

        Means of the cost lines are rounded once, top-down: cost.total half up, then each level of the cost
        tree, the cost by post and by regime, and the bridge steps by the largest-remainder method so that
        they add up to their rounded total (the bridge: from last year's rounded total to this year's).
        Anything else is rounded half up on its own.
        """
        if stat == "mean":
            v = self._canonical_means.get((metric, year))
            if v is not None:
                return v
        return to_wan(self.value(metric, year, stat))

    @cached_property
    def _canonical_means(self) -> dict[tuple[str, int], float]:
        from model.lines import COST_TREE

        tree = [(m, p) for m, p in COST_TREE if self.has(m)] + [(m, "cost.total") for m in self.other_lines()]
        out: dict[tuple[str, int], float] = {}

        def split(parts: list[str], total: float, year: int):
            tenths = largest_remainder([self.value(k, year) / 1_000 for k in parts], round(total * 10))
            out.update({(k, year): t / 10 for k, t in zip(parts, tenths)})

        for y in self.years:
            out[("cost.total", y)] = to_wan(self.value("cost.total", y))
            for parent, _ in tree:
                kids = [m for m, p in tree if p == parent]
                if kids:
                    split(kids, out[(parent, y)], y)
            for prefix in ("cost_by_post.", "cost_by_regime."):
                if self.metrics(prefix):
                    split(self.metrics(prefix), out[("cost.total", y)], y)
        budget = self.manifest.get("budget") or {}
        shares, by_line = budget.get("payer_shares") or {}, budget.get("payer_shares_by_line") or {}
        lines = [m for m in budget.get("economic_codes", {}) if self.has(m)]
        for y in self.years:
            if str(y) in shares:  # cost.total by payer (市级, 区级, 上级转移支付), adding up to the rounded total
                payers = list(shares[str(y)])
                own = sum(self.value(m, y) for m in by_line if m in lines)  # lines with a split of their own
                parts = [(shares[str(y)][k] * (self.value("cost.total", y) - own)
                          + sum(by_line[m][str(y)][k] * self.value(m, y) for m in by_line if m in lines)) / 1_000
                         for k in payers]
                tenths = largest_remainder(parts, round(out[("cost.total", y)] * 10))
                out.update({(f"payer.{k}", y): t / 10 for k, t in zip(payers, tenths)})
        if self.has("bridge.start"):
            for y in self.projected_years:
                start, end = out[("cost.total", y - 1)], out[("cost.total", y)]
                out[("bridge.start", y)], out[("bridge.end", y)] = start, end
                split(self.bridge_steps(), round(end - start, 1), y)
        return out

    def cost_lines(self) -> list[str]:
        """Top-level components of cost.total present in the run (incl. any cost.other.*)."""
        from model.lines import TOTAL_PARTS

        return [m for m in TOTAL_PARTS if self.has(m)] + self.other_lines()

    @property
    def shown_manifest(self) -> dict:
        """The manifest as documents print it: no machine path (the scenario file by its name)."""
        return {k: (Path(str(v)).name if k == "scenario_file" else v) for k, v in self.manifest.items() if k != "sources"}

    @property
    def scenario_sources(self) -> dict[str, str]:
        """The documents the scenario's values rest on, by key (its ``sources:``; printed with the parameters)."""
        return self.manifest.get("sources") or {}

    @property
    def budget(self) -> dict:
        """Classification codes and payer shares (manifest 'budget'); empty for runs written before them."""
        return self.manifest.get("budget") or {}

    def budget_lines(self) -> list[str]:
        """The leaf cost lines that carry classification codes, those with spending in the run."""
        codes = self.budget.get("economic_codes", {})
        return [m for m in codes if self.has(m) and (not m.startswith("cost.other.") or m in self.other_lines())]

    def _optional_csv(self, name: str) -> pd.DataFrame | None:
        import pandas as pd

        path = self.path / name
        return pd.read_csv(path) if path.exists() else None

    @cached_property
    def actuals(self) -> pd.DataFrame | None:
        """Past years' actuals (actuals.csv, written by report --actuals): year, metric, value (万元 or persons), unit."""
        return self._optional_csv("actuals.csv")

    @cached_property
    def assumptions(self) -> pd.DataFrame | None:
        """The key assumptions' one-at-a-time effects on cost.total in the budget year (assumptions.csv), if written."""
        return self._optional_csv("assumptions.csv")

    def other_lines(self) -> list[str]:
        """The cost.other.* lines with spending in some year (a policy's own costs; zero lines are left out)."""
        return [m for m in self.metrics("cost.other.") if (self.series(m) != 0).any()]


def write_assumptions(run_dir: Path, scenario: str | Path, overrides: list[str] | tuple = (), draws: int = 100) -> Path | None:
    """assumptions.csv in a run folder: each key assumption (scenarios/ranges/key_assumptions.yaml) at the ends of
    its range, the others at the scenario's values, and cost.total in the run's budget year (same seed). Where a
    range does not fit the scenario, nothing is written and the report shows no such table."""
    from model.analysis.sensitivity import key_assumptions

    run = read_run(run_dir)
    try:
        table = key_assumptions(scenario, run.budget_year, draws=draws, seed=int(run.manifest.get("seed", 1)),
                                overrides=list(overrides))
    except UserError:
        return None
    table["draws"] = draws  # the first ``draws`` of the run's, with the same random numbers
    path = Path(run_dir) / "assumptions.csv"
    table.to_csv(path, index=False)
    return path


def read_run(run_dir: Path) -> Run:
    """Read a run folder; a missing file is a UserError naming it."""
    run_dir = Path(run_dir)
    missing = [f for f in ("summary.csv", "parameters.csv", "manifest.json") if not (run_dir / f).exists()]
    if not (run_dir / "draws.parquet").exists() and not (run_dir / "draws.csv").exists():
        missing.append("draws.parquet")
    if missing:
        raise UserError(f"run folder {run_dir} is incomplete", [f"missing {f}" for f in missing])
    import pandas as pd

    summary = pd.read_csv(run_dir / "summary.csv")
    parameters = pd.read_csv(run_dir / "parameters.csv", dtype=str, keep_default_na=False)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    return Run(run_dir, summary, parameters, manifest)


def flatten(d: dict, prefix: str = "") -> list[tuple[str, str]]:
    """A nested mapping as (dotted key, text) rows, lists joined by commas (the manifest in a table)."""
    out = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out += flatten(v, key + ".")
        elif isinstance(v, list):
            out.append((key, ", ".join(str(x) for x in v)))
        else:
            out.append((key, str(v)))
    return out


def round_half_up(x: float, ndigits: int = 0) -> float:
    """Round half away from zero (not Python's round-half-even)."""
    scale = 10**ndigits
    return math.copysign(math.floor(abs(x) * scale + 0.5), x) / scale


def to_wan(yuan: float) -> float:
    """Yuan -> 万元 rounded half up to one decimal."""
    return round_half_up(yuan / 10_000, 1)


def fmt_wan(yuan: float) -> str:
    """Yuan as 万元 text with thousands separators and one decimal, e.g. '12,345.6'."""
    return fmt_num(to_wan(yuan), 1)


def fmt_num(x: float, decimals: int = 0) -> str:
    """Number with thousands separators; minus sign as U+2212."""
    text = f"{round_half_up(x, decimals):,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")
    return text.replace("-", "\u2212")


def fmt_pct(share: float, decimals: int = 1) -> str:
    return fmt_num(share * 100, decimals) + "%"


def largest_remainder(values: list[float], total: float) -> list[float]:
    """Round ``values`` to integers summing to the integer ``total`` (largest-remainder method)."""
    floors = [math.floor(v) for v in values]
    short = int(round(total)) - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    for i in order[: max(short, 0)]:
        floors[i] += 1
    return [float(f) for f in floors]


def reconcile_wan(parts: list[float], total: float) -> tuple[list[float], float]:
    """Yuan components and their total -> 万元 (0.1) components that add up to the rounded total."""
    total_tenths = round_half_up(total / 1_000)
    tenths = largest_remainder([p / 1_000 for p in parts], total_tenths)
    return [t / 10 for t in tenths], total_tenths / 10


def key_figures(run: Run, metrics: tuple[str, ...] = ("cost.total", "headcount")) -> pd.DataFrame:
    """Mean, P5 and P95 by projected year for a few metrics; money (cost.*) in 万元."""
    import pandas as pd

    cols = {}
    for m in metrics:
        scale = 10_000 if m.startswith("cost") else 1
        for stat in ("mean", "p05", "p95"):
            cols[(m, stat)] = run.series(m, stat).loc[run.projected_years] / scale
    return pd.DataFrame(cols).round(1)


def compare_runs(base: Run, changed: Run, metrics: tuple[str, ...] = ("cost.total", "headcount")) -> pd.DataFrame:
    """Mean of each metric in two runs and the difference, by projected year; money in 万元."""
    import pandas as pd

    cols = {}
    for m in metrics:
        scale = 10_000 if m.startswith("cost") else 1
        b = base.series(m).loc[base.projected_years] / scale
        c = changed.series(m).loc[base.projected_years] / scale
        cols[(m, "base")], cols[(m, "changed")], cols[(m, "difference")] = b, c, c - b
    return pd.DataFrame(cols).round(1)
