"""Pinned benchmark workloads: ``make bench`` (or ``python -m benchmarks.run [--quick] [--only B1,R1] [--profile R1]``).

Each workload runs in its own process (so peak memory is its own): one warm-up, then at least five
timed repeats; we report the median and spread (min-max), worker-years per second, and peak resident
memory. Two ratios are measured in the same run: the engine against the slow per-worker reference
(``model/simulation/reference.py``) on a workload the reference can finish, and the engine against this
machine's memory-bandwidth bound (a STREAM-like triad measured here, divided by the bytes of worker
state the engine reads and writes per worker-year). Results: benchmarks/results.json and a table.

R1-R3 time what a user waits for: ``python -m model run`` and ``report`` as whole processes (R2_first: the
report with an empty numba cache), and an explorer update in a warm process. ``--profile R1,R2`` prints where
a command's time goes: imports, scenario, roster, engine, writing, and for a report the kernel and each cell.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
RESULTS = ROOT / "benchmarks" / "results.json"



def bytes_per_worker_year() -> int:
    """Per worker-year the year loop reads and writes each slot's state about once (each step reads what
    it uses; only leavers' slots are refilled at the year end). Imported here, not at the top, so that the
    processes timing whole commands (R1, R2) and the profiler stay light."""
    from model.simulation.engine import STATE_BYTES_PER_SLOT

    return 2 * STATE_BYTES_PER_SLOT

NATIONAL = 4_500_000


def national_overrides(workers: int = NATIONAL) -> list[str]:
    """Scale the baseline's posts and opening stock to about ``workers`` workers."""
    import model

    m = model.load_scenario(BASELINE).model
    f = workers / sum(m.opening.headcount.get(p) for p in ("chief", "deputy", "member", "staff"))
    out = []
    for p in ("chief", "deputy", "member", "staff"):
        out.append(f"opening.headcount.{p}={round(m.opening.headcount.get(p) * f)}")
        out.append(f"quota.{p}={round(m.quota.get(p)[-1] * f)}")
    out += [f"opening.establishment.special={round(38 * f)}", f"opening.establishment.reference={round(109 * f)}",
            f"opening.communities={round(162 * f)}", f"hiring.annual_cap={round(200 * f)}", "horizon.end_year=2035"]
    return out


def workload(name: str, quick: bool):
    """(callable, worker-years per call) for a named workload; runs in a child process.
    B5's memory is the benchmark process's own; the report runs in a process of its own."""
    import numpy as np

    import model
    from model.scenario.params import resolve
    from model.simulation import engine
    from model.simulation.population import synthesise

    def engine_job(overrides, draws, seed=1):
        sc = model.load_scenario(BASELINE, overrides=overrides)

        def run():
            return model.simulate(sc, draws=draws, seed=seed, progress=False)

        res = run()
        wy = float(res.metrics["headcount"][:, 1:].sum())
        return run, wy

    if name == "B1":
        return engine_job([], 100 if quick else 1000)
    if name == "B2":
        return engine_job([], 1000 if quick else 10_000)
    if name == "B3":
        return engine_job(national_overrides(450_000 if quick else NATIONAL), 1)
    if name == "B4":
        sc = model.load_scenario(BASELINE)
        variants = 20 if quick else 200
        draws = 20 if quick else 100
        grid = [[f"attrition.rate.staff={0.04 + 0.0005 * k}", f"pay.performance_share={0.1 + 0.001 * k}"] for k in range(variants)]

        def run():
            wy = 0.0
            for ov in grid:
                res = model.simulate(sc.path, draws=draws, seed=1, progress=False, overrides=ov)
                wy += float(res.metrics["headcount"][:, 1:].sum())
            return wy

        return run, run()
    if name == "B3_1M":
        return engine_job(national_overrides(1_000_000), 1)
    if name == "B5":
        def run():
            out = Path(os.environ.get("TMPDIR", "/tmp")) / "bench_report"
            subprocess.run([sys.executable, "-m", "model", "report", str(BASELINE), "--out", str(out)],
                           check=True, cwd=ROOT, capture_output=True)

        return run, None  # worker-years are not counted for the report
    if name == "REF":
        # the reference and the engine on the same 3 draws of the baseline, one thread
        import numba

        from model.simulation import reference
        sc = model.load_scenario(BASELINE)
        P = resolve(sc.model)
        R = synthesise(sc.model, P, 1)
        numba.set_num_threads(1)
        cap = engine.capacity_for(P, len(R.wid))
        draws = np.arange(3)
        engine.simulate_draws(P, R, 1, draws, cap)
        t0 = time.perf_counter()
        reference.simulate(P, R, 1, draws)
        t_ref = time.perf_counter() - t0
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            engine.simulate_draws(P, R, 1, draws, cap)
            times.append(time.perf_counter() - t0)
        return t_ref, statistics.median(times)
    raise SystemExit(f"unknown workload {name}")


