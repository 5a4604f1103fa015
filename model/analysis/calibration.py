"""Calibration: fit scalar parameters to an observed yearly history with scipy.optimize.

History file (CSV, ``#`` starts a comment line): columns ``year,metric,value``, one row per observed
year and metric, metric names as in summary.csv (e.g. ``headcount.staff``, ``exits.attrition``,
``hires``, ``certified_share``, ``cost.total``).

Objective (dimensionless): the mean over observations of the squared relative error

    L(x) = mean_{year, metric} ((m(year, metric; x) - obs) / s_metric) ** 2,

where m is the simulated mean over ``draws`` draws and s_metric is the mean |observed value| of that
metric, so every metric weighs the same whatever its unit. Every evaluation uses the same seed and
draws (common random numbers), which makes L a slightly rough but stable function of x; Nelder-Mead
(derivative-free, with bounds) on parameters scaled to [0, 1] copes with the roughness.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import minimize

from model.analysis.distributed import Runner
from model.errors import UserError
from model.inputs import MB, checked_file
from model.outputs import csv_bytes
from model.scenario.load import Scenario, load_scenario
from model.scenario.schema import value_at
from model.simulation.results import make_job


@dataclass
class FitParam:
    path: str
    low: float
    high: float
    start: float


def read_history(path: str | Path) -> pd.DataFrame:
    """Read ``year,metric,value`` rows; UserError names the file and every bad data row (1 = first after the header)."""
    path = checked_file(path, "--history", 64 * MB)
    try:
        df = pd.read_csv(path, comment="#", skip_blank_lines=True, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise UserError(f"--history {path}: file not found") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UserError(f"--history {path}: cannot read as CSV: {exc}") from None
    missing = {"year", "metric", "value"} - set(df.columns)
    if missing:
        raise UserError(f"--history {path}: missing column(s) {sorted(missing)}; expected year,metric,value")
    problems = []
    year = pd.to_numeric(df["year"], errors="coerce")
    value = pd.to_numeric(df["value"], errors="coerce")
    for i in df.index[year.isna() | (year % 1 != 0)]:
        problems.append(f"row {i + 1}: year {df.at[i, 'year']!r} is not a whole number")
    for i in df.index[value.isna() | ~np.isfinite(value)]:
        problems.append(f"row {i + 1}: value {df.at[i, 'value']!r} is not a number")
    out = pd.DataFrame({"year": year, "metric": df["metric"].astype(str).str.strip(), "value": value})
    for i in out.index[out.duplicated(["year", "metric"])]:
        problems.append(f"row {i + 1}: {out.at[i, 'metric']} in {out.at[i, 'year']:.0f} given twice")
    if problems:
        raise UserError(f"--history {path}: {len(problems)} problem(s)", problems)
    if out.empty:
        raise UserError(f"--history {path}: no observations")
    out["year"] = out["year"].astype(int)
    return out.sort_values(["metric", "year"], kind="mergesort").reset_index(drop=True)


def parse_fit(texts: list[str], scenario: Scenario, first_year: int) -> list[FitParam]:
    """``path`` or ``path=low:high`` items (comma-separated, repeatable) -> parameters to fit.

    Bounds default to [0, 1] (rates and shares); other parameters need explicit bounds. The start is
    the scenario's value in ``first_year``, moved into the bounds.
    """
    items = [t.strip() for text in texts for t in text.split(",") if t.strip()]
    if not items:
        raise UserError("--fit: name at least one parameter, e.g. --fit attrition.rate.staff")
    params, problems = [], []
    for item in items:
        path, eq, bounds = item.partition("=")
        try:
            value = scenario.model
            for part in path.split("."):
                value = getattr(value, part)
        except AttributeError:
            problems.append(f"--fit {path}: no parameter {path!r} in the scenario")
            continue
        value = value_at(value, first_year) if isinstance(value, dict) else value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"--fit {path}: not a number ({value!r}); only scalar numeric parameters can be fitted")
            continue
        if eq:
            lo, colon, hi = bounds.partition(":")
            try:
                low, high = float(lo), float(hi)
            except ValueError:
                problems.append(f"--fit {item}: bounds must be low:high numbers")
                continue
        elif 0 <= value <= 1:
            low, high = 0.0, 1.0
        else:
            problems.append(f"--fit {path}: value {value} is not a rate in [0, 1]; give bounds as {path}=low:high")
            continue
        if not low < high:
            problems.append(f"--fit {item}: low {low} must be below high {high}")
            continue
        if path in [p.path for p in params]:
            problems.append(f"--fit {path}: given twice")
            continue
        params.append(FitParam(path, low, high, float(min(max(value, low), high))))
    if problems:
        raise UserError(f"{len(problems)} problem(s) in --fit", problems)
    return params


def _overrides(params: list[FitParam], x: np.ndarray) -> list[str]:
    return [f"{p.path}={float(v)!r}" for p, v in zip(params, x)]


def calibrate(scenario_path: str | Path, history: pd.DataFrame, params: list[FitParam], draws: int = 50,
              seed: int = 1, runner: Runner | None = None, max_evals: int | None = None) -> dict:
    """Fit ``params`` to ``history``; returns fitted values, objective, evaluations and the fit table."""
    runner = runner or Runner(progress=False)
    base = load_scenario(scenario_path)
    years = np.arange(base.model.horizon.opening_year, base.model.horizon.end_year + 1)
    outside = sorted(set(history.year) - set(years.tolist()))
    if outside:
        raise UserError(f"history years {outside} are outside the scenario's years {years[0]}-{years[-1]}")
    scale = history.groupby("metric")["value"].transform(lambda v: max(np.abs(v).mean(), 1e-12)).to_numpy()
    t_index = history.year.to_numpy() - years[0]  # the opening year is t = 0
    lo = np.array([p.low for p in params])
    width = np.array([p.high - p.low for p in params])
    evals = []

    # Later years do not change earlier ones: simulate only up to the last observed year.
    horizon = [f"horizon.end_year={max(int(history.year.max()), years[0] + 1)}"]

    def simulate(x: np.ndarray):
        sc = load_scenario(scenario_path, overrides=horizon + _overrides(params, x))
        res = runner.results([make_job(sc, draws, seed)], desc="calibrate")[0]
        unknown = sorted(set(history.metric) - set(res.metrics))
        if unknown:
            raise UserError(f"history metric(s) {unknown} are not model metrics (see docs/outputs.md)")
        return res

    def loss(u: np.ndarray) -> float:
        x = lo + width * np.clip(u, 0, 1)
        res = simulate(x)
        fitted = np.array([res.metrics[m][:, t].mean() for m, t in zip(history.metric, t_index)])
        value = float(np.mean(((fitted - history.value.to_numpy()) / scale) ** 2))
        evals.append((*x, value))
        return value

    u0 = np.array([(p.start - p.low) / (p.high - p.low) for p in params])
    k = len(params)
    simplex = [u0] + [u0 + np.where(np.arange(k) == i, 0.15 if u0[i] <= 0.85 else -0.15, 0.0) for i in range(k)]
    start_loss = loss(u0)
    opt = minimize(loss, u0, method="Nelder-Mead", bounds=[(0, 1)] * k,
                   options={"initial_simplex": np.array(simplex), "xatol": 1e-3, "fatol": 1e-7,
                            "maxfev": max_evals or 40 * (k + 1)})
    x = lo + width * np.clip(opt.x, 0, 1)
    x = np.array([float(f"{v:.4g}") for v in x])  # as written to the calibration file
    res = simulate(x)
    m = {name: res.metrics[name] for name in history.metric.unique()}
    fit = history.rename(columns={"value": "observed"}).copy()
    fit["fitted"] = [m[n][:, t].mean() for n, t in zip(history.metric, t_index)]
    fit["p05"] = [np.percentile(m[n][:, t], 5) for n, t in zip(history.metric, t_index)]
    fit["p95"] = [np.percentile(m[n][:, t], 95) for n, t in zip(history.metric, t_index)]
    fit["error"] = fit.fitted - fit.observed
    fit["rel_error"] = fit.error / fit.observed.where(fit.observed != 0)
    return {"params": params, "values": x, "start_loss": start_loss,
            "loss": float(np.mean((fit.error.to_numpy() / scale) ** 2)), "evaluations": len(evals) + 1,
            "converged": bool(opt.success), "message": str(opt.message), "fit": fit,
            "trace": pd.DataFrame(evals, columns=[*(p.path for p in params), "loss"])}


def _nest(path: str, leaf: dict) -> dict:
    tree = leaf
    for part in reversed(path.split(".")):
        tree = {part: tree}
    return tree


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) and "value" not in v else v
    return out


def calibration_yaml(scenario: Scenario, result: dict, out: Path, history_file: str, draws: int, seed: int) -> str:
    """Text of the calibration file: extends the scenario, fitted values marked as calibrated."""
    name = out.stem if re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", out.stem) else f"{scenario.name}_calibrated"
    body: dict = {}
    for p, v in zip(result["params"], result["values"]):
        body = _merge(body, _nest(p.path, {"value": float(v), "source": f"calibration: fitted (draws {draws}, seed {seed})"}))
    header = {
        "name": name,
        "title": f"{scenario.model.title}（校准）",
        "rationale": (f"Scenario {scenario.name} with {', '.join(p.path for p in result['params'])} fitted to the "
                      f"observed history in {history_file} by least squares on relative errors "
                      f"(Nelder-Mead, {result['evaluations']} evaluations, {draws} draws, seed {seed}); "
                      f"mean squared relative error {result['start_loss']:.4g} before, {result['loss']:.4g} after."),
        "extends": os.path.relpath(scenario.path, out.parent.resolve()),
        "sources": {"calibration": f"calibrated to {history_file}"},
    }
    comment = f"# Calibration of {scenario.name}; fit report: {out.stem}_fit.md. {WRITTEN_BY}\n"
    return comment + yaml.safe_dump({**header, **body}, allow_unicode=True, sort_keys=False, width=100)


def report_markdown(result: dict, scenario: Scenario, history_file: str, draws: int, seed: int) -> str:
    fit = result["fit"]
    lines = [f"# Calibration of {scenario.name} to {history_file}", "",
             f"Draws {draws}, seed {seed} (the same in every evaluation); Nelder-Mead, {result['evaluations']} "
             f"evaluations; converged: {result['converged']} ({result['message']}).", "",
             "| parameter | start | bounds | fitted |", "|---|---|---|---|"]
    for p, v in zip(result["params"], result["values"]):
        lines.append(f"| {p.path} | {p.start:g} | [{p.low:g}, {p.high:g}] | {v:g} |")
    lines += ["", f"Mean squared relative error: {result['start_loss']:.4g} at the start, {result['loss']:.4g} fitted.", "",
              "In-sample error by metric (fitted mean minus observed):", "",
              "| metric | years | RMSE | mean abs. relative error |", "|---|---|---|---|"]
    for metric, g in fit.groupby("metric", sort=True):
        rmse = float(np.sqrt(np.mean(g.error ** 2)))
        mare = float(np.nanmean(np.abs(g.rel_error)))
        lines.append(f"| {metric} | {g.year.min()}-{g.year.max()} | {rmse:,.4g} | {mare:.2%} |")
    lines += ["", "Observed against fitted per year and metric: the CSV beside this file. The error is in-sample: "
              "the same years were used to fit, so it understates the error of a projection."]
    return "\n".join(lines) + "\n"


WRITTEN_BY = "Written by `python -m model calibrate`."  # on the first line of every calibration file


def check_calibration_target(scenario: Scenario, out: Path) -> None:
    """UserError unless ``out`` (and its _fit.csv and _fit.md) are new files or a calibration this command wrote
    before: calibrate never overwrites a scenario it reads or any file it did not write."""
    out = Path(out)
    if out.suffix not in (".yaml", ".yml"):
        raise UserError(f"--out {out}: the calibration file must end in .yaml")
    if out.resolve() in {Path(f).resolve() for f in scenario.files}:
        raise UserError(f"--out {out}: is a scenario file this calibration reads; choose a new file")
    owned = out.is_file() and WRITTEN_BY in out.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    for target in (out, out.with_name(f"{out.stem}_fit.csv"), out.with_name(f"{out.stem}_fit.md")):
        if target.exists() and not owned:
            raise UserError(f"--out {out}: {target.name} exists and was not written by calibrate; choose a new file")


def write_calibration(scenario: Scenario, result: dict, out: Path, history_file: str, draws: int, seed: int) -> list[Path]:
    """Write ``out`` (YAML), ``<stem>_fit.csv`` and ``<stem>_fit.md``; the YAML is checked by loading it.

    Files are written under temporary names and renamed only when all are written and valid.
    """
    out = Path(out)
    check_calibration_target(scenario, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    targets = [out, out.with_name(f"{out.stem}_fit.csv"), out.with_name(f"{out.stem}_fit.md")]
    contents = [calibration_yaml(scenario, result, out, history_file, draws, seed).encode(),
                csv_bytes(result["fit"]), report_markdown(result, scenario, history_file, draws, seed).encode()]
    temps = [t.with_name(f".{t.name}.tmp-{os.getpid()}") for t in targets]
    try:
        for tmp, data in zip(temps, contents):
            tmp.write_bytes(data)
        load_scenario(temps[0])
        for tmp, target in zip(temps, targets):
            tmp.replace(target)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return targets
