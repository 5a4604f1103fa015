"""The law's bookkeeping, worked by hand from each rule and its source (tests/cases/hand.yaml settings:
reference wage 2,000 yuan/month, performance 20% of base, seniority 20 yuan/month per year, no growth,
base floor 60% and ceiling 100% of last year's average wage, employer pension 16%, employee 8%).

Every expected value below comes from the rule as the source states it, never from the model's output.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import BASELINE, hand_case
from model.scenario.load import load_scenario
from model.scenario.params import resolve
from model.simulation import engine
from model.simulation.population import oldest_birth_month, synthesise

# --------------------------------------------------------------------------- 1. which year's average wage

def test_base_floor_of_a_year_is_set_on_last_years_average_wage(tmp_path):
    # 国办发〔2019〕13号: the floor for contribution year Y is 60% of the average wage of Y-1.
    # Average wage 2020 = 5,000 and 2021 = 5,500, so the floor is 3,000 in 2021 and 3,300 in 2022.
    # Staff, grade 5 (coefficient 1.130), 20 years of service: 2,260 + 452 + 400 = 3,112 a month in 2021,
    # above 2021's floor (3,000) but below the floor a same-year reading would give (3,300).
    # years_per_grade 10: (20 years of service) % 10 = 0 counted, so no grade step before 2023.
    v = hand_case(tmp_path, ["1,staff,contract,F,1980-01,college,20,22,none,5,0"], "quota.staff=1",
                "social_insurance.average_wage_monthly={2019: 5000, 2020: 5000, 2021: 5500}",
                "progression.years_per_grade=10")
    assert v("cost.pay", 2021) == pytest.approx(3112 * 12, abs=0.005)
    assert v("cost.employer_pension", 2021) == pytest.approx(0.16 * 3112 * 12, abs=0.005)  # 5,975.04 on pay
    # 2022: 21 years of service -> 3,132 a month, now below the floor 0.6 x 5,500 = 3,300
    assert v("cost.pay", 2022) == pytest.approx(3132 * 12, abs=0.005)
    assert v("cost.employer_pension", 2022) == pytest.approx(0.16 * 3300 * 12, abs=0.005)  # 6,336 on the floor


def test_opening_year_needs_the_figure_of_the_year_before():
    from model.errors import UserError

    with pytest.raises(UserError, match="needs the figure of 2019"):
        load_scenario(BASELINE, overrides=["social_insurance.average_wage_monthly={2020: 5600}"])
    with pytest.raises(UserError, match="no figure for 2021"):
        load_scenario(BASELINE, overrides=["social_insurance.average_wage_monthly={2019: 5000, 2020: 5000, 2022: 5400}"])


# --------------------------------------------------------------------------- 2. the opening year is complete

@pytest.mark.parametrize("benefit_base, base", [
    (None, 5200),  # none published: the 计发基数 is last year's average wage (the 2021 figure, read in 2022)
    ("{2022: 6100}", 6100),  # published for 2022: that figure
    ("{2021: 6000}", 5200 * 6000 / 5000),  # published for 2021 only: 2022 follows the average wage at 2021's ratio
])
def test_pension_of_a_worker_retiring_in_2022_counts_the_opening_year_once(tmp_path, benefit_base, base):
    # A man born March 1962 reaches 60 (no reform delay: born before 1965) in March 2022 and is paid Jan-Feb.
    # At the end of 2020 (the roster): 20 contribution years = 240 months, account 3,000 x 20 = 60,000,
    # index sum 0.7 x 240 = 168.
    # 2021: staff grade 1, 2 years: 2,440 < floor 0.6 x 5,000 = 3,000 -> base 3,000, monthly index 3,000/5,000;
    #       account 60,000 x 1.04 + 0.08 x 3,000 x 12 = 65,280.
    # 2022: grade 2 (college: 2 counted years + 1 -> a step), 3 years: 2,062 + 412.4 + 60 = 2,534.4 < floor
    #       0.6 x 5,200 = 3,120 -> base 3,120, monthly index 3,120/5,200 = 0.6; 2 months;
    #       account 65,280 x 1.03 + 0.08 x 3,120 x 2 = 67,737.6.
    # Months 240 + 12 + 2 = 254; index (168 + 0.6 x 14) / 254; 计发基数 ``base``; 计发月数 at 60 = 139
    # (国发〔2005〕38号 annex).
    published = [f"pension.benefit_base_monthly={benefit_base}"] if benefit_base else []
    v = hand_case(tmp_path, ["1,staff,contract,M,1962-03,college,2,20,none,1,0"], "quota.staff=1", "hiring.annual_cap=0",
                "social_insurance.average_wage_monthly={2019: 5000, 2020: 5000, 2021: 5200, 2022: 5400}",
                "pension.crediting_rate={2020: 0.05, 2021: 0.04, 2022: 0.03}", "opening.contribution_index=0.7",
                "opening.account_per_contribution_year=3000", *published)
    months = 240 + 12 + 2
    index = (168 + 0.6 * 14) / months
    account = (60000 * 1.04 + 0.08 * 3000 * 12) * 1.03 + 0.08 * 3120 * 2
    assert account == pytest.approx(67737.6)
    pension = base * (1 + index) / 2 * (months / 12) * 0.01 + account / 139
    assert v("exits.retirement", 2022) == 1 and v("pension.retirees", 2022) == 1
    assert v("cost.pay", 2022) == pytest.approx(2534.4 * 2, abs=0.005)
    assert v("pension.mean_monthly", 2022) == pytest.approx(round(pension, 2), abs=0.006)
    assert v("pension.replacement_rate", 2022) == pytest.approx(pension / 2534.4, abs=1e-6)


def test_published_pension_worked_example_to_the_fen():
    # A published worked example (facts.md §7): 计发基数 8,309, mean index 1.0514, 42 years, account 145,842.29,
    # retiring at 60 (计发月数 139): basic 8,309 x 2.0514 / 2 x 42 x 1% = 3,579.467346;
    # account 145,842.29 / 139 = 1,049.225108; total 4,628.69 yuan a month.
    pension = engine.monthly_pension(8309.0, 1.0514, 42 * 12, 0.01, 145842.29, 139)
    assert engine.fen(pension) == 462869


# --------------------------------------------------------------------------- 3. the minimum years

@pytest.mark.parametrize("birth, contributed_at_age, retires, short", [
    ("1962-01", 180, 1, 0),  # 60 in January 2022: 168 + 12 months = 180, exactly the 15 years -> pension
    ("1961-12", 179, 0, 1),  # 60 in December 2021: 168 + 11 = 179, a month short -> leaves without a pension
])
def test_minimum_years_at_the_statutory_age(tmp_path, birth, contributed_at_age, retires, short):
    # 2024 decision, 办法 art. 4: 15 years (180 months) until 2029. 14 years (168 months) at the end of 2020.
    v = hand_case(tmp_path, [f"1,staff,contract,M,{birth},college,2,14,none,1,0"], "quota.staff=1", "hiring.annual_cap=0")
    year = 2021 if birth == "1961-12" else 2022
    assert v("exits.retirement", year) == retires
    assert v("exits.retirement_short", year) == short
    assert v("pension.retirees", year) == retires  # the short leaver is not in the pension statistics
    if short:
        assert v("cost.pay", 2021) == pytest.approx(2440 * 11, abs=0.005)  # paid to the statutory age


def test_employer_keeping_short_workers_is_a_switch(tmp_path):
    # With max_deferral_years = 1 the December-1961 worker stays one more month and reaches 180 months
    # at the start of 2022: a pension, no short exit.
    v = hand_case(tmp_path, ["1,staff,contract,M,1961-12,college,2,14,none,1,0"], "quota.staff=1", "hiring.annual_cap=0",
                "retirement.max_deferral_years=1")
    assert v("exits.retirement_short", 2021) == 0 and v("exits.retirement", 2021) == 0
    assert v("exits.retirement", 2022) == 1 and v("pension.retirees", 2022) == 1


@pytest.mark.parametrize("from_age, retires, short", [(22, 1, 0), (40, 0, 1)])
def test_a_recruits_earlier_years_count_from_the_starting_age(tmp_path, from_age, retires, short):
    # A woman of 49 recruited to a staff post (statutory age 50, no reform delay before the 1975 cohort) on
    # 1 July 2021, who paid in every earlier working year (share 1), was born in 1972 and reaches 50 in 2022.
    # Earlier years from age 22: floor(1 x (49 - 22)) = 27 years = 324 months, over the 180 of 2022: a pension.
    # From age 40: 9 years = 108 months, + 6 (July-December 2021) + at most 11 in 2022 < 180: short, she leaves
    # without one.
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=2",
                "hiring.new_hire.age_min.staff=49", "hiring.new_hire.age_max.staff=49",
                "hiring.new_hire.prior_contribution_share=1.0", f"pension.contributions_from_age={from_age}")
    assert v("hires", 2021) == 1
    assert v("exits.retirement", 2022) == retires and v("exits.retirement_short", 2022) == short


def test_minimum_of_the_year_the_age_is_reached():
    # 办法 art. 4: 15.5 years in 2030. A worker reaching the age in 2030 with 15 years + 5 months is short;
    # with 15 years + 6 months exactly at the age, not.
    mins = np.array([180] * 10 + [186, 192], dtype=np.int64)  # t = 0 is 2020, t = 10 is 2030
    y_start = 2030 * 12
    stat = y_start + 6  # July 2030: 6 months worked in 2030 before the age
    assert engine.retirement_exit(stat, 186 - 6, y_start, 2020, mins, 0) == (stat, False)
    assert engine.retirement_exit(stat, 185 - 6, y_start, 2020, mins, 0) == (stat, True)


# --------------------------------------------------------------------------- 4. published rates

def test_crediting_rate_of_each_year_applied_by_hand(tmp_path):
    # The baseline's published 记账利率: 2021 6.69%, 2022 6.12%. A man born March 1962 retires in March 2022.
    # Account: 60,000 x 1.0669 + 2,880 = 66,894; x 1.0612 = 70,987.9128; + 0.08 x 3,120 x 2 = 71,487.1128.
    v = hand_case(tmp_path, ["1,staff,contract,M,1962-03,college,2,20,none,1,0"], "quota.staff=1", "hiring.annual_cap=0",
                "social_insurance.average_wage_monthly={2019: 5000, 2020: 5000, 2021: 5200, 2022: 5400}",
                "opening.contribution_index=0.7", "opening.account_per_contribution_year=3000")
    account = (60000 * 1.0669 + 2880) * 1.0612 + 499.2
    assert account == pytest.approx(71487.1128)
    index = (168 + 0.6 * 14) / 254
    pension = 5200 * (1 + index) / 2 * (254 / 12) * 0.01 + account / 139
    assert v("pension.mean_monthly", 2022) == pytest.approx(round(pension, 2), abs=0.006)


def test_baseline_carries_the_published_rates():
    sc = load_scenario(BASELINE)
    P = resolve(sc.model)
    by_year = dict(zip(range(2020, 2036), P.crediting_rate))
    for year, rate in {2020: 0.0604, 2021: 0.0669, 2022: 0.0612, 2023: 0.0397, 2024: 0.0262}.items():
        assert by_year[year] == rate
    # Huangshi's 2026 housing-fund base limits, 2,130 and 25,291 (facts §8), over the 2026 standard the baseline
    # projects without a shock: the 2024 figure 7,226 grown at 3.5 %
    hf = {y: (lo, hi) for y, lo, hi in zip(range(2020, 2036), P.housing_fund_floor_share, P.housing_fund_ceiling_share)}
    assert (round(hf[2026][0] * 7226 * 1.035), round(hf[2026][1] * 7226 * 1.035)) == (2130, 25291)
    benefit_base = dict(zip(range(2020, 2036), P.benefit_base_monthly))
    assert benefit_base[2024] == 7048 and benefit_base[2025] == 7347  # Huangshi 计发基数 (facts.md §8)
    passes = dict(zip(range(2020, 2036), P.pass_rate[:, 0]))
    assert passes[2021] == 0.086 and passes[2024] == 0.2555  # Hubei: 湖北日报 2022-02-22; 2024 25.55%


# --------------------------------------------------------------------------- 5. the 计发月数 table

def test_months_divisor_covers_every_age_a_worker_can_retire_at():
    from model.errors import UserError

    sc = load_scenario(BASELINE)
    table = sc.model.pension.months_divisor
    assert (table[66], table[67], table[68], table[70]) == (93, 84, 75, 56)  # 国发〔2005〕38号 annex
    # men 60 -> 63 under the reform, and 5 years kept on: 68 must be in the table
    short_table = "{" + ", ".join(f"{a}: {table[a]}" for a in range(40, 66)) + "}"
    with pytest.raises(UserError, match="no 计发月数 for age 66, 67, 68"):
        load_scenario(BASELINE, overrides=["retirement.max_deferral_years=5", f"pension.months_divisor={short_table}"])


def test_a_retiree_at_66_gets_the_divisor_of_66(tmp_path):
    # Kept on past the statutory age (max_deferral_years 7, the switch) for want of contribution years: a man born
    # February 1961 reaches 60 in February 2021 with 8 years (96 months) at the end of 2020, and meets the
    # 15 years (180 months, the minimum of 2021) after 84 more months, on 1 January 2028, at 66 years 11 months.
    # Pay stays under the floor 0.6 x 5,000 = 3,000 throughout (grade 3 at most, 8 years: 2,711.2), so every
    # month's index is 0.6, as at the opening: mean index 0.6. Account (no crediting): 3,000 x 8 + 0.08 x 3,000
    # x 84 = 44,160. 计发月数 at 66 = 93 (国发〔2005〕38号 annex), not the 101 of 65.
    v = hand_case(tmp_path, ["1,staff,contract,M,1961-02,college,2,8,none,1,0"], "quota.staff=1", "hiring.annual_cap=0",
                "retirement.max_deferral_years=7", "horizon.end_year=2028", "pension.crediting_rate=0.0",
                "opening.contribution_index=0.6", "opening.account_per_contribution_year=3000")
    pension = 5000 * 1.6 / 2 * 15 * 0.01 + 44160 / 93
    assert v("exits.retirement", 2028) == 1 and v("exits.retirement_short", 2021) == 0
    assert v("pension.mean_monthly", 2028) == pytest.approx(round(pension, 2), abs=0.006)


# --------------------------------------------------------------------------- 6. the opening roster

def test_nobody_in_the_opening_roster_has_reached_the_statutory_age():
    sc = load_scenario(BASELINE)
    P = resolve(sc.model)
    R = synthesise(sc.model, P, seed=1)
    stat = np.array([engine.statutory_month(P.male_age, P.female_original_age, f, b, q, P.reform)
                     for f, b, q in zip(R.female, R.birth_m, R.post)])
    assert (stat > 2021 * 12).all(), f"{(stat <= 2021 * 12).sum()} workers past the statutory age at the opening"
    # contributions fit the working life: at most the years since 18 (service + prior years, less any gaps)
    age = 2020 - R.birth_m // 12
    assert (R.contrib_m + R.arrears_m <= np.maximum(age - 18, 0) * 12).all()
    assert (R.contrib_m + R.arrears_m >= R.service * 12).all()


def test_opening_prior_years_count_from_the_starting_age():
    # Prior years (before community work) lie between pension.contributions_from_age and joining: from 40, a worker
    # has at most max(age - 40 - service, 0) of them, and never more than from 22 (the same random numbers).
    sc22, sc40 = load_scenario(BASELINE), load_scenario(BASELINE, overrides=["pension.contributions_from_age=40"])
    R22, R40 = (synthesise(sc.model, resolve(sc.model), seed=1) for sc in (sc22, sc40))
    age = (2021 * 12 - R40.birth_m - 1) // 12  # whole years at the end of 2020
    prior40 = (R40.contrib_m + R40.arrears_m) // 12 - R40.service
    assert (prior40 <= np.maximum(age - 40 - R40.service, 0)).all()
    assert (R40.contrib_m + R40.arrears_m <= R22.contrib_m + R22.arrears_m).all()
    assert (R40.contrib_m + R40.arrears_m).sum() < (R22.contrib_m + R22.arrears_m).sum()


def test_oldest_opening_birth_month_by_sex_and_track():
    # Women on the 50 track (staff), born before 1975 (no delay): 50 in birth month + 600 months, which must be
    # after January 2021: born February 1971 or later. Women on the 55 track (chief): February 1966.
    # Men (60, born before 1965): February 1961. Under the reform, men born in 1965 or later are later still.
    P = resolve(load_scenario(BASELINE).model)
    assert oldest_birth_month(P, 3, 1) == 1971 * 12 + 1
    assert oldest_birth_month(P, 0, 1) == 1966 * 12 + 1
    assert oldest_birth_month(P, 3, 0) == 1961 * 12 + 1


def test_opening_ages_are_not_piled_at_the_bounds():
    # a truncated normal, not a clipped one: the oldest admissible birth month holds about as many workers as
    # its neighbours, not the whole tail beyond it
    sc = load_scenario(BASELINE, overrides=["opening.age.staff={mean: 60, sd: 10, min: 22, max: 65}",
                                            "opening.headcount.staff=20000"])
    P = resolve(sc.model)
    R = synthesise(sc.model, P, seed=1)
    women_staff = R.birth_m[(R.post == 3) & (R.female == 1)]
    assert women_staff.min() == 1971 * 12 + 1
    first_months = np.bincount(women_staff - women_staff.min())[:12]
    assert first_months.max() < 3 * np.median(first_months) + 10


def test_roster_file_with_a_worker_past_the_statutory_age_is_refused(tmp_path):
    from model.errors import UserError

    with pytest.raises(UserError) as err:
        hand_case(tmp_path, ["1,staff,contract,F,1960-05,college,2,14,none,1,0"], "quota.staff=1")
    assert "row 2, birth: 1960-05 reaches the statutory retirement age in 2010-05" in str(err.value)
