"""Command line: ``python -m model validate|run|report|compare …``.

Exit status: 0 success; 2 a mistake in the input (message names what and where, no traceback);
1 an internal error; 130 interrupted. Output folders are written complete or not at all.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import shutil
import sys
import time
import warnings
from pathlib import Path

from model.errors import UserError
from model.outputs import prepare_out
from model.paths import CHECKOUT as ROOT
from model.process import own_process

own_process()  # fewer collections, none at exit (model/process.py)

# Modules that add subcommands: each has add_commands(subparsers, commands) which adds its parsers
# and puts handler(args) -> exit status into ``commands`` under the subcommand's name.
PLUGIN_MODULES = ("model.analysis.cli", "model.rerun")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be from 0 to 2**63-1, got {value}")
    return value


def _scenario_file(text: str) -> str:
    """A scenario path as given, or the one shipped with the model under that name (scenarios/baseline.yaml
    from any folder once the package is installed)."""
    from model.paths import input_file

    return str(input_file(text))


def parser() -> argparse.ArgumentParser:
    from model.version import describe

    p = argparse.ArgumentParser(prog="community-model", description="Community-worker (社区工作者) workforce and budget "
                                "model (also run as `python -m model`)")
    p.add_argument("--version", action="version", version=f"%(prog)s {describe()}",
                   help="print the version (and the git commit of a checkout) and exit")
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check scenario files; exit 0 if valid, 2 otherwise")
    v.add_argument("scenarios", nargs="+", type=_scenario_file, metavar="SCENARIO.yaml", help="scenario files to check")

    def common(sp, draws_default):
        sp.add_argument("scenario", type=_scenario_file, metavar="SCENARIO.yaml",
                        help="scenario file (the default city: scenarios/baseline.yaml)")
        sp.add_argument("--draws", type=_positive, default=draws_default, help=f"Monte Carlo draws (default {draws_default})")
        sp.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
        sp.add_argument("--out", type=Path, help="output folder (default reports/<scenario name>/)")
        sp.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="override a parameter, e.g. --set attrition.rate.staff=0.1 (repeatable; default: none)")
        sp.add_argument("--budget-year", type=_positive, metavar="YYYY",
                        help="the budget year: earlier years are history, it and the two after form the 中期财政规划 "
                             "(default: the scenario's horizon.budget_year)")

    r = sub.add_parser("run", help="simulate a scenario and write summary.csv, draws.parquet, manifest.json, budget.xlsx")
    common(r, 1000)
    r.add_argument("--quiet", action="store_true", help="no progress bar (default: a bar on stderr)")
    where = r.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive,
                       help="spread the draws over a local dask cluster of N processes (default: one process)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="spread the draws over a running dask scheduler, e.g. tcp://HOST:8786 (default: none)")

    rep = sub.add_parser("report", help="run the budget-report notebook: also writes report.pdf and report.ipynb")
    common(rep, 1000)
    rep.add_argument("--actuals", type=Path, metavar="ACTUALS.csv",
                     help="actuals (决算) of past years, columns year,metric,value (money in 万元; docs/outputs.md): "
                          "shown beside the model's backcast (default: none)")
    rep.add_argument("--quiet", action="store_true", help="no progress display (default: the step under way on stderr)")
    rep.add_argument("--lang", choices=("zh", "en"), default="zh",
                     help="zh: the Chinese report (default); en: also an English one, report.en.pdf, beside it")

    c = sub.add_parser("compare", help="compare a base scenario with alternatives (comparison.pdf)")
    c.add_argument("base", type=_scenario_file, metavar="BASE.yaml", help="the scenario the others are compared with")
    c.add_argument("alternatives", nargs="+", type=_scenario_file, metavar="ALT.yaml", help="one or more alternative scenarios")
    c.add_argument("--draws", type=_positive, default=1000,
                   help="Monte Carlo draws per run, the same for every scenario (default 1000, as report)")
    c.add_argument("--seed", type=_seed, default=1, help="random seed, the same for every run (default 1)")
    c.add_argument("--out", type=Path, help="output folder (default reports/comparison-<base>-vs-<alternatives>/)")
    c.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language (default zh)")
    c.add_argument("--quiet", action="store_true", help="no progress display (default: the step under way on stderr)")
    for module in PLUGIN_MODULES:
        try:
            plugin = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        plugin.add_commands(sub, COMMANDS)
    return p


def _out_dir(args, name: str) -> Path:
    out = args.out if args.out is not None else Path("reports") / name
    out = out.resolve()
    if out == Path.home().resolve() or out == Path(out.anchor) or out == ROOT:
        raise UserError(f"--out {out}: refusing to replace this folder")
    return prepare_out(out)  # before any work: replaceable, writable, locked


def cmd_validate(args) -> int:
    from model.scenario.load import load_scenario

    failed = 0
    for path in args.scenarios:
        try:
            sc = load_scenario(path)
            print(f"{path}: valid ({sc.name}: {sc.model.title})")
        except UserError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
    return 2 if failed else 0


def _load_with_budget_year(args):
    """The scenario with --budget-year YYYY applied as the override horizon.budget_year=YYYY; the year and
    the two after it must be projected years of the scenario."""
    from model.scenario.load import load_scenario

    if getattr(args, "budget_year", None):
        args.overrides = [*args.overrides, f"horizon.budget_year={args.budget_year}"]
    sc = load_scenario(args.scenario, overrides=args.overrides)
    h = sc.model.horizon
    if getattr(args, "budget_year", None) and not args.budget_year <= h.end_year - 2:
        raise UserError(f"--budget-year {args.budget_year}: must be after the opening year {h.opening_year} and at "
                        f"most {h.end_year - 2}, so that it and the two years after it are projected")
    return sc


def cmd_run(args) -> int:
    from model.outputs import write_run
    from model.simulation.results import simulate

    sc = _load_with_budget_year(args)
    out = _out_dir(args, sc.name)
    start = time.perf_counter()
    if args.workers or args.scheduler:
        from model.analysis.distributed import Runner

        with Runner(args.workers, args.scheduler, not args.quiet) as runner:
            res = simulate(sc, draws=args.draws, seed=args.seed, progress=not args.quiet, runner=runner)
    else:
        res = simulate(sc, draws=args.draws, seed=args.seed, progress=not args.quiet)
    write_run(res, out)
    print(f"{sc.name}: {args.draws} draws, {res.years[0]}-{res.years[-1]}, {time.perf_counter() - start:.1f} s -> {out}")
    return 0


def cmd_report(args) -> int:
    from model.outputs import staged_dir

    sc = _load_with_budget_year(args)  # fail early, before a kernel starts
    actuals = ""
    if args.actuals:
        from model.report.actuals import read_actuals

        h = sc.model.horizon
        read_actuals(args.actuals, h.opening_year, h.budget_year or h.opening_year + 1)
        actuals = str(Path(args.actuals).resolve())
    out = _out_dir(args, sc.name)
    start = time.perf_counter()
    with staged_dir(out) as tmp:
        params = {"scenario": _rel(args.scenario), "draws": args.draws, "seed": args.seed,
                  "lang": args.lang, "out_dir": str(tmp / "run"), "overrides": list(args.overrides),
                  "actuals": _rel(actuals) if actuals else ""}
        _execute("budget_report", params, tmp / "report.ipynb", progress=not args.quiet)
        for f in (tmp / "run").iterdir():
            shutil.move(str(f), tmp / f.name)
        (tmp / "run").rmdir()
    written = out / ("report.pdf" if args.lang == "zh" else f"report.{args.lang}.pdf")
    print(f"{sc.name}: report written in {time.perf_counter() - start:.1f} s -> {written}")
    return 0


def cmd_compare(args) -> int:
    from model.outputs import staged_dir
    from model.scenario.load import load_scenario

    names = [load_scenario(p).name for p in [args.base, *args.alternatives]]  # (validates each first)
    out = _out_dir(args, f"comparison-{names[0]}-vs-{'-'.join(names[1:])}")
    with staged_dir(out) as tmp:
        params = {"base": _rel(args.base), "alternatives": [_rel(a) for a in args.alternatives],
                  "draws": args.draws, "seed": args.seed, "lang": args.lang, "out_dir": str(tmp)}
        _execute("scenario_comparison", params, tmp / "comparison.ipynb", progress=not args.quiet)
    print(f"comparison written -> {out / 'comparison.pdf'}")
    return 0


def _rel(path) -> str:
    """An input file as the notebook's kernel (working folder: this command's) sees it: relative where it can be,
    so that the executed notebook shows no machine path (absolute ones are cut to their names there). Output
    folders are given absolute: the notebook puts a relative one under the project (model.paths.output_dir)."""
    try:
        return os.path.relpath(Path(path).resolve(), Path.cwd())
    except ValueError:  # another drive (Windows)
        return str(Path(path).resolve())


def _execute(notebook, params, output, progress=False):
    """Run a notebook; a user mistake raised inside it becomes a UserError here. The executed notebook names
    its files without the machine's folders: the paths it was given become their file names."""
    from model.report.kernel import start_kernel, stop_kernel

    km = start_kernel(Path.cwd())  # it boots while papermill is imported
    try:
        from model.report.notebooks import execute, papermill

        try:
            execute(notebook, params, output, Path.cwd(), progress=progress, km=km)
        except papermill.PapermillExecutionError as exc:
            if exc.ename == "UserError":
                raise UserError(exc.evalue) from None
            raise RuntimeError(f"notebook {notebook} failed: {exc.ename}: {exc.evalue}") from None
    finally:
        # (after an interruption, papermill's client would report the kernel's shut-down as a death)
        logging.getLogger("papermill").setLevel(logging.CRITICAL)
        stop_kernel(km)
    text = Path(output).read_text(encoding="utf-8")
    given = [v for v in params.values() if isinstance(v, str)]
    given += [a for v in params.values() if isinstance(v, list) for a in v if isinstance(a, str)]
    paths = [v for v in given if os.path.isabs(v) or v.startswith("..") or "/." in v]  # outside or staging
    for value in sorted(set(paths), key=len, reverse=True):
        text = text.replace(json.dumps(value)[1:-1], Path(value).name)
    Path(output).write_text(text, encoding="utf-8")


COMMANDS = {"validate": cmd_validate, "run": cmd_run, "report": cmd_report, "compare": cmd_compare}


def _warning_text(message, category, filename, lineno, line=None) -> str:
    """A warning for a user (e.g. personal columns dropped) as one line, without the code location."""
    return f"warning: {message}\n"


def _terminate(signum, frame):
    raise KeyboardInterrupt  # SIGTERM is handled like Ctrl-C: staging folders removed, earlier output kept


def main(argv: list[str] | None = None) -> int:
    import signal

    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    warnings.formatwarning = _warning_text
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was written; any earlier report is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
