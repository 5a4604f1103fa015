"""Subcommands ``sweep``, ``sensitivity`` and ``calibrate`` for ``python -m model`` (see docs/analysis.md)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from model.outputs import prepare_out
from model.paths import data_file, input_file

DEFAULT_RANGES = data_file("scenarios/ranges/sensitivity_ranges.yaml")


def _whole(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value
    return parse


def _scenario_file(text: str) -> str:
    """A scenario path as given, or the one shipped with the model under that name."""
    return str(input_file(text))


def _common(sp, draws: int) -> None:
    sp.add_argument("scenario", type=_scenario_file, metavar="SCENARIO.yaml", help="scenario file")
    sp.add_argument("--draws", type=_whole(1), default=draws, help=f"Monte Carlo draws per run (default {draws})")
    sp.add_argument("--seed", type=_whole(0), default=1, help="random seed, the same in every run (default 1)")
    sp.add_argument("--out", type=Path, help="output folder or file (default: under reports/, or calibration/ for calibrate)")
    where = sp.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_whole(1),
                       help="start a local dask cluster with N worker processes (default: one process)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="use a running dask scheduler, e.g. tcp://HOST:8786 (default: none)")
    sp.add_argument("--quiet", action="store_true", help="no progress bar (default: a bar on stderr)")


def _sets(sp) -> None:
    sp.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                    help="override a parameter in every run (repeatable; default: none)")


def add_commands(subparsers, commands: dict) -> None:
    s = subparsers.add_parser("sweep", help="run every combination of a grid of parameter values")
    _common(s, 200)
    _sets(s)
    s.add_argument("--grid", action="append", default=[], required=True, metavar="PATH=V1,V2,…",
                   help="a parameter and its values (required, repeatable; every combination is run)")

    t = subparsers.add_parser("sensitivity", help="one-at-a-time (tornado) or Sobol sensitivity of cost.total")
    _common(t, 100)
    _sets(t)
    t.add_argument("--year", type=_whole(1990), required=True, help="year of the metric (required)")
    t.add_argument("--through", type=_whole(1990),
                   help="one at a time: sum the metric over --year..--through (default: --year alone)")
    t.add_argument("--method", choices=("oat", "sobol"), default="oat",
                   help="oat: one at a time, a tornado (default); sobol: Sobol indices over the ranges")
    t.add_argument("--ranges", type=Path, default=DEFAULT_RANGES,
                   help="YAML file of ranges, path: [low, high] (default: the shipped scenarios/ranges/sensitivity_ranges.yaml)")
    t.add_argument("--metric", default="cost.total", help="metric to explain (default cost.total)")
    t.add_argument("--samples", type=_whole(2), default=64, help="Sobol base samples N, a power of 2 (default 64)")
    t.add_argument("--bootstrap", type=_whole(10), default=1000, help="bootstrap resamples for Sobol errors (default 1000)")

    c = subparsers.add_parser("calibrate", help="fit parameters to an observed yearly history")
    _common(c, 50)
    c.add_argument("--history", type=Path, required=True, help="CSV with columns year,metric,value (required)")
    c.add_argument("--fit", action="append", required=True, metavar="PATH[=LOW:HIGH],…",
                   help="parameters to fit (required); bounds default to [0, 1]")
    c.add_argument("--max-evals", type=_whole(1), help="most objective evaluations (default 40 x (parameters + 1))")

    commands.update({"sweep": cmd_sweep, "sensitivity": cmd_sensitivity, "calibrate": cmd_calibrate})


def _runner(args):
    from model.analysis.distributed import Runner

    return Runner(args.workers, args.scheduler, progress=not args.quiet)


def _scenario_name(args) -> str:
    from model.scenario.load import load_scenario

    return load_scenario(args.scenario, overrides=getattr(args, "overrides", None)).name


def cmd_sweep(args) -> int:
    from model.analysis.sweep import combinations, parse_grid, run_sweep, write_sweep

    grid = parse_grid(args.grid)
    out = prepare_out(args.out or Path("reports") / f"sweep-{_scenario_name(args)}")  # before the work
    start = time.perf_counter()
    with _runner(args) as runner:
        table = run_sweep(args.scenario, grid, args.draws, args.seed, args.overrides, runner)
    write_sweep(table, [p for p, _ in grid], out)
    print(f"sweep: {len(combinations(grid))} combinations x {args.draws} draws, "
          f"{time.perf_counter() - start:.1f} s -> {Path(out) / 'sweep.csv'}")
    return 0


def cmd_sensitivity(args) -> int:
    from model.analysis import sensitivity as sa
    from model.analysis.sweep import write_outputs
    from model.outputs import csv_bytes

    ranges = sa.read_ranges(args.ranges)
    out = prepare_out(args.out or Path("reports") / f"sensitivity-{_scenario_name(args)}")  # before the work
    start = time.perf_counter()
    with _runner(args) as runner:
        if args.method == "oat":
            table = sa.one_at_a_time(args.scenario, ranges, args.year, args.draws, args.seed, args.overrides, runner, args.metric,
                                     args.through)
            files = {"sensitivity.md": sa.note("oat", table, args.draws, args.seed).encode(),
                     "oat.csv": csv_bytes(table), "tornado.svg": lambda p: sa.tornado(table, p)}
        else:
            table, evals = sa.sobol(args.scenario, ranges, args.year, args.samples, args.draws, args.seed,
                                    args.overrides, runner, args.metric, args.bootstrap)
            files = {"sensitivity.md": sa.note("sobol", table, args.draws, args.seed, args.samples, args.bootstrap).encode(),
                     "sobol.csv": csv_bytes(table), "sobol_runs.csv": csv_bytes(evals),
                     "sobol.svg": lambda p: sa.sobol_chart(table, p)}
    write_outputs(out, files)
    print(f"sensitivity ({args.method}): {len(ranges)} parameters, {time.perf_counter() - start:.1f} s -> {out}")
    return 0


def cmd_calibrate(args) -> int:
    from model.analysis.calibration import calibrate, check_calibration_target, parse_fit, read_history, write_calibration
    from model.scenario.load import load_scenario

    scenario = load_scenario(args.scenario)
    history = read_history(args.history)
    params = parse_fit(args.fit, scenario, int(history.year.min()))
    out = args.out or Path("calibration") / f"{scenario.name}_calibrated.yaml"
    check_calibration_target(scenario, Path(out))  # before the work
    start = time.perf_counter()
    with _runner(args) as runner:
        result = calibrate(args.scenario, history, params, args.draws, args.seed, runner, args.max_evals)
    files = write_calibration(scenario, result, Path(out), str(args.history), args.draws, args.seed)
    fitted = ", ".join(f"{p.path}={v:g}" for p, v in zip(result["params"], result["values"]))
    print(f"calibrate: {fitted}; error {result['start_loss']:.4g} -> {result['loss']:.4g} "
          f"({result['evaluations']} runs, {time.perf_counter() - start:.1f} s) -> {', '.join(map(str, files))}")
    return 0
