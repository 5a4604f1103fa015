"""Parameter sweeps: every combination of a grid of values, one tidy table and a chart.

``--grid attrition.rate.staff=0.05,0.08,0.12 --grid progression.years_per_grade=2,3`` gives 3 x 2 = 6
combinations (the first grid varies slowest). Each value is YAML text applied like ``--set``, so it
is validated like the scenario file; commas inside ``{}`` or ``[]`` do not split values, so dated
values work: ``--grid 'pay.wage_growth={2020: 0.03, 2026: 0.05},0.03'``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pandas as pd

from model.analysis.distributed import Runner
from model.errors import UserError
from model.outputs import csv_bytes, staged_dir
from model.scenario.load import check_overrides, load_scenario
from model.simulation.results import make_job

STATS = ["mean", "p05", "p50", "p95"]


def split_values(text: str) -> list[str]:
    """Split ``v1,v2,…`` at commas outside brackets and braces."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "[{"
        depth -= ch in "]}"
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return parts


MAX_COMBINATIONS = 2_000  # scenario variants in one sweep (each is loaded, validated and run)


def parse_grid(texts: list[str]) -> list[tuple[str, list[str]]]:
    """``["path=v1,v2", …]`` -> ``[(path, [v1, v2]), …]``; raises UserError naming each bad entry."""
    grid, problems = [], []
    for text in texts:
        path, eq, values = text.partition("=")
        path = path.strip()
        if not eq or not path:
            problems.append(f"--grid {text!r}: expected dotted.path=v1,v2,…")
            continue
        vals = split_values(values)
        if any(v == "" for v in vals):
            problems.append(f"--grid {path}: empty value in {values!r}")
        elif path in [p for p, _ in grid]:
            problems.append(f"--grid {path}: given twice")
        else:
            grid.append((path, vals))
    if not grid and not problems:
        problems.append("--grid: give at least one dotted.path=v1,v2,…")
    size = math.prod(len(v) for _, v in grid)
    if size > MAX_COMBINATIONS:
        problems.append(f"--grid: {size:,} combinations; at most {MAX_COMBINATIONS:,} are run (fewer values per path)")
    if problems:
        raise UserError(f"{len(problems)} problem(s) in --grid", problems)
    return grid


def combinations(grid: list[tuple[str, list[str]]]) -> list[dict[str, str]]:
    """All combinations of the grid values, first grid varying slowest."""
    paths = [p for p, _ in grid]
    return [dict(zip(paths, combo)) for combo in itertools.product(*(v for _, v in grid))]


def load_combinations(scenario: str | Path, combos: list[dict[str, str]], overrides: list[str] | None = None):
    """Load and validate every combination first; one UserError lists every invalid value, or else
    every invalid combination (values valid alone may clash, e.g. a grade range turned upside down)."""
    check_overrides(scenario, [f"{p}={v}" for combo in combos for p, v in combo.items()], overrides,
                    "--grid ", "the grid values")
    loaded, problems = [], []
    for k, combo in enumerate(combos):
        sets = [*(overrides or []), *(f"{p}={v}" for p, v in combo.items())]
        try:
            loaded.append(load_scenario(scenario, overrides=sets))
        except UserError as exc:
            where = ", ".join(f"{p}={v}" for p, v in combo.items())
            problems.extend(f"combination {k} ({where}): {line}" for line in (exc.problems or [str(exc)]))
    if problems:
        raise UserError(f"{scenario}: {len(problems)} problem(s) in the sweep", problems)
    return loaded


def run_sweep(scenario: str | Path, grid: list[tuple[str, list[str]]], draws: int = 200, seed: int = 1,
              overrides: list[str] | None = None, runner: Runner | None = None) -> pd.DataFrame:
    """Simulate every combination; one row per combination, year and metric.

    Columns: ``combination`` (0-based id), one column per grid path (the value as given), ``year``,
    ``metric``, ``mean``, ``p05``, ``p50``, ``p95``. Every combination uses the same seed and draws
    (common random numbers), so differences between rows come from the parameters.
    """
    combos = combinations(grid)
    scenarios = load_combinations(scenario, combos, overrides)
    runner = runner or Runner(progress=False)
    jobs = [make_job(sc, draws, seed) for sc in scenarios]
    tables = []
    for k, (combo, res) in enumerate(zip(combos, runner.results(jobs, desc="sweep"))):
        s = res.summary()[["year", "metric", *STATS]]
        head = pd.DataFrame({"combination": k, **combo}, index=s.index)
        tables.append(pd.concat([head, s], axis=1))
    return pd.concat(tables, ignore_index=True)


def label(row: pd.Series, paths: list[str]) -> str:
    return ", ".join(f"{p.rsplit('.', 1)[-1] if len(paths) > 1 else p}={row[p]}" for p in paths)


def chart(table: pd.DataFrame, paths: list[str], out: Path, metric: str = "cost.total") -> Path:
    """Mean of ``metric`` by year, one line per combination (SVG, million yuan for money)."""
    from matplotlib.figure import Figure

    from model.report.charts import RC, register_fonts, write_svg

    register_fonts()
    money = metric.startswith("cost")
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(7.5, 4.2), layout="constrained")
        ax = fig.subplots()
        for k, g in table[(table.metric == metric) & (table.year > table.year.min())].groupby("combination", sort=True):
            y = g["mean"].to_numpy() / (1e6 if money else 1)
            ax.plot(g["year"], y, marker=".", label=f"{k}: {label(g.iloc[0], paths)}")
        ax.set_ylabel(f"{metric}, mean ({'million yuan' if money else 'persons'})")
        ax.set_title(f"{metric} by combination", loc="left")
        ax.legend(fontsize=7, ncols=1 if table.combination.nunique() <= 12 else 2)
        return write_svg(fig, out)


def write_outputs(out: Path, files: dict[str, bytes | Callable[[Path], object]]) -> Path:
    """Write files into a temporary folder beside ``out`` and move it into place when all are done.

    ``files`` maps a file name to its bytes or to a function that writes the file at a given path.
    An existing ``out`` is replaced only if it is empty or the model wrote it (folders.check_replaceable).
    """
    out = Path(out).resolve()
    with staged_dir(out) as tmp:
        for name, content in files.items():
            if isinstance(content, bytes):
                (tmp / name).write_bytes(content)
            else:
                content(tmp / name)
    return out


def write_sweep(table: pd.DataFrame, paths: list[str], out: Path) -> Path:
    """``sweep.csv`` (same float format as summary.csv), ``sweep.parquet`` and ``cost_total.svg``."""
    return write_outputs(out, {
        "sweep.csv": csv_bytes(table),
        "sweep.parquet": lambda p: table.to_parquet(p, index=False),
        "cost_total.svg": lambda p: chart(table, paths, p),
    })


__all__ = ["combinations", "load_combinations", "parse_grid", "run_sweep", "split_values", "write_sweep"]
