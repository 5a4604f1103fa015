"""The backtest table: every published figure the project found, its source, the model's value and the
difference; and the assumptions that move the budget most. ``python -m model.analysis.backtest`` (``make validation``)
reruns both and writes ``docs/validation.md``.

Published figures and their sources are declared once, in PUBLISHED below (see shared facts §0-§8 for
confidence grades). The model's value is read from a baseline run (mean over draws) or, where the figure
is an input the model takes as published, from the resolved parameters: those rows show that the scenario
carries the figure and that the model applies it as stated (e.g. the contribution ceiling = 300 % x the
standard).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from model.paths import CHECKOUT, data_file

BASELINE = data_file("scenarios/baseline.yaml")
DRAWS, SEED, SENSITIVITY_DRAWS = 200, 1, 100
FIRST, LAST = 2021, 2035


@dataclass(frozen=True)
class Figure:
    """One published figure: what it is, its value, where it was published, how the model's value is read."""

    item: str
    published: float
    unit: str
    source: str
    model: Callable  # (value(metric, year), params, scenario model) -> the model's value
    why: str = ""  # why the model differs, where it does


def _last_year_avg(P, year):
    """The published average wage of year - 1 (the 上年度 figure used in ``year``)."""
    return float(P.average_wage_monthly[year - P.opening_year])


def _share(a, b):
    return a / b if b else float("nan")


PUBLISHED = [
    Figure("Urban communities", 162, "communities", "seed (黄石市民政局 reply to CPPCC proposal 213, c. 2020)",
           lambda v, P, m: m.opening.communities),
    Figure("Approved posts (员额), 2021", 2072, "posts", "seed", lambda v, P, m: v("quota", 2021)),
    Figure("两委 in post at the end of 2020 (incl. 88 surplus)", 1068, "persons", "seed",
           lambda v, P, m: v("headcount.chief", 2020) + v("headcount.deputy", 2020) + v("headcount.member", 2020)),
    Figure("两委 posts after the 2021 election (surplus absorbed)", 980, "persons", "seed: 88 surplus absorbed at the 2021 换届",
           lambda v, P, m: v("headcount.chief", 2021) + v("headcount.deputy", 2021) + v("headcount.member", 2021),
           "below the 980 posts: members leaving at the election (15 % turnover, an assumption) and in the year "
           "are refilled by recruitment only within the yearly cap"),
    Figure("Full-time staff in post at the end of 2020 (874 + 67)", 941, "persons", "seed", lambda v, P, m: v("headcount.staff", 2020)),
    Figure("Full-time staff recruited in 2021", 67, "persons",
           "Huangshi 2021 recruitment notice (黄石港区 20, 西塞山区 22, 下陆区 25; facts §8, M)",
           lambda v, P, m: v("hires.staff", 2021),
           "the model fills every staff vacancy up to the yearly cap of 200 (an assumption); the notice covers "
           "three districts and may be the seed's 67 already in the opening stock"),
    Figure("Hubei social-work exam pass rate 2021", 0.086, "share", "湖北日报 2022-02-22: 3,506 of 40,594 applicants (H)",
           lambda v, P, m: _share(v("exam.passes", 2021), v("exam.sat", 2021)),
           "the published rate is of applicants; the model's of sitters, whose pass rate the draw's multiplier "
           "(0.8-1.2) scales"),
    Figure("Hubei social-work exam pass rate 2024", 0.2555, "share", "fudaoke 2562945; educity 5331779 (L-M)",
           lambda v, P, m: _share(v("exam.passes", 2024), v("exam.sat", 2024)),
           "each draw scales the pass rate by a multiplier of mean 1 (0.8-1.2): the mean over draws varies around it"),
    Figure("Certified share of urban community workers by 2025 (Hubei target)", 0.50, "share",
           "湖北省民政厅《城乡社区服务体系建设“十四五”规划》(2022-03): at least 50 % (H)",
           lambda v, P, m: v("certified_share", 2025),
           "a target, not an outcome; local examples reached 58-67 % (荆门掇刀区, 鄂州葛店, 2025, M); the opening "
           "share (40 %) and the sitting rate (30 %) are assumptions"),
    Figure("Community workers per 10,000 residents (Hubei target for 2025)", 18, "per 10,000",
           "湖北 十四五 规划 (2022-03, H); Huangshi residents 2,469,079 (2020 census, M)",
           lambda v, P, m: v("quota", 2025) / 246.9079,
           "the baseline keeps the seed's 2,072 posts for the 162 urban communities only; the census counts the "
           "whole city, counties included; scenario posts_per_10k prices the target"),
    Figure("Individual-account crediting rate 2021", 0.0669, "rate", "人社部、财政部 yearly notice (M)",
           lambda v, P, m: P.crediting_rate[2021 - P.opening_year]),
    Figure("Individual-account crediting rate 2022", 0.0612, "rate", "人社部、财政部 yearly notice (M)",
           lambda v, P, m: P.crediting_rate[2022 - P.opening_year]),
    Figure("Individual-account crediting rate 2023", 0.0397, "rate", "人社部、财政部 yearly notice (M)",
           lambda v, P, m: P.crediting_rate[2023 - P.opening_year]),
    Figure("Individual-account crediting rate 2024", 0.0262, "rate", "人社部、财政部 yearly notice (M)",
           lambda v, P, m: P.crediting_rate[2024 - P.opening_year]),
    Figure("Contribution base ceiling 2025, Hubei tier 2 (黄石)", 21678, "yuan/month", "鄂人社发〔2025〕28号 as cited (M)",
           lambda v, P, m: P.base_ceiling_share[2025 - P.opening_year] * _last_year_avg(P, 2025)),
    Figure("Contribution base floor 2025, Hubei tier 2 (黄石)", 4299, "yuan/month", "鄂人社发〔2025〕28号 as cited (M)",
           lambda v, P, m: P.base_floor_share[2025 - P.opening_year] * _last_year_avg(P, 2025),
           "the floor share 59.5 % is rounded; Hubei publishes whole yuan"),
    Figure("Huangshi pension 计发基数 2024", 7048, "yuan/month", "a 17-city table in a pension calculator (L-M)",
           lambda v, P, m: P.benefit_base_monthly[2024 - P.opening_year]),
    Figure("Huangshi pension 计发基数 2025", 7347, "yuan/month", "a 17-city table in a pension calculator (L-M)",
           lambda v, P, m: P.benefit_base_monthly[2025 - P.opening_year]),
    Figure("Employer basic-pension rate", 0.16, "rate", "国办发〔2019〕13号 (H)", lambda v, P, m: P.employer[1, 0]),
    Figure("Work-injury rate, class 1 (基层群众自治组织)", 0.002, "rate", "人社部发〔2015〕71号 (H)", lambda v, P, m: P.employer[1, 3]),
    Figure("Minimum contribution years, 2030", 15.5, "years", "2024 NPCSC decision, 办法 art. 4 (H)",
           lambda v, P, m: P.min_contribution_months[2030 - P.opening_year] / 12),
]