def child(name: str, quick: bool, repeats: int) -> dict:
    if name in COMMANDS:
        return whole_process(name, quick, repeats)
    if name == "R3":
        return explorer_updates(quick, repeats)
    if name == "REF":
        t_ref, t_eng = workload(name, quick)
        return {"reference_s": t_ref, "engine_s": t_eng, "ratio": t_ref / t_eng}
    run, wy = workload(name, quick)  # the first call inside workload() is the warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return {"median_s": med, "min_s": min(times), "max_s": max(times), "repeats": repeats,
            "worker_years": wy, "worker_years_per_s": wy / med if wy else None,
            "peak_rss_mb": peak_rss_mb()}


# ----------------------------------------------------------------------------- what the user waits for (R1-R3)

# R1, R2 and R2_first: a command as the user types it, timed as a whole process (interpreter start to exit).
COMMANDS = {"R1": "run", "R2": "report", "R2_first": "report"}
EXPLORER_DRAWS = 200  # the explorer's draws per update (model.app.Explorer)


def user_command(name: str, quick: bool, out: Path) -> list[str]:
    """The command of R1, R2 or R2_first; --quick takes 100 draws instead of 1,000 (the default of both commands)."""
    draws = ["--draws", "100"] if quick else ["--draws", "1000"] if name == "R1" else []
    return [sys.executable, "-m", "model", COMMANDS[name], "scenarios/baseline.yaml", *draws, "--out", str(out)]


def _wall(cmd: list[str], env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, env=env)
    return time.perf_counter() - t0


def whole_process(name: str, quick: bool, repeats: int) -> dict:
    """R1 and R2: one warm-up, then ``repeats`` timed runs of the command. R2_first: the report once with an
    empty numba cache (NUMBA_CACHE_DIR pointed at a new folder, which numba then uses instead of the
    __pycache__ folders beside the modules), as on the first report after installing. Peak memory is that of
    the largest process the command ran (for a report, the notebook's kernel), from this process's children."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench_") as tmp:
        cmd = user_command(name, quick, Path(tmp) / "out")
        env = dict(os.environ)
        if name == "R2_first":
            cache = Path(tmp) / "numba_cache"
            env["NUMBA_CACHE_DIR"] = str(cache)
            times = [_wall(cmd, env)]
            files = [f for f in cache.rglob("*") if f.is_file()]
            extra = {"numba_cache_files": len(files), "numba_cache_mb": sum(f.stat().st_size for f in files) / 2**20,
                     "compiled_functions": sum(f.suffix == ".nbi" for f in files)}
        else:
            _wall(cmd, env)  # warm-up: caches filled, files in the page cache
            times = [_wall(cmd, env) for _ in range(repeats)]
            extra = {}
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "repeats": len(times),
            "worker_years": None, "worker_years_per_s": None, "peak_rss_mb": peak,
            "draws": 100 if quick else 1000, "command": " ".join(["python", *cmd[1:-2], "--out", "<tmp>"]), **extra}


def explorer_updates(quick: bool, repeats: int) -> dict:
    """R3, the explorer's case in a warm process: one lever moved, then 200 draws with the overrides and the
    summary the page writes (narrative and table), through the functions the page calls (model.app.run,
    narrative, table, and ``overrides`` for the lever). The page's chart redraw is timed beside it, not counted in R3."""
    from model import app
    from model.scenario.load import load_scenario

    sc = load_scenario(BASELINE)
    year = app.budget_year(sc)
    base = app.run(BASELINE, EXPLORER_DRAWS, 1, [])  # the page's baseline, and the warm-up
    chart = app.Chart(base, year)

    def update(k: int) -> tuple[float, float]:
        t0 = time.perf_counter()
        sets = app.overrides(sc, {"pay.reference_wage_monthly": 2000 + 50 * (k % 51)})  # a new setting, as a slider moves
        now = app.run(BASELINE, EXPLORER_DRAWS, 1, sets)
        app.narrative(now, base, year, sets)
        app.table(now, base, int(now.years[0]) + 1)
        t1 = time.perf_counter()
        chart.png(now)
        return t1 - t0, time.perf_counter() - t1

    update(0)  # warm-up, with overrides and the chart
    n = max(10 if quick else 20, repeats)
    runs = [update(k) for k in range(1, n + 1)]
    times = [r[0] for r in runs]
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "repeats": n,
            "worker_years": None, "worker_years_per_s": None, "peak_rss_mb": peak_rss_mb(), "draws": EXPLORER_DRAWS,
            "chart_median_s": statistics.median(r[1] for r in runs),
            "update_with_chart_median_s": statistics.median(a + b for a, b in runs)}


