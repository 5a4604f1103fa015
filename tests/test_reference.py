"""The compiled engine equals the per-worker reference, tally for tally, to the fen."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import BASELINE
from model.scenario.load import load_scenario
from model.scenario.params import resolve
from model.simulation import engine, reference
from model.simulation.metrics import RAW_NAMES
from model.simulation.population import synthesise

SMALL = ["opening.headcount.chief=12", "opening.headcount.deputy=20", "opening.headcount.member=40",
         "opening.headcount.staff=60", "opening.establishment.special=3", "opening.establishment.reference=4",
         "quota.chief=12", "quota.deputy=22", "quota.member=34", "quota.staff=70", "hiring.annual_cap=15"]
VARIANTS = {
    "baseline_small": [],
    "certificate_rule": ["elections.certificate_required={2020: false, 2026: true}", "certificates.sitting_rate.junior=0.6",
                         "certificates.exam_subsidy.per_sitter={junior: 150, intermediate: 200, senior: 300}",
                         "certificates.exam_subsidy.per_pass={junior: 500.5, intermediate: 0, senior: 0}",
                         "elections.from_staff_share=0.7"],
    "no_reform_fast_progression": ["retirement.reform=false", "progression.years_per_grade=2", "progression.review_fail_rate=0.3"],
    "institution_reference_fees": ["social_insurance.reference_scheme=institution", "arrears.late_fee_charged_share=1.0",
                                   "opening.arrears.share_with_gaps=0.5"],
    "pay_linked_to_average_wage": ["pay.link_to_average_wage={2020: 0, 2023: 0.7}", "other_costs.union_fund_rate={2020: 0, 2022: 0.02}"],
    "surplus_moves": ["quota.member=25", "elections.turnover=0.0", "attrition.rate.staff=0.2"],
    # few prior contribution years: many reach the statutory age short of the minimum; some are kept on
    "short_of_minimum_years": ["opening.prior_contribution_share=0.1", "retirement.max_deferral_years=2"],
}


def assert_same(a: np.ndarray, b: np.ndarray):
    diff = np.argwhere(a != b)
    if len(diff):
        d, t, r = diff[0]
        raise AssertionError(f"draw {d}, t={t}, {RAW_NAMES[r]}: engine {a[d, t, r]} != reference {b[d, t, r]} ({len(diff)} differences)")


@pytest.mark.parametrize("name", list(VARIANTS))
def test_engine_equals_reference(name):
    sc = load_scenario(BASELINE, overrides=SMALL + VARIANTS[name])
    P = resolve(sc.model)
    R = synthesise(sc.model, P, seed=7)
    draws = np.arange(4, dtype=np.int64)
    fast = engine.simulate_draws(P, R, 7, draws, engine.capacity_for(P, len(R.wid)))
    slow = reference.simulate(P, R, 7, draws)
    assert_same(fast, slow)
    assert fast[:, 1:, :].any(), "the scenario produced no activity to compare"


def test_surplus_variant_moves_people():
    sc = load_scenario(BASELINE, overrides=SMALL + VARIANTS["surplus_moves"])
    P = resolve(sc.model)
    R = synthesise(sc.model, P, seed=7)
    raw = reference.simulate(P, R, 7, [0])
    from model.simulation.metrics import R_EXIT_ELE, R_EXITS_POST, R_HC, R_MOVES
    # 2021 election, turnover 0: the 40 members less those who retired or left before it, above the quota of 25,
    # are the surplus; the staff posts have room for them all (quota 70, 60 staff less 20 % attrition), so every
    # one moves to a staff post (surplus_to_staff_share 1) and nobody leaves at the election
    t = 1
    members_at_election = 40 - raw[0, t, R_EXITS_POST[2]]
    assert members_at_election > 25
    assert raw[0, t, R_MOVES[2]] == -(members_at_election - 25)
    assert raw[0, t, R_HC[2]] == 25 and raw[0, t, R_EXIT_ELE] == 0


@pytest.mark.parametrize("name", list(VARIANTS))
def test_one_draw_split_into_shards_equals_reference(name):
    """A draw's workers split into shards (the parallel compilation with 2, the serial one with 3) give
    the reference's tallies exactly."""
    sc = load_scenario(BASELINE, overrides=SMALL + VARIANTS[name])
    P = resolve(sc.model)
    R = synthesise(sc.model, P, seed=7)
    cap = engine.capacity_for(P, len(R.wid))
    slow = reference.simulate(P, R, 7, [2])
    for kernel, shards in ((engine.simulate_draw_wide, 2), (engine.simulate_draw, 3)):
        fast = np.zeros_like(slow)
        kernel(P, R, 7, 2, cap, fast[0], engine.pay_cells(P, cap, shards))
        assert_same(fast, slow)


def test_first_in_key_order_equals_the_full_order():
    # the election takes the n first eligible staff in key order (ties by id) without sorting them all: the same
    # workers in the same order as the full sort, with ties at the boundary too
    rng_ = np.random.default_rng(3)
    for k in (1, 5, 40, 300):
        cand = rng_.permutation(k).astype(np.int64)
        wid = rng_.permutation(10 * k)[:k].astype(np.int64)[np.argsort(cand)]  # any ids, by slot
        keys = rng_.integers(0, 4, size=k).astype(np.uint64)  # many ties
        full = engine.key_order(cand, keys, wid)
        for n in (0, 1, k // 3, k - 1, k, k + 2):
            assert list(engine.first_in_key_order(cand, keys, wid, n)) == list(full[:max(n, 0)])


def test_the_opening_year_is_the_same_in_every_draw():
    """Year t = 0 prices the opening stock and draws nothing (no exits, hires, reviews or exams; the opening
    year's wage and average wage are given), so the engine prices it once per scenario (engine.opening_state).
    The reference, which runs it in every draw, gives the same opening year for any draw and seed."""
    sc = load_scenario(BASELINE, overrides=SMALL + VARIANTS["certificate_rule"])
    P = resolve(sc.model)
    R = synthesise(sc.model, P, seed=7)
    a = reference.simulate(P, R, 7, [0, 3])
    b = reference.simulate(P, R, 8, [5, 6])
    assert a[0, 0].any()
    assert (a[0, 0] == a[1, 0]).all() and (a[0, 0] == b[0, 0]).all()
    assert (a[0, 1] != a[1, 1]).any()  # the years after it are drawn
    # the engine's draws from the opening state (two draws: whole draws per thread) equal the reference's
    fast = engine.simulate_draws(P, R, 8, np.array([5, 6], np.int64), engine.capacity_for(P, len(R.wid)))
    assert_same(fast, b)
