"""Every rule of the year's steps and of the money, checked against a hand computation.

Settings are those of tests/cases/hand.yaml (every random rate 0 or 1, no growth): reference wage 2,000 yuan a
month, performance 20 % of base, seniority 20 a month per year of service, chief post allowance 600, career
allowance 1,500 (establishment) / 800 (reference), certificate allowance 100 / 200 / 300; average wage 5,000, so
the contribution base is clipped to [3,000, 5,000] and the housing-fund base to [2,000, 15,000]; employer
16 % pension, 8 % medical, 0.7 % unemployment, 0.2 % work injury, 12 % housing fund, 8 % annuity; employee 8 %,
2 %, 0.3 %, 0, 12 %, 4 %. The baseline's rules stay: grade coefficients +3.1 % a grade (1.000, 1.031, 1.063, ...),
a grade every 3 years, education credit bachelor 3 years, certificate grade bonus junior 0 / intermediate 1 /
senior 2, dismissal after 2 failed reviews in a row, elections in 2021 and 2026, leavers and hires on 1 July.

Each expected value is worked out from the rule and its source in the test or its comment, never taken from
the model's output. tests/MUTATION.md lists, for each rule, a change to it that these tests catch.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from conftest import hand_case
from model.simulation import engine, reference

NO_SENIORITY = "pay.seniority_allowance_per_year_monthly=0"


def to_fen(*factors) -> float:
    """The product of ``factors`` in exact decimal arithmetic, rounded to the fen half up (the rule), in yuan."""
    x = Decimal(1)
    for f in factors:
        x *= Decimal(str(f))
    return float(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------- 1. retirement

# 2024 NPCSC decision (facts.md §3): men 60 -> 63 and women 55 -> 58 by +1 month per 4 months of birth after
# January 1965 / January 1970; women 50 -> 55 by +1 month per 2 months after January 1975. Delay in months
# = min(cap, floor(b / step) + 1) for b months born after the start. The cut-offs facts.md derives: full 63 from
# September 1976, full 58 from September 1981, full 55 from November 1984.
@pytest.mark.parametrize("female, birth, original, delay", [
    (0, (1964, 12), 60, 0), (0, (1965, 1), 60, 1), (0, (1965, 4), 60, 1), (0, (1965, 5), 60, 2),
    (0, (1976, 8), 60, 35), (0, (1976, 9), 60, 36), (0, (1990, 1), 60, 36),
    (1, (1969, 12), 55, 0), (1, (1970, 5), 55, 2), (1, (1981, 8), 55, 35), (1, (1981, 9), 55, 36),
    (1, (1974, 12), 50, 0), (1, (1975, 1), 50, 1), (1, (1975, 3), 50, 2), (1, (1984, 10), 50, 59),
    (1, (1984, 11), 50, 60), (1, (1995, 1), 50, 60),
])
def test_statutory_age_by_cohort_sex_and_track(female, birth, original, delay):
    birth_m = birth[0] * 12 + birth[1] - 1
    for fn in (engine.statutory_retirement_month, reference.statutory_retirement_month):
        assert fn(female, birth_m, original, True) == birth_m + original * 12 + delay
        assert fn(female, birth_m, original, False) == birth_m + original * 12


def test_a_womans_original_age_follows_her_post(tmp_path):
    # The 2024 decision keeps two original ages for women: 55 in cadre (management) posts, 50 in worker posts; the
    # scenario reads 正副职 as management posts (female_original_age: chief and deputy 55, member and staff 50).
    # Two women born January 1972. The staff worker, on the 50 track and born before 1975 (no delay), reaches 50 in
    # January 2022 and leaves with no month paid. The deputy, on the 55 track, was born 24 months after January
    # 1970: 24 // 4 + 1 = 7 months of delay, 55 years 7 months in August 2027: still in post at the end of 2022.
    rows = ["1,staff,contract,F,1972-01,college,20,25,none,12,0", "2,deputy,contract,F,1972-01,college,20,25,none,15,0"]
    v = hand_case(tmp_path, rows, "quota.staff=1", "quota.deputy=1", "hiring.annual_cap=0")
    assert v("exits.retirement", 2022) == 1 and v("exits.post.staff", 2022) == 1 and v("exits.post.deputy", 2022) == 0
    assert v("headcount.deputy", 2022) == 1 and v("headcount.staff", 2022) == 0


# The same rule through a run: the contract ends at the statutory age (《劳动合同法实施条例》 art. 21), so in the
# year of the age the worker is paid the months before it. Staff grade 12 (the top of the staff range: no step)
# or deputy grade 15 (the top of its range), no seniority pay: 2,000 x 1.399 x 1.2 = 3,357.6 and
# 2,000 x 1.533 x 1.2 = 3,679.2 a month. 30 contribution years, so the minimum is met.
@pytest.mark.parametrize("row, year, months, reform", [
    ("M,1964-12", 2024, 11, True),   # born before 1965: 60 in December 2024, paid January-November
    ("M,1965-01", 2025, 1, True),    # b = 0: +1 month -> February 2025
    ("M,1965-04", 2025, 4, True),    # b = 3: 3 // 4 + 1 = 1 -> May 2025, paid January-April
    ("M,1965-05", 2025, 6, True),    # b = 4: 4 // 4 + 1 = 2 -> July 2025
    ("M,1965-04", 2025, 3, False),   # without the reform: 60 in April 2025
    ("F,1974-12", 2024, 11, True),   # staff woman, 50 track, born before 1975: December 2024
    ("F,1975-03", 2025, 4, True),    # b = 2: 2 // 2 + 1 = 2 -> 50 years 2 months, May 2025
    ("F,1975-03", 2025, 2, False),   # without the reform: March 2025
])
def test_retirement_month_and_months_paid_staff(tmp_path, row, year, months, reform):
    v = hand_case(tmp_path, [f"1,staff,contract,{row},college,20,30,none,12,0"], "quota.staff=1", "hiring.annual_cap=0",
                  NO_SENIORITY, "horizon.end_year=2025", f"retirement.reform={str(reform).lower()}")
    assert v("exits.retirement", year) == 1 and v("pension.retirees", year) == 1
    assert v("cost.pay", year) == pytest.approx(3357.6 * months, abs=0.005)
    assert v("headcount", year) == 0 and v("headcount", year - 1) == 1


@pytest.mark.parametrize("birth, year, months", [
    ("1969-12", 2024, 11),  # the 55 track (deputy), born before 1970: 55 in December 2024
    ("1970-05", 2025, 6),   # b = 4: 4 // 4 + 1 = 2 -> 55 years 2 months, July 2025
])
def test_retirement_month_and_months_paid_deputy(tmp_path, birth, year, months):
    v = hand_case(tmp_path, [f"1,deputy,contract,F,{birth},college,20,30,none,15,0"], "quota.deputy=1",
                  "hiring.annual_cap=0", NO_SENIORITY, "horizon.end_year=2025")
    assert v("exits.retirement", year) == 1
    assert v("cost.pay", year) == pytest.approx(3679.2 * months, abs=0.005)


@pytest.mark.parametrize("contribution_years, retired, short", [(5, 0, 1), (6, 1, 0)])
def test_minimum_years_of_the_year_the_age_is_reached(tmp_path, contribution_years, retired, short):
    # A man born January 1970 reaches 60 + (60 // 4 + 1 = 16 months) in May 2031, when the minimum is 16 years
    # (办法 art. 4: 15 + 0.5 a year from 2030) = 192 months. With 6 years at the end of 2020 he has
    # 72 + 120 = 192 by 1 January 2031: a pension. With 5 years, 60 + 120 + 4 (January-April 2031) = 184: short
    # (though 184 would meet the 180 months of earlier years), so he leaves without a pension.
    v = hand_case(tmp_path, [f"1,staff,contract,M,1970-01,college,20,{contribution_years},none,12,0"], "quota.staff=1",
                  "hiring.annual_cap=0", NO_SENIORITY, "horizon.end_year=2031")
    assert v("exits.retirement", 2031) == retired and v("exits.retirement_short", 2031) == short
    assert v("pension.retirees", 2031) == retired
    assert v("cost.pay", 2031) == pytest.approx(3357.6 * 4, abs=0.005)  # paid to the statutory age either way


@pytest.mark.parametrize("contribution_years, arrears, retired, short", [(14, 12, 1, 0), (13, 0, 0, 1)])
def test_cleared_arrears_count_towards_the_minimum_years(tmp_path, contribution_years, arrears, retired, short):
    # A man born June 1962 (before 1965: no reform delay) reaches 60 in June 2022, when the minimum is 15 years
    # = 180 months (办法 art. 4). A roster's contribution years include the months still owed: 14 years with 12
    # months in arrears are 168 - 12 = 156 months paid by the end of 2020, as are 13 years without arrears.
    # 2021: 12 months more (168), and the 12 months owed are cleared (clearance from 2021 at rate 1). Once paid,
    # back contributions are months contributed like any other (the minimum counts the months paid,
    # 《社会保险法》 art. 16; paying what is owed is how a gap is closed): 180 by 1 January 2022, a pension.
    # Without arrears: 168 + 5 (January-May 2022) = 173 < 180 at the statutory age: short, no pension.
    v = hand_case(tmp_path, [f"1,staff,contract,M,1962-06,college,20,{contribution_years},none,12,{arrears}"], "quota.staff=1",
                  "hiring.annual_cap=0")
    assert v("arrears.months_cleared", 2021) == arrears
    assert v("exits.retirement", 2022) == retired and v("exits.retirement_short", 2022) == short
    assert v("pension.retirees", 2022) == retired


def test_cleared_months_count_in_the_contribution_index(tmp_path):
    # The man of the test above, 14 years with 12 months owed, staff grade 12 (1.399), 20 years of service:
    # 2,798 base + 559.6 performance + 400 seniority = 3,757.6 a month, within [3,000, 5,000]: each month paid adds
    # 3,757.6 / 5,000 = 0.75152 to the index sum (the index is the base over last year's average wage, averaged
    # over every month contributed, facts §3). The months owed are cleared in 2021 on that base, so they join the
    # record at that index, as they join the account at 8 % of it.
    # End of 2020: 156 months, account 3,000 x 13 = 39,000, index sum 0.7 x 156 = 109.2.
    # 2021: account 39,000 x 1.0669 + 3,607.30 (8 % x 3,757.6 x 12, to the fen) + 3,607.296 cleared;
    #       168 + 12 = 180 months; index sum 109.2 + 0.75152 x 12 + 0.75152 x 12.
    # 2022, January-May, 21 years of service: 3,777.6 a month; account x 1.0612 + 1,511.04 (8 % x 3,777.6 x 5);
    #       185 months; index sum + 0.75552 x 5.
    # Pension at 60 in June 2022 (国发〔2005〕38号): 5,000 x (1 + index sum / 185) / 2 x 185 / 12 x 1 % + account / 139.
    v = hand_case(tmp_path, ["1,staff,contract,M,1962-06,college,20,14,none,12,12"], "quota.staff=1", "hiring.annual_cap=0")
    account = (39000 * 1.0669 + 3607.30 + 12 * 3757.6 * 0.08) * 1.0612 + 1511.04
    idx_sum = 109.2 + 0.75152 * 12 + 0.75152 * 12 + 0.75552 * 5
    pension = 5000 * (1 + idx_sum / 185) / 2 * (185 / 12) * 0.01 + account / 139
    assert 1041 < pension < 1043  # 658.3 + 383.6; counted at index 0, the cleared months would take off 19.2
    assert v("arrears.months_cleared", 2021) == 12 and v("pension.retirees", 2022) == 1
    assert v("pension.mean_monthly", 2022) == pytest.approx(round(pension, 2), abs=0.006)


def test_pension_with_occupational_annuity_to_the_fen(tmp_path):
    # A special-establishment chief (institution scheme: basic pension and 职业年金) born June 1961 reaches 60 in
    # June 2021 (born before 1965: no delay) and is paid January-May, 5 months.
    # Monthly pay: 2,000 x 1.399 = 2,798 + 559.6 performance + 600 post + 200 seniority (10 years) + 200
    # intermediate certificate + 1,500 career = 5,857.6, above the ceiling: base 5,000.
    # At the end of 2020: 30 years = 360 months, account 3,000 x 30 = 90,000, index sum 0.7 x 360 = 252, annuity 0.
    # 2021: account 90,000 x 1.0669 (the 2021 记账利率) + 8 % x 5,000 x 5 = 98,021;
    #       annuity (8 % + 4 %) x 5,000 x 5 = 3,000; index sum 252 + (5,000 / 5,000) x 5 = 257; 365 months.
    # Pension (国发〔2005〕38号): 计发基数 5,000 (the 2020 average) x (1 + 257/365) / 2 x 365/12 x 1 %
    #       + 98,021 / 139 + 3,000 / 139 (计发月数 at 60 = 139; the annuity over the same divisor).
    v = hand_case(tmp_path, ["1,chief,establishment,M,1961-06,bachelor,10,30,intermediate,12,0"], "quota.chief=1",
                  "hiring.annual_cap=0")
    basic = 5000 * (1 + 257 / 365) / 2 * (365 / 12) * 0.01
    pension = basic + 98021 / 139 + 3000 / 139
    assert 2020 < pension < 2030  # 1,295.83 + 705.19 + 21.58
    assert v("exits.retirement", 2021) == 1 and v("pension.retirees", 2021) == 1
    assert v("cost_by_post.chief", 2021) > 0
    assert v("pension.mean_monthly", 2021) == pytest.approx(round(pension, 2), abs=0.006)
    assert v("pension.replacement_rate", 2021) == pytest.approx(pension / 5857.6, abs=1e-6)


# --------------------------------------------------------------------------- 2. attrition and reviews

@pytest.mark.parametrize("service, rate", [(2, 0.2), (3, 0.1)])
def test_attrition_with_the_early_service_multiplier(tmp_path, service, rate):
    # Staff attrition 10 % a year, doubled (multiplier 2) for service under 3 years: 1,000 workers with 2 years
    # leave at 20 %, with 3 years at 10 %. The count is binomial: mean 1,000 x rate, sd sqrt(1,000 x rate x
    # (1 - rate)) (12.6 and 9.5); a band of 5 sd leaves out the squared multiplier (40 %) and a threshold
    # that counted 3 years as early (20 % for the second group).
    n = 1000
    rows = [f"{i},staff,contract,F,1990-06,college,{service},5,none,1,0" for i in range(n)]
    v = hand_case(tmp_path, rows, "attrition.rate.staff=0.1", "attrition.early_service_multiplier=2.0",
                  "attrition.early_service_years=3", "hiring.annual_cap=0")
    mean, sd = n * rate, (n * rate * (1 - rate)) ** 0.5
    assert abs(v("exits.attrition", 2021) - mean) < 5 * sd
    assert v("headcount", 2021) == n - v("exits.attrition", 2021)


def test_two_failed_reviews_in_a_row_dismiss(tmp_path):
    # Wuhan 2020 rule (baseline dismiss_after_fails 2): every review fails from 2021. The first failure keeps the
    # worker, the second (2022) dismisses, on 1 July: 6 months paid. A failed year does not count towards a grade:
    # college, 2 years of service -> 2 years counted; without the failure she would reach grade 2 at the end of 2021.
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=1", "hiring.annual_cap=0",
                  "progression.review_fail_rate={2020: 0.0, 2021: 1.0}")
    assert v("exits.dismissal", 2021) == 0 and v("exits.dismissal", 2022) == 1
    assert v("grade.01", 2021) == 1 and v("grade.02", 2021) == 0
    assert v("cost.pay", 2022) == pytest.approx((2000 * 1.2 + 60) * 6, abs=0.005)  # 3 years of service in 2022


def test_a_passed_review_between_failures_resets_the_count(tmp_path):
    # fail (2021), pass (2022), fail (2023): never two in a row, so never dismissed. The pass in 2022 adds the third
    # counted year: grade 2 from the end of 2022 (not 2021, the failed year).
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=1", "hiring.annual_cap=0",
                  "progression.review_fail_rate={2020: 0.0, 2021: 1.0, 2022: 0.0, 2023: 1.0}", "horizon.end_year=2023")
    assert [v("exits.dismissal", y) for y in (2021, 2022, 2023)] == [0, 0, 0]
    assert v("headcount", 2023) == 1
    assert v("grade.01", 2021) == 1 and v("grade.02", 2022) == 1


# --------------------------------------------------------------------------- 3. elections

def test_election_turnover_by_post_with_the_exemption(tmp_path):
    # 2021 election, turnover 1: every 两委 member on a labour contract is not returned, chiefs included; the
    # establishment chief (career post) is exempt; full-time staff do not stand. All seats go to outside
    # candidates (from_staff_share 0), outside the recruitment cap.
    rows = ["1,chief,contract,F,1975-05,bachelor,10,20,junior,9,0", "2,chief,establishment,M,1972-05,bachelor,12,25,junior,10,0",
            "3,deputy,contract,F,1980-05,bachelor,8,12,junior,6,0", "4,member,contract,F,1985-05,bachelor,5,10,junior,4,0",
            "5,staff,contract,F,1990-05,bachelor,3,5,junior,3,0"]
    v = hand_case(tmp_path, rows, "quota.chief=2", "quota.deputy=1", "quota.member=1", "quota.staff=1",
                  "elections.turnover=1.0", "elections.from_staff_share=0.0", "hiring.annual_cap=0")
    assert v("exits.election", 2021) == 3
    exits = {p: v(f"exits.post.{p}", 2021) for p in ("chief", "deputy", "member", "staff")}
    assert exits == {"chief": 1, "deputy": 1, "member": 1, "staff": 0}
    assert v("elected.outside", 2021) == 3 and v("headcount", 2021) == 5
    assert v("exits.election", 2022) == 0  # no election in 2022 (every 5 years from 2021)


def test_candidacy_rule_spares_only_the_certified_and_the_exempt(tmp_path):
    # certificate_required, turnover 0: the uncertified contract chief cannot stand; the certified deputy is
    # returned; the uncertified establishment chief keeps the career post (exempt from the election).
    rows = ["1,chief,contract,F,1975-05,bachelor,10,20,none,9,0", "2,chief,establishment,M,1972-05,bachelor,12,25,none,10,0",
            "3,deputy,contract,F,1980-05,bachelor,8,12,junior,6,0"]
    v = hand_case(tmp_path, rows, "quota.chief=2", "quota.deputy=1", "elections.certificate_required=true",
                  "elections.from_staff_share=0.0", "hiring.annual_cap=0")
    assert v("exits.post.chief", 2021) == 1 and v("exits.post.deputy", 2021) == 0
    assert v("elected.outside.chief", 2021) == 1 and v("elected.certified_share", 2021) == 1.0


@pytest.mark.parametrize("staff_quota, moved, left", [(1, 1, 0), (0, 0, 1)])
def test_surplus_moves_into_vacant_staff_posts(tmp_path, staff_quota, moved, left):
    # Two chiefs for one seat (turnover 0): the exempt establishment chief stays; the contract chief is the
    # surplus. With a vacant staff post (quota 1, nobody in it) the surplus moves there (surplus_to_staff_share 1),
    # keeping grade 9 (within the staff range 1-12); with no vacant staff post (quota 0) the surplus leaves.
    rows = ["1,chief,contract,F,1975-05,bachelor,10,20,junior,9,0", "2,chief,establishment,M,1972-05,bachelor,12,25,junior,10,0"]
    v = hand_case(tmp_path, rows, "quota.chief=1", f"quota.staff={staff_quota}", "hiring.annual_cap=0")
    assert v("moves.net.chief", 2021) == -moved and v("moves.net.staff", 2021) == moved
    assert v("exits.election", 2021) == left
    assert v("headcount.chief", 2021) == 1 and v("headcount.staff", 2021) == moved
    if moved:
        assert v("grade.09", 2021) == 1  # the staff range 1-12 keeps grade 9 (13 years counted: no step in 2021)


def test_staff_elected_to_a_seat_takes_at_least_the_posts_lowest_grade(tmp_path):
    # A vacant member seat (quota 1, nobody) at the 2021 election, from_staff_share 1: the staff member (grade 1,
    # college, no service) moves up; the member range starts at grade 2, so she is placed at grade 2.
    v = hand_case(tmp_path, ["1,staff,contract,F,1995-05,college,0,2,none,1,0"], "quota.member=1", "quota.staff=1",
                  "elections.from_staff_share=1.0", "hiring.annual_cap=0")
    assert v("elected.from_staff", 2021) == 1 and v("headcount.member", 2021) == 1
    assert v("grade.02", 2021) == 1 and v("grade.01", 2021) == 0


def test_a_career_secretary_is_never_the_surplus(tmp_path):
    # An establishment chief and no chief post in the quota: at the 2021 election the post is one above its quota,
    # but a secretary under career-post management keeps the post (the seed's 147 secretaries under 事业岗位
    # management; elections.career_secretaries_exempt): nobody is surplus, so nobody leaves or moves, although a
    # staff post is vacant (quota 1, recruitment cap 0).
    v = hand_case(tmp_path, ["1,chief,establishment,M,1972-05,bachelor,12,25,junior,10,0"], "quota.chief=0", "quota.staff=1",
                  "hiring.annual_cap=0")
    assert v("exits.election", 2021) == 0 and v("moves.net.chief", 2021) == 0
    assert v("headcount.chief", 2021) == 1 and v("headcount.staff", 2021) == 0


def test_an_outside_candidate_takes_the_seat_as_the_old_member_leaves(tmp_path):
    # 2021 election, turnover 1: the contract deputy (grade 6, 1.165; no seniority pay) is not returned and leaves
    # on 1 July, paid January-June. The seat goes to an outside candidate (from_staff_share 0), a bachelor without a
    # certificate: the deputy range's lowest grade 4 + 3 credited years // 3 = grade 5 (1.130). An elected member
    # takes the seat as the old one leaves (exit_month 7), whatever the recruits' start month (October here), and
    # is not on probation, which is a recruitment rule (Xi'an: new hires 3 months at 80 %): 6 months at full pay.
    # The seat is filled at the election, so nobody is recruited for it (cap 10, fill rate 1).
    # Base pay 2021: 2,000 x 1.165 x 6 + 2,000 x 1.130 x 6 = 13,980 + 13,560 = 27,540; performance 20 %: 5,508.
    v = hand_case(tmp_path, ["1,deputy,contract,F,1980-05,bachelor,8,12,none,6,0"], "quota.deputy=1", "elections.turnover=1.0",
                  "elections.from_staff_share=0.0", "hiring.start_month=10", NO_SENIORITY,
                  "elections.outside_candidates.education={high_school: 0.0, college: 0.0, bachelor: 1.0, master: 0.0}",
                  "elections.outside_candidates.certified_share=0.0")
    assert v("exits.election", 2021) == 1 and v("elected.outside", 2021) == 1
    assert v("hires", 2021) == 0 and v("headcount.deputy", 2021) == 1 and v("grade.05", 2021) == 1
    assert v("pay.base", 2021) == pytest.approx(27540, abs=0.005)
    assert v("pay.performance", 2021) == pytest.approx(5508, abs=0.005)


def test_recruitment_within_the_cap(tmp_path):
    # 4 vacant staff posts, cap 2: 2 recruits (fill rate 1)
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=5", "hiring.annual_cap=2")
    assert v("hires", 2021) == 2 and v("vacancies", 2021) == 2
    assert v("hires", 2022) == 2 and v("vacancies", 2022) == 0


# --------------------------------------------------------------------------- 4. grades and certificates

def test_grade_steps_every_three_years_up_to_the_top_of_the_range(tmp_path):
    # Worker 1: college, 2 years of service -> 2 years counted; the 2021 review adds the third: grade 2 at the end
    # of 2021, the next step three years later (end of 2024). Worker 2: staff grade 12 (top of 1-12), 2 counted
    # years: the third year would step her up, but the range caps her at 12.
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0", "2,staff,contract,F,1980-06,college,14,20,none,12,0"],
                  "quota.staff=2", "hiring.annual_cap=0", "horizon.end_year=2024")
    assert [v("grade.02", y) for y in (2021, 2022, 2023, 2024)] == [1, 1, 1, 0]
    assert v("grade.03", 2024) == 1
    assert v("grade.12", 2021) == 1 and v("grade.13", 2021) == 0
    # pay follows the grade from the next January: 2022 at grade 2, 3 years of service
    assert v("pay.base", 2022) == pytest.approx(2000 * 1.031 * 12 + 2000 * 1.399 * 12, abs=0.005)


EXAMS = ["certificates.sitting_rate={junior: 1.0, intermediate: 1.0, senior: 1.0}",
         "certificates.pass_rate={junior: 1.0, intermediate: 1.0, senior: 1.0}"]


def test_exam_eligibility_by_education_and_service(tmp_path):
    # Junior exam: a bachelor needs 2 years of work (考试实施办法). With 1 year she may not sit in 2021; with 2 years
    # (after ageing at the end of 2021) she sits and passes in 2022.
    v = hand_case(tmp_path, ["1,staff,contract,F,1995-06,bachelor,1,2,none,2,0"], "quota.staff=1", "hiring.annual_cap=0",
                  *EXAMS)
    assert v("exam.sat", 2021) == 0 and v("exam.passes", 2021) == 0
    assert v("exam.sat", 2022) == 1 and v("exam.passes", 2022) == 1 and v("certified.junior", 2022) == 1


def test_exam_pass_gives_the_level_and_its_grade_bonus(tmp_path):
    # Worker 1: junior, bachelor, 4 years (intermediate needs 4): sits and passes in 2021 -> intermediate, grade
    # 3 + (bonus 1 - 0) = 4; (4 + 3) % 3 = 1 counted year + 1 = 2: no step. The allowance rises to 200 in 2022.
    # Worker 2: intermediate, bachelor, 10 years (senior needs 10): passes the senior exam -> grade 12 + (2 - 1),
    # capped at the staff top 12. Worker 3: junior, bachelor, 3 years: not yet eligible for the intermediate exam.
    rows = ["1,staff,contract,F,1990-06,bachelor,4,8,junior,3,0", "2,staff,contract,F,1980-06,bachelor,10,20,intermediate,12,0",
            "3,staff,contract,F,1992-06,bachelor,3,5,junior,3,0"]
    v = hand_case(tmp_path, rows, "quota.staff=3", "hiring.annual_cap=0", *EXAMS)
    assert v("exam.sat", 2021) == 2 and v("exam.passes", 2021) == 2
    assert v("certified.intermediate", 2021) == 1 and v("certified.senior", 2021) == 1 and v("certified.junior", 2021) == 1
    # worker 3: 3 + 3 = 6 counted, + 1 = 7 -> 7 % 3 = 1: no step, grade 3
    assert v("grade.04", 2021) == 1 and v("grade.12", 2021) == 1 and v("grade.13", 2021) == 0 and v("grade.03", 2021) == 1
    assert v("cost.certificate_allowance", 2022) == pytest.approx((200 + 300 + 100) * 12)


def test_recruits_wait_a_year_for_the_review_and_the_exam(tmp_path):
    # A staff vacancy filled on 1 July 2021 by a recruit with a master's degree: 5 credited years -> grade
    # 1 + 5 // 3 = 2, with 5 % 3 = 2 years towards the next; a master may sit the junior exam without years of
    # work (exam_rules). A grade moves on a passed annual review (Jilin rule), and a recruit of the year has had
    # none: the year's hires join the review and the exams from the next year. End of 2021: grade 2, no exam.
    # 2022: the review adds the third year -> grade 3; she sits and passes the junior exam (grade bonus 0).
    # The other worker, senior-certified at the top of the staff range (12), neither steps nor sits.
    v = hand_case(tmp_path, ["1,staff,contract,F,1980-06,college,14,20,senior,12,0"], "quota.staff=2",
                  "hiring.new_hire.education={high_school: 0.0, college: 0.0, bachelor: 0.0, master: 1.0}", *EXAMS)
    assert v("hires", 2021) == 1
    assert v("grade.02", 2021) == 1 and v("grade.03", 2021) == 0 and v("exam.sat", 2021) == 0
    assert v("grade.03", 2022) == 1 and v("exam.sat", 2022) == 1 and v("certified.junior", 2022) == 1


def test_a_failed_exam_counts_a_sitting_not_a_pass(tmp_path):
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,bachelor,4,8,none,3,0"], "quota.staff=1", "hiring.annual_cap=0",
                  "certificates.sitting_rate={junior: 1.0, intermediate: 1.0, senior: 1.0}",
                  "certificates.pass_rate={junior: 0.0, intermediate: 0.0, senior: 0.0}")
    assert v("exam.sat", 2021) == 1 and v("exam.passes", 2021) == 0 and v("certified_share", 2021) == 0


# --------------------------------------------------------------------------- 5. money lines

def test_each_pay_line_of_part_year_leavers(tmp_path):
    # Two chiefs, grade 7 (1.201), junior certificate, 10 years of service with the seniority cap set to 5 years,
    # leave on 1 July 2022 (attrition 1 in 2022; no election that year): 6 months paid, each line for 6 months.
    # Monthly: base 2,402, performance 480.4, post 600, seniority 20 x min(10, 5) = 100, certificate 100;
    # career 0 (contract) and 800 (reference). Gross 3,682.4 and 4,482.4, both within [3,000, 5,000].
    rows = ["1,chief,contract,F,1975-05,bachelor,10,20,junior,7,0", "2,chief,reference,F,1976-05,bachelor,10,20,junior,7,0"]
    v = hand_case(tmp_path, rows, "quota.chief=2", "hiring.annual_cap=0", "pay.seniority_cap_years=5",
                  "attrition.rate.chief={2020: 0.0, 2022: 1.0}")
    assert v("exits.attrition", 2022) == 2
    assert v("pay.base", 2022) == pytest.approx(2 * 2402 * 6, abs=0.005)
    assert v("pay.performance", 2022) == pytest.approx(2 * 480.4 * 6, abs=0.005)
    assert v("pay.post_allowance", 2022) == pytest.approx(2 * 600 * 6, abs=0.005)
    assert v("pay.seniority_allowance", 2022) == pytest.approx(2 * 100 * 6, abs=0.005)
    assert v("cost.certificate_allowance", 2022) == pytest.approx(2 * 100 * 6, abs=0.005)
    assert v("pay.career_allowance", 2022) == pytest.approx(800 * 6, abs=0.005)
    assert v("cost_by_regime.reference", 2022) > v("cost_by_regime.contract", 2022)
    # each line on each worker's base (here the gross, within the limits) x 6 months, rounded per worker half up
    for metric, rate in (("cost.employer_pension", 0.16), ("si.employer_medical", 0.08), ("si.employer_unemployment", 0.007),
                         ("si.employer_work_injury", 0.002), ("cost.housing_fund", 0.12)):
        assert v(metric, 2022) == pytest.approx(to_fen(rate, 3682.4, 6) + to_fen(rate, 4482.4, 6), abs=0.005), metric
    assert to_fen(0.16, 4482.4, 6) == 4303.10 and to_fen(0.007, 3682.4, 6) == 154.66  # 4,303.104 and 154.6608
    assert v("si.occupational_annuity", 2022) == 0  # enterprise scheme for both
    # employee: 8 % pension, 2 % medical, 0.3 % unemployment on the base, 12 % housing fund, each rounded
    ee = sum(to_fen(rate, g, 6) for rate in (0.08, 0.02, 0.003, 0.12) for g in (3682.4, 4482.4))
    assert v("si.employee_total", 2022) == pytest.approx(ee, abs=0.005)
    assert v("pay.net", 2022) == pytest.approx((3682.4 + 4482.4) * 6 - ee, abs=0.005)


@pytest.mark.parametrize("junior_allowance, on_probation", [(100, 1820.0), (300, 1649.6)])
def test_probation_pay_is_not_below_the_legal_floor(tmp_path, junior_allowance, on_probation):
    # 《劳动合同法》 art. 20, 实施条例 art. 15: probation pay at least 80 % of the same post's lowest grade.
    # A staff member (grade 1: base 2,000 a month) leaves on 1 July 2021 and a recruit takes the post on 1 July:
    # bachelor, grade 2 (base 2,000 x 1.031 = 2,062), junior certificate, 3 of the 6 months on probation.
    # The staff post's lowest grade with no service and no certificate pays 2,000 + 400 performance = 2,400 a month;
    # the floor is 80 % of it, 1,920, for a probation month's pay (allowances in full, no performance pay).
    # The probation share alone gives a base of 2,062 x 0.8 = 1,649.6, plus the certificate allowance:
    #   allowance 100: 1,749.6 < 1,920, so the base is raised to 1,920 - 100 = 1,820;
    #   allowance 300: 1,949.6 >= 1,920, so the share stands: 1,649.6.
    # pay.base 2021 = the leaver's 2,000 x 6 + the recruit's 2,062 x 3 + the probation base x 3.
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=1",
                  "attrition.rate.staff={2020: 0.0, 2021: 1.0, 2022: 0.0}", "hiring.new_hire.certified_share.staff=1.0",
                  f"pay.certificate_allowance_monthly.junior={junior_allowance}")
    assert v("hires", 2021) == 1
    assert v("pay.base", 2021) == pytest.approx(2000 * 6 + 2062 * 3 + on_probation * 3, abs=0.005)
    assert v("pay.performance", 2021) == pytest.approx(400 * 6 + 412.4 * 3, abs=0.005)  # none on probation
    assert v("cost.certificate_allowance", 2021) == pytest.approx(junior_allowance * 6, abs=0.005)  # in full
    # the next year the recruit is on full pay: base 2,062 x 12
    assert v("pay.base", 2022) == pytest.approx(2062 * 12, abs=0.005)


def test_contributions_on_the_floor_for_a_low_wage(tmp_path):
    # Staff grade 1, 2 years: 2,440 a month, below the floor 3,000: every contribution but the housing fund is
    # charged on 3,000 (国办发〔2019〕13号), the housing fund on its own base 2,440 (floor 2,000).
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=1")
    assert v("si.employer_unemployment", 2021) == pytest.approx(0.007 * 3000 * 12, abs=0.005)  # 252
    assert v("si.employer_work_injury", 2021) == pytest.approx(0.002 * 3000 * 12, abs=0.005)  # 72
    ee = (0.08 + 0.02 + 0.003) * 3000 * 12 + 0.12 * 2440 * 12  # 3,708 + 3,513.6
    assert v("si.employee_total", 2021) == pytest.approx(ee, abs=0.005)
    assert v("pay.net", 2021) == pytest.approx(2440 * 12 - ee, abs=0.005)


def test_a_very_low_wage_has_a_negative_net_pay(tmp_path):
    # The employee's contributions are due on the clipped base even where pay is below its floor (国办发〔2019〕13号:
    # the base is at least 60 % of the average wage), so the model does not floor pay.net at 0: it is what the
    # worker receives, or owes where negative. Reference wage 1,000, no performance or seniority pay: gross 1,000
    # a month. Housing-fund floor 1 x the average wage (5,000): employee 10.3 % x 3,000 + 12 % x 5,000 = 909,
    # net 91 a month. With the contribution base fixed at 1 x the average wage (floor = ceiling = 5,000):
    # 10.3 % x 5,000 + 600 = 1,115 > 1,000, net -115 a month.
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=1",
                  "pay.reference_wage_monthly=1000", "pay.performance_share=0", NO_SENIORITY,
                  "social_insurance.housing_fund_floor_share=1.0")
    assert v("cost.pay", 2021) == pytest.approx(12000, abs=0.005)
    assert v("pay.net", 2021) == pytest.approx((1000 - 0.103 * 3000 - 0.12 * 5000) * 12, abs=0.005)  # 91 a month
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=1",
                  "pay.reference_wage_monthly=1000", "pay.performance_share=0", NO_SENIORITY,
                  "social_insurance.housing_fund_floor_share=1.0", "social_insurance.base_ceiling_share=1.0",
                  "social_insurance.base_floor_share=1.0")
    assert v("pay.net", 2021) == pytest.approx((1000 - 0.103 * 5000 - 0.12 * 5000) * 12, abs=0.005)
    assert v("pay.net", 2021) < 0


def test_half_a_fen_rounds_up(tmp_path):
    # Reference wage 2,000.03125 yuan (a binary fraction: exact in floating point), grade 1 (coefficient 1),
    # no performance or seniority pay: a year's base pay is 24,000.375 yuan = 2,400,037.5 fen exactly, which
    # rounds half up to 2,400,038 fen = 24,000.38 (truncation or half-to-even would give 24,000.37).
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=1",
                  "pay.reference_wage_monthly=2000.03125", "pay.performance_share=0", NO_SENIORITY)
    assert 2000.03125 * 12 * 100 == 2400037.5
    assert v("pay.base", 2021) == pytest.approx(24000.38, abs=0.001)
    assert engine.fen(0.125) == 13 and reference.fen(0.125) == 13 and engine.fen(-0.125) == -12


# --------------------------------------------------------------------------- 6. the wage-bill bridge

def test_bridge_splits_progression_certificate_uprating_and_contributions(tmp_path):
    # One staff member, college, 5 years (5 counted: 2 towards the next grade), grade 1, no certificate; the
    # reference wage rises 10 % in 2022.
    # 2021: 2,000 + 400 + 100 seniority = 2,500 a month: pay 30,000; employer SI 24.9 % x 3,000 (floor) x 12 =
    #       8,964; housing fund 12 % x 2,500 x 12 = 3,600; cost 42,564.
    # End of 2021: the review adds the third year -> grade 2; she sits and passes the junior exam (college needs 4
    #       years) -> a junior certificate (bonus 0); service 6.
    # 2022 at wage 2,200: 2,268.2 + 453.64 + 120 + 100 certificate = 2,941.84 a month: pay 35,302.08; SI 8,964
    #       (still on the floor); housing fund 12 % x 2,941.84 x 12 = 4,236.2496 -> 4,236.25; cost 48,502.33.
    # Bridge 2022 (this year's state at last year's prices, 2,000):
    #   progression   grade 2 and 6 years without the new certificate: (2,062 + 412.4 + 120) x 12 - 30,000 = 1,132.8
    #   certificates  the junior allowance at last year's rate: 100 x 12 = 1,200
    #   uprating      35,302.08 - (31,132.8 + 1,200) = 2,969.28
    #   contributions (8,964 + 4,236.25) - (8,964 + 3,600) = 636.25
    v = hand_case(tmp_path, ["1,staff,contract,F,1988-06,college,5,8,none,1,0"], "quota.staff=1", "hiring.annual_cap=0",
                  "pay.wage_growth={2020: 0.0, 2022: 0.1}",
                  "certificates.sitting_rate={junior: 1.0, intermediate: 0.0, senior: 0.0}",
                  "certificates.pass_rate={junior: 1.0, intermediate: 0.0, senior: 0.0}")
    assert v("cost.total", 2021) == pytest.approx(42564, abs=0.005)
    assert v("cost.total", 2022) == pytest.approx(48502.33, abs=0.005)
    assert v("bridge.progression", 2022) == pytest.approx(1132.8, abs=0.005)
    assert v("bridge.certificates", 2022) == pytest.approx(1200, abs=0.005)
    assert v("bridge.uprating", 2022) == pytest.approx(2969.28, abs=0.005)
    assert v("bridge.contributions", 2022) == pytest.approx(636.25, abs=0.005)
    assert v("bridge.exits", 2022) == 0 and v("bridge.hires", 2022) == 0


def test_bridge_exits_and_hires(tmp_path):
    # The staff member (2,440 a month, 2 years) leaves by attrition on 1 July 2021; the vacancy is filled by a
    # recruit on 1 July (bachelor: grade 2, 1.031; 3 months' probation without performance pay, at 80 % of base pay
    # but not below 80 % of the post's lowest grade, 0.8 x 2,400 = 1,920 a month: 2,062 x 0.8 = 1,649.6 is raised).
    # Leaver: 2020 cost 29,280 + 8,964 (24.9 % x 3,000 x 12) + 3,513.6 (12 % x 2,440 x 12) = 41,757.6;
    #         2021 (6 months) 14,640 + 4,482 + 1,756.8 = 20,878.8 -> bridge.exits 2021 = 20,878.8 - 41,757.6;
    #         in 2022 the bridge takes off her 2021 cost: -20,878.8.
    # Recruit 2021: base 2,062 x 3 + 1,920 x 3 = 11,946, performance 412.4 x 3 = 1,237.2; SI on the floor
    #         24.9 % x 3,000 x 6 = 4,482; housing fund 12 % x 2,474.4 x 6 = 1,781.568 -> 1,781.57: 19,446.77.
    # Recruit 2022 (1 year of service): 2,494.4 a month: 29,932.8 + 8,964 + 3,591.94 (3,591.936) = 42,488.74;
    #         the second year of a recruit is in bridge.hires too: 42,488.74 - 19,446.77 = 23,041.97.
    v = hand_case(tmp_path, ["1,staff,contract,F,1990-06,college,2,5,none,1,0"], "quota.staff=1",
                  "attrition.rate.staff={2020: 0.0, 2021: 1.0, 2022: 0.0}")
    assert v("bridge.exits", 2021) == pytest.approx(20878.8 - 41757.6, abs=0.005)
    assert v("bridge.hires", 2021) == pytest.approx(19446.77, abs=0.005)
    assert v("bridge.exits", 2022) == pytest.approx(-20878.8, abs=0.005)
    assert v("bridge.hires", 2022) == pytest.approx(23041.97, abs=0.005)
    assert v("bridge.progression", 2022) == 0 and v("bridge.uprating", 2022) == 0
    assert v("bridge.end", 2022) == pytest.approx(42488.74, abs=0.005)