# ----------------------------------------------------------------------------- --profile R1,R2: where the time goes

# Functions timed by --profile, as (module, attribute, row). A call's time goes to its row, less the time of the
# timed calls and imports inside it; rows marked opaque keep everything inside them. A name the code no longer
# has is skipped.
PROFILED = (
    ("model.scenario.load", "load_scenario", "scenario and parameters"),
    ("model.scenario.params", "resolve", "scenario and parameters"),
    ("model.simulation.results", "opening_roster", "opening roster"),
    ("model.simulation.engine", "simulate_draws", "engine"),
    ("model.simulation.checks", "check_raw", "metrics from tallies"),
    ("model.simulation.metrics", "to_metrics", "metrics from tallies"),
    ("model.outputs", "write_run", "writing: parquet, csv, manifest"),
    ("model.simulation.results", "Results.summary", "writing: summary statistics"),
    ("model.report.excel", "write_workbook", "writing: workbook"),
    ("model.report", "write_assumptions", "key assumptions (short runs)"),
    ("model.report.pdf", "build_pdf", "PDF: text and tables"),
    ("model.report.charts", "write_charts", "PDF: charts"),
    ("model.report.pdf", "compile_data", "PDF: typst"),
    ("model.report.kernel", "start_kernel", "kernel: launched"),
    ("model.report.notebooks", "execute", "notebook"),
    ("model.report.kernel", "stop_kernel", "kernel: shut down"),
)
OPAQUE = {"key assumptions (short runs)", "notebook"}
NUMBA_CALLS = (("numba.core.dispatcher", "Dispatcher.compile", "compile"), ("numba.core.caching", "Cache.load_overload", "load"))
OTHER = "other"


