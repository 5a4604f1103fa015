"""Sensitivity of a metric in one year to scalar parameters: one-at-a-time (tornado) and Sobol indices.

Ranges come from a small YAML file, one dotted parameter path per key::

    attrition.rate.staff: [0.05, 0.20]
    hiring.annual_cap: {range: [100, 300], assumption: "half to 1.5 times the baseline cap"}

A range whose two ends are whole numbers is sampled in whole numbers. Every evaluation uses the same
seed and draws (common random numbers), so differences come from the parameters, not the dice.

Sobol indices (variance-based, inputs uniform on their ranges): with N quasi-random rows in matrices
A and B (scrambled Sobol sequence, scipy.stats.qmc) and AB_i = A with column i taken from B,

    V    = Var(f(A), f(B))                              (f centred on the mean of f(A), f(B))
    S_i  = mean(f(B) * (f(AB_i) - f(A))) / V          first order (Saltelli et al. 2010)
    ST_i = mean((f(A) - f(AB_i))**2) / (2 V)            total (Jansen 1999)

as computed by ``scipy.stats.sobol_indices`` from the evaluations. Sampling error: standard errors and 95%
percentile intervals by a seeded bootstrap over the N rows (scipy's own bootstrap is not seeded).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

from model.analysis.distributed import Runner
from model.errors import UserError
from model.paths import data_file
from model.scenario.load import check_overrides, load_scenario, read_yaml
from model.scenario.schema import value_at
from model.simulation.results import make_job

PROVENANCE = {"source", "assumption", "note"}


def read_ranges(path: str | Path) -> dict[str, tuple[float, float]]:
    """``path: [low, high]`` (or ``{range: [low, high], source|assumption: …}``) -> {path: (low, high)}."""
    path = Path(path)
    data, _ = read_yaml(path, "--ranges")  # the scenario files' loader: bounded, no aliases
    if not isinstance(data, dict) or not data:
        raise UserError(f"--ranges {path}: expected a mapping of parameter paths to [low, high]")
    ranges, problems = {}, []
    for key, spec in data.items():
        if isinstance(spec, dict) and "range" in spec and set(spec) - {"range"} <= PROVENANCE:
            spec = spec["range"]
        ok = (isinstance(spec, list) and len(spec) == 2
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in spec))
        if not ok:
            problems.append(f"{key}: expected [low, high] (two numbers), got {spec!r}")
        elif not spec[0] < spec[1]:
            problems.append(f"{key}: low {spec[0]} must be below high {spec[1]}")
        else:
            ranges[str(key)] = (spec[0], spec[1])
    if problems:
        raise UserError(f"--ranges {path}: {len(problems)} problem(s)", problems)
    return ranges


def _text(value: float) -> str:
    return str(int(value)) if isinstance(value, (int, np.integer)) else repr(float(value))


def check_ranges(scenario: str | Path, ranges: dict, overrides: list[str] | None = None) -> None:
    """Both ends of every range must be valid values of their parameter (UserError lists every one)."""
    sets = [f"{path}={_text(end)}" for path, ends in ranges.items() for end in ends]
    check_overrides(scenario, sets, overrides, "range ", "the ranges")


def _evaluate(scenario, points: list[dict], year: int, metric: str, draws: int, seed: int,
              overrides: list[str] | None, runner: Runner, desc: str, through: int | None = None) -> np.ndarray:
    """``metric`` in ``year`` (summed over year..through when given) per draw for each point (a dict
    path -> value): array [point, draw]."""
    h = load_scenario(scenario, overrides=overrides).model.horizon
    last = year if through is None else through
    for flag, y in (("--year", year), ("--through", last)):
        if not h.opening_year <= y <= h.end_year:
            raise UserError(f"{flag} {y}: outside the scenario's years {h.opening_year}-{h.end_year}")
    if last < year:
        raise UserError(f"--through {last}: before --year {year}")
    # The years after ``last`` are not simulated: a year's figures depend only on the years before it (every
    # random number is keyed by its own year), so they are the same as in the full projection.
    end = max(last, h.opening_year + 1)
    jobs = []
    for point in points:
        sets = [*(overrides or []), *(f"{p}={_text(v)}" for p, v in point.items()), f"horizon.end_year={end}"]
        jobs.append(make_job(load_scenario(scenario, overrides=sets), draws, seed))
    t0, t1 = year - h.opening_year, last - h.opening_year
    return np.array([r.metrics[metric][:, t0:t1 + 1].sum(axis=1) for r in runner.results(jobs, desc=desc)])


def _base_value(scenario, path: str, year: int):
    value = scenario.model
    for part in path.split("."):
        value = getattr(value, part)
    return value_at(value, year) if isinstance(value, dict) else value


# ----------------------------------------------------------------------------- one at a time


def one_at_a_time(scenario: str | Path, ranges: dict, year: int, draws: int = 200, seed: int = 1,
                  overrides: list[str] | None = None, runner: Runner | None = None,
                  metric: str = "cost.total", through: int | None = None) -> pd.DataFrame:
    """Move each parameter to the low and high end of its range, the others at the scenario's values.

    The metric is that of ``year``, or its sum over ``year``..``through`` when ``through`` is given.

    One row per parameter, sorted by swing = |metric(high) - metric(low)| (largest first).
    ``se_low``/``se_high``: standard error of the change in the mean, sd(per-draw change) / sqrt(draws).
    """
    check_ranges(scenario, ranges, overrides)
    base_sc = load_scenario(scenario, overrides=overrides)
    points = [{}] + [{p: end} for p, ends in ranges.items() for end in ends]
    f = _evaluate(scenario, points, year, metric, draws, seed, overrides, runner or Runner(progress=False), "one at a time",
                  through)
    rows = []
    for k, (path, (low, high)) in enumerate(ranges.items()):
        d_low, d_high = f[1 + 2 * k] - f[0], f[2 + 2 * k] - f[0]
        rows.append({
            "parameter": path, "value": _base_value(base_sc, path, year), "low": low, "high": high,
            "base": f[0].mean(), "at_low": f[1 + 2 * k].mean(), "at_high": f[2 + 2 * k].mean(),
            "change_low": d_low.mean(), "change_high": d_high.mean(),
            "se_low": d_low.std(ddof=1) / np.sqrt(draws) if draws > 1 else np.nan,
            "se_high": d_high.std(ddof=1) / np.sqrt(draws) if draws > 1 else np.nan,
            "swing": abs(d_high.mean() - d_low.mean()),
        })
    table = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="mergesort").reset_index(drop=True)
    table.insert(0, "year", year if through is None else f"{year}-{through}")
    table.insert(1, "metric", metric)
    return table


KEY_RANGES = data_file("scenarios/ranges/key_assumptions.yaml")


def key_assumptions(scenario: str | Path, year: int, through: int | None = None, draws: int = 100, seed: int = 1,
                    overrides: list[str] | None = None, runner: Runner | None = None) -> pd.DataFrame:
    """The assumptions that move the budget most (scenarios/ranges/key_assumptions.yaml), one at a time:
    cost.total in ``year`` (or summed to ``through``) at each end of each range."""
    return one_at_a_time(scenario, read_ranges(KEY_RANGES), year, draws, seed, overrides, runner, through=through)


def tornado(table: pd.DataFrame, out: Path) -> Path:
    """Horizontal bars of the change in the metric at each parameter's low and high end (SVG)."""
    from matplotlib.figure import Figure

    from model.report.charts import ACCENT, RC, register_fonts, write_svg

    register_fonts()
    money = table.metric.iloc[0].startswith("cost")
    scale = 1e6 if money else 1
    rows = table.iloc[::-1]
    with matplotlib.rc_context({**RC, "axes.grid.axis": "x"}):
        fig = Figure(figsize=(7.5, 0.8 + 0.38 * len(rows)), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(rows))
        ax.barh(y, rows.change_low / scale, color="#bdbdbd", edgecolor="#3a3a3a", linewidth=0.5, label="low end")
        ax.barh(y, rows.change_high / scale, color=ACCENT, alpha=0.85, label="high end")
        ax.set_yticks(y, [f"{r.parameter}  [{r.low:g}, {r.high:g}]" for r in rows.itertuples()])
        ax.axvline(0, color="black", linewidth=0.8)
        unit = "million yuan" if money else "persons"
        base = table.base.iloc[0] / scale
        ax.set_xlabel(f"change in mean {table.metric.iloc[0]} {table.year.iloc[0]} ({unit}; base {base:,.1f})")
        ax.legend(loc="lower right")
        return write_svg(fig, out)


