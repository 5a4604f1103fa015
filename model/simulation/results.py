"""The one way to simulate a scenario (``simulate``, on this machine or a cluster) and its results: metrics per
draw and year, their summary across draws, and the resolved parameters. The run folder is written by
``model.outputs.write_run``."""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from model.errors import UserError
from model.scenario.load import Scenario, load_scenario, provenance_of
from model.scenario.params import Params, resolve
from model.scenario.schema import dated_fields, is_year_series, leaf_paths, value_at
from model.simulation import engine
from model.simulation.checks import check_raw
from model.simulation.metrics import to_metrics
from model.simulation.population import Roster, synthesise

MAX_DRAWS = 1_000_000
BYTES_PER_DRAW_YEAR_METRIC = 8 * 3  # raw tallies + metrics + summary workspace, per metric


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
        ``description`` says in one line what the parameter is and how the model uses it (model.scenario.parameter_labels)."""
        from model.scenario.parameter_labels import parameter_about

        rows = []
        docs = self.scenario.model.sources
        model = self.scenario.model.model_dump()
        dated = {path for path, _ in dated_fields(self.scenario.model)}
        for leaf in leaf_paths(self.scenario.model):
            value = model
            for part in leaf.split("."):
                value = value[part]
            prov = provenance_of(self.scenario, leaf)
            if leaf in dated or is_year_series(value):  # (also a series of published figures, e.g. the average wage)
                items = [("" if k < 0 else k, v) for k, v in sorted(value.items())]
            else:
                items = [("", value)]
            for year, v in items:
                # a year may have a note of its own (an assumed figure among published ones)
                note = prov if year == "" else provenance_of(self.scenario, f"{leaf}.{year}")
                shown = v if isinstance(v, (int, float, str)) else json.dumps(v, ensure_ascii=False, default=str)
                rows.append({"path": leaf, "year": year, "value": shown,
                             "unit": note.unit or prov.unit, "source": note.text, "kind": note.kind,
                             "document": "；".join(docs[k] for k in note.cites if k in docs),
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
        from model.simulation.roster import read_roster

        return read_roster(scenario.path.parent / file, scenario.model, params)
    return synthesise(scenario.model, params, seed)


@dataclass
class Job:
    """One scenario variant to simulate: resolved parameters, opening roster, draws and seed."""

    scenario: Scenario
    P: Params
    R: Roster
    draws: int
    seed: int

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.P.opening_year, self.P.opening_year + self.P.n_years)

    def key(self) -> bytes:
        """A digest of all that the job's tallies depend on (parameters, opening roster, draws, seed): two jobs with
        the same key give the same tallies, to the bit."""
        h = hashlib.blake2b(digest_size=16)
        for part in (*self.P, *self.R, self.draws, self.seed):
            a = np.ascontiguousarray(part)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(a.tobytes())
        return h.digest()


def make_job(scenario: Scenario, draws: int, seed: int, ranges: bool = False) -> Job:
    """Resolve a scenario for the engine (parameters and opening roster), after checking draws and seed.
    Draws with their own parameter values (uncertainty.parameter_ranges) run only where ``ranges`` says the
    caller runs them (simulate on this machine)."""
    if not isinstance(draws, int) or isinstance(draws, bool) or not 1 <= draws <= MAX_DRAWS:
        raise UserError(f"draws must be a whole number from 1 to {MAX_DRAWS:,}; got {draws!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise UserError(f"seed must be a whole number from 0 to 2**63-1; got {seed!r}")
    if scenario.model.uncertainty.parameter_ranges and not ranges:
        raise UserError("uncertainty.parameter_ranges: draws with their own parameter values run in one process "
                        "(python -m model run/report without --workers or --scheduler), not in sweeps or sensitivity runs")
    P = resolve(scenario.model)
    return Job(scenario, P, opening_roster(scenario, P, seed), draws, seed)


def job_tallies(job: Job, bar=None) -> np.ndarray:
    """Raw tallies [draw, t, N_RAW] of a job's draws on this machine (numba's threads); the progress bar, if
    given, moves as draws finish."""
    capacity = engine.capacity_for(job.P, len(job.R.wid))
    ids = np.arange(job.draws, dtype=np.int64)
    return engine.simulate_draws(job.P, job.R, job.seed, ids, capacity, None if bar is None else bar.update)


def simulate(scenario: Scenario | str | Path, draws: int = 1000, seed: int = 1, progress: bool = True,
             overrides: list[str] | None = None, runner=None) -> Results:
    """Run ``draws`` Monte Carlo draws of a scenario and return the metrics per draw and year.

    On this machine by default; with ``runner`` (an open ``model.analysis.distributed.Runner``) on its local
    cluster or dask scheduler, with the same results. Under uncertainty.parameter_ranges each draw runs again
    with its own parameter values, and the draws-only total is kept as ``cost.total.random_only``."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides=overrides)
    if runner is not None:
        return runner.results([make_job(scenario, draws, seed)], desc=scenario.name)[0]
    job = make_job(scenario, draws, seed, ranges=True)
    P, R = job.P, job.R
    capacity = engine.capacity_for(P, len(R.wid))
    check_memory([(draws, P.n_years)], engine.running_bytes(P, capacity))  # and every draw's results (all kept)
    years = job.years
    with tqdm(total=draws, desc=f"{scenario.name}", unit="draw", disable=not progress, delay=1.0, file=sys.stderr) as bar:
        raw = job_tallies(job, bar)
    check_raw(raw, years)
    metrics = to_metrics(raw, years)
    if scenario.model.uncertainty.parameter_ranges:
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
    from model.scenario.schema import with_values
    from model.simulation.rng import GLOBAL_WORKER, PARAMETER_RANGE, uniform_py

    ranges = list(scenario.model.uncertainty.parameter_ranges.items())
    for d in range(draws):
        values = {path: lo + (hi - lo) * uniform_py(seed, d, GLOBAL_WORKER, 0, PARAMETER_RANGE + k)
                  for k, (path, (lo, hi)) in enumerate(ranges)}
        yield resolve(with_values(scenario.model, values))