class Phases:
    """The wall time of one process's main thread by phase, for --profile: a label is switched on when a timed
    call or an import starts and back when it ends, and each switch is kept with its time. Imports are labelled
    by package: the first package outside the project that an import reaches takes all it imports in turn.
    numba's loading of cached code and its compiling are kept as intervals, in whichever thread they happen."""

    def __init__(self, start: float):
        self.start = start
        self.main = threading.get_ident()
        self.stack = [OTHER]
        self.switches = [(start, OTHER)]
        self.numba: list[tuple[str, float, float]] = []
        self._inside: set = set()

    @classmethod
    def install(cls, start: float) -> Phases:
        import builtins
        import importlib

        self = cls(start)
        builtins.__import__ = self._importer(builtins.__import__, builtin=True)
        importlib.import_module = self._importer(importlib.import_module, builtin=False)
        for module in {t[0] for t in PROFILED + NUMBA_CALLS} & set(sys.modules):
            self._patch(module)
        sys.meta_path.insert(0, self)
        self.installed = time.time()
        return self

    def push(self, label: str) -> None:
        top = self.stack[-1]
        if top in OPAQUE or (label.startswith("import ") and top.startswith("import ") and top != "import model"):
            label = top
        self.stack.append(label)
        if label != top:
            self.switches.append((time.time(), label))

    def pop(self) -> None:
        label = self.stack.pop()
        if self.stack[-1] != label:
            self.switches.append((time.time(), self.stack[-1]))

    def _importer(self, original, builtin: bool):
        def imported(name, *args, **kwargs):
            if threading.get_ident() != self.main:
                return original(name, *args, **kwargs)
            root = name
            if builtin and (args[3] if len(args) > 3 else kwargs.get("level", 0)):  # relative: from its package
                where = args[0] if args else kwargs.get("globals")
                root = (where or {}).get("__package__") or name
            elif not builtin and name.startswith("."):
                root = (args[0] if args else kwargs.get("package")) or name
            self.push("import " + root.lstrip(".").partition(".")[0])
            try:
                return original(name, *args, **kwargs)
            finally:
                self.pop()

        return imported

    def _timed(self, fn, label: str):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            if threading.get_ident() != self.main:
                return fn(*args, **kwargs)
            self.push(label)
            try:
                return fn(*args, **kwargs)
            finally:
                self.pop()

        return timed

    def _interval(self, fn, kind: str):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            key = (threading.get_ident(), kind)
            if key in self._inside:
                return fn(*args, **kwargs)
            self._inside.add(key)
            t0 = time.time()
            try:
                return fn(*args, **kwargs)
            finally:
                self._inside.discard(key)
                self.numba.append((kind, t0, time.time()))

        return timed

    def find_spec(self, fullname, path=None, target=None):
        """As a finder first on sys.meta_path: a module with timed functions is found by the other finders as usual,
        and its functions are wrapped as soon as it has run."""
        if all(fullname != t[0] for t in PROFILED + NUMBA_CALLS):
            return None
        for finder in sys.meta_path:
            spec = None if finder is self or not hasattr(finder, "find_spec") else finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            self._patch(fullname)

        spec.loader.exec_module = exec_module
        return spec

    def _patch(self, module: str) -> None:
        """Wrap a loaded module's timed functions, and the names other project modules bound them to."""
        for name, attr, label in PROFILED + NUMBA_CALLS:
            if name != module:
                continue
            owner = sys.modules[module]
            *path, last = attr.split(".")
            for part in path:
                owner = getattr(owner, part, None)
            fn = getattr(owner, last, None)
            if not isinstance(fn, types.FunctionType):
                continue
            wrapped = self._interval(fn, label) if label in ("compile", "load") else self._timed(fn, label)
            setattr(owner, last, wrapped)
            if not path:
                for other in [m for n, m in list(sys.modules.items()) if n == "model" or n.startswith("model.")]:
                    for key, value in list(vars(other).items()):
                        if value is fn:
                            setattr(other, key, wrapped)

    def dump(self, path: str) -> None:
        Path(path).write_text(json.dumps({"start": self.start, "installed": self.installed, "end": time.time(),
                                          "switches": self.switches, "numba": self.numba}))


