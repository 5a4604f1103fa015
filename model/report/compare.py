"""Compare a base run with alternative runs: parameter and budget differences, and lever attribution.

Attribution: for each parameter path that differs, the base scenario is rerun with only that
path set to the alternative's value (a "lever run"). A lever's effect is its run's cost.total
minus the base's; what the single-lever effects do not explain is reported as interaction.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.report import Run, fmt_num, largest_remainder, read_run, round_half_up
from model.report.charts import scenario_totals
from model.report.pdf import breakable, figure, par, subheading, table, write_figures, write_pdf
from model.report.text import label, labels
from model.scenario.schema import HEADER_FIELDS

DESCRIPTIVE = set(HEADER_FIELDS)  # differ without changing results


def parameter_differences(base: Run, alt: Run) -> pd.DataFrame:
    """Rows (path, year, unit, base, alt) where the resolved parameters differ."""
    keys = ["path", "year"]
    b = base.parameters[keys + ["value", "unit"]]
    a = alt.parameters[keys + ["value", "unit"]]
    m = b.merge(a, on=keys, how="outer", suffixes=("_base", "_alt"), sort=False).fillna("")
    m = m[(m["value_base"] != m["value_alt"]) & ~m["path"].isin(DESCRIPTIVE)]
    m["unit"] = m["unit_alt"].where(m["unit_alt"] != "", m["unit_base"])
    return m.rename(columns={"value_base": "base", "value_alt": "alt"})[["path", "year", "unit", "base", "alt"]]


def differing_paths(base_dir: Path, alt_dir: Path) -> list[str]:
    """Parameter paths whose resolved values differ between two run folders (in file order)."""
    diff = parameter_differences(read_run(base_dir), read_run(alt_dir))
    return list(dict.fromkeys(diff["path"]))


def lever_overrides(paths: list[str], alt_parameters: pd.DataFrame) -> dict[str, list[str]]:
    """For each path, the ``dotted.path=value`` overrides that set it to the alternative's value.

    A dated parameter (rows with a year) becomes one YAML mapping ``{year: value, ...}``.
    A path the alternative does not have is left out (it cannot be set from there).
    """
    out = {}
    for path in paths:
        rows = alt_parameters[alt_parameters["path"] == path]
        if rows.empty:
            continue
        if len(rows) == 1 and rows["year"].iloc[0] in ("", None):
            out[path] = [f"{path}={rows['value'].iloc[0]}"]
        else:
            mapping = ", ".join(f"{y}: {v}" for y, v in zip(rows["year"], rows["value"]))
            out[path] = [f"{path}={{{mapping}}}"]
    return out


def lever_dir(out_dir: Path, alt_name: str, path: str) -> Path:
    """Where the lever run for ``path`` of alternative ``alt_name`` is written."""
    return Path(out_dir) / "levers" / alt_name / path


def run_comparison(base: str, alternatives: list[str], draws: int, seed: int, out_dir: Path,
                   lang: str = "zh") -> list[Path]:
    """Run base, alternatives and one lever run per differing parameter, write out_dir/comparison.pdf;
    return the run folders, base first."""
    import model

    out_dir = Path(out_dir)

    def run(path, dest: Path, overrides=()) -> Path:
        sc = model.load_scenario(path, overrides=list(overrides))
        model.write_run(model.simulate(sc, draws=draws, seed=seed), dest)
        return dest

    names: list[str] = []
    dirs = []
    for path in [base, *alternatives]:
        name = model.load_scenario(path).name
        name = name if name not in names else f"{name}-{len(names)}"
        names.append(name)
        dirs.append(run(path, out_dir / name))
    for alt_dir in dirs[1:]:
        levers = lever_overrides(differing_paths(dirs[0], alt_dir), read_run(alt_dir).parameters)
        for path, overrides in levers.items():
            run(base, lever_dir(out_dir, alt_dir.name, path), overrides)
    build_comparison_pdf(dirs, out_dir, lang)
    return dirs


class Printed:
    """The figures a comparison prints, each rounded once and logged for figures.csv (where, metric, year,
    statistic, unit, printed). A scenario's level is its report's value (Run.wan); a difference is the
    difference of the two printed levels, so a table's total, the text and the costing note agree."""

    def __init__(self):
        self.rows: list[tuple] = []
        self.where = ""

    def log(self, metric: str, year, stat: str, unit: str, text: str) -> str:
        self.rows.append((self.where, metric, year, stat, unit, text.lstrip("+")))
        return text

    def level(self, run: Run, metric: str, year: int) -> str:
        return self.log(f"{run.scenario}:{metric}", year, "mean", "万元", fmt_num(run.wan(metric, year), 1))

    def diff(self, base: Run, alt: Run, metric: str, year, value: float | None = None, stat: str = "mean",
             unit: str = "万元") -> str:
        """alt − base as printed: by default the difference of the printed means (万元, to 0.1)."""
        if value is None:
            value = alt.wan(metric, year) - base.wan(metric, year)
        return self.log(f"{alt.scenario}−{base.scenario}:{metric}", year, stat, unit, _signed(value))

    def components(self, base: Run, alt: Run, metrics: list[str], year: int) -> list[str]:
        """alt − base per cost line, reconciled (largest remainder) to the printed difference of cost.total."""
        d = [alt.value(m, year) - base.value(m, year) for m in metrics]
        total = alt.wan("cost.total", year) - base.wan("cost.total", year)
        tenths = largest_remainder([x / 1_000 for x in d], round(total * 10))
        return [self.diff(base, alt, m, year, t / 10) for m, t in zip(metrics, tenths)]


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + fmt_num(x, 1)


