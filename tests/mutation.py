"""Mutation check: does the test suite notice when a rule is wrong in both engines?

Each mutation below changes one rule of the model, in the compiled engine (model/simulation/engine.py) and in the
readable reference (model/simulation/reference.py) together, so the engine-equals-reference test cannot see it. For each
one, a copy of the committed tree (``git archive``, never the files of the working folder) is mutated and the
suite is run there, without the golden snapshot (tests/test_golden.py, which compares the code with its own
earlier output) and without the engine-equals-reference tests: the rule tests (FIRST below) in a pytest run of
their own, then the rest of the suite. The first failing test is the mutation's killer (with the reason pytest
gives; a kill by an exception rather than a failed check is marked 'raised'); a mutation that no test kills
survives.

    python -m tests.mutation                  # every mutation, the full suite (minus the two above)
    python -m tests.mutation --only fen_truncates,reform_removed
    python -m tests.mutation --ignore tests/test_rules_by_hand.py   # the score without a test file
    python -m tests.mutation --quick          # only the rule tests (FIRST below): minutes instead of an hour
    python -m tests.mutation --list           # the list, with a check that every snippet is still found

Keeping the list up to date: each edit is (file, exact old text, new text). When the engines are refactored, an
old text that is no longer found exactly once is reported as STALE (and counted as neither killed nor survived):
rewrite its snippet for the new code. Results go to tests/MUTATION.md (by hand: copy the printed table).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE, REFERENCE = "model/simulation/engine.py", "model/simulation/reference.py"
# Test order: the rule tests first, so that a killed mutation stops early (-x); then the rest of the suite.
FIRST = ["tests/test_rules_by_hand.py", "tests/test_law.py", "tests/test_cases.py", "tests/test_policies.py",
         "tests/test_reference.py", "tests/test_library.py", "tests/properties/test_invariants.py"]
EXCLUDED = ["--ignore=tests/test_golden.py",
            "--deselect=tests/test_reference.py::test_engine_equals_reference",
            "--deselect=tests/test_reference.py::test_one_draw_split_into_shards_equals_reference"]


@dataclass(frozen=True)
class Mutation:
    name: str
    step: str
    description: str
    edits: tuple  # ((file, old, new), ...): every edit applies to a text found exactly once


def both(engine_old, engine_new, reference_old=None, reference_new=None):
    """Edits of the same rule in the engine and the reference (the same text in both unless given)."""
    return ((ENGINE, engine_old, engine_new),
            (REFERENCE, engine_old if reference_old is None else reference_old,
             engine_new if reference_new is None else reference_new))


MUTATIONS = [
    # ---------------------------------------------------------------- 1. retirement
    Mutation("reform_men_1_per_3", "retirement", "men's delay +1 month per 3 months of birth (law: per 4)",
             both("start, step, cap = 1965 * 12, 4, 36", "start, step, cap = 1965 * 12, 3, 36")),
    Mutation("reform_removed", "retirement", "the 2025 retirement-age reform ignored",
             both("    if not reform:\n        return base", "    if True:\n        return base")),
    Mutation("reform_women50_1_per_4", "retirement", "women's 50 track delayed 1 month per 4 (law: per 2)",
             both("start, step, cap = 1975 * 12, 2, 60", "start, step, cap = 1975 * 12, 4, 60")),
    Mutation("reform_women55_from_1972", "retirement", "women's 55 track delay counted from 1972 (law: 1970)",
             both("start, step, cap = 1970 * 12, 4, 36", "start, step, cap = 1972 * 12, 4, 36")),
    Mutation("minimum_years_ignored", "retirement", "a pension at the statutory age whatever the contribution years",
             both("    if need <= 0:  # met by 1 January", "    if True:  # met by 1 January",
                  "if months_by(stat) >= minimum:", "if True:")),
    Mutation("minimum_of_the_opening_year", "retirement", "the minimum years of the opening year, not of the year of the age",
             both("need = min_contrib_months[t_stat] - contrib_m", "need = min_contrib_months[0] - contrib_m",
                  "minimum = int(P.min_contribution_months[year_of_age])", "minimum = int(P.min_contribution_months[0])")),
    Mutation("retiree_paid_the_month_of_age", "retirement", "retirees also paid the month they reach the age",
             both("months[i] = max(0, out - y_start)", "months[i] = max(0, out - y_start + 1)",
                  "leave(w, kind, max(0, out - y_start))", "leave(w, kind, max(0, out - y_start + 1))")),
    Mutation("women_all_on_the_50_track", "retirement", "every woman on the 50 track, whatever her post (women in cadre posts: 55)",
             both("orig = male_age if female == 0 else female_age[post]", "orig = male_age if female == 0 else 50",
                  "original = P.male_age if w.female == 0 else int(P.female_original_age[w.post])",
                  "original = P.male_age if w.female == 0 else 50")),
    Mutation("short_retirees_get_a_pension", "retirement", "a worker short of the minimum years is counted with a pension",
             both("if exit_kind[i] == RETIRED:", "if exit_kind[i] == RETIRED or exit_kind[i] == RETIRED_SHORT:",
                  'if kind == "retirement":\n            pension(d, w, gross_m)',
                  'if kind in ("retirement", "retirement_short"):\n            pension(d, w, gross_m)')),
    # ---------------------------------------------------------------- 2. attrition and reviews
    Mutation("early_multiplier_squared", "attrition", "the early-service attrition multiplier applied twice",
             both("(early_service_multiplier if service[i] < early_service_years else 1.0)",
                  "(early_service_multiplier ** 2 if service[i] < early_service_years else 1.0)",
                  "rate *= P.early_service_multiplier", "rate *= P.early_service_multiplier ** 2")),
    Mutation("early_service_inclusive", "attrition", "service equal to early_service_years counted as early",
             both("early_service_multiplier if service[i] < early_service_years",
                  "early_service_multiplier if service[i] <= early_service_years",
                  "if w.service < P.early_service_years:", "if w.service <= P.early_service_years:")),
    Mutation("leavers_paid_7_months", "attrition", "leavers paid the month they leave (July) too",
             both("months[i] = exit_month - 1", "months[i] = exit_month if kind == ATTRITED else exit_month - 1",
                  'leave(w, "attrition", P.exit_month - 1)', 'leave(w, "attrition", P.exit_month)')),
    Mutation("dismissed_after_one_failure", "reviews", "dismissal after 1 failed review (rule: 2 in a row)",
             both("DISMISSED if fails >= dismiss_after_fails else", "DISMISSED if fails >= dismiss_after_fails - 1 else",
                  "if w.fails >= P.dismiss_after_fails:", "if w.fails >= P.dismiss_after_fails - 1:")),
    Mutation("failures_not_consecutive", "reviews", "a passed review does not reset the count of failures",
             both("fails = fails + 1 if failed else 0", "fails = fails + 1 if failed else fails",
                  "w.fails = w.fails + 1 if d.failed[w.wid] else 0", "w.fails = w.fails + 1 if d.failed[w.wid] else w.fails")),
    # ---------------------------------------------------------------- 3. elections
    Mutation("chiefs_not_turned_over", "elections", "election turnover not applied to chiefs",
             both("and p != STAFF and not exempt(career_secretaries_exempt, regime[i])",
                  "and p != STAFF and p != 0 and not exempt(career_secretaries_exempt, regime[i])",
                  "if w.post == STAFF or exempt(d, w):", "if w.post == STAFF or w.post == 0 or exempt(d, w):")),
    Mutation("exemption_ignored", "elections", "career-post secretaries stand for election like the others",
             both("and p != STAFF and not exempt(career_secretaries_exempt, regime[i])", "and p != STAFF",
                  "if w.post == STAFF or exempt(d, w):", "if w.post == STAFF:")),
    Mutation("candidacy_rule_ignored", "elections", "uncertified members stand although a certificate is required",
             both("    if certificate_required and cert == 0:\n        return True\n", "",
                  "if (P.certificate_required[t] and w.cert == 0) or d.u(w, rng.ELECTION) < P.turnover[t]:",
                  "if d.u(w, rng.ELECTION) < P.turnover[t]:")),
    Mutation("surplus_never_moves", "elections", "the 两委 surplus always leaves, never moves to a vacant staff post",
             both("n_move = int(math.floor(P.surplus_to_staff_share * min(excess, room) + 1e-9))", "n_move = 0")),
    Mutation("surplus_ignores_room", "elections", "the surplus moves to staff posts even where none is vacant",
             both("n_move = int(math.floor(P.surplus_to_staff_share * min(excess, room) + 1e-9))",
                  "n_move = int(math.floor(P.surplus_to_staff_share * excess + 1e-9))")),
    Mutation("moved_below_the_range", "elections", "a worker moved to another post (surplus, elected staff) keeps a grade below its lowest",
             both("W.grade[i] = min(max(W.grade[i], P.grade_lo[p]), P.grade_hi[p])", "W.grade[i] = min(W.grade[i], P.grade_hi[p])",
                  "w.grade = min(max(w.grade, int(P.grade_lo[p])), int(P.grade_hi[p]))", "w.grade = min(w.grade, int(P.grade_hi[p]))")),
    Mutation("no_seats_from_staff", "elections", "every vacated seat goes to an outside candidate",
             both("want[p] = int(math.floor(P.from_staff_share[t] * seats[p] + 1e-9))", "want[p] = 0",
                  "want = int(math.floor(P.from_staff_share[t] * seats + 1e-9))", "want = 0")),
    Mutation("election_leavers_paid_7_months", "elections", "members not returned at the election paid the month they leave (July) too",
             both("months[i] = exit_month - 1", "months[i] = exit_month if kind == ELECTED_OUT else exit_month - 1",
                  '< P.turnover[t]:\n            d.leave(w, "election", P.exit_month - 1)',
                  '< P.turnover[t]:\n            d.leave(w, "election", P.exit_month)')),
    Mutation("surplus_takes_the_exempt", "elections", "career-post secretaries can be the surplus that leaves a post above its quota",
             both("if W.alive[i] and W.post[i] == p and not exempt(career_secretaries_exempt, W.regime[i]):",
                  "if W.alive[i] and W.post[i] == p:",
                  "candidates = sorted((w for w in holders if not exempt(d, w)),", "candidates = sorted((w for w in holders),")),
    # ---------------------------------------------------------------- 4. hiring
    Mutation("hiring_cap_ignored", "hiring", "recruitment beyond the yearly cap",
             both("k = min(int(math.floor(P.fill_rate[t] * vacancies + 1e-9)), cap_left)",
                  "k = int(math.floor(P.fill_rate[t] * vacancies + 1e-9))")),
    Mutation("entrants_prior_years_from_22", "hiring", "an entrant's earlier years counted from 22 whatever the scenario's starting age",
             both("max(0, age - from_age)", "max(0, age - 22)",
                  "max(0, age - P.contributions_from_age)", "max(0, age - 22)")),
    Mutation("entrants_without_education_credit", "hiring", "an entrant's education not counted towards the grade",
             both("grade[i] = min(grade_lo[hp] + counted // ypg + certificate_grade_bonus[cert[i]], grade_hi[hp])",
                  "grade[i] = min(grade_lo[hp] + certificate_grade_bonus[cert[i]], grade_hi[hp])",
                  "w.grade = min(int(P.grade_lo[p]) + counted // ypg + int(P.certificate_grade_bonus[w.cert]), int(P.grade_hi[p]))",
                  "w.grade = min(int(P.grade_lo[p]) + int(P.certificate_grade_bonus[w.cert]), int(P.grade_hi[p]))")),
    Mutation("recruits_for_seats_already_filled", "hiring", "seats filled by outside candidates at the election are recruited for again",
             both("in_post[p] += seats[p]", "in_post[p] += moved",
                  "- (d.elected_outside[p] if p < STAFF else 0)", "")),
    Mutation("elected_members_on_probation", "hiring", "outside candidates elected to a seat paid on probation like recruits",
             both("probation[i] = 0 if kind == 1 else min(probation_months, months[i])", "probation[i] = min(probation_months, months[i])",
                  "d.probation[w.wid] = 0 if kind == 1 else min(P.probation_months, d.months[w.wid])",
                  "d.probation[w.wid] = min(P.probation_months, d.months[w.wid])")),
    Mutation("elected_members_start_with_recruits", "hiring",
             "elected outside candidates start in the recruits' month, not when the old members leave",
             both("months[i] = 13 - (exit_month if kind == 1 else start_month)", "months[i] = 13 - start_month",
                  "d.months[w.wid] = 13 - (P.exit_month if kind == 1 else P.start_month)", "d.months[w.wid] = 13 - P.start_month")),
    # ---------------------------------------------------------------- 5. pay lines
    Mutation("probation_at_full_pay", "pay", "probation months paid at the full base",
             both("fen(base * (months - probation) + on_probation * probation)", "fen(base * months)")),
    Mutation("probation_below_the_legal_floor", "pay",
             "probation pay at the probation share of base pay even below 80 % of the post's lowest grade",
             both("return max(base * Y.probation_share, floor - (post_allow + seniority + cert_allow + career))",
                  "return base * Y.probation_share",
                  "return max(base * P.probation_pay_share, floor - (post_allow + seniority + cert_allow + career))",
                  "return base * P.probation_pay_share")),
    Mutation("performance_in_probation", "pay", "performance pay also in probation months",
             both("fen(perf * (months - probation))", "fen(perf * months)")),
    Mutation("post_allowance_full_year", "pay", "post allowance paid 12 months whatever the months worked",
             both("fen(post_allow * months)", "fen(post_allow * 12)")),
    Mutation("seniority_uncapped", "pay", "seniority allowance beyond the cap on years",
             both("Y.seniority_per_year * min(service, Y.seniority_cap)", "Y.seniority_per_year * service",
                  "float(P.seniority_allowance_per_year_monthly[t]) * min(service, P.seniority_cap_years)",
                  "float(P.seniority_allowance_per_year_monthly[t]) * service")),
    Mutation("certificate_allowance_full_year", "pay", "certificate allowance paid 12 months whatever the months worked",
             both("fen(cert_allow * months)", "fen(cert_allow * 12)")),
    Mutation("career_allowance_full_year", "pay", "career allowance paid 12 months whatever the months worked",
             both("fen(career * months)", "fen(career * 12)")),
    Mutation("wage_growth_lagged", "pay", "the reference wage grows at last year's rate",
             both("wage[t] = wage[t - 1] * (1.0 + P.wage_growth[t] + P.wage_growth_sd * z)",
                  "wage[t] = wage[t - 1] * (1.0 + P.wage_growth[t - 1] + P.wage_growth_sd * z)",
                  "wage[-1] * (1.0 + float(P.wage_growth[t]) + P.wage_growth_sd * z)",
                  "wage[-1] * (1.0 + float(P.wage_growth[t - 1]) + P.wage_growth_sd * z)")),
    Mutation("fen_truncates", "pay", "amounts truncated to the fen instead of rounded half up",
             both("return np.int64(math.floor(x * 100.0 + 0.5))", "return np.int64(math.floor(x * 100.0))",
                  "return int(math.floor(x * 100.0 + 0.5))", "return int(math.floor(x * 100.0))")),
    # ---------------------------------------------------------------- 5. contributions
    Mutation("base_not_floored", "contributions", "contributions on pay below the base floor",
             both("sb = min(max(gross, Y.floor), Y.ceiling)", "sb = min(gross, Y.ceiling)",
                  "sb = min(max(gross_m, P.base_floor_share[t] * A), P.base_ceiling_share[t] * A)",
                  "sb = min(gross_m, P.base_ceiling_share[t] * A)")),
    Mutation("base_not_capped", "contributions", "contributions on pay above the base ceiling",
             both("sb = min(max(gross, Y.floor), Y.ceiling)", "sb = max(gross, Y.floor)",
                  "sb = min(max(gross_m, P.base_floor_share[t] * A), P.base_ceiling_share[t] * A)",
                  "sb = max(gross_m, P.base_floor_share[t] * A)")),
    Mutation("limits_on_this_years_average", "contributions", "base limits and 计发基数 on this year's average wage, not last year's",
             ((ENGINE, "    A = avg_last[t]\n", "    A = avg_last[min(t + 1, avg_last.shape[0] - 1)]\n"),
              (ENGINE, "    A, g = avg_last[t], P.benefit_base_from[t]\n",
               "    A, g = avg_last[min(t + 1, avg_last.shape[0] - 1)], P.benefit_base_from[t]\n"),
              (REFERENCE, "W, A = d.wage[t], d.avg_last[t]", "W, A = d.wage[t], d.avg_last[min(t + 1, len(d.avg_last) - 1)]"),
              (REFERENCE, "P, t, A = d.P, d.t, d.avg_last[d.t]", "P, t, A = d.P, d.t, d.avg_last[min(d.t + 1, len(d.avg_last) - 1)]"))),
    Mutation("housing_fund_on_the_si_base", "contributions", "housing fund on the social-insurance base, not its own",
             both("vals[r, V_HOUSING] = fen(Y.er[4] * hb * m)", "vals[r, V_HOUSING] = fen(Y.er[4] * sb * m)",
                  '(hb if c.base == "housing" else sb)', "sb")),
    Mutation("work_injury_on_pay", "contributions", "work-injury premium on gross pay, not the clipped base",
             both("vals[r, V_ER_INJURY] = fen(Y.er[3] * sb * m)", "vals[r, V_ER_INJURY] = fen(Y.er[3] * gross * m)",
                  '(hb if c.base == "housing" else sb)', '(gross_m if c.rate == "work_injury" else hb if c.base == "housing" else sb)')),
    Mutation("pension_all_in_the_enterprise_scheme", "contributions",
             "the institution scheme's basic pension booked as the enterprise scheme's (30108 lost)",
             both("    vals[r, V_ER_PENSION] = pension * (1 - inst)\n    vals[r, V_ER_PENSION_INST] = pension * inst\n",
                  "    vals[r, V_ER_PENSION] = pension\n    vals[r, V_ER_PENSION_INST] = 0\n",
                  'if c.scheme in ("", scheme) else 0',
                  'if (c.scheme in ("", scheme) if c.rate != "pension" else c.scheme == "enterprise") else 0')),
    Mutation("annuity_for_everyone", "contributions", "occupational annuity charged outside the institution scheme",
             both("vals[r, V_ER_ANNUITY] = fen(Y.er[5] * sb * m) * inst", "vals[r, V_ER_ANNUITY] = fen(Y.er[5] * sb * m)",
                  'if c.scheme in ("", scheme) else 0', 'if c.scheme in ("", scheme) or c.rate == "annuity" else 0')),
    Mutation("employee_unemployment_omitted", "contributions", "the employee's unemployment share left out of si.employee_total",
             both("fen(Y.ee[1] * sb * m) + fen(Y.ee[2] * sb * m)", "fen(Y.ee[1] * sb * m)",
                  "fen(ee_rates[1] * sb * m) + fen(ee_rates[2] * sb * m)", "fen(ee_rates[1] * sb * m)")),
    Mutation("medical_on_the_housing_base", "contributions",
             "employer medical insurance on the housing-fund base, not the social-insurance base",
             both("vals[r, V_ER_MEDICAL] = fen(Y.er[1] * sb * m)", "vals[r, V_ER_MEDICAL] = fen(Y.er[1] * hb * m)",
                  '(hb if c.base == "housing" else sb)', '(hb if c.base == "housing" or c.rate == "medical" else sb)')),
    Mutation("employee_housing_fund_on_the_si_base", "contributions",
             "the employee's housing fund on the social-insurance base, not its own",
             both("+ fen(Y.ee[3] * sb * m) + fen(Y.ee[4] * hb * m)", "+ fen(Y.ee[3] * sb * m) + fen(Y.ee[4] * sb * m)",
                  "+ fen(ee_rates[4] * hb * m) + ee_a)", "+ fen(ee_rates[4] * sb * m) + ee_a)")),
    Mutation("employee_annuity_for_everyone", "contributions", "the employee's annuity share withheld outside the institution scheme",
             both("vals[r, V_EE_ANNUITY] = fen(Y.ee[5] * sb * m) * inst", "vals[r, V_EE_ANNUITY] = fen(Y.ee[5] * sb * m)",
                  "ee_a = fen(ee_rates[5] * sb * m) if inst else 0", "ee_a = fen(ee_rates[5] * sb * m)")),
    Mutation("union_fund_on_the_base", "other costs", "the union fund on the contribution base, not on the wage bill",
             both("vals[r, V_UNION] = fen(Y.union_fund_rate * (vals[r, V_PAY] / 100.0))",
                  "vals[r, V_UNION] = fen(Y.union_fund_rate * sb * m)",
                  "union = fen(P.union_fund_rate[t] * (pay / 100.0))", "union = fen(P.union_fund_rate[t] * sb * m)")),
    # ---------------------------------------------------------------- 5. pensions
    Mutation("pension_index_not_averaged", "pension", "basic pension on (1 + index) instead of (1 + index) / 2",
             both("return base * (1.0 + index) / 2.0 * (contrib_m / 12.0) * accrual",
                  "return base * (1.0 + index) * (contrib_m / 12.0) * accrual",
                  "pension = base * (1.0 + index) / 2.0 * (w.contrib_m / 12.0)", "pension = base * (1.0 + index) * (w.contrib_m / 12.0)")),
    # (Skipping the published 计发基数's own branch is no mutation: the ratio of that year gives the same figure,
    # up to the last bit; the branch is there so that a published figure is used exactly.)
    Mutation("benefit_base_ratio_dropped", "pension", "a year without a published 计发基数 on the average wage, not at the published ratio",
             both("return A * (P.benefit_base_monthly[g] / avg_last[g])", "return A",
                  "base = A * (float(P.benefit_base_monthly[g]) / d.avg_last[g])", "base = A")),
    Mutation("divisor_of_the_next_age", "pension", "计发月数 of the age one year older",
             both("months_divisor[min(max(age_years - 40, 0)", "months_divisor[min(max(age_years - 39, 0)",
                  "P.months_divisor[min(max(age_years - 40, 0)", "P.months_divisor[min(max(age_years - 39, 0)")),
    Mutation("annuity_not_in_pension", "pension", "the occupational annuity left out of the pension",
             both("amount += annuity[i] / div", "amount += 0.0", "pension += w.annuity / div", "pension += 0.0")),
    Mutation("account_not_credited", "pension", "the individual account earns no 记账利率",
             both("account[i] = account[i] * grow + fvals[r, F_ACCOUNT]", "account[i] = account[i] + fvals[r, F_ACCOUNT]",
                  "w.account = w.account * (1.0 + P.crediting_rate[t]) + ee_p / 100.0", "w.account = w.account + ee_p / 100.0")),
    Mutation("index_on_pay_not_base", "pension", "contribution index on gross pay, not the contribution base",
             both("fvals[r, F_INDEX] = sb / Y.avg", "fvals[r, F_INDEX] = gross / Y.avg",
                  "w.idx_sum += sb / A * m", "w.idx_sum += gross_m / A * m")),
    Mutation("replacement_on_the_base", "pension", "replacement rate over the contribution base, not gross pay",
             both("amount / fvals[r, F_GROSS] * 1e6", "amount / fvals[r, F_BASE] * 1e6",
                  "pension(d, w, gross_m)", "pension(d, w, sb)")),
    Mutation("opening_year_counted_twice", "pension", "the opening year's months added again to the roster's contribution months",
             both("        if t > 0:\n            # accounts:",
                  "        if t == 0:\n            contrib_m[i] += m\n        if t > 0:\n            # accounts:",
                  "        if t > 0:  # the opening roster's accounts",
                  "        if t == 0:\n            w.contrib_m += m\n        if t > 0:  # the opening roster's accounts")),
    # ---------------------------------------------------------------- 5. arrears
    Mutation("late_fee_on_the_whole_gap", "arrears", "late fee over the whole gap, not half of it on average",
             both("(t + m / 24.0)", "(t + m / 12.0)",
                  "(t + w.arrears_m / 24.0)", "(t + w.arrears_m / 12.0)")),
    Mutation("employee_share_of_arrears_not_paid", "arrears", "the employer pays only its own share of the back contributions",
             both("arrears_rate = P.employer[t, 0] + (employee_pension if P.employer_pays_employee_share == 1 else 0.0)",
                  "arrears_rate = P.employer[t, 0]",
                  "rate = P.employer[t, 0] + (P.employee[t, 0] if P.employer_pays_employee_share else 0.0)", "rate = P.employer[t, 0]")),
    Mutation("arrears_on_pay_not_base", "arrears", "back contributions on gross pay, not the contribution base",
             both("sb = fvals[r, F_BASE]", "sb = fvals[r, F_GROSS]",
                  "clear_arrears(d, w, sb)", "clear_arrears(d, w, gross_m)")),
    Mutation("arrears_months_not_credited", "arrears", "cleared arrears not counted as contribution months",
             both("contrib_m[i] += m_owed  #", "contrib_m[i] += 0  #", "w.contrib_m += w.arrears_m", "w.contrib_m += 0")),
    Mutation("cleared_months_at_index_0", "arrears", "cleared arrears counted as months but not in the contribution index",
             both("idx_sum[i] += fvals[r, F_INDEX] * m_owed", "idx_sum[i] += 0.0",
                  "w.idx_sum += sb / d.avg_last[t] * w.arrears_m", "w.idx_sum += 0.0")),
    # ---------------------------------------------------------------- 6. progression
    Mutation("failed_review_counts", "progression", "a failed review still counts towards the next grade",
             ((ENGINE, "y = yig + passed", "y = yig + 1"),
              (ENGINE, "up = passed and y >=", "up = y >="),
              (REFERENCE, "if not d.failed[w.wid]:", "if True:"))),
    Mutation("grade_cap_ignored", "progression", "grade steps beyond the top of the post's range",
             both(" and grade < grade_top", "", " and w.grade < P.grade_hi[w.post]", "")),
    Mutation("step_after_four_years", "progression", "a grade after more than years_per_grade years",
             both("y >= years_per_grade", "y > years_per_grade",
                  "w.yig >= P.years_per_grade[t]", "w.yig > P.years_per_grade[t]")),
    Mutation("hires_progress_in_their_first_year", "progression", "the year's hires count their first part-year towards the next grade",
             both("            if hired_t[i] != t:\n                grade[i], yig[i] = progression(",
                  "            if True:\n                grade[i], yig[i] = progression(",
                  "    for w in stayers(d):\n        if not d.failed[w.wid]:", "    for w in d.in_post:\n        if not d.failed[w.wid]:")),
    # ---------------------------------------------------------------- 7. certificates
    Mutation("exam_a_year_early", "certificates", "eligible for the exam a year of service early",
             both("service < need_service", "service + 1 < need_service",
                  "w.service >= P.min_service_years[c, w.edu]", "w.service + 1 >= P.min_service_years[c, w.edu]")),
    Mutation("no_senior_exam", "certificates", "intermediate holders never sit the senior exam",
             both("cert >= 3 or service", "cert >= 2 or service", "if c < 3 and w.service", "if c < 2 and w.service")),
    Mutation("no_grade_bonus", "certificates", "a pass gives the level but not its grade bonus",
             both("grade[i] = min(grade[i] + certificate_grade_bonus[c + 1] - certificate_grade_bonus[c], grade_hi[p])",
                  "grade[i] = grade[i]",
                  "w.grade = min(w.grade + int(P.certificate_grade_bonus[c + 1] - P.certificate_grade_bonus[c]), int(P.grade_hi[w.post]))",
                  "w.grade = w.grade")),
    Mutation("grade_bonus_uncapped", "certificates", "the grade bonus lifts a worker above the post's range",
             both("grade[i] = min(grade[i] + certificate_grade_bonus[c + 1] - certificate_grade_bonus[c], grade_hi[p])",
                  "grade[i] = grade[i] + certificate_grade_bonus[c + 1] - certificate_grade_bonus[c]",
                  "w.grade = min(w.grade + int(P.certificate_grade_bonus[c + 1] - P.certificate_grade_bonus[c]), int(P.grade_hi[w.post]))",
                  "w.grade = w.grade + int(P.certificate_grade_bonus[c + 1] - P.certificate_grade_bonus[c])")),
    Mutation("hires_sit_exams_in_their_first_year", "certificates", "the year's hires sit the exam in the year they join",
             both("grade_hi[p])\n                c = cert[i]\n", "grade_hi[p])\n            if True:\n                c = cert[i]\n",
                  "    for w in stayers(d):\n        c = w.cert", "    for w in d.in_post:\n        c = w.cert")),
    Mutation("pass_subsidy_for_every_sitting", "certificates", "the exam subsidy per pass paid to every candidate who sits",
             ((ENGINE, "subsidy = per_sitter[t, c]", "subsidy = per_sitter[t, c] + per_pass[t, c]"),
              (ENGINE, "subsidy += per_pass[t, c]", "subsidy += 0"),
              (REFERENCE, "subsidy = int(P.per_sitter[t, c]) + (int(P.per_pass[t, c]) if passed else 0)",
               "subsidy = int(P.per_sitter[t, c]) + int(P.per_pass[t, c])"))),
    # ---------------------------------------------------------------- 8. ageing
    Mutation("no_ageing", "ageing", "service years do not grow",
             both("service[i] = ageing(service[i])", "service[i] = service[i]", "w.service += 1", "w.service += 0")),
    # ---------------------------------------------------------------- 5. the wage-bill bridge
    Mutation("bridge_certificates_in_progression", "bridge", "the certificate allowance change counted as progression",
             both("cert_step = vals[r, V_CERT_PREV_PRICES] - fen(certificate_allowance_monthly[t - 1, qcert[i]] * 12)",
                  "cert_step = np.int64(0)",
                  "with_old_cert = sum(annual_pay(P, t - 1, wage[t - 1], (post, grade, w.last_jan[2], service), w.regime, 12, 0))",
                  "with_old_cert = sum(annual_pay(P, t - 1, wage[t - 1], w.jan, w.regime, 12, 0))")),
    Mutation("bridge_second_year_hires_as_stayers", "bridge", "last year's hires split into progression and uprating",
             both("elif hired_t[i] == t - 1:", "elif False:", "elif w.hired_t == t - 1:", "elif False:")),
    Mutation("bridge_contributions_in_uprating", "bridge", "the change in employer contributions counted as uprating",
             ((ENGINE, "br_uprate += amount - pay_b", "br_uprate += amount - pay_b + er - W.prev_er[i]"),
              (ENGINE, "br_contrib += er - prev_er[i]", "br_contrib += 0"),
              (REFERENCE, "d.tally(M.R_BR_UPRATE, pay - with_new_cert)", "d.tally(M.R_BR_UPRATE, pay - with_new_cert + er - w.prev_er)"),
              (REFERENCE, "d.tally(M.R_BR_CONTRIB, er - w.prev_er)", "d.tally(M.R_BR_CONTRIB, 0)"))),
]


def apply(mutation: Mutation, texts: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The mutated texts and the problems (an old text not found exactly once: the snippet is stale)."""
    out, stale = dict(texts), []
    for file, old, new in mutation.edits:
        n = out[file].count(old)
        if n != 1:
            stale.append(f"{file}: {'not found' if n == 0 else f'found {n} times'}: {old[:70]!r}")
            continue
        out[file] = out[file].replace(old, new)
    return out, stale