def profiled_main(start: float, out: str, argv: list[str]) -> None:
    """``python -m model ARGV`` with its phases timed (run by --profile in a process of its own)."""
    import runpy

    phases = Phases.install(start)
    sys.argv = ["model", *argv]
    code = 0
    try:
        runpy.run_module("model", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
    finally:
        phases.dump(out)
    sys.exit(code)


KERNEL_STARTUP = """\
import time as _t
_phases_start = _t.time()
import atexit as _atexit, sys as _sys
_sys.path.insert(0, {root!r})
from benchmarks.run import Phases as _Phases
_atexit.register(_Phases.install(_phases_start).dump, {out!r})
"""


def spans(switches: list, end: float, lo: float = float("-inf"), hi: float = float("inf")) -> dict[str, float]:
    """Seconds per label between lo and hi."""
    out: dict[str, float] = {}
    for (t, label), (t2, _) in zip(switches, [*switches[1:], (end, None)]):
        a, b = max(t, lo), min(t2, hi)
        if b > a:
            out[label] = out.get(label, 0.0) + b - a
    return out


def union(intervals) -> float:
    total, reach = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def numba_note(numba: list, where: str = "") -> str:
    """numba's time, in any thread, within the rows above: loading cached machine code, and compiling."""
    load = union((a, b) for kind, a, b in numba if kind == "load")
    compiled = max(0.0, union((a, b) for kind, a, b in numba if kind == "compile") - load)
    if load + compiled < 0.005:
        return ""
    return f"of which numba{where}, any thread: cache looked up and loaded {load:.2f} s, compiled {compiled:.2f} s"


def phase_rows(spent: dict[str, float], width: int = 4, by_size: bool = False) -> tuple[float, str, list[tuple[str, float, str]]]:
    """(import seconds, the packages that took most, the other labels as rows: in the order first met, or largest first)."""
    imports = {k[7:]: v for k, v in spent.items() if k.startswith("import ")}
    top = sorted(imports.items(), key=lambda kv: -kv[1])[:width]
    order = sorted(spent.items(), key=lambda kv: -kv[1]) if by_size else spent.items()
    rows = [(k, v, "") for k, v in order if not k.startswith("import ") and k != OTHER]
    return sum(imports.values()), ", ".join(f"{k} {v:.2f}" for k, v in top), rows


def profile_once(name: str, quick: bool, tmp: Path) -> list[tuple[str, float, str]]:
    """One profiled run of R1 or R2: rows of (where, seconds, detail), in the order the time is spent."""
    out = tmp / "out"
    cmd = user_command(name, quick, out)
    parent = tmp / "phases.json"
    driver = f"import time; t = time.time(); from benchmarks.run import profiled_main; profiled_main(t, {str(parent)!r}, {cmd[3:]!r})"
    env = dict(os.environ)
    if name == "R2_first":
        env["NUMBA_CACHE_DIR"] = str(tmp / "numba_cache")
    kernel = tmp / "kernel.json"
    if name != "R1":  # the notebook's kernel times its phases too: an IPython start-up file in a profile of its own
        startup = tmp / "ipython" / "profile_default" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        (startup / "00-phases.py").write_text(KERNEL_STARTUP.format(root=str(ROOT), out=str(kernel)))
        env["IPYTHONDIR"] = str(tmp / "ipython")
    spawn = time.time()
    subprocess.run([sys.executable, "-c", driver], check=True, cwd=ROOT, capture_output=True, env=env)
    finish = time.time()
    p = json.loads(parent.read_text())
    spent = spans(p["switches"], p["end"])
    rows = [("whole process (wall)", finish - spawn, ""), ("interpreter start-up", p["start"] - spawn, ""),
            ("profiler set-up", p["installed"] - p["start"], "")]
    imports, top, named = phase_rows(spent)
    rows.append(("imports", imports, top))
    for label, seconds, _ in named:
        if label != "notebook":
            rows.append((label, seconds, ""))
            continue
        rows += notebook_rows(p, out / "report.ipynb", json.loads(kernel.read_text()) if kernel.exists() else None)
    rows.append(("other (arguments, output folder, progress)", spent.get(OTHER, 0.0), ""))
    rows.append(("interpreter exit", finish - p["end"], ""))
    rows.append(("", 0.0, numba_note(p["numba"])))
    return rows


def notebook_rows(parent: dict, notebook: Path, kernel: dict | None) -> list[tuple[str, float, str]]:
    """The parent's wait for the notebook, split by the times papermill writes into it (kernel start, each cell)
    and, inside each cell, by the kernel's own phases."""
    from datetime import datetime

    def at(text: str) -> float:
        return datetime.fromisoformat(text).timestamp()

    sw = parent["switches"]
    entered = next(t for t, label in sw if label == "notebook")
    left = next(t for t, label in sw if t > entered and label != "notebook")
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    pm = nb["metadata"]["papermill"]
    cells = [c for c in nb["cells"] if c["metadata"].get("papermill", {}).get("start_time")]
    first, last = at(cells[0]["metadata"]["papermill"]["start_time"]), at(cells[-1]["metadata"]["papermill"]["end_time"])
    rows = [("notebook: papermill set-up", at(pm["start_time"]) - entered, "")]
    kernel_setup = kernel["installed"] - kernel["start"] if kernel else 0.0
    # The command launches the kernel before it imports papermill: the kernel boots meanwhile, and this row is
    # what is left of its start once papermill has set up.
    launched = next((t for t, label in sw if label == "kernel: launched"), at(pm["start_time"]))
    detail = f"process and ipykernel {kernel['start'] - launched:.2f} after its launch" if kernel else ""
    rows.append(("notebook: kernel start, still to wait", max(0.0, first - at(pm["start_time"]) - kernel_setup), detail))
    if kernel:
        rows.append(("notebook: profiler set-up (kernel)", kernel_setup, ""))
    small = 0.0
    for cell in cells:
        meta = cell["metadata"]["papermill"]
        a, b = at(meta["start_time"]), at(meta["end_time"])
        if b - a < 0.2:
            small += b - a
            continue
        detail = ""
        if kernel:
            imports, top, named = phase_rows(spans(kernel["switches"], kernel["end"], a, b), width=3, by_size=True)
            parts = [f"imports {imports:.2f} ({top})"] if imports >= 0.01 else []
            parts += [f"{label} {seconds:.2f}" for label, seconds, _ in named if seconds >= 0.01]
            detail = "; ".join(parts)
        rows.append((f"notebook: cell '{cell_name(cell)}'", b - a, detail))
    rows.append(("notebook: other cells and gaps", (last - first) - sum(r[1] for r in rows if r[0].startswith("notebook: cell")), ""))
    rows.append(("notebook: after the last cell", at(pm["end_time"]) - last, ""))
    rows.append(("notebook: saved, paths stripped", left - at(pm["end_time"]), ""))
    if kernel:
        rows.append(("", 0.0, numba_note(kernel["numba"], " in the kernel")))
    return rows


def cell_name(cell: dict) -> str:
    source = "".join(cell["source"])
    if "papermill_description=" in source:
        return source.split("papermill_description=", 1)[1].split()[0]
    tags = cell["metadata"].get("tags") or []
    if tags:
        return tags[0]
    line = next((s for s in source.splitlines() if s.strip() and not s.startswith("#")), "")
    return line[:30]


def profile(names: list[str], quick: bool, repeats: int) -> None:
    """Print where the time of R1 or R2 goes: after a warm-up, ``repeats`` profiled runs; the median of each row."""
    import tempfile

    for name in names:
        if name not in COMMANDS:
            raise SystemExit(f"--profile: {', '.join(COMMANDS)}, not {name}")
        runs = []
        if name == "R2_first":
            repeats = 1  # compiles everything: once, and no warm-up
        with tempfile.TemporaryDirectory(prefix="bench_profile_") as tmp:
            if name != "R2_first":
                _wall(user_command(name, quick, Path(tmp) / "warm"))
            for k in range(repeats):
                (Path(tmp) / str(k)).mkdir()
                runs.append(profile_once(name, quick, Path(tmp) / str(k)))
        middle = sorted(runs, key=lambda r: r[0][1])[len(runs) // 2]  # the run whose whole time is the median: its rows
        print(f"{name} profile: {' '.join(['python', *user_command(name, quick, Path('<tmp>'))[1:]])}")
        print(f"  median of {repeats} profiled runs after a warm-up, seconds; each row's detail from the run with its median"
              if name != "R2_first" else "  one profiled run with an empty numba cache, seconds")
        for where, _, detail in middle:
            if not where:
                if detail:
                    print(f"  {detail}")
                continue
            seen = sorted((seconds, text) for run in runs for w, seconds, text in run if w == where)
            seconds, detail = seen[(len(seen) - 1) // 2]
            print(f"  {where:50} {seconds:6.2f}  {detail}")


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; unlike ru_maxrss it is not inherited across exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def triad_bandwidth() -> float:
    """Bytes per second of a parallel a = b + s*c over arrays far larger than the caches (best of 5)."""
    import numpy as np
    from numba import njit, prange

    @njit(parallel=True, cache=False)
    def triad(a, b, c, s):
        for i in prange(a.shape[0]):
            a[i] = b[i] + s * c[i]

    n = 40_000_000
    a, b, c = np.zeros(n), np.ones(n), np.ones(n)
    triad(a, b, c, 3.0)
    best = min(_timed(lambda: triad(a, b, c, 3.0)) for _ in range(5))
    return 3 * 8 * n / best


def toy_anchors(n: int = 200_000) -> dict[str, float]:
    """Worker-years per second of one toy step (age +1, keyed attrition draw, pay = coefficient x wage),
    written as a per-worker Python loop, in pandas, in batched numpy and as a compiled loop."""
    import numpy as np
    import pandas as pd
    from numba import njit, prange

    from model.simulation import rng

    age = np.full(n, 40, np.int64)
    grade = np.arange(n, dtype=np.int64) % 18
    coef = np.linspace(1.0, 1.68, 18)
    ids = np.arange(n, dtype=np.int64)

    def python_loop():
        pay = 0.0
        for i in range(min(n, 20_000)):
            a = age[i] + 1
            if rng.uniform_py(1, 0, i, 2021, 1) >= 0.08:
                pay += coef[grade[i]] * 3000.0 * (a > 0)
        return min(n, 20_000)

    def pandas_step():
        df = pd.DataFrame({"age": age, "grade": grade})
        df["age"] += 1
        df["u"] = rng.uniform_np(1, 0, ids, 2021, 1)
        kept = df[df["u"] >= 0.08]
        (kept["grade"].map(pd.Series(coef)) * 3000.0).sum()
        return n

    def numpy_step():
        a = age + 1
        keep = rng.uniform_np(1, 0, ids, 2021, 1) >= 0.08
        (coef[grade[keep]] * 3000.0 * (a[keep] > 0)).sum()
        return n

    @njit(parallel=True, cache=True)
    def compiled(age, grade, coef):
        total = 0.0
        dkey = rng.draw_key(1, 0)
        for i in prange(age.shape[0]):
            a = age[i] + 1
            if rng.event_uniform(rng.worker_year_key(dkey, i, 2021), 1) >= 0.08:
                total += coef[grade[i]] * 3000.0 * (a > 0)
        return total

    compiled(age, grade, coef)
    out = {}
    for label, fn in (("per-worker Python loop", python_loop), ("pandas", pandas_step), ("batched numpy", numpy_step),
                      ("numba, 2 threads", lambda: (compiled(age, grade, coef), n)[1])):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            count = fn()
            times.append(time.perf_counter() - t0)
        out[label] = count / statistics.median(times)
    return out


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# Targets in seconds of the median (issue 16 for R1-R3, B1 and B2).
TARGETS = {"R1": 1.0, "R2": 3.5, "R3": 0.15, "B1": 0.5, "B2": 5.0, "B3": 3.0, "B4": 30.0, "B5": 10.0}
ANCHORS = {"per-worker Python loop": 0.5e6, "pandas": 4.6e6, "batched numpy": 15.6e6, "numba, 2 threads": 108e6}
WORKLOADS = "REF,B1,B2,B3,B3_1M,B4,B5,R1,R2,R2_first,R3"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller workloads, for a smoke test")
    ap.add_argument("--only", default=WORKLOADS, help=f"workloads, comma-separated (default {WORKLOADS})")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--results", type=Path, default=RESULTS, help="where to write the results (default benchmarks/results.json)")
    ap.add_argument("--profile", metavar="R1,R2", help="only print where the time of R1, R2 or R2_first goes (3 profiled "
                    "runs, 1 with --quick or for R2_first); writes no results")
    ap.add_argument("--child")
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.quick, args.repeats)))
        return 0
    if args.profile:
        profile(args.profile.split(","), args.quick, 1 if args.quick else 3)
        return 0
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
               "quick": args.quick, "workloads": {}}
    bw = triad_bandwidth()
    results["triad_bytes_per_s"] = bw
    results["bytes_per_worker_year"] = bytes_per_worker_year()
    bound = bw / results["bytes_per_worker_year"]
    results["bandwidth_bound_worker_years_per_s"] = bound
    results["toy_anchors_measured"] = toy_anchors()
    results["load_average"] = os.getloadavg()[0]
    for name in args.only.split(","):
        repeats = 1 if name in ("B5", "R2") and args.quick else args.repeats
        cmd = [sys.executable, "-m", "benchmarks.run", "--child", name, "--repeats", str(repeats)] + (["--quick"] if args.quick else [])
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            results["workloads"][name] = {"error": proc.stderr.strip().splitlines()[-1:]}
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        if r.get("worker_years_per_s"):
            r["fraction_of_bandwidth_bound"] = r["worker_years_per_s"] / bound
        if name in TARGETS and not args.quick:
            r["target_s"] = TARGETS[name]
            r["target_met"] = r["median_s"] <= TARGETS[name]
        results["workloads"][name] = r
    results["load_average_after"] = os.getloadavg()[0]
    args.results.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    """One table: the user's waits (R), the engine workloads (B), and the toy step timed in the same run."""
    print(f"memory triad: {results['triad_bytes_per_s'] / 1e9:.1f} GB/s; engine state {results['bytes_per_worker_year']} B "
          f"per worker-year -> bound {results['bandwidth_bound_worker_years_per_s'] / 1e6:.0f} M worker-years/s")
    if "load_average" in results:
        print(f"load average (1 min) {results['load_average']:.2f} before the workloads, {results['load_average_after']:.2f} after, "
              f"on {results['machine']['cpus']} CPUs")
    toy = results.get("toy_anchors_measured", {})
    compiled = toy.get("numba, 2 threads")
    print(f"{'workload':24} {'median s':>9} {'min-max s':>13} {'runs':>4} {'M wy/s':>7} {'of bound':>8} {'toy s':>6} "
          f"{'peak MB':>7}  target")
    work = results["workloads"]
    waits = ("R1", "R2", "R2_first", "R3")
    order = [n for n in waits if n in work] + [n for n in work if n not in waits]
    for name in order:
        r = work[name]
        draws = f"{r['draws']:,}" if "draws" in r else ""
        label = {"R1": f"R1 run, {draws} draws", "R2": f"R2 report, {draws} draws", "R2_first": "R2 first report",
                 "R3": f"R3 explorer, {draws} draws"}.get(name, name)
        if "error" in r:
            print(f"{label:24} failed: {r['error']}")
            continue
        if name == "REF":
            print(f"{name:24} reference {r['reference_s']:.2f} s, engine {r['engine_s'] * 1000:.1f} ms on the same 3 draws "
                  f"(1 thread): engine {r['ratio']:.0f}x faster")
            continue
        wy, target = r.get("worker_years"), TARGETS.get(name)
        verdict = ""
        if target and results.get("quick"):
            verdict = f"<= {target:g} s (not judged: --quick)"
        elif target:
            verdict = f"<= {target:g} s: " + ("met" if r["median_s"] <= target else "missed")
        elif name == "R2_first":
            more = f"{r['median_s'] - work['R2']['median_s']:.1f} s more than R2; " if "median_s" in work.get("R2", {}) else ""
            verdict = (f"once, empty numba cache: {more}{r.get('compiled_functions', 0)} functions compiled, "
                       f"{r.get('numba_cache_mb', 0):.1f} MB cached")
        rate = f"{r['worker_years_per_s'] / 1e6:7.1f}" if r.get("worker_years_per_s") else f"{'-':>7}"
        bound = f"{r['fraction_of_bandwidth_bound']:8.1%}" if "fraction_of_bandwidth_bound" in r else f"{'-':>8}"
        toy_s = f"{wy / compiled:6.2f}" if wy and compiled else f"{'-':>6}"
        print(f"{label:24} {r['median_s']:9.2f} {r['min_s']:6.2f}-{r['max_s']:<6.2f} {r['repeats']:4d} {rate} {bound} {toy_s} "
              f"{r['peak_rss_mb']:7.0f}  {verdict}")
        if name == "R3":
            print(f"{'':24} chart redraw {r['chart_median_s']:.2f} s more (not in R3): {r['update_with_chart_median_s']:.2f} s "
                  "a whole page update")
    for k, anchor in ANCHORS.items():
        label = "toy: " + k.replace("per-worker ", "").replace(",", "")
        print(f"{label:24} {'':9} {'':13} {'':4} {toy.get(k, float('nan')) / 1e6:7.1f} {'':8} {'':6} {'':7}  "
              f"anchor {anchor / 1e6:g} M wy/s")
    print("toy s: the compiled toy step (age, keyed attrition draw, pay) over the same worker-years, timed in this run")


if __name__ == "__main__":
    sys.exit(main())
