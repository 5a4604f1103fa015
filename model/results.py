"""Simulation entry point, summaries across draws, and the run folder (written atomically)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numba
import numpy as np
import pandas as pd
from tqdm import tqdm

from . import engine
from .checks import check_raw
from .errors import UserError
from .folders import staged_dir
from .metrics import to_metrics
from .params import resolve
from .population import Roster, synthesise
from .scenario import Scenario, load_scenario, provenance_of
from .schema import dated_fields, leaf_paths, value_at
from .version import engine_sha256, git_commit, version

MAX_DRAWS = 1_000_000
BYTES_PER_DRAW_YEAR_METRIC = 8 * 3  # raw tallies + metrics + summary workspace, per metric
PACKAGES = ("numpy", "pandas", "scipy", "numba", "pydantic", "PyYAML", "pyarrow", "xlsxwriter", "typst", "matplotlib")


@dataclass
class Results:
    scenario: Scenario
    years: np.ndarray
    draws: int
    seed: int
    metrics: dict[str, np.ndarray]  # name -> [draw, year]

    def summary(self) -> pd.DataFrame:
        """One row per year and metric: mean, P5, P50, P95 and standard deviation across draws."""
        names = list(self.metrics)
        stack = np.stack([self.metrics[k] for k in names])  # [metric, draw, year]
        q = np.percentile(stack, [5, 50, 95], axis=1)
        mean = stack.mean(axis=1)
        sd = stack.std(axis=1)
        rows = {
            "scenario": self.scenario.name,
            "year": np.tile(self.years, len(names)),
            "metric": np.repeat(names, len(self.years)),
            "mean": mean.ravel(), "p05": q[0].ravel(), "p50": q[1].ravel(), "p95": q[2].ravel(), "sd": sd.ravel(),
        }
        df = pd.DataFrame(rows)
        appr = self.scenario.model.appropriation
        if appr is not None:
            extra = []
            total = self.metrics["cost.total"]
            for t, y in enumerate(self.years):
                a_wan = value_at(appr, int(y))
                if a_wan is None:  # before the first year given: no appropriation that year
                    continue
                a = float(a_wan) * 1e4  # the scenario gives 万元; cost.total is in yuan
                p = float((total[:, t] > a).mean())
                extra.append((self.scenario.name, y, "appropriation", a, a, a, a, 0.0))
                extra.append((self.scenario.name, y, "prob_exceed", p, p, p, p, 0.0))
            df = pd.concat([df, pd.DataFrame(extra, columns=df.columns)], ignore_index=True)
        return df.sort_values(["year", "metric"], kind="mergesort").reset_index(drop=True)

    def draws_table(self) -> pd.DataFrame:
        """One row per draw and year, one column per metric."""
        n_draws, n_years = self.metrics["headcount"].shape
        data = {"draw": np.repeat(np.arange(n_draws), n_years), "year": np.tile(self.years, n_draws)}
        data.update({k: v.ravel() for k, v in self.metrics.items()})
        return pd.DataFrame(data)

    def parameters(self) -> pd.DataFrame:
        """Every resolved parameter with its unit and provenance; dated values one row per key year.
        ``document`` gives the full citation of each document a source note names (``sources:``);
        ``description`` says in one line what the parameter is and how the model uses it (model.parameter_labels)."""
        from .parameter_labels import parameter_about

        rows = []
        docs = self.scenario.model.sources
        model = self.scenario.model.model_dump()
        dated = {path for path, _ in dated_fields(self.scenario.model)}
        for leaf in leaf_paths(self.scenario.model):
            value = model
            for part in leaf.split("."):
                value = value[part]
            prov = provenance_of(self.scenario, leaf)
            if leaf in dated:
                items = [("" if k < 0 else k, v) for k, v in sorted(value.items())]
            else:
                items = [("", value)]
            for year, v in items:
                shown = v if isinstance(v, (int, float, str)) else json.dumps(v, ensure_ascii=False, default=str)
                rows.append({"path": leaf, "year": year, "value": shown,
                             "unit": prov.unit, "source": prov.text, "kind": prov.kind,
                             "document": "；".join(docs[k] for k in prov.cites if k in docs),
                             "description": parameter_about(leaf)})
        return pd.DataFrame(rows, columns=["path", "year", "value", "unit", "source", "kind", "document", "description"])


def estimate_bytes(draws: int, n_years: int, n_metrics: int = 250) -> int:
    """Memory the per-draw results of a run hold: draws x years x metrics x 24 bytes."""
    return draws * n_years * n_metrics * BYTES_PER_DRAW_YEAR_METRIC


def available_bytes() -> int:
    """Memory the system can give without swapping (psutil, on every platform)."""
    import psutil

    return int(psutil.virtual_memory().available)


def check_memory(runs: list[tuple[int, int]], state: int = 0) -> None:
    """The one memory guard (serial runs, clusters, sweeps, sensitivity, calibration): the results of every
    run (draws, years) are kept until the end, so their sizes add up, plus ``state`` bytes of working memory.
    UserError before any work when that exceeds 80 % of the free memory, saying how many draws would fit."""
    need = sum(estimate_bytes(d, y) for d, y in runs) + state
    have = available_bytes()
    if need <= 0.8 * have:
        return
    kept = need - state
    share = max(0.8 * have - state, 0) / kept if kept else 0.0
    draws = sum(d for d, _ in runs)
    if len(runs) == 1:
        fit = f"at most {int(draws * share):,} draws fit (run several seeds and combine, or fewer draws)"
    else:
        fit = (f"at most about {int(draws * share / len(runs)):,} draws per run fit (fewer draws or fewer "
               "combinations)")
    raise UserError(f"{len(runs):,} run(s) of {draws:,} draws in all need about {need / 2**30:.1f} GiB but "
                    f"{have / 2**30:.1f} GiB is free; {fit}")


def opening_roster(scenario: Scenario, params, seed: int) -> Roster:
    """The opening roster: from the scenario's roster file if it names one, else synthesised."""
    file = scenario.model.opening.roster_file
    if file:
        from .roster import read_roster

        return read_roster(scenario.path.parent / file, scenario.model, params)
    return synthesise(scenario.model, params, seed)


