"""Pinned benchmark workloads: ``make bench`` (or ``python -m benchmarks.run [--quick] [--only B1,B3]``).

Each workload runs in its own process (so peak memory is its own): one warm-up, then at least five
timed repeats; we report the median and spread (min-max), worker-years per second, and peak resident
memory. Two ratios are measured in the same run: the engine against the slow per-worker reference
(``model/reference.py``) on a workload the reference can finish, and the engine against this
machine's memory-bandwidth bound (a STREAM-like triad measured here, divided by the bytes of worker
state the engine reads and writes per worker-year). Results: benchmarks/results.json and a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from model.engine import STATE_BYTES_PER_SLOT

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
RESULTS = ROOT / "benchmarks" / "results.json"

# Per worker-year the year loop reads and writes each slot's state about once (each step reads what
# it uses; only leavers' slots are refilled at the year end).
BYTES_PER_WORKER_YEAR = 2 * STATE_BYTES_PER_SLOT

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
    from model import engine
    from model.params import resolve
    from model.population import synthesise

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

        from model import reference
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

    from model import rng

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


TARGETS = {"B1": ("median_s", 0.5), "B2": ("median_s", 6.0), "B3": ("median_s", 3.0), "B4": ("median_s", 30.0), "B5": ("median_s", 10.0)}
ANCHORS = {"per-worker Python loop": 0.5e6, "pandas": 4.6e6, "batched numpy": 15.6e6, "numba, 2 threads": 108e6}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller workloads, for a smoke test")
    ap.add_argument("--only", default="REF,B1,B2,B3,B3_1M,B4,B5")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--child")
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.quick, args.repeats)))
        return 0
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
               "quick": args.quick, "workloads": {}}
    bw = triad_bandwidth()
    results["triad_bytes_per_s"] = bw
    results["bytes_per_worker_year"] = BYTES_PER_WORKER_YEAR
    bound = bw / BYTES_PER_WORKER_YEAR
    results["bandwidth_bound_worker_years_per_s"] = bound
    results["toy_anchors_measured"] = toy_anchors()
    for name in args.only.split(","):
        repeats = 1 if name == "B5" and args.quick else args.repeats
        cmd = [sys.executable, "-m", "benchmarks.run", "--child", name, "--repeats", str(repeats)] + (["--quick"] if args.quick else [])
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            results["workloads"][name] = {"error": proc.stderr.strip().splitlines()[-1:]}
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        if r.get("worker_years_per_s"):
            r["fraction_of_bandwidth_bound"] = r["worker_years_per_s"] / bound
        results["workloads"][name] = r
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    print(f"memory triad: {results['triad_bytes_per_s'] / 1e9:.1f} GB/s; engine state {results['bytes_per_worker_year']} B "
          f"per worker-year -> bound {results['bandwidth_bound_worker_years_per_s'] / 1e6:.0f} M worker-years/s")
    print(f"{'workload':8} {'median s':>9} {'min-max s':>15} {'M wy/s':>8} {'of bound':>9} {'peak MB':>8} {'target':>9}")
    for name, r in results["workloads"].items():
        if "error" in r:
            print(f"{name:8} failed: {r['error']}")
            continue
        if name == "REF":
            print(f"{name:8} reference {r['reference_s']:.2f} s, engine {r['engine_s'] * 1000:.1f} ms on the same 3 draws (1 thread): "
                  f"engine {r['ratio']:.0f}x faster")
            continue
        wy = r.get("worker_years_per_s")
        target = TARGETS.get(name)
        met = "" if not target else ("met" if r[target[0]] <= target[1] else f"> {target[1]:g} s")
        print(f"{name:8} {r['median_s']:9.2f} {r['min_s']:7.2f}-{r['max_s']:<7.2f} {wy / 1e6 if wy else float('nan'):8.1f} "
              f"{r.get('fraction_of_bandwidth_bound', float('nan')):9.1%} {r['peak_rss_mb']:8.0f} {met:>9}")
    measured = results.get("toy_anchors_measured", {})
    print("toy step, worker-years/s: " + "; ".join(f"{k} {measured.get(k, float('nan')) / 1e6:.1f} M here (anchor {v / 1e6:g} M)"
                                                for k, v in ANCHORS.items()))


if __name__ == "__main__":
    sys.exit(main())
