"""Actuals (决算) of past years, read from a CSV so the report can set them beside the model's backcast.

Columns: ``year, metric, value``. ``metric`` is one of ACTUAL_METRICS: money in 万元 (as budget documents
state it), headcount in persons. Years must be history: after the opening year and before the budget year.
Every problem is reported with its row; nothing is written when there is one.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from model.errors import UserError
from model.inputs import MB, checked_file
from model.scenario.schema import POSTS

ACTUAL_METRICS = {
    "cost.total": "万元", "cost.pay": "万元", "cost.employer_social_insurance": "万元", "cost.housing_fund": "万元",
    "cost.arrears": "万元", "headcount": "人", **{f"headcount.{p}": "人" for p in POSTS},
}


def read_actuals(path: str | Path, opening_year: int, budget_year: int) -> pd.DataFrame:
    """Validated actuals: columns year (int), metric, value (float), unit."""
    path = checked_file(path, "--actuals", 64 * MB)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:  # any parser failure is a problem with the file
        raise UserError(f"--actuals {path}: cannot read it as CSV: {exc}") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in ("year", "metric", "value") if c not in df.columns]
    if missing:
        raise UserError(f"--actuals {path}: missing column(s) {', '.join(missing)}; needed: year, metric, value")
    problems, rows = [], []
    for i, r in enumerate(df.to_dict("records"), start=2):
        where = f"{path.name} row {i}"
        metric = r["metric"].strip()
        if metric not in ACTUAL_METRICS:
            near = difflib.get_close_matches(metric, ACTUAL_METRICS, n=1)
            problems.append(f"{where}, metric: {metric!r} is not one of {', '.join(ACTUAL_METRICS)}"
                            + (f" (did you mean {near[0]!r}?)" if near else ""))
            continue
        try:
            year = int(r["year"])
        except ValueError:
            problems.append(f"{where}, year: {r['year']!r} is not a year")
            continue
        if not opening_year < year < budget_year:
            problems.append(f"{where}, year: {year} is not a past year of this report ({opening_year + 1}-{budget_year - 1})")
            continue
        try:
            value = float(r["value"].replace(",", ""))
        except ValueError:
            problems.append(f"{where}, value: {r['value']!r} is not a number")
            continue
        if not value >= 0 or value == float("inf"):
            problems.append(f"{where}, value: {value} must be a finite amount of 0 or more")
            continue
        rows.append({"year": year, "metric": metric, "value": value, "unit": ACTUAL_METRICS[metric]})
    out = pd.DataFrame(rows, columns=["year", "metric", "value", "unit"])
    dup = out[out.duplicated(["year", "metric"], keep=False)]
    for (y, m), _ in dup.groupby(["year", "metric"]):
        problems.append(f"{path.name}: {m} {y} is given more than once")
    if problems:
        raise UserError(f"--actuals {path}: {len(problems)} problem(s)", problems[:50])
    if out.empty:
        raise UserError(f"--actuals {path}: no rows")
    return out.sort_values(["year", "metric"]).reset_index(drop=True)