def build_comparison_pdf(run_dirs: list[Path], out_dir: Path, lang: str = "zh") -> Path:
    """Write out_dir/comparison.pdf comparing run_dirs[1:] with run_dirs[0]; return its path."""
    L = labels(lang)
    zh = lang == "zh"
    out_dir = Path(out_dir)
    runs = [read_run(d) for d in run_dirs]
    base, alts = runs[0], runs[1:]
    pr = Printed()
    years = base.projected_years
    budget_years = base.budget_years()
    cap = (lambda t, u: f"{t}（单位：{u}）") if zh else (lambda t, u: f"{t} ({u})")
    wan = L["unit.wan"]

    intro = [par(f"本报告以情景“{base.title}”（{base.scenario}）为基准，比较" +
                 "、".join(f"“{a.title}”（{a.scenario}）" for a in alts) +
                 "。各情景使用相同的随机种子和模拟次数，差异为“比较情景减基准情景”的均值之差，单位为万元。"
                 if zh else
                 f"Base: “{base.title}” ({base.scenario}); compared: " +
                 ", ".join(f"“{a.title}” ({a.scenario})" for a in alts) +
                 ". All runs use the same seed and number of draws; differences are alternative minus base, "
                 "means, in 10,000 yuan.")]
    chart = scenario_totals(runs, lang, out_dir / "charts" / "scenario_totals.svg")
    totals_rows = []
    pr.where = "budget totals"
    for y in years:
        row = [str(y), pr.level(base, "cost.total", y)]
        for a in alts:
            row += [pr.level(a, "cost.total", y), pr.diff(base, a, "cost.total", y)]
        totals_rows.append(row)
    totals_header = [L["year"], base.scenario] + sum(([a.scenario, ("差异" if zh else "Diff.")] for a in alts), [])
    budget = [figure(chart, "各情景经费总额（均值）" if zh else "Total cost by scenario (mean)"),
              table(cap("各情景经费总额及差异" if zh else "Total cost and difference", wan), totals_header, totals_rows,
                    size=8)]

    params, components, attribution = [], [], []
    for a in alts:
        diff = parameter_differences(base, a)
        params.append(table(cap(f"参数差异：{a.scenario}" if zh else f"Parameter differences: {a.scenario}",
                                "见单位栏" if zh else "units as stated"),
                            [L["param.path"], L["param.year"], L["param.unit"], base.scenario, a.scenario],
                            [[breakable(r.path), r.year, r.unit, breakable(r.base), breakable(r.alt)]
                             for r in diff.itertuples()] or [["—", "", "", "", ""]],
                            align="lclrr", widths=["3fr", "0.8fr", "1fr", "1.2fr", "1.2fr"], size=8))
        lines = base.cost_lines()
        pr.where = f"components {a.scenario}"
        cells = {y: pr.components(base, a, lines, y) for y in budget_years}
        rows = [[label(lang, m)] + [cells[y][i] for y in budget_years] for i, m in enumerate(lines)]
        rows.append({"cells": [L["total"]] + [pr.diff(base, a, "cost.total", y) for y in budget_years], "strong": True})
        components.append(table(cap(f"分项经费差异：{a.scenario} − {base.scenario}" if zh else
                                    f"Difference by component: {a.scenario} − {base.scenario}", wan),
                                [L["item"]] + [str(y) for y in budget_years], rows))
        pr.where = f"attribution {a.scenario}"
        attribution += _attribution(base, a, diff, out_dir, budget_years, lang, cap, pr)

    note = []
    for a in alts:
        pr.where = f"costing note {a.scenario}"
        note += costing_note(base, a, lang, cap, pr)
    sections = [
        {"title": "比较说明" if zh else "About this comparison", "blocks": intro},
        {"title": "政策成本说明" if zh else "Costing note", "blocks": note},
        {"title": "参数差异" if zh else "Parameter differences", "blocks": params},
        {"title": "经费差异" if zh else "Budget differences", "blocks": budget + components},
        {"title": "差异的因素贡献" if zh else "What explains the difference", "blocks": attribution},
    ]
    none = par("无比较情景。" if zh else "No alternative scenario.")
    for s in sections:
        s.update(numbered=True, pagebreak=False, blocks=s["blocks"] or [none])
    data = {
        "lang": lang,
        "font": "Noto Sans SC",
        "cover": {
            "city": L["city"],
            "title": "社区工作者经费情景比较报告" if zh else "Community Workers: Scenario Comparison",
            "scenario_title": " / ".join(r.title for r in runs),
            "scenario": (f"{L['scenario']}：" if zh else f"{L['scenario']}: ") + " vs ".join(r.scenario for r in runs),
            "years": f"{years[0]}–{years[-1]}",
            "date": "",
            "digest_label": L["digest"] + (f"（{base.scenario}）" if zh else f" ({base.scenario})"),
            "digest": base.digest,
            "draws_seed": L["draws_seed"].format(draws=base.manifest.get("draws", "—"), seed=base.manifest.get("seed", "—")),
        },
        "contents": L["contents"],
        "header": ("社区工作者经费情景比较报告" if zh else "Scenario comparison") + " · " + base.scenario,
        "sections": sections,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    write_figures(pr.rows, out_dir / "figures.csv")
    return write_pdf(data, out_dir / "comparison.pdf")


def _attribution(base: Run, alt: Run, diff: pd.DataFrame, out_dir: Path, years: list[int], lang: str, cap,
                 pr: Printed) -> list:
    """Blocks: each lever's effect on cost.total, interaction and the total difference."""
    zh = lang == "zh"
    paths = list(dict.fromkeys(diff["path"]))
    found = {p: lever_dir(out_dir, alt.path.name, p) for p in paths}
    found = {p: read_run(d) for p, d in found.items() if (d / "summary.csv").exists()}
    if not found:
        return [par(f"未找到“{alt.scenario}”的单因素测算结果，未作因素分解。" if zh else
                    f"No single-lever runs found for {alt.scenario}; no attribution.")]
    rows = []
    explained = {y: 0.0 for y in years}
    for p, r in found.items():
        effects = {y: r.value("cost.total", y) - base.value("cost.total", y) for y in years}
        for y in years:
            explained[y] += effects[y]
        rows.append([breakable(p)] + [pr.log(f"lever {p}", y, "mean difference", "万元",
                                             _signed(r.wan("cost.total", y) - base.wan("cost.total", y))) for y in years])
    total = {y: alt.value("cost.total", y) - base.value("cost.total", y) for y in years}
    printed_total = {y: alt.wan("cost.total", y) - base.wan("cost.total", y) for y in years}
    rows.append(["交互作用及其他" if zh else "Interaction and other"] +
                [pr.log("interaction", y, "mean difference", "万元",
                        _signed(round_half_up(printed_total[y] - sum(r.wan("cost.total", y) - base.wan("cost.total", y)
                                                                     for r in found.values()), 1))) for y in years])
    rows.append({"cells": [("合计差异" if zh else "Total difference")] + [pr.diff(base, alt, "cost.total", y) for y in years],
                 "strong": True})
    y = years[-1]
    share = explained[y] / total[y] if total[y] else 0.0
    text = (f"逐一将基准情景中的单个参数改为“{alt.scenario}”的取值并重新测算，得到各参数单独变动的影响；"
            f"{y}年各单因素影响合计解释了总差异的 {fmt_num(share * 100, 1)}%，其余为参数之间的交互作用。" if zh else
            f"Each differing parameter was set alone to the value of {alt.scenario} in the base scenario and rerun. "
            f"In {y} the single-lever effects together explain {fmt_num(share * 100, 1)}% of the difference; "
            f"the rest is interaction between levers.")
    return [par(text), table(cap(f"因素贡献：{alt.scenario}" if zh else f"Attribution: {alt.scenario}",
                                 label(lang, "unit.wan")),
                             [label(lang, "param.path")] + [str(y) for y in years], rows,
                             widths=["3fr"] + ["1fr"] * len(years))]


def paired(base: Run, alt: Run, metric: str) -> pd.DataFrame:
    """alt − base per draw (same seed and draws: the same random numbers), indexed by draw, one column per year."""
    cols = ["draw", "year", metric]
    b = base.draws[cols].pivot(index="draw", columns="year", values=metric)
    a = alt.draws[cols].pivot(index="draw", columns="year", values=metric)
    return a - b


def _band(draws: pd.Series) -> tuple[float, float]:
    """P5 and P95 across draws, each rounded half up to 0.1."""
    return tuple(round_half_up(x, 1) for x in (draws.quantile(0.05), draws.quantile(0.95)))


def costing_note(base: Run, alt: Run, lang: str, cap, pr: Printed | None = None) -> list:
    """A costing note for one policy (CBO/OBR style): the policy, the incremental cost by year with its paired
    P5–P95, the 2026–2030 total, the effects on headcount, vacancies and the certified share beside the money
    (saying in the same sentence when a saving comes from unfilled posts), and what is not priced."""
    zh = lang == "zh"
    pr = pr or Printed()
    years = base.projected_years
    cost = paired(base, alt, "cost.total") / 1e4
    hc, vac = paired(base, alt, "headcount"), paired(base, alt, "vacancies")
    cert = paired(base, alt, "certified_share") if base.has("certified_share") else None
    d_cost = {y: alt.wan("cost.total", y) - base.wan("cost.total", y) for y in years}  # as printed elsewhere
    m = alt.manifest
    key = f"{alt.scenario}−{base.scenario}:"

    def n(metric, year, value, unit="人"):  # a mean difference of a count, to 0.1
        return pr.log(key + metric, year, "mean", unit, _signed(round_half_up(value, 1)))

    def band(metric, year, draws):
        lo, hi = _band(draws)
        return (pr.log(key + metric, year, "P5", "万元", _signed(lo)), pr.log(key + metric, year, "P95", "万元", _signed(hi)))

    blocks = [subheading(f"{alt.title}（{alt.scenario}）" if zh else f"{alt.title} ({alt.scenario})")]
    if m.get("rationale"):
        blocks.append(par(("政策内容与依据：" if zh else "The policy: ") + str(m["rationale"])))
    plan = [y for y in range(2026, 2031) if y in years]
    if plan:
        span = f"{plan[0]}-{plan[-1]}"
        mean = round_half_up(sum(d_cost[y] for y in plan), 1)
        lo, hi = band("cost.total", span, cost[plan].sum(axis=1))
        d_hc, d_vac = hc[plan].mean(axis=1).mean(), vac[plan].mean(axis=1).mean()
        per_worker = sum(base.value("cost.total", y) / max(base.value("headcount", y), 1) for y in plan) / 1e4 / len(plan)
        total_text = pr.log(key + "cost.total", span, "mean", "万元", fmt_num(abs(mean), 1))
        hc_text = pr.log(key + "headcount", span, "mean", "人", fmt_num(abs(round_half_up(d_hc, 1)), 1))
        vac_text = pr.log(key + "vacancies", span, "mean", "个", fmt_num(abs(round_half_up(d_vac, 1)), 1))
        sign = "增加" if mean > 0 else "减少"
        vacancy_text = ""
        if mean < 0 and d_vac > 0.5:
            vacancy_text = pr.log(key + "cost of vacancies", span, "mean", "万元",
                                  fmt_num(round_half_up(d_vac * per_worker * len(plan), 1), 1))
        if zh:
            text = (f"与基准相比，{plan[0]}—{plan[-1]}年（“十五五”时期）经费合计{sign} {total_text} 万元"
                    f"（配对P5–P95：{lo}至{hi} 万元），同期在岗人数平均{'增加' if d_hc >= 0 else '减少'} "
                    f"{hc_text} 人、空缺岗位平均{'增加' if d_vac >= 0 else '减少'} {vac_text} 个")
            if vacancy_text:
                text += (f"；其中约 {vacancy_text} 万元相当于空缺岗位未补员而少支出的人员经费，"
                         "这部分“节约”来自岗位空缺，而非政策本身降低了成本")
            text += "。"
        else:
            text = (f"Against the base, {plan[0]}–{plan[-1]} (15th Five-Year Plan) cost {'rises' if mean > 0 else 'falls'} by "
                    f"{total_text} (10k yuan; paired P5–P95 {lo} to {hi}), while headcount "
                    f"changes by {'+' if d_hc >= 0 else '−'}{hc_text} and vacancies by {'+' if d_vac >= 0 else '−'}{vac_text} on average")
            if vacancy_text:
                text += (f"; about {vacancy_text} of it is the pay of posts left unfilled: that part of the "
                         "saving comes from vacancies, not from the policy lowering cost")
            text += "."
        plan3 = base.budget_years()
        if len(plan3) == 3:  # the 中期财政规划 years' total, with its paired band
            span3 = f"{plan3[0]}-{plan3[-1]}"
            m3 = pr.diff(base, alt, "cost.total", span3, round_half_up(sum(d_cost[y] for y in plan3), 1))
            l3, h3 = band("cost.total", span3, cost[plan3].sum(axis=1))
            text += (f"中期财政规划期（{plan3[0]}—{plan3[-1]}年）合计 {m3} 万元（配对P5–P95：{l3}至{h3} 万元）。"
                     if zh else f" Medium-term plan {plan3[0]}–{plan3[-1]}: {m3} (paired P5–P95 {l3} to {h3}).")
        blocks.append(par(text))
    rows = []
    for y in years:
        lo_y, hi_y = band("cost.total", y, cost[y])
        row = [str(y), pr.diff(base, alt, "cost.total", y), f"{lo_y} 至 {hi_y}" if zh else f"{lo_y} to {hi_y}",
               n("headcount", y, hc[y].mean()), n("vacancies", y, vac[y].mean(), "个")]
        if cert is not None:
            row.append(n("certified_share", y, cert[y].mean() * 100, "百分点"))
        rows.append(row)
    header = ["年度" if zh else "Year", "经费差异" if zh else "Cost diff.", "配对P5–P95" if zh else "Paired P5–P95",
              "在岗人数差异" if zh else "Headcount diff.", "空缺岗位差异" if zh else "Vacancies diff."]
    if cert is not None:
        header.append("持证率差异（百分点）" if zh else "Certified share diff. (pt)")
    blocks.append(table(cap(f"政策增量：{alt.scenario} − {base.scenario}" if zh else
                            f"Incremental effect: {alt.scenario} − {base.scenario}",
                            "万元、人、个" if zh else "10k yuan; persons; posts"), header, rows, size=8,
                        note=("配对区间：两个情景使用相同的随机数，逐次模拟相减后取第5和第95百分位。" if zh else
                              "Paired band: both scenarios use the same random numbers; the 5th and 95th percentiles "
                              "of the per-draw differences.")))
    prices, not_priced = m.get("prices") or [], m.get("not_priced") or []
    if prices:
        blocks.append(par(("模型计入的政策成本：" if zh else "Priced in the model: ") + ("；" if zh else "; ").join(prices)
                          + ("。" if zh else ".")))
    blocks.append(par(("未计入的成本：" if zh else "Not priced: ") +
                      (("；" if zh else "; ").join(not_priced) if not_priced
                       else ("情景文件未列出。" if zh else "none listed in the scenario file."))
                      + ("。" if zh and not_priced else ("." if not_priced else ""))))
    return blocks
