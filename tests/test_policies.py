"""Policies do what they name: each expectation is written from the policy's text, not from the model's output."""

from __future__ import annotations

import math

import numpy as np
import pytest

import model
from conftest import ROOT, hand_case

MEMBER = "{},member,contract,F,1980-05,bachelor,5,10,none,4,0"
STAFF = "{},staff,contract,F,1985-05,bachelor,6,8,{},3,0"
OUTSIDERS = ["elections.outside_candidates.education={high_school: 0, college: 0, bachelor: 1, master: 0}",
             "elections.outside_candidates.certified_share=0"]


def test_the_election_fills_vacated_seats_first_from_staff(tmp_path):
    # 2021 election: both members are not returned (turnover 1). The two seats are filled at the election,
    # outside the recruitment cap (0 here): half (from_staff_share 0.5) by a full-time staff member, who
    # moves up, and one outside candidate. The staff post so vacated stays vacant (cap 0).
    v = hand_case(tmp_path, [MEMBER.format(1), MEMBER.format(2), STAFF.format(3, "junior"), STAFF.format(4, "none")],
                "quota.member=2", "quota.staff=2", "elections.turnover=1.0", "hiring.annual_cap=0",
                "elections.from_staff_share=0.5", *OUTSIDERS)
    assert v("exits.election", 2021) == 2
    assert v("elected.from_staff", 2021) == 1 and v("elected.outside", 2021) == 1
    assert v("headcount.member", 2021) == 2 and v("headcount.staff", 2021) == 1
    assert v("moves.net.staff", 2021) == -1 and v("hires", 2021) == 0
    assert v("vacancies", 2021) == 1
    # Pay 2021 (reference wage 2,000, performance 20 %, seniority 20 a year; moves count from next January):
    # the two members (grade 4, 1.096; 5 years) paid January-June: 2 x (2,192 + 438.4 + 100) x 6 = 32,764.8;
    # the staff (grade 3, 1.063; 6 years) all year: 2,671.2 x 12 + a junior allowance 100 x 12 = 33,254.4
    # and 2,671.2 x 12 = 32,054.4; the outsider takes the seat on 1 July without probation: member grade
    # 2 + 3 credited years (bachelor) / 3 = grade 3 (1.063): (2,126 + 425.2) x 6 = 15,307.2.
    assert v("cost.pay", 2021) == pytest.approx(32764.8 + 33254.4 + 32054.4 + 15307.2, abs=0.01)


def test_staff_posts_vacated_by_the_election_are_refilled_within_the_cap(tmp_path):
    v = hand_case(tmp_path, [MEMBER.format(1), MEMBER.format(2), STAFF.format(3, "junior"), STAFF.format(4, "none")],
                "quota.member=2", "quota.staff=2", "elections.turnover=1.0", "hiring.annual_cap=5",
                "elections.from_staff_share=1.0")
    assert v("elected.from_staff", 2021) == 2 and v("elected.outside", 2021) == 0
    assert v("hires.staff", 2021) == 2 and v("headcount", 2021) == 4


def test_under_the_certificate_rule_every_elected_member_is_certified(tmp_path):
    # the rule from 2021: the uncertified members cannot stand; only the certified staff member may move up,
    # the other seat goes to an outside candidate who must hold a certificate
    v = hand_case(tmp_path, [MEMBER.format(1), MEMBER.format(2), STAFF.format(3, "junior"), STAFF.format(4, "none")],
                "quota.member=2", "quota.staff=2", "elections.turnover=0.0", "hiring.annual_cap=0",
                "elections.from_staff_share=1.0", "elections.certificate_required=true", *OUTSIDERS)
    assert v("exits.election", 2021) == 2
    assert v("elected.from_staff", 2021) == 1 and v("elected.outside", 2021) == 1
    assert v("elected.certified_share", 2021) == 1.0
    assert v("certified.junior", 2021) == 2  # the staff member moved up and the outsider