def simulate(scenario: Scenario | str | Path, draws: int = 1000, seed: int = 1, progress: bool = True,
             chunk: int = 250, overrides: list[str] | None = None) -> Results:
    """Run ``draws`` Monte Carlo draws of a scenario and return the metrics per draw and year."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides=overrides)
    if not isinstance(draws, int) or isinstance(draws, bool) or not 1 <= draws <= MAX_DRAWS:
        raise UserError(f"draws must be a whole number from 1 to {MAX_DRAWS:,}; got {draws!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise UserError(f"seed must be a whole number from 0 to 2**63-1; got {seed!r}")
    P = resolve(scenario.model)
    R = opening_roster(scenario, P, seed)
    capacity = engine.capacity_for(P, len(R.wid))
    # Memory guard: draws run in chunks (the state of one draw per thread), but every draw's results are kept.
    state = (capacity * engine.STATE_BYTES_PER_SLOT + engine.pay_cells_bytes(P, capacity)) * numba.get_num_threads()
    check_memory([(draws, P.n_years)], state)
    years = np.arange(P.opening_year, P.opening_year + P.n_years)
    parts = []
    with tqdm(total=draws, desc=f"{scenario.name}", unit="draw", disable=not progress, delay=1.0, file=sys.stderr) as bar:
        for start in range(0, draws, chunk):
            ids = np.arange(start, min(start + chunk, draws), dtype=np.int64)
            parts.append(engine.simulate_draws(P, R, seed, ids, capacity))
            bar.update(len(ids))
    raw = np.concatenate(parts)
    check_raw(raw, years)
    metrics = to_metrics(raw, years)
    ranges = scenario.model.uncertainty.parameter_ranges
    if ranges:  # each draw again with its own parameter values; the draws-only total kept beside
        raw = np.concatenate([engine.simulate_draws(P_d, R, seed, np.array([d], np.int64), engine.capacity_for(P_d, len(R.wid)))
                              for d, P_d in enumerate(ranged_params(scenario, seed, draws))])
        check_raw(raw, years)
        random_only = metrics["cost.total"]
        metrics = to_metrics(raw, years)
        metrics["cost.total.random_only"] = random_only
    return Results(scenario, years, draws, seed, metrics)


def ranged_params(scenario: Scenario, seed: int, draws: int):
    """Params of each draw under uncertainty.parameter_ranges: parameter k of draw d is low + (high - low) x u,
    u = the uniform keyed by (seed, d, no worker, year 0, PARAMETER_RANGE + k); one value for every year."""
    from .rng import GLOBAL_WORKER, PARAMETER_RANGE, uniform_py
    from .schema import with_values

    ranges = list(scenario.model.uncertainty.parameter_ranges.items())
    for d in range(draws):
        values = {path: lo + (hi - lo) * uniform_py(seed, d, GLOBAL_WORKER, 0, PARAMETER_RANGE + k)
                  for k, (path, (lo, hi)) in enumerate(ranges)}
        yield resolve(with_values(scenario.model, values))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A text cell a spreadsheet would run as a formula (it begins with = + - @, tab or CR) gets a leading
    apostrophe, as OWASP advises for CSV injection; numbers and other text are unchanged."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def _csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as CSV bytes (six decimals, LF), text cells made safe for spreadsheets (csv_text)."""
    text_cols = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if text_cols:
        df = df.assign(**{c: df[c].map(csv_text) for c in text_cols})
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format="%.6f", lineterminator="\n")
    return buf.getvalue().encode()