def backtest(draws: int = DRAWS, seed: int = SEED):
    """Rows (item, published, unit, source, model, difference, why) from a baseline run."""
    from model import simulate
    from model.scenario.load import load_scenario
    from model.scenario.params import resolve

    sc = load_scenario(BASELINE)
    P = resolve(sc.model)
    res = simulate(sc, draws=draws, seed=seed, progress=False)
    years = list(res.years)
    means = {k: a.mean(axis=0) for k, a in res.metrics.items()}

    def value(metric, year):
        return float(means[metric][years.index(year)])

    rows = []
    for f in PUBLISHED:
        got = float(f.model(value, P, sc.model))
        rows.append((f.item, f.published, f.unit, f.source, got, got - f.published, f.why))
    return rows


def key_assumptions(draws: int = SENSITIVITY_DRAWS, seed: int = SEED):
    """One-at-a-time effect of each key assumption on cost.total summed over FIRST..LAST (yuan)."""
    from model.analysis.sensitivity import key_assumptions as oat
    from model.scenario.load import load_scenario, provenance_of

    table = oat(BASELINE, FIRST, through=LAST, draws=draws, seed=seed)
    sc = load_scenario(BASELINE)
    notes = {p: provenance_of(sc, p) for p in table.parameter}
    return table, notes


def _fmt(x: float, unit: str) -> str:
    if unit in ("share", "rate"):
        return f"{x * 100:.2f} %"
    if unit in ("persons", "posts", "communities"):
        return f"{x:,.1f}" if x != int(x) else f"{int(x):,}"
    return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


def _diff(d: float, pub: float, unit: str) -> str:
    """The difference as printed; "0" where it rounds to nothing at the precision shown."""
    text = f"{d * 100:+.2f} pt" if unit in ("share", "rate") else f"{d:+,.1f}"
    if text.lstrip("+-").startswith("0.00 pt") or text.lstrip("+-") == "0.0":
        return "0"
    return f"{text} ({d / pub:+.1%})" if pub and unit not in ("share", "rate") else text


def markdown(rows, table, notes) -> str:
    out = [
        "# Validation: the model against published figures",
        "",
        "Written by `make validation` (`python -m model.analysis.backtest`); do not edit by hand. Baseline scenario, "
        f"{DRAWS} draws, seed {SEED}; the model's value is the mean over draws. Inputs the model takes as published "
        "(rates, standards) are checked as the model applies them.",
        "",
        "| figure | published | source | model | difference | why they differ |",
        "|---|---|---|---|---|---|",
    ]
    for item, pub, unit, source, got, d, why in rows:
        agree = abs(d) <= max(1e-6, 0.005 * abs(pub))
        out.append(f"| {item} | {_fmt(pub, unit)} | {source} | {_fmt(got, unit)} | {_diff(d, pub, unit)} | "
                   f"{'' if agree else why or 'not explained'} |")
    out += [
        "",
        "## Assumptions that move the budget most",
        "",
        f"Each assumption at the low and high end of its range, the others at the baseline's values "
        f"(`python -m model sensitivity scenarios/baseline.yaml --ranges scenarios/ranges/key_assumptions.yaml "
        f"--year {FIRST} --through {LAST} --draws {SENSITIVITY_DRAWS}`): the change in `cost.total` summed over "
        f"{FIRST}–{LAST}, 万元 (baseline {table.base.iloc[0] / 1e4:,.0f} 万元).",
        "",
        "| assumption | baseline | range | at low end | at high end | basis |",
        "|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        p = notes.get(r.parameter)
        basis = f"{p.kind}: {p.text}" if p.kind else ""
        out.append(f"| `{r.parameter}` | {r.value:g} | {r.low:g} – {r.high:g} | {r.change_low / 1e4:+,.0f} | "
                   f"{r.change_high / 1e4:+,.0f} | {basis} |")
    out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    out = Path((argv or sys.argv[1:] or [str(CHECKOUT / "docs" / "validation.md")])[0])
    rows = backtest()
    table, notes = key_assumptions()
    out.write_text(markdown(rows, table, notes), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