# ----------------------------------------------------------------------------- Sobol


def saltelli_design(bounds: list[tuple[float, float]], n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Matrices A and B [n, k] from one scrambled Sobol sequence of dimension 2k scaled to the bounds.

    ``n`` must be a power of 2 (the balance properties of the Sobol sequence need it).
    Parameters whose bounds are both whole numbers are rounded to whole numbers.
    """
    if n < 2 or n & (n - 1):
        raise UserError(f"--samples {n}: must be a power of 2 (e.g. 64, 128, 256)")
    k = len(bounds)
    from scipy.stats import qmc  # imported here: scipy.stats takes 0.3 s, and a report's key assumptions do not use it

    u = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random_base2(int(np.log2(n)))
    lo = np.array([b[0] for b in bounds], float)
    hi = np.array([b[1] for b in bounds], float)
    x = np.concatenate([lo + (hi - lo) * u[:, :k], lo + (hi - lo) * u[:, k:]])
    for i, (a, b) in enumerate(bounds):
        if isinstance(a, int) and isinstance(b, int):
            x[:, i] = np.clip(np.floor(a + (b - a + 1) * (x[:, i] - a) / (b - a)), a, b)
    return x[:n], x[n:]


def ab_matrices(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """AB [k, n, k]: AB[i] is A with column i taken from B."""
    AB = np.repeat(A[None], A.shape[1], axis=0)
    for i in range(A.shape[1]):
        AB[i, :, i] = B[:, i]
    return AB


def _indices(fA, fB, fAB):
    """First-order and total indices by scipy.stats.sobol_indices (Saltelli 2010 and Jansen estimators, outputs
    centred on their mean); NaN where the output does not vary (scipy would give 0)."""
    if np.var(np.concatenate([fA, fB])) == 0:
        return np.full(len(fAB), np.nan), np.full(len(fAB), np.nan)
    from scipy import stats

    res = stats.sobol_indices(func={"f_A": fA[None], "f_B": fB[None], "f_AB": fAB[:, None, :]}, n=len(fA))
    return np.atleast_1d(res.first_order), np.atleast_1d(res.total_order)


def sobol_indices(fA: np.ndarray, fB: np.ndarray, fAB: np.ndarray, names: list[str],
                  bootstrap: int = 1000, seed: int = 1) -> pd.DataFrame:
    """First-order (Saltelli 2010) and total (Jansen) indices with bootstrap standard errors and
    95% percentile intervals; ``fAB`` is [k, n]."""
    S1, ST = _indices(fA, fB, fAB)
    rng = np.random.default_rng(seed)
    boot = np.empty((bootstrap, 2, len(names)))
    for b in range(bootstrap):
        r = rng.integers(0, len(fA), len(fA))
        boot[b] = _indices(fA[r], fB[r], fAB[:, r])
    lo, hi = np.nanpercentile(boot, [2.5, 97.5], axis=0)
    se = np.nanstd(boot, axis=0, ddof=1)
    return pd.DataFrame({"parameter": names, "S1": S1, "S1_se": se[0], "S1_low": lo[0], "S1_high": hi[0],
                         "ST": ST, "ST_se": se[1], "ST_low": lo[1], "ST_high": hi[1]})


def sobol(scenario: str | Path, ranges: dict, year: int, samples: int = 64, draws: int = 20, seed: int = 1,
          overrides: list[str] | None = None, runner: Runner | None = None, metric: str = "cost.total",
          bootstrap: int = 1000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sobol indices of the mean of ``metric`` in ``year`` over ``draws`` draws.

    Runs samples x (k + 2) scenario variants. Returns (indices, evaluations): the evaluations table
    has one row per variant: ``matrix`` (A, B or AB_<i>), ``row``, the parameter values and the metric.
    """
    check_ranges(scenario, ranges, overrides)
    names = list(ranges)
    A, B = saltelli_design([ranges[p] for p in names], samples, seed)
    AB = ab_matrices(A, B)
    X = np.concatenate([A, B, *AB])
    integer = [isinstance(a, int) and isinstance(b, int) for a, b in ranges.values()]
    points = [{p: (int(v) if integer[i] else float(v)) for i, (p, v) in enumerate(zip(names, x))} for x in X]
    f = _evaluate(scenario, points, year, metric, draws, seed, overrides, runner or Runner(progress=False), "sobol").mean(axis=1)
    n = samples
    table = sobol_indices(f[:n], f[n:2 * n], f[2 * n:].reshape(len(names), n), names, bootstrap, seed)
    table.insert(0, "year", year)
    table.insert(1, "metric", metric)
    labels = ["A"] * n + ["B"] * n + [f"AB_{i}" for i in range(len(names)) for _ in range(n)]
    evals = pd.DataFrame(X, columns=names)
    evals.insert(0, "matrix", labels)
    evals.insert(1, "row", np.tile(np.arange(n), len(names) + 2))
    evals[metric] = f
    return table, evals


def sobol_chart(table: pd.DataFrame, out: Path) -> Path:
    """Bars of S1 and ST per parameter with their 95% bootstrap intervals (SVG)."""
    from matplotlib.figure import Figure

    from model.report.charts import ACCENT, RC, register_fonts, write_svg

    register_fonts()
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(7.5, 3.6), layout="constrained")
        ax = fig.subplots()
        x = np.arange(len(table))
        for dx, col, colour in ((-0.2, "S1", "#bdbdbd"), (0.2, "ST", ACCENT)):
            err = np.vstack([table[col] - table[f"{col}_low"], table[f"{col}_high"] - table[col]]).clip(min=0)
            ax.bar(x + dx, table[col], width=0.4, color=colour, edgecolor="#3a3a3a", linewidth=0.5,
                   yerr=err, capsize=2, label={"S1": "first order S1", "ST": "total ST"}[col])
        ax.set_xticks(x, table.parameter, rotation=30, ha="right", fontsize=7)
        ax.set_ylabel(f"share of variance of {table.metric.iloc[0]} {table.year.iloc[0]}")
        ax.legend()
        return write_svg(fig, out)


