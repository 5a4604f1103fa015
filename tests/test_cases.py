"""Hand-computed cases: a few workers, rates of 0 or 1, no growth; expected amounts worked on paper.

Settings (tests/cases/hand.yaml): reference wage 2,000 yuan/month; performance 20% of base;
seniority 20 yuan/month per year; certificate 100/200/300; establishment allowance 1,500;
chief post allowance 600; provincial average wage 5,000 -> base floor 3,000 (60%), ceiling 5,000 (100%);
housing-fund floor 2,000 (40%); employer pension 16%, annuity 8%, housing fund 12%; employee pension 8%.
"""

from __future__ import annotations

import pytest

import model
from conftest import CASES

HEADER = "id,post,regime,sex,birth,education,service_years,contribution_years,certificate,grade,arrears_months\n"


def run(tmp_path, rows, *overrides, year=2021):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "".join(r + "\n" for r in rows))
    res = model.simulate(CASES / "hand.yaml", draws=1, seed=1, progress=False,
                         overrides=[f"opening.roster_file={roster}", *overrides])
    s = res.summary()
    return s[s.year == year].set_index("metric")["mean"]


def test_worker_below_the_base_floor(tmp_path):
    # staff grade 1, 2 years of service: 2000 + 400 performance + 40 seniority = 2,440/month < floor 3,000
    m = run(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=1")
    assert m["cost.pay"] == pytest.approx(2440 * 12, abs=0.005)
    assert m["cost.employer_pension"] == pytest.approx(0.16 * 3000 * 12, abs=0.005)  # on the floor, not on pay
    # a contract worker is in the enterprise scheme: its basic pension is booked there, none in the institution's
    assert m["si.employer_pension_enterprise"] == m["cost.employer_pension"] and m["si.employer_pension_institution"] == 0
    assert m["si.employer_medical"] == pytest.approx(0.08 * 3000 * 12, abs=0.005)
    assert m["cost.housing_fund"] == pytest.approx(0.12 * 2440 * 12, abs=0.005)  # between its own floor and ceiling
    assert m["si.occupational_annuity"] == 0


def test_career_secretary_above_the_ceiling_with_annuity(tmp_path):
    # chief grade 12 (coefficient 1.399), 10 years, intermediate certificate, special establishment:
    # 2798 + 559.6 + 600 post + 200 seniority + 200 certificate + 1500 career = 5,857.6/month > ceiling 5,000
    m = run(tmp_path, ["1,chief,establishment,M,1970-01,bachelor,10,20,intermediate,12,0"], "quota.chief=1")
    assert m["cost.pay"] == pytest.approx(5857.6 * 12, abs=0.005)
    assert m["cost.certificate_allowance"] == pytest.approx(200 * 12)
    assert m["cost.employer_pension"] == pytest.approx(0.16 * 5000 * 12, abs=0.005)
    # the special establishment is in the institution scheme (机关事业单位基本养老保险, economic code 30108)
    assert m["si.employer_pension_institution"] == m["cost.employer_pension"] and m["si.employer_pension_enterprise"] == 0
    assert m["si.occupational_annuity"] == pytest.approx(0.08 * 5000 * 12, abs=0.005)
    assert m["cost_by_regime.establishment"] == pytest.approx(m["cost.total"])


def test_hire_joining_mid_year_on_probation(tmp_path):
    # one vacancy: a 22-year-old bachelor joins on 1 July at grade 1 + 3 credited years / 3 = grade 2 (1.031);
    # 6 months paid, the first 3 without performance pay at 80% of base pay (1,649.6), raised to the legal floor,
    # 80% of the staff post's lowest grade (2,000 + 400 performance): 1,920 a month (《劳动合同法》 art. 20).
    m = run(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=2")
    base = 2000 * 1.031
    hire_pay = base * 3 + 0.8 * 2400 * 3 + 0.2 * base * 3
    assert m["hires"] == 1
    assert m["cost.pay"] == pytest.approx(2440 * 12 + hire_pay, abs=0.01)
    assert m["cost.employer_pension"] == pytest.approx(0.16 * 3000 * 12 + 0.16 * 3000 * 6, abs=0.01)
    assert m["headcount"] == 2


def test_arrears_cleared_with_late_fee(tmp_path):
    # 12 months of arrears cleared in 2021 on the floor base 3,000 at 16% + 8%;
    # late fee 0.05%/day x 365 x (1 year since 2020 + half the 12-month gap) = 27.375% of the principal
    m = run(tmp_path, ["1,staff,contract,F,1985-03,master,5,10,junior,3,12"], "quota.staff=1")
    principal = 12 * 3000 * 0.24
    assert m["arrears.principal"] == pytest.approx(principal, abs=0.005)
    assert m["arrears.late_fees"] == pytest.approx(principal * 0.0005 * 365 * 1.5, abs=0.005)
    assert m["cost.arrears"] == pytest.approx(principal * (1 + 0.27375), abs=0.01)
    assert m["arrears.months_outstanding"] == 0


def test_attrition_rate_one_empties_the_post(tmp_path):
    rows = [f"{i},staff,contract,F,1990-06,college,2,5,none,1,0" for i in range(5)]
    m = run(tmp_path, rows, "quota.staff=5", "attrition.rate.staff=1.0", "hiring.annual_cap=0")
    assert m["exits.attrition"] == 5
    assert m["headcount"] == 0
    assert m["cost.pay"] == pytest.approx(5 * 2440 * 6, abs=0.01)  # leavers paid January-June


def test_cost_total_is_the_sum_of_its_lines(tmp_path):
    m = run(tmp_path, ["1,chief,establishment,M,1970-01,bachelor,10,20,intermediate,12,0",
                       "2,staff,contract,F,1985-03,master,5,10,junior,3,12"], "quota.chief=1", "quota.staff=2")
    lines = m["cost.pay"] + m["cost.employer_social_insurance"] + m["cost.housing_fund"] + m["cost.arrears"]
    assert m["cost.total"] == pytest.approx(lines, abs=1e-6)
    assert m["cost.employer_social_insurance"] >= m["cost.employer_pension"] > 0
    # the basic pension by scheme: the chief's 0.16 x 5,000 x 12 (ceiling); the staff worker's and the July hire's
    # on the floor 3,000 for 12 + 6 months
    assert m["si.employer_pension_institution"] == pytest.approx(0.16 * 5000 * 12, abs=0.005)
    assert m["si.employer_pension_enterprise"] == pytest.approx(0.16 * 3000 * 18, abs=0.005)


def test_retirement_under_the_reform(tmp_path):
    # a woman on the age-50 track born in Jan 1975: delay 1 month (b = 0: 0 // 2 + 1) -> retires at 50y1m,
    # Feb 2025, paid January only. Her grade: 4 with 10 counted years (1 towards the next grade) -> grade 5
    # (1.130) at the end of 2022; 14 years of service in 2025: 2,260 + 452 + 280 = 2,992 for the one month.
    m = run(tmp_path, ["1,staff,contract,F,1975-01,college,10,30,none,4,0"], "quota.staff=1",
            "hiring.annual_cap=0", "horizon.end_year=2026", year=2025)
    assert m["exits.retirement"] == 1
    assert m["pension.retirees"] == 1
    assert m["cost.pay"] == pytest.approx(2992, abs=0.005)


def test_retirement_without_the_reform(tmp_path):
    m = run(tmp_path, ["1,staff,contract,F,1975-01,college,10,30,none,4,0"], "quota.staff=1",
            "hiring.annual_cap=0", "horizon.end_year=2026", "retirement.reform=false", year=2025)
    assert m["exits.retirement"] == 1
    assert m["cost.pay"] == 0  # retired on 1 January 2025, the day she turned 50


def test_pay_linked_to_last_years_average_wage(tmp_path):
    # from 2021 the reference wage is half of the 2020 average wage 5,000: 2,500 -> 2500 x 1.2 + 40 seniority
    m = run(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=1",
            "pay.link_to_average_wage={2020: 0, 2021: 0.5}")
    assert m["cost.pay"] == pytest.approx((2500 * 1.2 + 40) * 12, abs=0.005)
