"""Golden outputs of the library scenarios: write them (``make golden``) and compare a run with them.

Each library scenario ``scenarios/<name>.yaml`` has ``tests/golden/<name>.csv``: a reduced summary
(the metrics in METRICS, every year, mean/P5/P50/P95) of a run with DRAWS draws and seed SEED.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
LIBRARY = ROOT / "scenarios"
DRAWS, SEED = 40, 1
METRICS = ["headcount", "hires", "exits.retirement", "exits.retirement_short", "exits.attrition", "exits.election", "certified_share",
           "cost.total", "cost.pay", "cost.certificate_allowance", "cost.employer_social_insurance",
           "cost.housing_fund", "cost.arrears"]
COLUMNS = ["mean", "p05", "p50", "p95"]
RTOL, ATOL = 1e-6, 1e-5  # the CSV keeps 6 decimals


def library() -> dict[str, Path]:
    """Name -> scenario file of every library scenario."""
    return {p.stem: p for p in sorted(LIBRARY.glob("*.yaml"))}


def reduced_summary(path: Path) -> pd.DataFrame:
    import model

    summary = model.simulate(path, draws=DRAWS, seed=SEED, progress=False).summary()
    rows = summary[summary.metric.isin(METRICS)]
    return rows[["year", "metric", *COLUMNS]].sort_values(["metric", "year"], kind="mergesort").reset_index(drop=True)


def first_divergence(expected: pd.DataFrame, actual: pd.DataFrame, rtol: float = RTOL, atol: float = ATOL) -> str | None:
    """None when ``actual`` matches ``expected`` within the tolerance; else the first diverging year and metric."""
    key = ["year", "metric"]
    e, a = expected.set_index(key), actual.set_index(key)
    missing, extra = e.index.difference(a.index), a.index.difference(e.index)
    if len(missing) or len(extra):
        return f"rows differ: missing {list(missing[:3])}, unexpected {list(extra[:3])}"
    a = a.loc[e.index]
    for (year, metric), row in e.sort_index(level=["year", "metric"]).iterrows():
        for col in COLUMNS:
            want, got = float(row[col]), float(a.at[(year, metric), col])
            if not np.isclose(got, want, rtol=rtol, atol=atol):
                return f"first divergence in {year}, {metric} {col}: golden {want:.6f}, now {got:.6f}"
    return None


def write(name: str, frame: pd.DataFrame) -> Path:
    out = GOLDEN / f"{name}.csv"
    frame.to_csv(out, index=False, float_format="%.6f", lineterminator="\n")
    return out


def main(names: list[str]) -> int:
    scenarios = library()
    unknown = sorted(set(names) - set(scenarios))
    if unknown:
        print(f"no library scenario {', '.join(unknown)}; known: {', '.join(scenarios)}", file=sys.stderr)
        return 2
    for stale in sorted(set(p.stem for p in GOLDEN.glob("*.csv")) - set(scenarios)):
        (GOLDEN / f"{stale}.csv").unlink()
        print(f"removed {stale}.csv (no such library scenario)")
    for name in names or scenarios:
        frame = reduced_summary(scenarios[name])
        old = GOLDEN / f"{name}.csv"
        change = first_divergence(pd.read_csv(old), frame) if old.exists() else "new"
        write(name, frame)
        print(f"{name}: {'unchanged' if change is None else change}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