def snapshot(ref: str, into: Path) -> None:
    """The committed tree at ``ref`` (never the working folder, where others may be editing)."""
    archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=ROOT, check=True, capture_output=True).stdout
    with tempfile.TemporaryFile() as f:
        f.write(archive)
        f.seek(0)
        with tarfile.open(fileobj=f) as tar:
            tar.extractall(into, filter="data")


def pytest_run(tree: Path, env: dict, args: list[str], timeout: float) -> tuple[list[tuple[str, str]], str]:
    """One pytest run in ``tree``: ([(failing test id, why), ...] in the order they ran, problem), where the
    problem is '' when pytest ran (whatever the outcome), else 'timeout' or 'error: <last lines>'."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:randomly", "-p", "no:cacheprovider", *args]
    try:
        proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=max(timeout, 1))
    except subprocess.TimeoutExpired:
        return [], "timeout"
    failed = []
    for line in proc.stdout.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            head, _, why = line.partition(" - ")
            failed.append((head.split()[1], why.strip()))
    if failed or proc.returncode in (0, 5):  # 5: nothing collected (every file of the run left out)
        return failed, ""
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
    return [], "error: " + " | ".join(tail)


def run_suite(tree: Path, ignore: list[str], timeout: int, quick: bool = False, deselect: tuple = (),
              stop_first: bool = True) -> tuple[list[tuple[str, str]], str, float]:
    """(failing tests [(id, why), ...] in the order they ran: the first is the killer; problem: '' when the
    suite ran, else 'timeout' or 'error: ...'; seconds) of the suite in ``tree``.

    Two pytest runs: the rule tests (FIRST, in that order), then, unless ``quick`` or a rule test already
    failed, the rest of the suite. (Given both the files and their folder, pytest runs the folder's files in
    name order, so a single run would not try the rule tests first.) The second run reuses the numba cache
    the first one wrote in the tree."""
    env = dict(os.environ, PYTHONPATH=str(tree), NUMBA_CACHE_DIR=str(tree / ".numba_cache"), NUMBA_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1", COLUMNS="240")
    env.pop("HYPOTHESIS_PROFILE", None)
    first = [f for f in FIRST if f not in ignore]
    common = [*(["-x"] if stop_first else []), *EXCLUDED, *(f"--ignore={p}" for p in ignore),
              *(f"--deselect={d}" for d in deselect)]
    start = time.monotonic()
    failed, problem = pytest_run(tree, env, [*common, *first], timeout)
    if problem or quick or (failed and stop_first):
        return failed, problem, time.monotonic() - start
    rest, problem = pytest_run(tree, env, [*common, *(f"--ignore={f}" for f in first), "tests"],
                               timeout - (time.monotonic() - start))
    return failed + rest, problem, time.monotonic() - start


def kind_of_failure(why: str) -> str:
    """'' when a test's check failed (an assertion, pytest.raises or pytest.fail), else the exception raised:
    a mutation that makes the code raise is caught, but not by a check of the rule's value."""
    raised = re.match(r"([A-Za-z_][\w.]*)(:|$)", why)  # 'ValueError: ...'; a failed assert reads 'assert ...'
    return raised.group(1) if raised and raised.group(1) not in ("AssertionError", "Failed") else ""