def note(method: str, table: pd.DataFrame, draws: int, seed: int, samples: int | None = None,
         bootstrap: int | None = None) -> str:
    """A short markdown note: what was run and how large the sampling error is."""
    metric, year = table.metric.iloc[0], table.year.iloc[0]
    if method == "oat":
        worst = (table[["se_low", "se_high"]].max(axis=1) / table.swing.where(table.swing > 0)).max()
        return (f"# One-at-a-time sensitivity of {metric} in {year}\n\n"
                f"{len(table)} parameters, each at the low and high end of its range with the others at the "
                f"scenario's values; {draws} draws per run, seed {seed}, the same draws in every run (common "
                f"random numbers).\n\nSampling error: `se_low` and `se_high` are the standard errors of the change "
                f"in the mean, sd of the per-draw change / sqrt({draws}). The largest standard error is "
                f"{worst:.1%} of its parameter's swing.\n")
    k = len(table)
    width = (table.ST_high - table.ST_low).max()
    return (f"# Sobol indices of {metric} in {year}\n\n"
            f"{k} parameters, uniform on their ranges; {samples} rows of a scrambled Sobol sequence "
            f"(scipy.stats.qmc, seed {seed}) in matrices A and B, so {samples * (k + 2)} scenario runs, each the "
            f"mean of {draws} draws with the same seed (common random numbers). First order: Saltelli (2010); "
            f"total: Jansen (1999).\n\nSampling error: `*_se` and the 95% intervals `*_low`/`*_high` come from "
            f"{bootstrap} bootstrap resamples of the {samples} rows; the widest total-index interval is "
            f"{width:.3f}. Estimates can fall slightly below 0 or S1 slightly above ST by sampling error alone; "
            f"differences smaller than the intervals are not meaningful. The model's own Monte Carlo noise "
            f"(mean of {draws} draws) adds a little variance that no parameter explains, so the S1 sum "
            f"is below 1 even for an additive model.\n")