def manifest(results: Results, summary_bytes: bytes) -> dict:
    sc = results.scenario
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "scenario": sc.name,
        "title": sc.model.title,
        "rationale": sc.model.rationale,
        "issuer": sc.model.issuer,
        "status": sc.model.status,
        "prices": list(sc.model.prices),
        "not_priced": list(sc.model.not_priced),
        "sources": dict(sc.model.sources),
        "scenario_file": os.path.relpath(sc.path, Path.cwd()),  # no machine path: relative to the working folder
        "files": {Path(k).name: v for k, v in sc.file_hashes().items()},
        "overrides": sc.overrides,
        "parameters_sha256": sc.parameter_hash(),
        "seed": results.seed,
        "draws": results.draws,
        "years": [int(results.years[0]), int(results.years[-1])],
        "budget_year": int(sc.model.horizon.budget_year or results.years[1]),
        "budget": {
            "functional_code": sc.model.budget.functional_code,
            "economic_codes": dict(sc.model.budget.economic_codes),
            "payer_shares": {str(int(y)): value_at(sc.model.budget.payer_shares, int(y)).model_dump()
                             for y in results.years},
            "payer_shares_by_line": {line: {str(int(y)): value_at(dated, int(y)).model_dump() for y in results.years}
                                     for line, dated in sc.model.budget.payer_shares_by_line.items()},
        },
        "code_version": version(),
        "git_commit": git_commit(),  # None outside a git checkout; "+dirty" when tracked files differ from it
        "engine_sha256": engine_sha256(),  # model/engine.py + model/reference.py
        "python": platform.python_version(),
        "packages": versions,
        "created": created_date(),
        "run_digest": hashlib.sha256(summary_bytes).hexdigest(),
    }


def created_date() -> str:
    """Today's date (UTC), or the date of SOURCE_DATE_EPOCH when set, for reproducible report builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return when.date().isoformat()


def write_run(results: Results, out_dir: str | Path, workbook: bool = True) -> Path:
    """Write summary.csv, draws.parquet, parameters.csv, manifest.json (and budget.xlsx) into ``out_dir``,
    all at once or not at all (``staged_dir``)."""
    out = Path(out_dir)
    with staged_dir(out) as tmp:
        summary = _csv_bytes(results.summary())
        (tmp / "summary.csv").write_bytes(summary)
        results.draws_table().to_parquet(tmp / "draws.parquet", index=False)
        (tmp / "parameters.csv").write_bytes(_csv_bytes(results.parameters()))
        (tmp / "manifest.json").write_text(json.dumps(manifest(results, summary), indent=2, ensure_ascii=False) + "\n")
        if workbook:
            from .excel import write_workbook

            write_workbook(tmp)
    return out