def test_exam_subsidy_per_sitting_and_per_pass(tmp_path):
    # one eligible non-holder (bachelor, 6 years >= 2 for the junior exam) sits every year (rate 1) and passes
    # in 2021 (pass rate 1): 200 for the sitting + 500 for the pass; in 2022 she sits the intermediate exam
    # (bachelor, 7 years >= 4) and fails (pass rate 0 from 2022): 300.
    v = hand_case(tmp_path, [STAFF.format(1, "none")], "quota.staff=1", "hiring.annual_cap=0",
                "certificates.sitting_rate={junior: 1.0, intermediate: 1.0, senior: 0.0}",
                "certificates.pass_rate={junior: {2020: 1.0, 2022: 0.0}, intermediate: 0.0, senior: 0.0}",
                "certificates.exam_subsidy.per_sitter={junior: 200, intermediate: 300, senior: 0}",
                "certificates.exam_subsidy.per_pass={junior: 500, intermediate: 800, senior: 0}")
    assert v("cost.other.exam_subsidy", 2021) == 700
    assert v("cost.other.exam_subsidy", 2022) == 300
    lines = v("cost.pay", 2022) + v("cost.employer_social_insurance", 2022) + v("cost.housing_fund", 2022)
    assert v("cost.total", 2022) == pytest.approx(lines + v("cost.arrears", 2022) + 300, abs=1e-6)
    assert v("bridge.other", 2022) == -400


def test_certificate_push_does_what_it_says():
    # The policy: from the 2026 election 两委 members must hold a certificate; the residents fill every seat.
    res = model.simulate(ROOT / "scenarios" / "certificate_push.yaml", draws=20, seed=1, progress=False)
    years = list(res.years)
    m = res.metrics
    committee = m["headcount.chief"] + m["headcount.deputy"] + m["headcount.member"]
    quota = m["quota.chief"] + m["quota.deputy"] + m["quota.member"]
    t = years.index(2027)
    assert (committee[:, t] >= 0.98 * quota[:, t]).all()  # within 2 % of the quota in every draw
    for y in (2026, 2031):
        assert (m["elected.certified_share"][:, years.index(y)] == 1.0).all()
    assert (m["cost.other.exam_subsidy"][:, years.index(2022):] > 0).all()
    assert (m["cost.other.exam_subsidy"][:, :years.index(2022)] == 0).all()


def test_nanjing_rule_lowest_paid_total_is_80_percent_of_last_years_average(tmp_path):
    # 《南京市社区工作者管理办法(试行)》: total pay incl. the employer's 五险一金 >= 80% of last year's average wage.
    # Take the scenario's own link for 2021 and price a grade-1 staff member with no allowances on the hand
    # settings (average wage 5,000): gross g = 1.2 k x 5,000; employer 24.9% on the floor 3,000 (g is below it),
    # housing fund 12% of g. The total must be 0.8 x 5,000 = 4,000 a month (to the rounding of k).
    from model.scenario.load import load_scenario
    from model.scenario.schema import value_at

    k = value_at(load_scenario(ROOT / "scenarios" / "pay_linked_to_average_wage.yaml").model.pay.link_to_average_wage, 2021)
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,0,5,none,1,0"], "quota.staff=1",
                  f"pay.link_to_average_wage={{2020: 0, 2021: {k}}}", "pay.seniority_allowance_per_year_monthly=0")
    gross = 1.2 * k * 5000
    assert gross < 3000
    assert v("cost.pay", 2021) == pytest.approx(gross * 12, abs=0.01)
    assert v("cost.total", 2021) / 12 == pytest.approx(0.8 * 5000, abs=1.0)


def test_posts_per_10k_fills_the_new_staff_quota_by_2030():
    # 18 per 10,000 x 1,580,211 urban residents = 2,844 posts, 1,864 of them staff from 2026, with the cap
    # doubled to 400 (the scenario says: filled by 2030), within 2 % in every draw.
    res = model.simulate(ROOT / "scenarios" / "posts_per_10k.yaml", draws=10, seed=1, progress=False)
    t = list(res.years).index(2030)
    assert (res.metrics["quota.staff"][:, t] == 1864).all()
    assert (res.metrics["headcount.staff"][:, t] >= 0.98 * 1864).all()


def test_recruitment_freeze_hires_nobody_in_2026_and_2027():
    res = model.simulate(ROOT / "scenarios" / "recruitment_freeze.yaml", draws=10, seed=1, progress=False)
    years = list(res.years)
    for y in (2026, 2027):
        assert (res.metrics["hires"][:, years.index(y)] == 0).all()
    assert (res.metrics["elected"][:, years.index(2026)] > 0).all()  # the election still fills the seats
    assert (res.metrics["hires"][:, years.index(2028)] > 0).all()


def test_pay_to_average_wage_share_sets_the_reference_wage():
    # from 2026 the grade-1 reference wage is 55% of last year's average wage, the same in every draw's path
    from model.scenario.load import load_scenario
    from model.scenario.params import resolve
    from model.simulation import engine

    P = resolve(load_scenario(ROOT / "scenarios" / "pay_to_average_wage_share.yaml").model)
    wage, avg_last, _, _ = engine.draw_paths(P, 1, 0)
    t = 2026 - P.opening_year
    assert wage[t] == pytest.approx(0.55 * avg_last[t])
    assert avg_last[t] != avg_last[t - 1]