def worker_tree(base: Path, k: int, ref: str) -> Path:
    tree = base / f"tree{k}"
    snapshot(ref, tree)
    return tree


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="HEAD", help="the commit to mutate (default HEAD)")
    ap.add_argument("--only", default="", help="comma-separated mutation names")
    ap.add_argument("--ignore", action="append", default=[], help="a test file left out (repeatable)")
    ap.add_argument("--jobs", type=int, default=1, help="mutations run side by side (each in its own copy)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per mutation")
    ap.add_argument("--quick", action="store_true", help="only the rule tests (FIRST), not the whole suite")
    ap.add_argument("--list", action="store_true", help="list the mutations and check their snippets, run nothing")
    ap.add_argument("--no-control", action="store_true", help="skip the unmutated run (which finds the tests failing already)")
    ap.add_argument("--deselect", action="append", default=[], help="a test left out, e.g. one failing without a mutation")
    args = ap.parse_args(argv)

    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only.split(",")]
    if args.only and len(chosen) != len(args.only.split(",")):
        print(f"unknown mutation in --only: {args.only}", file=sys.stderr)
        return 2
    names = [m.name for m in MUTATIONS]
    assert len(set(names)) == len(names), "duplicate mutation names"

    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        base = Path(tmp)
        jobs = max(1, min(args.jobs, len(chosen)))
        trees = [worker_tree(base, k, args.ref) for k in range(jobs)]
        originals = {f: (trees[0] / f).read_text(encoding="utf-8") for f in (ENGINE, REFERENCE)}
        stale = {m.name: apply(m, originals)[1] for m in chosen}
        if args.list:
            for m in chosen:
                print(f"{m.name:40} {m.step:14} {'STALE ' + '; '.join(stale[m.name]) if stale[m.name] else m.description}")
            return 1 if any(stale.values()) else 0
        commit = subprocess.run(['git', 'rev-parse', '--short', args.ref], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        ignored = ''.join(', ' + p for p in args.ignore)
        print(f"mutating {args.ref} ({commit}); {'rule tests' if args.quick else 'suite'} without tests/test_golden.py, "
              f"the engine-equals-reference tests{ignored}", flush=True)
        broken: tuple = tuple(args.deselect)
        if not args.no_control:
            failed, problem, seconds = run_suite(trees[0], args.ignore, args.timeout, args.quick, stop_first=False)
            print(f"control (no mutation): {len(failed)} failing in {seconds:.0f} s", flush=True)
            if problem:
                print(f"the unmutated suite does not run: {problem}", file=sys.stderr)
                return 1
            if failed:  # a test that fails without any mutation cannot tell us anything: left out, loudly
                for test, why in failed:
                    print(f"  {test}: {why}", flush=True)
                broken += tuple(sorted({f.split("[")[0] for f, _ in failed}))
                print("WARNING: failing before any mutation, left out of every run: " + ", ".join(broken), flush=True)
        free = list(trees)
        import threading

        lock = threading.Lock()

        def one(m: Mutation):
            if stale[m.name]:
                return m, "STALE: " + "; ".join(stale[m.name]), "", 0.0
            with lock:
                tree = free.pop()
            try:
                texts, _ = apply(m, originals)
                for f, text in texts.items():
                    (tree / f).write_text(text, encoding="utf-8")
                failed, problem, seconds = run_suite(tree, args.ignore, args.timeout, args.quick, broken)
                outcome, why = failed[0] if failed else (problem or "passed", "")
            finally:
                for f, text in originals.items():
                    (tree / f).write_text(text, encoding="utf-8")
                with lock:
                    free.append(tree)
            print(f"  {m.name:40} {outcome} ({seconds:.0f} s){' - ' + why[:150] if why else ''}", flush=True)
            return m, outcome, why, seconds

        with ThreadPoolExecutor(jobs) as pool:
            results = list(pool.map(one, chosen))

    print()
    print("| # | mutation | step | what changes | killed by |")
    print("|---|---|---|---|---|")
    for i, (m, outcome, why, _) in enumerate(results, 1):
        shown = "**SURVIVED**" if outcome == "passed" else f"`{outcome}`" if not outcome.startswith("STALE") else f"**{outcome}**"
        if kind_of_failure(why):
            shown += f" (raised {kind_of_failure(why)})"
        print(f"| {i} | `{m.name}` | {m.step} | {m.description} | {shown} |")
    counted = [o for _, o, _, _ in results if not o.startswith("STALE")]
    killed = [o for o in counted if o != "passed"]
    n_stale = len(results) - len(counted)
    print()
    print(f"score: {len(killed)} of {len(counted)} mutations killed ({100.0 * len(killed) / max(len(counted), 1):.0f} %)"
          + (f"; {n_stale} STALE (snippet not found: update the list)" if n_stale else ""))
    if broken:
        print("left out (failing without any mutation): " + ", ".join(broken))
    survivors = [m.name for m, o, _, _ in results if o == "passed"]
    if survivors:
        print("survivors: " + ", ".join(survivors))
    return 0 if not survivors and not n_stale else 1


if __name__ == "__main__":
    sys.exit(main())
