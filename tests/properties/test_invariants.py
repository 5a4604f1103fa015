"""Invariants over random valid scenarios: a small-headcount baseline with a few parameters drawn
within their valid ranges. Identities are recomputed here from Results.metrics, independently of
model.simulation.checks; a scenario that overrides nothing equals its base; a higher pay rate never lowers cost.pay."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from test_reference import SMALL

import model
from conftest import BASELINE
from model.scenario.schema import POSTS


def number(lo, hi):
    return st.floats(lo, hi).map(lambda x: f"{x:.4f}")


RANGES = {
    "pay.reference_wage_monthly": number(1000, 20000),
    "pay.performance_share": number(0, 1),
    "pay.wage_growth": number(-0.05, 0.1),
    "pay.seniority_allowance_per_year_monthly": number(0, 100),
    "attrition.rate.staff": number(0, 1),
    "attrition.rate.member": number(0, 1),
    "progression.years_per_grade": st.integers(1, 10).map(str),
    "progression.review_fail_rate": number(0, 1),
    "hiring.annual_cap": st.integers(0, 50).map(str),
    "hiring.fill_rate": number(0, 1),
    "elections.turnover": number(0, 1),
    "elections.certificate_required": st.sampled_from(["true", "false"]),
    "certificates.sitting_rate.junior": number(0, 1),
    "certificates.pass_rate.junior": number(0, 1),
    "retirement.reform": st.sampled_from(["true", "false"]),
    "social_insurance.employer.pension": number(0, 0.3),
    "social_insurance.base_floor_share": number(0, 1),
    "arrears.late_fee_charged_share": number(0, 1),
    "other_costs.union_fund_rate": number(0, 0.05),
    "opening.arrears.share_with_gaps": number(0, 1),
    "horizon.end_year": st.integers(2021, 2035).map(str),
}
PAY_RATES = ("pay.reference_wage_monthly", "pay.performance_share")


@st.composite
def overrides(draw, exclude=()):
    names = draw(st.lists(st.sampled_from([n for n in RANGES if n not in exclude]), unique=True, max_size=4))
    return SMALL + [f"{name}={draw(RANGES[name])}" for name in names]


seeds = st.integers(0, 2**31)


def run(changes, seed, draws=3):
    return model.simulate(BASELINE, draws=draws, seed=seed, progress=False, overrides=changes)


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-6 * max(1.0, float(np.abs(b).max())))


# Found by a random search: a wage far below the contribution base floor, where the employee's contributions on the
# floor exceed gross pay and pay.net is negative (the rule stated in the test below).
LOW_WAGE = SMALL + ["pay.reference_wage_monthly=1000.0000", "pay.wage_growth=-0.0312",
                    "pay.seniority_allowance_per_year_monthly=0.0000"]


@given(overrides(), seeds)
@example(LOW_WAGE, 0)
def test_identities_and_non_negativity(changes, seed):
    """Stock-flow and money identities hold, and every count and amount is non-negative, except the signed ones:
    net moves, the bridge steps, and pay.net. pay.net is gross pay less the employee's contributions, which are due
    on the clipped base (at least the floor, 60 % of last year's average wage, 国办发〔2019〕13号) even where pay is
    lower: with a very low wage they exceed it and pay.net is negative (what the worker owes), not floored at 0."""
    m = run(changes, seed).metrics
    for post in POSTS:  # roll-forward per post, in whole persons
        hc = m[f"headcount.{post}"]
        entrants = m[f"hires.{post}"] + (m[f"elected.outside.{post}"] if post != "staff" else 0)
        flow = entrants[:, 1:] - m[f"exits.post.{post}"][:, 1:] + m[f"moves.net.{post}"][:, 1:]
        assert (hc[:, 1:] == hc[:, :-1] + flow).all(), post
    assert (m["headcount"] == sum(m[f"headcount.{p}"] for p in POSTS)).all()
    assert (m["exits"] == m["exits.retirement"] + m["exits.retirement_short"] + m["exits.attrition"]
            + m["exits.dismissal"] + m["exits.election"]).all()
    assert (m["vacancies"] == sum(np.maximum(m[f"quota.{p}"] - m[f"headcount.{p}"], 0) for p in POSTS)).all()
    assert (sum(m[f"grade.{g:02d}"] for g in range(1, 19)) == m["headcount"]).all()
    from model.lines import LINES

    for group in [x.metric for x in LINES if x.kind == "group"]:  # every subtotal of the declared cost tree
        close(m[group], sum(m[x.metric] for x in LINES if x.parent == group))
    close(m["cost.pay"], m["pay.base"] + m["pay.performance"] + m["pay.post_allowance"] + m["pay.seniority_allowance"]
          + m["cost.certificate_allowance"] + m["pay.career_allowance"])
    close(m["cost.employer_social_insurance"], m["cost.employer_pension"] + m["si.employer_medical"]
          + m["si.employer_unemployment"] + m["si.employer_work_injury"] + m["si.occupational_annuity"])
    close(m["cost.total"], sum(m[f"cost_by_post.{p}"] for p in POSTS))
    close(m["cost.total"], sum(m[f"cost_by_regime.{r}"] for r in ("contract", "establishment", "reference")))
    steps = sum(m[f"bridge.{k}"] for k in ("exits", "hires", "progression", "certificates", "uprating", "contributions", "arrears",
                                            "other"))
    close(m["bridge.end"][:, 1:], m["bridge.start"][:, 1:] + steps[:, 1:])
    held = m["certified.junior"] + m["certified.intermediate"] + m["certified.senior"]
    close(m["certified_share"] * m["headcount"], held)
    # pay.net = gross pay - employee contributions on the clipped base. On the floor base the contributions of a
    # very low wage can exceed it (the worker owes the difference): pay.net may then be negative, by design
    # (docs/outputs.md). The property states the identity instead of a sign.
    close(m["pay.net"], m["cost.pay"] - m["si.employee_total"])
    assert (m["pay.net"] <= m["cost.pay"]).all() and (m["si.employee_total"] >= 0).all()
    signed = ({"moves.net.chief", "moves.net.deputy", "moves.net.member", "moves.net.staff", "pay.net"}
              | {k for k in m if k.startswith("bridge.")})
    for name, values in m.items():
        assert np.isfinite(values).all(), name
        if name not in signed:
            assert (values >= 0).all(), name


@given(overrides(), seeds)
def test_contribution_lines_share_one_clipped_base(changes, seed):
    """Medical and unemployment are charged on the same clipped base, so they are in the ratio of their rates;
    with floor = ceiling the base is fixed, so pay does not change the contributions."""
    m = run(changes, seed).metrics
    rates = model.load_scenario(BASELINE).model.social_insurance.employer
    ratio = rates.unemployment[-1] / rates.medical[-1]
    np.testing.assert_allclose(m["si.employer_unemployment"], ratio * m["si.employer_medical"], rtol=1e-4, atol=1.0)
    fixed = [c for c in changes if not c.startswith("social_insurance.base_floor_share")]
    fixed += ["social_insurance.base_floor_share=1.0", "social_insurance.base_ceiling_share=1.0"]
    low = run(fixed, seed).metrics
    high = run([*fixed, "pay.reference_wage_monthly=25000"], seed).metrics
    assert (low["headcount"] == high["headcount"]).all()
    assert (low["si.employer_medical"] == high["si.employer_medical"]).all()


@given(overrides(), seeds)
def test_scenario_overriding_nothing_equals_its_base(tmp_path_factory, changes, seed):
    child = tmp_path_factory.mktemp("child") / "same.yaml"
    child.write_text(f"extends: {BASELINE}\nname: same\ntitle: nothing changed\nrationale: test\n", encoding="utf-8")
    base = run(changes, seed).summary()
    same = model.simulate(child, draws=3, seed=seed, progress=False, overrides=changes).summary()
    numbers = lambda s: s.drop(columns="scenario").to_csv(index=False, float_format="%.6f")  # noqa: E731
    assert numbers(base) == numbers(same)


@given(overrides(exclude=PAY_RATES), seeds, st.sampled_from(PAY_RATES), st.floats(0.0001, 0.5))
def test_raising_a_pay_rate_never_lowers_pay(changes, seed, rate, rise):
    value = {"pay.reference_wage_monthly": 2800, "pay.performance_share": 0.2}[rate]
    low = run([*changes, f"{rate}={value:.4f}"], seed).metrics
    high = run([*changes, f"{rate}={value * (1 + rise):.4f}"], seed).metrics
    assert (high["cost.pay"] >= low["cost.pay"]).all()
    assert (high["headcount"] == low["headcount"]).all()