def test_parameter_ranges_widen_the_band_and_keep_the_draws_only_band():
    # uncertainty.parameter_ranges: each draw takes its own reference wage in [2400, 3600]; the band then covers
    # the assumption, and the draws-only band is kept beside it (cost.total.random_only)
    base = model.simulate(ROOT / "scenarios" / "baseline.yaml", draws=40, seed=1, progress=False)
    ranged = model.simulate(ROOT / "scenarios" / "baseline.yaml", draws=40, seed=1, progress=False,
                            overrides=["uncertainty.parameter_ranges={pay.reference_wage_monthly: [2400, 3600]}"])
    t = list(base.years).index(2027)
    assert np.array_equal(ranged.metrics["cost.total.random_only"], base.metrics["cost.total"])
    spread = lambda a: np.percentile(a, 95) - np.percentile(a, 5)  # noqa: E731
    assert spread(ranged.metrics["cost.total"][:, t]) > 2 * spread(base.metrics["cost.total"][:, t])
    # each draw's wage is its own: a draw's cost rises with its drawn wage (same random numbers otherwise)
    from model.simulation.rng import GLOBAL_WORKER, PARAMETER_RANGE, uniform_py

    u = np.array([uniform_py(1, d, GLOBAL_WORKER, 0, PARAMETER_RANGE) for d in range(40)])
    assert np.corrcoef(u, ranged.metrics["cost.total"][:, t] - base.metrics["cost.total"][:, t])[0, 1] > 0.99


def test_parameter_ranges_are_checked():
    from model.errors import UserError
    from model.scenario.load import load_scenario

    with pytest.raises(UserError) as err:
        load_scenario(ROOT / "scenarios" / "baseline.yaml", overrides=[
            "uncertainty.parameter_ranges={opening.certified_share: [0.2, 0.6], social_insurance.employer.medical: [0.05, 2],"
            " retirement.reform: [0, 1]}"])
    text = str(err.value)
    assert "opening.certified_share" in text and "not a parameter that can be ranged" in text
    assert "2 is not a valid value: Input should be less than or equal to 1" in text
    assert "retirement.reform" in text and "not a numeric parameter" in text


def test_recruit_profile_by_post_and_year(tmp_path):
    # "recruit certified staff from 2022": every staff recruit of 2021 arrives without a certificate, every one of
    # 2022 with one; the education of the year's recruits follows its dated shares too (bachelor -> grade 2)
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=3",
                  "attrition.rate.staff=1.0", "hiring.new_hire.certified_share.staff={2020: 0.0, 2022: 1.0}",
                  "hiring.new_hire.education={2020: {high_school: 0, college: 1, bachelor: 0, master: 0}, "
                  "2022: {high_school: 0, college: 0, bachelor: 1, master: 0}}")
    assert v("hires", 2021) == 3 and v("certified.junior", 2021) == 0
    assert v("hires", 2022) == 3 and v("certified.junior", 2022) == 3  # the 2021 recruits left (attrition 1)
    assert v("grade.01", 2021) == 3 and v("grade.02", 2022) == 3  # college 0 credited years; bachelor 3 -> +1 grade


def test_union_fund_is_two_percent_of_each_workers_pay(tmp_path):
    # 《工会法》 art. 43: an employer with a union pays 2 % of the wage bill. One staff worker on grade 1 in
    # 2021, at the hand case's pay: the fund is 2 % of her year's gross pay, rounded once to the fen,
    # counted in cost.total and by post, outside cost.pay; the bridge carries it as 'other'.
    from conftest import hand_case

    row = "1,staff,contract,F,1990-01,bachelor,5,5,none,1,0"
    off = hand_case(tmp_path, [row])
    on = hand_case(tmp_path, [row], "other_costs.union_fund_rate={2020: 0, 2021: 0.02}")
    pay = off("cost.pay", 2021)
    expected = math.floor(pay * 100 * 0.02 + 0.5) / 100  # fen, half up
    assert on("cost.other.union_fund", 2021) == pytest.approx(expected, abs=1e-9)
    assert on("cost.other.union_fund", 2020) == 0.0
    assert on("cost.pay", 2021) == pay  # not part of pay or contributions
    assert on("cost.total", 2021) == pytest.approx(off("cost.total", 2021) + expected, abs=1e-6)
    assert on("cost_by_post.staff", 2021) == pytest.approx(off("cost_by_post.staff", 2021) + expected, abs=1e-6)
    assert on("bridge.other", 2021) == pytest.approx(expected, abs=1e-6)  # from nothing in 2020
