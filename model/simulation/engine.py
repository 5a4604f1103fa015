"""The fast engine: a compiled year loop over workers. Threads take whole draws a few at a time; with
fewer draws than threads, each draw's workers are split into shards, one per thread (see simulate_draw).

The rules are those of ``reference.py`` (the executable specification, written per worker for
clarity); a test checks that both give the same raw tallies to the fen. Steps of a year, in order
(state is as at 1 January; t = 0 is the opening year, which only prices the opening stock):

1. retirement   at the statutory age (2025 reform by birth cohort, sex and original age) the contract
                ends: with the minimum contribution years of that year, a pension; short of them, the
                worker leaves without one (exits.retirement_short). Only where the scenario says the
                employer keeps such workers on (max_deferral_years > 0) do they stay until they reach it
2. other exits  attrition by post and early service (leave in ``exit_month``); the annual review:
                after ``dismiss_after_fails`` consecutive failures, dismissal (same month)
3. elections    in election years: 两委 members without a certificate cannot stand (when required),
                others are not returned with probability ``turnover``; a post above its quota loses
                its surplus (lowest random keys), moved into vacant staff posts or leaving. The seats
                left vacant are filled at the election, outside the recruitment cap: ``from_staff_share``
                of them by full-time staff (certified where required) moving up, the rest by outside
                candidates, who take their seats in ``exit_month`` without probation
4. hiring       vacancies per post (quota - headcount) x fill rate, in post order, within the yearly cap;
                hires start in ``start_month`` with probation pay; entrants' profiles by post and year
5. pay          grade, post, certificate and service as at 1 January (moves in the year count from
                next January); months worked; employer and employee contributions on the clipped base;
                pension of this year's retirees; arrears clearance. Full-year workers are priced once
                per pay cell and year, others one by one (same amounts, fewer computations)
6. progression  a passed review adds a year towards the next grade (years_per_grade), within the post range
7. certificates eligible non-holders sit the next level's exam; a pass adds the level and its grade bonus;
                a policy's exam subsidy is paid per sitting and per pass (cost.other.exam_subsidy)
8. ageing       service years +1 for everyone in post at the year end
Hires of the year take part in steps 6-7 from the next year on.
"""

from __future__ import annotations

import math
import threading
import types
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from numba import get_num_threads, njit, prange

from model.simulation import rng
from model.lines import CONTRIBUTIONS, PAY_PARTS
from model.simulation.metrics import (
    N_RAW, RAW, R_AGE_MONTHS, R_ARR_CLEARED, R_ARR_FEES, R_ARR_OUT, R_ARR_POST, R_ARR_PRINCIPAL, R_ARR_REGIME,
    R_BR_CERT, R_BR_CONTRIB, R_BR_EXITS, R_BR_HIRES, R_BR_PROG, R_BR_UPRATE, R_CERT, R_COST_POST, R_COST_REGIME,
    R_ELECTED_CERT, R_ELECTED_OUT, R_ELECTED_STAFF, R_EXAM_SUBSIDY, R_EXIT_ATT, R_EXIT_DIS, R_EXIT_ELE, R_EXIT_RET,
    R_EXIT_SHORT, R_EXITS_POST, R_GRADE, R_HC, R_HIRES, R_MOVES, R_OTHER_POST, R_OTHER_REGIME, R_PASSES,
    R_PENSION_SUM, R_QUOTA, R_REGIME, R_REPL_PPM, R_RETIREES, R_SAT, R_UNION_FUND,
)

STAFF = 3
# Bytes of one worker slot in a running draw (simulate_draw): 3 int64, 6 float64 and 1 uint64 = 80;
# 5 int32 = 20; 4 int16 = 8; 14 int8 and 2 bool = 16.
STATE_BYTES_PER_SLOT = 80 + 20 + 8 + 16
NOT_EXITED, RETIRED, ATTRITED, DISMISSED, ELECTED_OUT, RETIRED_SHORT = 0, 1, 2, 3, 4, 5

R_HC_A = np.array(R_HC)
R_QUOTA_A = np.array(R_QUOTA)
R_HIRES_A = np.array(R_HIRES)
R_EXITS_POST_A = np.array(R_EXITS_POST)
R_MOVES_A = np.array(R_MOVES)
R_ELECTED_STAFF_A = np.array(R_ELECTED_STAFF)
R_ELECTED_OUT_A = np.array(R_ELECTED_OUT)
R_CERT_A = np.array(R_CERT)
R_GRADE_A = np.array(R_GRADE)
R_REGIME_A = np.array(R_REGIME)
R_COST_POST_A = np.array(R_COST_POST)
R_COST_REGIME_A = np.array(R_COST_REGIME)
R_ARR_POST_A = np.array(R_ARR_POST)
R_ARR_REGIME_A = np.array(R_ARR_REGIME)
R_OTHER_POST_A = np.array(R_OTHER_POST)
R_OTHER_REGIME_A = np.array(R_OTHER_REGIME)
EXIT_RAW = np.array([0, R_EXIT_RET, R_EXIT_ATT, R_EXIT_DIS, R_EXIT_ELE, R_EXIT_SHORT])


@njit(cache=True)
def fen(x):
    """Yuan to whole fen, half up: the one rounding rule, applied once per amount per worker-year."""
    return np.int64(math.floor(x * 100.0 + 0.5))


@njit(cache=True)
def statutory_month(male_age, female_age, female, birth_m, post, reform):
    """statutory_retirement_month of a worker of this sex, birth month and post (women's original age is by post)."""
    orig = male_age if female == 0 else female_age[post]
    return statutory_retirement_month(female, birth_m, orig, reform)


@njit(cache=True)
def statutory_retirement_month(female, birth_m, original_age, reform):
    """Month (year*12 + month-1) of reaching the statutory age under the 2024 NPCSC decision.

    Men 60 -> 63 and women 55 -> 58: +1 month per 4 months of birth after Jan 1965 / Jan 1970, at most 36;
    women 50 -> 55: +1 month per 2 months of birth after Jan 1975, at most 60.
    """
    base = birth_m + original_age * 12
    if not reform:
        return base
    if female == 0:
        start, step, cap = 1965 * 12, 4, 36
    elif original_age == 55:
        start, step, cap = 1970 * 12, 4, 36
    else:
        start, step, cap = 1975 * 12, 2, 60
    b = birth_m - start
    if b < 0:
        return base
    return base + min(cap, b // step + 1)


@njit(cache=True)
def retirement_exit(stat, contrib_m, y_start, opening_year, min_contrib_months, max_deferral_months):
    """(exit month, short) of a worker who reaches the statutory age in month ``stat``, with ``contrib_m``
    months contributed by 1 January of the year that starts in month ``y_start``.

    The labour contract ends at the statutory age (《劳动合同法实施条例》 art. 21). A pension needs the
    minimum contribution years of the year the age is reached (2024 NPCSC decision, annexed 办法 art. 4:
    15 years, +6 months a year from 2030, 20 from 2039; 《社会保险法》 art. 16). The worker contributes
    in every month worked, so the minimum is met in month y_start + (minimum - contrib_m). Short of it at
    the statutory age, the worker leaves without a monthly pension (short = True), unless the scenario lets
    the employer keep them on for up to ``max_deferral_months`` (an assumption, 0 by default).
    """
    t_stat = min(max(stat // 12 - opening_year, 0), min_contrib_months.shape[0] - 1)
    need = min_contrib_months[t_stat] - contrib_m
    if need <= 0:  # met by 1 January
        return max(stat, y_start), False
    met = max(stat, y_start + need)  # the month the minimum is met, not before the age
    if met > stat + max_deferral_months:
        return stat + max_deferral_months, True
    return met, False


@njit(cache=True)
def monthly_pension(base, index, contrib_m, accrual, account, divisor):
    """Monthly basic pension at retirement, yuan (国发〔2005〕38号):

    basic pension    = 计发基数 x (1 + mean contribution index) / 2 x contribution years x accrual (1%)
    account pension  = individual-account balance / 计发月数 (months divisor of the age at retirement)

    ``base`` is the 计发基数 of the year of retirement (benefit_base), ``contrib_m`` months.
    """
    return base * (1.0 + index) / 2.0 * (contrib_m / 12.0) * accrual + account / divisor


class PayRates(NamedTuple):
    """One year's pay scale and contribution rates, taken from Params at the start of the year.

    Per-worker helpers take this small tuple rather than Params: numba pays about 30 ns per call to pass
    a tuple as large as Params into a function (reference counts of its every array), this one costs nothing.
    """

    wage: float  # reference wage, yuan a month
    coef: np.ndarray  # [post, grade-1]
    perf_share: float
    probation_share: float
    post_allow: np.ndarray  # [post]
    seniority_per_year: float
    seniority_cap: int
    cert_allow: np.ndarray  # [level]
    career_allow: np.ndarray  # [regime]
    floor: float  # contribution base limits, yuan a month
    ceiling: float
    hf_floor: float
    hf_ceiling: float
    er: np.ndarray  # [line] employer rates
    ee: np.ndarray  # [line] employee rates
    institution: np.ndarray  # [regime] 1 if in the institution scheme (annuity)
    union_fund_rate: float  # the union fund (cost.other.union_fund) as a share of gross pay
    avg: float  # last year's provincial average wage, yuan a month (limits, contribution index)


@njit(cache=True)
def pay_rates(P, t, wage, avg_last):
    """The PayRates of year t, for the draw's reference wage path and last year's average wage.

    Contribution base limits of year t = floor/ceiling share x the provincial average wage of year t - 1
    (国办发〔2019〕13号: 上年度全口径城镇单位就业人员平均工资); the housing fund's limits likewise.
    """
    A = avg_last[t]
    return PayRates(wage[t], P.grade_coefficients, P.performance_share[t], P.probation_pay_share, P.post_allowance_monthly[t],
                    P.seniority_allowance_per_year_monthly[t], P.seniority_cap_years, P.certificate_allowance_monthly[t],
                    P.career_allowance_monthly[t], P.base_floor_share[t] * A, P.base_ceiling_share[t] * A,
                    P.housing_fund_floor_share[t] * A, P.housing_fund_ceiling_share[t] * A, P.employer[t], P.employee[t], P.institution,
                    P.union_fund_rate[t], A)


@njit(cache=True)
def benefit_base(P, t, avg_last):
    """The pension's 计发基数 of year t, yuan a month: the city's published figure of the year, else last year's
    average wage x the ratio of 计发基数 to it in the year given that t follows (P.benefit_base_from; none given:
    the average wage itself)."""
    A, g = avg_last[t], P.benefit_base_from[t]
    if P.benefit_base_monthly[t] > 0:
        return P.benefit_base_monthly[t]
    if g >= 0:
        return A * (P.benefit_base_monthly[g] / avg_last[g])
    return A


@njit(cache=True, inline="always")
def monthly_pay(Y, post, grade, cert, service, regime):
    """Monthly pay parts in yuan: base = wage x coefficient; performance = base x share; allowances."""
    base = Y.wage * Y.coef[post, grade - 1]
    return (base, base * Y.perf_share, Y.post_allow[post], Y.seniority_per_year * min(service, Y.seniority_cap),
            Y.cert_allow[cert], Y.career_allow[regime])


@njit(cache=True)
def probation_floors(Y, lowest, floor_share):
    """The legal floor of a month's pay on probation at rates Y, yuan, by [post, regime]: ``floor_share`` x the
    monthly pay of the post's lowest grade (``lowest[post]``) with no service and no certificate (《劳动合同法》
    art. 20, 实施条例 art. 15: 不得低于本单位相同岗位最低档工资的80%; the law's other floor, 80 % of the agreed pay,
    is the higher one: the lowest grade is the least a recruit is placed at)."""
    floors = np.empty((Y.coef.shape[0], Y.career_allow.shape[0]))
    for post in range(floors.shape[0]):
        for regime in range(floors.shape[1]):
            low = monthly_pay(Y, post, lowest[post], 0, 0, regime)
            floors[post, regime] = floor_share * (low[0] + low[1] + low[2] + low[3] + low[4] + low[5])
    return floors


@njit(cache=True, inline="always")
def probation_base(Y, monthly, floor):
    """Monthly base pay on probation, yuan: the probation share of base pay, raised where needed so that the month's
    pay (allowances in full, no performance pay) reaches ``floor`` (probation_floors)."""
    base, perf, post_allow, seniority, cert_allow, career = monthly
    return max(base * Y.probation_share, floor - (post_allow + seniority + cert_allow + career))


@njit(cache=True, inline="always")
def annual_pay_fen(Y, monthly, months, probation, on_probation):
    """Annual pay parts in fen for ``months`` paid, of which ``probation`` at the monthly base ``on_probation``
    (probation_base) without performance pay."""
    base, perf, post_allow, seniority, cert_allow, career = monthly
    return (fen(base * (months - probation) + on_probation * probation),
            fen(perf * (months - probation)),
            fen(post_allow * months),
            fen(seniority * months),
            fen(cert_allow * months),
            fen(career * months))


# Columns of a priced row (int64, fen): the tallied lines first, in the order of LINE_RAW.
V_BASE, V_PERF, V_POSTALLOW, V_SENIORITY, V_CERTALLOW, V_CAREER = 0, 1, 2, 3, 4, 5
V_ER_PENSION, V_ER_PENSION_INST, V_ER_MEDICAL, V_ER_UNEMP, V_ER_INJURY, V_ER_ANNUITY, V_HOUSING = 6, 7, 8, 9, 10, 11, 12
V_EE_TOTAL, V_EE_PENSION, V_EE_ANNUITY, V_PAY, V_ER, V_PAY_PREV_PRICES, V_CERT_PREV_PRICES = 13, 14, 15, 16, 17, 18, 19
V_UNION = 20  # cost.other.union_fund
N_V = 21
# The tallied columns by name: the pay parts and the employer's contributions in the declared orders
# (model.lines: PAY_PARTS, CONTRIBUTIONS), then the employees' total.
V_LINES = PAY_PARTS + tuple(x.metric for x in CONTRIBUTIONS) + ("si.employee_total",)
LINE_RAW = np.array([RAW[m] for m in V_LINES])
if (V_BASE, V_ER_PENSION, V_ER_PENSION_INST, V_ER_MEDICAL, V_ER_UNEMP, V_ER_INJURY, V_ER_ANNUITY, V_HOUSING,
        V_EE_TOTAL) != tuple(V_LINES.index(m) for m in (
            "pay.base", "si.employer_pension_enterprise", "si.employer_pension_institution", "si.employer_medical",
            "si.employer_unemployment", "si.employer_work_injury", "si.occupational_annuity", "cost.housing_fund",
            "si.employee_total")) or len(PAY_PARTS) != 6:
    raise ImportError("engine.V_* columns do not follow the lines declared in model/lines.py")
# Float columns: contribution base and gross pay (yuan a month); what the accounts gain (yuan): the individual
# account's contribution, the annuity's, and the contribution index of one month (base / average wage)
F_BASE, F_GROSS, F_ACCOUNT, F_ANNUITY, F_INDEX = 0, 1, 2, 3, 4
N_F = 5


@njit(cache=True, inline="always")
def price(Y, Y_prev, probation_floor, post, grade, cert, service, regime, months, probation, vals, fvals, r):
    """Price one worker-year at rates Y into vals[r] (fen) and fvals[r] (yuan a month).

    Pay parts for ``months`` paid, ``probation`` of them without performance pay at the probation base pay
    (probation_base; ``probation_floor`` is the legal floor of a probation month's pay, probation_floors);
    contributions = rate x base x months on monthly gross pay clipped to [floor, ceiling], the basic pension in
    the line of the worker's pension scheme and the annuity in the institution scheme only;
    and the full-year pay at last year's rates Y_prev (the bridge's counterfactual).
    Each amount is rounded to the fen once.
    """
    monthly = monthly_pay(Y, post, grade, cert, service, regime)
    parts = annual_pay_fen(Y, monthly, months, probation, probation_base(Y, monthly, probation_floor))
    vals[r, V_BASE] = parts[0]; vals[r, V_PERF] = parts[1]; vals[r, V_POSTALLOW] = parts[2]
    vals[r, V_SENIORITY] = parts[3]; vals[r, V_CERTALLOW] = parts[4]; vals[r, V_CAREER] = parts[5]
    gross = monthly[0] + monthly[1] + monthly[2] + monthly[3] + monthly[4] + monthly[5]
    sb = min(max(gross, Y.floor), Y.ceiling)
    hb = min(max(gross, Y.hf_floor), Y.hf_ceiling)
    inst = Y.institution[regime]  # 1 or 0
    m = months
    pension = fen(Y.er[0] * sb * m)  # the basic pension, in the line of the worker's scheme
    vals[r, V_ER_PENSION] = pension * (1 - inst)
    vals[r, V_ER_PENSION_INST] = pension * inst
    vals[r, V_ER_MEDICAL] = fen(Y.er[1] * sb * m)
    vals[r, V_ER_UNEMP] = fen(Y.er[2] * sb * m)
    vals[r, V_ER_INJURY] = fen(Y.er[3] * sb * m)
    vals[r, V_HOUSING] = fen(Y.er[4] * hb * m)
    vals[r, V_ER_ANNUITY] = fen(Y.er[5] * sb * m) * inst
    vals[r, V_EE_PENSION] = fen(Y.ee[0] * sb * m)
    vals[r, V_EE_ANNUITY] = fen(Y.ee[5] * sb * m) * inst
    vals[r, V_EE_TOTAL] = (vals[r, V_EE_PENSION] + fen(Y.ee[1] * sb * m) + fen(Y.ee[2] * sb * m)
                           + fen(Y.ee[3] * sb * m) + fen(Y.ee[4] * hb * m) + vals[r, V_EE_ANNUITY])
    vals[r, V_PAY] = parts[0] + parts[1] + parts[2] + parts[3] + parts[4] + parts[5]
    vals[r, V_ER] = (pension + vals[r, V_ER_MEDICAL] + vals[r, V_ER_UNEMP] + vals[r, V_ER_INJURY]
                     + vals[r, V_HOUSING] + vals[r, V_ER_ANNUITY])
    b = annual_pay_fen(Y_prev, monthly_pay(Y_prev, post, grade, cert, service, regime), 12, 0, 0.0)
    vals[r, V_PAY_PREV_PRICES] = b[0] + b[1] + b[2] + b[3] + b[4] + b[5]
    vals[r, V_CERT_PREV_PRICES] = b[4]
    vals[r, V_UNION] = fen(Y.union_fund_rate * (vals[r, V_PAY] / 100.0))
    fvals[r, F_BASE] = sb
    fvals[r, F_GROSS] = gross
    fvals[r, F_ACCOUNT] = vals[r, V_EE_PENSION] / 100.0
    fvals[r, F_ANNUITY] = (vals[r, V_ER_ANNUITY] + vals[r, V_EE_ANNUITY]) / 100.0
    fvals[r, F_INDEX] = sb / Y.avg


@njit(cache=True, inline="always")
def tally_row(raw, t, vals, r, count, post, regime):
    """Add ``count`` workers priced as row r of ``vals`` to the year's tallies: each line, and the cost by post and regime."""
    for j in range(LINE_RAW.shape[0]):
        raw[t, LINE_RAW[j]] += count * vals[r, j]
    cost = count * (vals[r, V_PAY] + vals[r, V_ER])
    raw[t, R_COST_POST_A[post]] += cost
    raw[t, R_COST_REGIME_A[regime]] += cost
    union = count * vals[r, V_UNION]  # a cost.other.* line: by post and regime with the other lines
    raw[t, R_UNION_FUND] += union
    raw[t, R_OTHER_POST_A[post]] += union
    raw[t, R_OTHER_REGIME_A[regime]] += union


@njit(cache=True)
def draw_paths(P, seed, draw):
    """Per-draw reference wage wage[t], last year's provincial average wage avg_last[t], and the two rate multipliers.

    The average wage of a year is the published figure where there is one (P.average_wage_monthly), else
    A_y = A_(y-1) x (1 + g_avg + sd x z_t) (the opening year, if not published, grows without a shock);
    W_t = link_t x A_(t-1) where linked, else W_(t-1) x (1 + g + sd x z_t), with z_t one standard-normal
    shock per draw and year, common to both. avg_last[t] = A_(t-1) is the 上年度 figure used in year t.
    """
    n = P.n_years
    wage = np.empty(n)
    avg_year = np.empty(n + 1)  # avg_year[k]: the average wage of year opening_year - 1 + k
    wage[0] = P.reference_wage_monthly
    avg_year[0] = P.average_wage_monthly[0]
    known = P.average_wage_monthly
    avg_year[1] = known[1] if known[1] > 0 else known[0] * (1.0 + P.average_wage_growth[0])
    for t in range(1, n):
        year = P.opening_year + t
        u1 = rng.uniform_nb(seed, draw, rng.GLOBAL_WORKER, year, rng.WAGE_SHOCK)
        u2 = rng.uniform_nb(seed, draw, rng.GLOBAL_WORKER, year, rng.WAGE_SHOCK + 1000)
        z = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
        if P.average_wage_monthly[t + 1] > 0:
            avg_year[t + 1] = P.average_wage_monthly[t + 1]
        else:
            avg_year[t + 1] = avg_year[t] * (1.0 + P.average_wage_growth[t] + P.wage_growth_sd * z)
        if P.link_to_average_wage[t] > 0:
            wage[t] = P.link_to_average_wage[t] * avg_year[t]
        else:
            wage[t] = wage[t - 1] * (1.0 + P.wage_growth[t] + P.wage_growth_sd * z)
    ua = rng.uniform_nb(seed, draw, rng.GLOBAL_WORKER, 0, rng.ATTRITION_SCALE)
    up = rng.uniform_nb(seed, draw, rng.GLOBAL_WORKER, 0, rng.PASS_SCALE)
    att_mult = P.attrition_multiplier_low + (P.attrition_multiplier_high - P.attrition_multiplier_low) * ua
    pass_mult = P.pass_rate_multiplier_low + (P.pass_rate_multiplier_high - P.pass_rate_multiplier_low) * up
    return wage, avg_year[:n].copy(), att_mult, pass_mult


class Workers(NamedTuple):
    """The per-worker state of a running draw: one slot per worker, in the narrowest types that hold each
    value (less memory traffic at national scale; STATE_BYTES_PER_SLOT in all). Codes and counts are
    unsigned: numba indexes with them without checking for a negative index. Workers live in shards of
    contiguous slots (Shards); a leaver's slot is refilled from the end of its shard (compact).

    The per-worker rules (retirement, exits, turnover, progression, certificates, ageing) are functions of one
    worker's values that return the new ones; the loops that apply them (leavers, year_end, and pay for its
    own step) bind the fields and Params they read to local names first. Inside a loop, numba counts a
    reference for every array taken from a named tuple or handed to a function: a rule written over
    (Params, Workers, slot) ran 14 times slower, one handed its arrays twice, and the loops over the record
    before this layout about 20 % slower than now (engine, one thread, 250 baseline draws)."""

    wid: np.ndarray  # worker id (int64): the key of its random numbers
    post: np.ndarray
    regime: np.ndarray
    female: np.ndarray
    edu: np.ndarray
    birth_m: np.ndarray  # month of birth, year * 12 + month - 1
    service: np.ndarray  # whole years of community service
    contrib_m: np.ndarray  # months contributed to the pension
    grade: np.ndarray  # 1..18
    yig: np.ndarray  # years towards the next grade
    cert: np.ndarray  # 0 none, 1 junior, 2 intermediate, 3 senior
    arrears_m: np.ndarray  # months of contributions owed
    account: np.ndarray  # individual pension account, yuan
    annuity: np.ndarray  # occupational annuity account, yuan
    idx_sum: np.ndarray  # sum over contributed months of the contribution index
    stat_m: np.ndarray  # month of reaching the statutory age (depends on sex, birth and post)
    fails: np.ndarray  # consecutive failed reviews
    hired_t: np.ndarray  # year index of entry (-10 for the opening roster)
    ppost: np.ndarray  # post, grade, certificate and service on 1 January (what pay uses)
    pgrade: np.ndarray
    pcert: np.ndarray
    pservice: np.ndarray
    qcert: np.ndarray  # certificate on 1 January of the year before (bridge)
    prev_pay: np.ndarray  # last year's pay and employer contributions, fen (bridge)
    prev_er: np.ndarray
    months: np.ndarray  # this year: months paid, of which on probation
    probation: np.ndarray
    exit_kind: np.ndarray
    exit_at: np.ndarray  # month of retirement
    failed: np.ndarray  # failed this year's review
    alive: np.ndarray  # in post
    wykey: np.ndarray  # random-stream key of (seed, draw, worker, year)
    u_att: np.ndarray  # this year's uniforms for attrition, the review and sitting the exam (start_year)
    u_rev: np.ndarray
    u_sit: np.ndarray


class Shards(NamedTuple):
    """Shard s holds slots base[s] .. base[s] + ns[s] - 1, at most ``size`` of them."""

    base: np.ndarray
    ns: np.ndarray
    size: int


@njit(cache=True)
def new_workers(C):
    """Workers with C empty slots."""
    u8, u16, i16, i32, f8 = np.uint8, np.uint16, np.int16, np.int32, np.float64
    return Workers(np.empty(C, np.int64), np.empty(C, u8), np.empty(C, u8), np.empty(C, u8), np.empty(C, u8),
                   np.empty(C, i32), np.empty(C, u16), np.empty(C, i32), np.empty(C, u8), np.empty(C, u16),
                   np.empty(C, u8), np.empty(C, i32), np.empty(C, f8), np.empty(C, f8), np.empty(C, f8),
                   np.empty(C, i32), np.zeros(C, u8), np.zeros(C, i16),
                   np.empty(C, u8), np.empty(C, u8), np.empty(C, u8), np.empty(C, u16), np.empty(C, u8),
                   np.zeros(C, np.int64), np.zeros(C, np.int64),
                   np.zeros(C, u8), np.zeros(C, u8), np.zeros(C, u8), np.zeros(C, i32), np.zeros(C, np.bool_),
                   np.zeros(C, np.bool_), np.zeros(C, np.uint64), np.empty(C, f8), np.empty(C, f8), np.empty(C, f8))


@njit(cache=True)
def open_roster(P, R, W, S, s):
    """Shard s takes its contiguous block of the opening roster."""
    K = S.base.shape[0]
    n_open = R.wid.shape[0]
    lo, hi = n_open * s // K, n_open * (s + 1) // K
    S.ns[s] = hi - lo
    for j in range(lo, hi):
        i = S.base[s] + j - lo
        W.wid[i] = R.wid[j]; W.post[i] = R.post[j]; W.regime[i] = R.regime[j]; W.female[i] = R.female[j]
        W.edu[i] = R.edu[j]; W.birth_m[i] = R.birth_m[j]; W.service[i] = R.service[j]; W.contrib_m[i] = R.contrib_m[j]
        W.grade[i] = R.grade[j]; W.yig[i] = R.yig[j]; W.cert[i] = R.cert[j]; W.arrears_m[i] = R.arrears_m[j]
        W.account[i] = R.account[j]; W.annuity[i] = 0.0; W.idx_sum[i] = R.idx_sum[j]; W.alive[i] = True
        W.hired_t[i] = -10
        W.stat_m[i] = statutory_month(P.male_age, P.female_original_age, W.female[i], W.birth_m[i], W.post[i], P.reform == 1)


@njit(cache=True)
def start_year(W, lo, hi, dkey, year):
    """1 January: the state pay reads, a full year's months, and the year's random keys and uniforms (drawn
    in one loop the compiler vectorises; in the loops that use them each would be a hash to wait for)."""
    wid, post, service, grade, cert = W.wid, W.post, W.service, W.grade, W.cert
    ppost, pgrade, pcert, pservice, months = W.ppost, W.pgrade, W.pcert, W.pservice, W.months
    probation, exit_kind, failed, wykey, u_att = W.probation, W.exit_kind, W.failed, W.wykey, W.u_att
    u_rev, u_sit = W.u_rev, W.u_sit
    for i in range(lo, hi):
        ppost[i] = post[i]; pgrade[i] = grade[i]; pcert[i] = cert[i]; pservice[i] = service[i]
        months[i] = 12; probation[i] = 0; exit_kind[i] = NOT_EXITED; failed[i] = False
        wk = rng.worker_year_key(dkey, wid[i], year)
        wykey[i] = wk
        u_att[i] = rng.event_uniform(wk, rng.ATTRITION)
        u_rev[i] = rng.event_uniform(wk, rng.REVIEW)
        u_sit[i] = rng.event_uniform(wk, rng.SIT)


@njit(cache=True)
def retirement(stat, contrib_m, y_start, opening_year, min_contribution_months, max_deferral_months):
    """Step 1, for a worker who reaches the statutory age (month ``stat``) before the year ends, or did and
    was kept on: (exit kind, month of leaving) from retirement_exit; NOT_EXITED if the worker stays this year."""
    out, short = retirement_exit(stat, contrib_m, y_start, opening_year, min_contribution_months, max_deferral_months)
    if out >= y_start + 12:
        return NOT_EXITED, out
    return (RETIRED_SHORT if short else RETIRED), out


@njit(cache=True)
def exits(u_att, attrition_rate, u_rev, review_fail_rate, fails, dismiss_after_fails):
    """Step 2: attrition with probability ``attrition_rate`` (this post's, times the draw's multiplier, higher in
    early service); else the annual review, failed with ``review_fail_rate``, where ``dismiss_after_fails``
    consecutive failures end in dismissal. u_att, u_rev: this year's uniforms. Returns (exit kind, failed this
    year, consecutive failures)."""
    if u_att < attrition_rate:
        return ATTRITED, False, fails
    failed = u_rev < review_fail_rate
    fails = fails + 1 if failed else 0
    return (DISMISSED if fails >= dismiss_after_fails else NOT_EXITED), failed, fails


@njit(cache=True)
def exempt(career_secretaries_exempt, regime):
    """A career-post secretary (regime not contract) keeps the post at an election, where the scenario says so."""
    return career_secretaries_exempt and regime != 0


@njit(cache=True)
def turnover(cert, wykey, certificate_required, turnover_rate):
    """Step 3a, election years, for a 两委 member standing again: out if uncertified where candidates must hold a
    certificate, else not returned with probability ``turnover_rate`` (drawn only then)."""
    if certificate_required and cert == 0:
        return True
    return rng.event_uniform(wykey, rng.ELECTION) < turnover_rate


@njit(cache=True)
def leavers(P, W, lo, hi, t, y_start, att_mult, election, counts):
    """Steps 1, 2 and 3a for the slots lo..hi, worker by worker (a leaver is paid ``months`` months: to the
    retirement month, or to exit_month); counts[post] += the workers left in post."""
    opening_year, min_contribution_months, max_deferral_months = P.opening_year, P.min_contribution_months, P.max_deferral_months
    attrition, early_service_multiplier = P.attrition, P.early_service_multiplier
    early_service_years, exit_month = P.early_service_years, P.exit_month
    review_fail_rate, dismiss_after_fails = P.review_fail_rate[t], P.dismiss_after_fails
    certificate_required, turnover_rate = P.certificate_required[t] != 0, P.turnover[t]
    career_secretaries_exempt = P.career_secretaries_exempt == 1
    post, regime, service, cert, contrib_m, stat_m = W.post, W.regime, W.service, W.cert, W.contrib_m, W.stat_m
    fails, failed, alive, exit_kind, exit_at, months = W.fails, W.failed, W.alive, W.exit_kind, W.exit_at, W.months
    wykey, u_att, u_rev = W.wykey, W.u_att, W.u_rev
    for i in range(lo, hi):
        kind = NOT_EXITED
        if stat_m[i] < y_start + 12:
            kind, out = retirement(stat_m[i], contrib_m[i], y_start, opening_year, min_contribution_months,
                                   max_deferral_months)
            if kind != NOT_EXITED:
                exit_at[i] = out
                months[i] = max(0, out - y_start)
        if kind == NOT_EXITED:
            p = post[i]
            rate = attrition[t, p] * att_mult * (early_service_multiplier if service[i] < early_service_years else 1.0)
            kind, failed[i], fails[i] = exits(u_att[i], rate, u_rev[i], review_fail_rate, fails[i], dismiss_after_fails)
            if (kind == NOT_EXITED and election and p != STAFF and not exempt(career_secretaries_exempt, regime[i])
                    and turnover(cert[i], wykey[i], certificate_required, turnover_rate)):
                kind = ELECTED_OUT
            if kind != NOT_EXITED:
                months[i] = exit_month - 1
        if kind != NOT_EXITED:
            alive[i] = False
            exit_kind[i] = kind
        else:
            counts[post[i]] += 1


@njit(cache=True)
def move_to_post(P, W, i, p):
    """Worker i takes post p, at the nearest grade of its range; its statutory age follows the post."""
    W.post[i] = p
    W.grade[i] = min(max(W.grade[i], P.grade_lo[p]), P.grade_hi[p])
    W.stat_m[i] = statutory_month(P.male_age, P.female_original_age, W.female[i], W.birth_m[i], p, P.reform == 1)


@njit(cache=True)
def surplus(P, W, S, t, in_post, rk):
    """Step 3b, election years: a 两委 post above its quota loses its surplus (lowest random keys, ties by id),
    moved into vacant staff posts (``surplus_to_staff`` of those that fit) or leaving in exit_month."""
    career_secretaries_exempt = P.career_secretaries_exempt == 1
    for p in range(STAFF):
        excess = in_post[p] - P.quota[t, p]
        if excess <= 0:
            continue
        cand = np.empty(in_post[p], np.int64)
        keys = np.empty(in_post[p], np.uint64)
        k = 0
        for s in range(S.base.shape[0]):
            lo, hi = shard_slots(S.base, S.ns, s)
            for i in range(lo, hi):
                if W.alive[i] and W.post[i] == p and not exempt(career_secretaries_exempt, W.regime[i]):
                    cand[k] = i
                    keys[k] = rng.event_hash(W.wykey[i], rng.SURPLUS)
                    k += 1
        order = key_order(cand[:k], keys[:k], W.wid)
        excess = min(excess, k)
        room = max(P.quota[t, STAFF] - in_post[STAFF], 0)
        n_move = int(math.floor(P.surplus_to_staff_share * min(excess, room) + 1e-9))
        for j in range(excess):
            i = cand[order[j]]
            in_post[p] -= 1
            if j < n_move:
                in_post[STAFF] += 1
                rk[R_MOVES_A[p]] -= 1
                rk[R_MOVES_A[STAFF]] += 1
                move_to_post(P, W, i, STAFF)
            else:
                W.alive[i] = False
                W.exit_kind[i] = ELECTED_OUT
                W.months[i] = P.exit_month - 1


@njit(cache=True)
def fill_seats(P, W, S, t, in_post, rk):
    """Step 3c, election years: the 两委 seats left vacant are filled at the election, outside the recruitment
    cap: ``from_staff_share`` of them by full-time staff (staff on 1 January, certified where required), in
    order of their keys; the rest by outside candidates. Returns the outside candidates per post."""
    outside = np.zeros(STAFF, np.int64)
    seats = np.zeros(STAFF, np.int64)
    want = np.zeros(STAFF, np.int64)
    for p in range(STAFF):
        seats[p] = max(P.quota[t, p] - in_post[p], 0)
        want[p] = int(math.floor(P.from_staff_share[t] * seats[p] + 1e-9))
    k = 0
    cand = np.empty(max(in_post[STAFF], 0) if want.sum() > 0 else 0, np.int64)
    keys = np.empty(cand.shape[0], np.uint64)
    if cand.shape[0] > 0:  # the eligible staff, once; each post takes the next in key order
        for s in range(S.base.shape[0]):
            lo, hi = shard_slots(S.base, S.ns, s)
            for i in range(lo, hi):
                if (W.alive[i] and W.post[i] == STAFF and W.ppost[i] == STAFF
                        and (W.cert[i] > 0 or not P.certificate_required[t])):
                    cand[k] = i
                    keys[k] = rng.event_hash(W.wykey[i], rng.ELECT_FROM_STAFF)
                    k += 1
    order = first_in_key_order(cand[:k], keys[:k], W.wid, want.sum())
    j = 0
    for p in range(STAFF):
        moved = min(want[p], order.shape[0] - j)
        for q in range(moved):
            i = cand[order[j + q]]
            move_to_post(P, W, i, p)
            rk[R_ELECTED_CERT] += W.cert[i] > 0
        j += moved
        in_post[STAFF] -= moved
        rk[R_MOVES_A[STAFF]] -= moved
        rk[R_MOVES_A[p]] += moved
        rk[R_ELECTED_STAFF_A[p]] += moved
        outside[p] = seats[p] - moved
        in_post[p] += seats[p]
        rk[R_ELECTED_OUT_A[p]] += outside[p]
    return outside


@njit(cache=True)
def hiring(P, W, S, t, in_post, outside, next_id, rk):
    """Step 4: slots for the entrants, the elected outside candidates first, then recruits: vacancies per post
    (quota - in post) x fill rate, in post order, within the yearly cap. Entrants take the slots after
    hired_from in each shard, the elected ones up to elected_to. Returns (next_id, hired_from, elected_to)."""
    hired_from = S.ns.copy()
    for p in range(STAFF):
        next_id = add_entrants(outside[p], p, S, W, next_id)
    elected_to = S.ns.copy()
    cap_left = P.annual_cap[t]
    for p in range(4):
        vacancies = P.quota[t, p] - in_post[p]
        if vacancies <= 0:
            continue
        k = min(int(math.floor(P.fill_rate[t] * vacancies + 1e-9)), cap_left)
        cap_left -= k
        rk[R_HIRES_A[p]] += k
        next_id = add_entrants(k, p, S, W, next_id)
    return next_id, hired_from, elected_to


@njit(cache=True)
def entrants(P, W, first, elected_to, hi, t, dkey, rk):
    """Step 4, the entrants in slots first..hi of a shard: profile drawn by id, post and kind
    (elected outside candidate below elected_to, else recruit); grade from the post's lowest, education
    credit and certificate bonus; elected members take their seats as the old ones leave, without probation;
    recruits start in start_month on probation."""
    opening_year, years_per_grade, ent_age_max, ent_female = P.opening_year, P.years_per_grade, P.ent_age_max, P.ent_female
    male_age, female_original_age, reform, ent_edu_cum = P.male_age, P.female_original_age, P.reform, P.ent_edu_cum
    ent_cert, certificate_required = P.ent_cert, P.certificate_required
    education_credit_years, grade_lo = P.education_credit_years, P.grade_lo
    certificate_grade_bonus, grade_hi = P.certificate_grade_bonus, P.grade_hi
    ent_prior, account_per_contribution_year, from_age = P.ent_prior, P.account_per_contribution_year, P.contributions_from_age
    contribution_index, exit_month, start_month, probation_months = P.contribution_index, P.exit_month, P.start_month, P.probation_months
    ent_age_min = P.ent_age_min
    wid, post, regime, female, edu = W.wid, W.post, W.regime, W.female, W.edu
    birth_m, service, contrib_m, grade, yig = W.birth_m, W.service, W.contrib_m, W.grade, W.yig
    cert, arrears_m, account, annuity, idx_sum = W.cert, W.arrears_m, W.account, W.annuity, W.idx_sum
    stat_m, fails, hired_t, ppost, pgrade = W.stat_m, W.fails, W.hired_t, W.ppost, W.pgrade
    pcert, pservice, qcert, prev_pay, prev_er = W.pcert, W.pservice, W.qcert, W.prev_pay, W.prev_er
    months, probation, exit_kind, failed, alive = W.months, W.probation, W.exit_kind, W.failed, W.alive
    wykey = W.wykey
    year = opening_year + t
    ypg = years_per_grade[t]
    for i in range(first, hi):
        hp = post[i]
        kind = 1 if i < elected_to else 0
        wk = rng.worker_year_key(dkey, wid[i], year)
        wykey[i] = wk
        regime[i] = 0; alive[i] = True; hired_t[i] = t
        span = ent_age_max[t, kind, hp] - ent_age_min[t, kind, hp] + 1
        age = ent_age_min[t, kind, hp] + int(math.floor(rng.event_uniform(wk, rng.HIRE_AGE) * span))
        birth_m[i] = (year - age) * 12 + int(math.floor(rng.event_uniform(wk, rng.HIRE_MONTH) * 12))
        female[i] = 1 if rng.event_uniform(wk, rng.HIRE_SEX) < ent_female[t, kind, hp] else 0
        stat_m[i] = statutory_month(male_age, female_original_age, female[i], birth_m[i], hp, reform == 1)
        ue = rng.event_uniform(wk, rng.HIRE_EDU)
        e = 0
        while e < ent_edu_cum.shape[2] - 1 and ue >= ent_edu_cum[t, kind, e]:
            e += 1
        edu[i] = e
        cert[i] = 1 if rng.event_uniform(wk, rng.HIRE_CERT) < ent_cert[t, kind, hp] else 0
        if hp != STAFF and certificate_required[t]:
            cert[i] = 1  # where candidates must hold a certificate, new 两委 members hold one
        if kind == 1:
            rk[R_ELECTED_CERT] += cert[i] > 0
        service[i] = 0
        counted = education_credit_years[e]
        grade[i] = min(grade_lo[hp] + counted // ypg + certificate_grade_bonus[cert[i]], grade_hi[hp])
        yig[i] = counted % ypg
        contrib_m[i] = int(math.floor(ent_prior[kind] * max(0, age - from_age))) * 12
        account[i] = account_per_contribution_year * contrib_m[i] / 12.0
        annuity[i] = 0.0
        idx_sum[i] = contribution_index * contrib_m[i]
        arrears_m[i] = 0; fails[i] = 0; failed[i] = False
        ppost[i] = hp; pgrade[i] = grade[i]; pcert[i] = cert[i]; pservice[i] = 0
        qcert[i] = cert[i]
        prev_pay[i] = 0; prev_er[i] = 0
        months[i] = 13 - (exit_month if kind == 1 else start_month)
        probation[i] = 0 if kind == 1 else min(probation_months, months[i])
        exit_kind[i] = NOT_EXITED


@njit(cache=True)
def arrears_cleared(m, sb, t, employer_rate, late_fee_daily, late_fee_charged_share):
    """Arrears of m months cleared in year t on this year's base sb (yuan a month): returns (principal, late
    fee) in fen. Principal = m x sb x the rate the employer pays for the pension (its own, plus the employee's
    where it pays that too); fee = principal x daily rate x 365 x the years overdue x the share charged."""
    principal = fen(m * sb * employer_rate)
    fee = fen(principal / 100.0 * late_fee_daily * 365.0 * (t + m / 24.0) * late_fee_charged_share)
    return principal, fee


@njit(cache=True)
def pay(P, W, lo, hi, t, wage, avg_last, cells, rk, carry):
    """Step 5: pay, contributions, accounts, the wage-bill bridge, pensions of this year's retirees and arrears
    for the slots lo..hi; returns this year's cost of its leavers (next year's bridge carry).

    Pay reads the state on 1 January (moves in the year count from next January). A full-year worker's
    amounts depend only on the pay cell (post, grade, certificate, service up to the seniority cap, regime):
    each cell met is priced once a year and tallied as count x amount at the end; part-year workers are
    priced and tallied one by one in the scratch row (same amounts, fewer computations).
    """
    Y = pay_rates(P, t, wage, avg_last)
    Y_prev = pay_rates(P, max(t - 1, 0), wage, avg_last)  # (at t = 0 the counterfactual is not used)
    floors = probation_floors(Y, P.grade_lo, P.probation_pay_floor_share)  # [post, regime], yuan a month
    base_t = benefit_base(P, t, avg_last)  # the pension's 计发基数 of this year's retirees
    grade_coefficients, certificate_allowance_monthly = P.grade_coefficients, P.certificate_allowance_monthly
    institution, seniority_cap_years = P.institution, P.seniority_cap_years
    crediting_rate, clear_start_t = P.crediting_rate, P.clear_start_t
    regime, contrib_m, arrears_m, account, annuity = W.regime, W.contrib_m, W.arrears_m, W.account, W.annuity
    idx_sum, hired_t, ppost, pgrade, pcert = W.idx_sum, W.hired_t, W.ppost, W.pgrade, W.pcert
    pservice, qcert, prev_pay, prev_er, months = W.pservice, W.qcert, W.prev_pay, W.prev_er, W.months
    probation, exit_kind, alive = W.probation, W.exit_kind, W.alive
    exit_at, birth_m, wykey, post = W.exit_at, W.birth_m, W.wykey, W.post
    months_divisor, accrual_rate = P.months_divisor, P.accrual_rate
    n_divisors = months_divisor.shape[0]
    late_fee_daily, late_fee_charged_share, clearance_rate = P.late_fee_daily, P.late_fee_charged_share, P.clearance_rate[t]
    employee_pension = P.employee[t, 0]
    arrears_rate = P.employer[t, 0] + (employee_pension if P.employer_pays_employee_share == 1 else 0.0)
    cell_tag, vals, fvals, cell_n, cell_post, cell_regime = cells
    u1, ng, nc = np.uint64(1), np.uint64(grade_coefficients.shape[1]), np.uint64(certificate_allowance_monthly.shape[1])
    nr, uscap = np.uint64(institution.shape[0]), np.uint64(seniority_cap_years)
    grow = 1.0 + crediting_rate[t]
    scratch = vals.shape[0] - 1
    n_cells_met = 0
    exit_cost = br_exits = br_hires = br_prog = br_cert = br_uprate = br_contrib = np.int64(0)
    for i in range(lo, hi):
        m = months[i]
        full_year = m == 12 and probation[i] == 0 and exit_kind[i] == NOT_EXITED
        if full_year:
            c = (((ppost[i] * ng + pgrade[i] - u1) * nc + pcert[i]) * (uscap + u1)
                 + min(pservice[i], uscap)) * nr + regime[i]
            tag = cell_tag[c]
            fresh = (tag >> 16) != t
            if fresh:  # a cell's tag: year t << 16 | its row among year t's cells; -1 before it is first met
                r = n_cells_met
                cell_tag[c] = (t << 16) | r; cell_n[r] = 0
                cell_post[r] = ppost[i]; cell_regime[r] = regime[i]
                n_cells_met += 1
            else:
                r = tag & 0xFFFF
            cell_n[r] += 1
        else:
            r = scratch
            fresh = True
        if fresh:
            price(Y, Y_prev, floors[ppost[i], regime[i]], ppost[i], pgrade[i], pcert[i], pservice[i], regime[i], m,
                  probation[i], vals, fvals, r)
        if not full_year:
            tally_row(rk, t, vals, r, 1, ppost[i], regime[i])
        amount, er = vals[r, V_PAY], vals[r, V_ER]
        if t > 0:
            # accounts: credited at the year end, then this year's contributions added (not in the opening
            # year, whose months the roster's accounts already hold)
            account[i] = account[i] * grow + fvals[r, F_ACCOUNT]
            annuity[i] = annuity[i] * grow + fvals[r, F_ANNUITY]
            idx_sum[i] += fvals[r, F_INDEX] * m
            contrib_m[i] += m
            # wage-bill bridge
            if exit_kind[i] != NOT_EXITED:
                br_exits += amount + er - prev_pay[i] - prev_er[i]
                exit_cost += amount + er
            elif hired_t[i] == t:
                br_hires += amount + er
            elif hired_t[i] == t - 1:
                br_hires += amount + er - prev_pay[i] - prev_er[i]
            else:
                # this year's state at last year's wage and rates; the certificate allowance change is split
                # off, the rest of the state change is progression
                pay_b = vals[r, V_PAY_PREV_PRICES]
                cert_step = vals[r, V_CERT_PREV_PRICES] - fen(certificate_allowance_monthly[t - 1, qcert[i]] * 12)
                br_prog += pay_b - cert_step - prev_pay[i]
                br_cert += cert_step
                br_uprate += amount - pay_b
                br_contrib += er - prev_er[i]
        prev_pay[i] = amount
        prev_er[i] = er
        if exit_kind[i] == RETIRED:  # the pension, with its replacement rate over last monthly gross pay (ppm)
            age_years = (exit_at[i] - birth_m[i]) // 12
            div = months_divisor[min(max(age_years - 40, 0), n_divisors - 1)]
            index = idx_sum[i] / contrib_m[i] if contrib_m[i] > 0 else 0.0
            amount = monthly_pension(base_t, index, contrib_m[i], accrual_rate, account[i], div)
            if institution[regime[i]] == 1:
                amount += annuity[i] / div  # the occupational annuity over the same 计发月数
            rk[t, R_RETIREES] += 1
            rk[t, R_PENSION_SUM] += fen(amount)
            rk[t, R_REPL_PPM] += np.int64(math.floor(amount / fvals[r, F_GROSS] * 1e6 + 0.5))
        if alive[i] and arrears_m[i] > 0 and t >= clear_start_t and t > 0 and (
                rng.event_uniform(wykey[i], rng.ARREARS_CLEAR) < clearance_rate):
            sb = fvals[r, F_BASE]
            m_owed = arrears_m[i]
            principal, fee = arrears_cleared(m_owed, sb, t, arrears_rate, late_fee_daily, late_fee_charged_share)
            rk[t, R_ARR_PRINCIPAL] += principal
            rk[t, R_ARR_FEES] += fee
            rk[t, R_ARR_POST_A[post[i]]] += principal + fee
            rk[t, R_ARR_REGIME_A[regime[i]]] += principal + fee
            rk[t, R_ARR_CLEARED] += m_owed
            account[i] += m_owed * sb * employee_pension  # the months join the account and the record,
            contrib_m[i] += m_owed  # at this year's contribution index (the base they are cleared on)
            idx_sum[i] += fvals[r, F_INDEX] * m_owed
            arrears_m[i] = 0
    for r in range(n_cells_met):
        tally_row(rk, t, vals, r, cell_n[r], cell_post[r], cell_regime[r])
    rk[t, R_BR_EXITS] += br_exits - (carry if t > 0 else 0)
    rk[t, R_BR_HIRES] += br_hires
    rk[t, R_BR_PROG] += br_prog
    rk[t, R_BR_CERT] += br_cert
    rk[t, R_BR_UPRATE] += br_uprate
    rk[t, R_BR_CONTRIB] += br_contrib
    return exit_cost


@njit(cache=True)
def progression(grade, yig, failed, years_per_grade, grade_top):
    """Step 6, year end: a passed review adds a year towards the next grade; a full step of years_per_grade
    moves up a grade, up to the post's top grade. Returns (grade, years towards the next). Without branches
    (whether a grade is gained is as good as random)."""
    passed = not failed
    y = yig + passed
    up = passed and y >= years_per_grade and grade < grade_top
    return grade + up, 0 if up else y


@njit(cache=True)
def certificates(cert, service, need_service, u_sit, sitting_rate, wykey, pass_rate):
    """Step 7, year end: a worker below the top level with the service the next level needs sits its exam
    with probability ``sitting_rate`` (u_sit: this year's uniform) and passes with ``pass_rate`` (the
    published rate times the draw's multiplier, at most 1). Returns (sat, passed)."""
    if cert >= 3 or service < need_service or u_sit >= sitting_rate:
        return False, False
    return True, rng.event_uniform(wykey, rng.PASS) < pass_rate


@njit(cache=True)
def ageing(service):
    """Step 8, year end: a year of service for everyone in post."""
    return service + 1


@njit(cache=True)
def year_end(P, W, lo, hi, t, y_start, pass_mult, rk):
    """Steps 6, 7 and 8 for the slots lo..hi, worker by worker (not the year's hires, who take part from the
    next year; nothing in the opening year), then the year-end tallies: leavers by kind and post; the stock by
    post, regime, grade and certificate, its age and arrears. A pass adds the level and its grade bonus within
    the post's range; a policy's exam subsidy is paid per sitting and per pass. Last January's certificate
    moves on a year (bridge)."""
    years_per_grade, grade_hi, min_service_years = P.years_per_grade[t], P.grade_hi, P.min_service_years
    sitting_rate, pass_rate, per_sitter, per_pass = P.sitting_rate, P.pass_rate, P.per_sitter, P.per_pass
    certificate_grade_bonus = P.certificate_grade_bonus
    post, regime, edu, service, grade, yig, cert = W.post, W.regime, W.edu, W.service, W.grade, W.yig, W.cert
    birth_m, arrears_m, hired_t, failed, wykey, u_sit = W.birth_m, W.arrears_m, W.hired_t, W.failed, W.wykey, W.u_sit
    pcert, qcert, exit_kind, alive = W.pcert, W.qcert, W.exit_kind, W.alive
    age_months = arrears_out = np.int64(0)  # sums kept in registers, added to the tallies after the loop
    for i in range(lo, hi):
        p = post[i]
        if not alive[i]:
            rk[t, EXIT_RAW[exit_kind[i]]] += 1
            rk[t, R_EXITS_POST_A[p]] += 1
            continue
        if t > 0:
            if hired_t[i] != t:
                grade[i], yig[i] = progression(grade[i], yig[i], failed[i], years_per_grade, grade_hi[p])
                c = cert[i]
                k = min(c, 2)  # (the rates of level 3 are not read: a holder of it does not sit)
                sat, passed = certificates(c, service[i], min_service_years[k, edu[i]], u_sit[i], sitting_rate[t, k],
                                           wykey[i], min(1.0, pass_rate[t, k] * pass_mult))
                if sat:
                    rk[t, R_SAT] += 1
                    subsidy = per_sitter[t, c]
                    if passed:
                        rk[t, R_PASSES] += 1
                        subsidy += per_pass[t, c]
                        cert[i] = c + 1
                        grade[i] = min(grade[i] + certificate_grade_bonus[c + 1] - certificate_grade_bonus[c], grade_hi[p])
                    rk[t, R_EXAM_SUBSIDY] += subsidy
                    rk[t, R_OTHER_POST_A[p]] += subsidy
                    rk[t, R_OTHER_REGIME_A[regime[i]]] += subsidy
            service[i] = ageing(service[i])
        rk[t, R_HC_A[p]] += 1
        rk[t, R_REGIME_A[regime[i]]] += 1
        rk[t, R_GRADE_A[grade[i] - 1]] += 1
        rk[t, R_CERT_A[max(cert[i], 1) - 1]] += cert[i] > 0  # (without a branch)
        age_months += y_start + 11 - birth_m[i]
        arrears_out += arrears_m[i]
        qcert[i] = pcert[i]
    rk[t, R_AGE_MONTHS] += age_months
    rk[t, R_ARR_OUT] += arrears_out


@njit(cache=True)
def compact(W, S, s):
    """Drop shard s's leavers: each freed slot takes the worker of the shard's last slot (slot order carries no
    meaning). Only the fields a worker carries into the next year are copied; start_year sets the others (the
    state pay reads, months, exit, review and random keys). (Written here, not in the caller's parallel loop:
    numba's parallel loops lose a store into an array taken from a named tuple's field.)"""
    lo, hi = shard_slots(S.base, S.ns, s)
    wid, post, regime, female, edu, birth_m = W.wid, W.post, W.regime, W.female, W.edu, W.birth_m
    service, contrib_m, grade, yig, cert, arrears_m = W.service, W.contrib_m, W.grade, W.yig, W.cert, W.arrears_m
    account, annuity, idx_sum, stat_m, fails, hired_t = W.account, W.annuity, W.idx_sum, W.stat_m, W.fails, W.hired_t
    qcert, prev_pay, prev_er, alive = W.qcert, W.prev_pay, W.prev_er, W.alive
    end = hi
    i = lo
    while i < end:
        if alive[i]:
            i += np.uint64(1)
            continue
        end -= np.uint64(1)
        j = end
        wid[i] = wid[j]; post[i] = post[j]; regime[i] = regime[j]; female[i] = female[j]; edu[i] = edu[j]
        birth_m[i] = birth_m[j]; service[i] = service[j]; contrib_m[i] = contrib_m[j]; grade[i] = grade[j]
        yig[i] = yig[j]; cert[i] = cert[j]; arrears_m[i] = arrears_m[j]; account[i] = account[j]
        annuity[i] = annuity[j]; idx_sum[i] = idx_sum[j]; stat_m[i] = stat_m[j]; fails[i] = fails[j]
        hired_t[i] = hired_t[j]; qcert[i] = qcert[j]; prev_pay[i] = prev_pay[j]; prev_er[i] = prev_er[j]
        alive[i] = alive[j]
        alive[j] = False  # a freed slot
    S.ns[s] = end - lo


@njit(cache=True)
def workspace(capacity, cells):
    """Empty Workers and Shards for one draw: one shard per table of the pay_cells workspace ``cells``."""
    K = cells[0].shape[0]
    cs = shard_capacity(capacity, K)
    return new_workers(cs * K), Shards(np.arange(K) * cs, np.zeros(K, np.int64), cs)


@njit(cache=True)
def simulate_draw(P, R, seed, draw, capacity, raw, cells):
    """Run one draw over all years, filling raw[t, :] (int64 tallies, see metrics.py)."""
    simulate_draw_after(P, R, seed, draw, capacity, raw, cells, *opening_state(P, R, capacity, cells))


@njit(cache=True)
def opening_state(P, R, capacity, cells):
    """The workers and shards (W0, ns0) and tallies (raw0) at the end of the opening year, the same in every
    draw of a scenario: year t = 0 only prices the opening stock at the given wage and average wage, and draws
    nothing (no exits, hires, reviews or exams). Draws start from it (simulate_draw_after) rather than each
    pricing it again; the engine-equals-reference tests would see a draw-dependence."""
    W, S = workspace(capacity, cells)
    raw = np.zeros((P.n_years, N_RAW), np.int64)
    draw_years(P, R, 0, 0, raw, cells, W, S, 0, 1)
    return W, S.ns, raw[0]


@njit(cache=True)
def simulate_draw_after(P, R, seed, draw, capacity, raw, cells, W0, ns0, raw0):
    """simulate_draw from the opening state (opening_state, made with a workspace of the same shards): the
    years after the opening one. Only the fields a worker carries into the next year are copied (see compact)."""
    W, S = workspace(capacity, cells)
    W.wid[:] = W0.wid; W.post[:] = W0.post; W.regime[:] = W0.regime; W.female[:] = W0.female; W.edu[:] = W0.edu
    W.birth_m[:] = W0.birth_m; W.service[:] = W0.service; W.contrib_m[:] = W0.contrib_m; W.grade[:] = W0.grade
    W.yig[:] = W0.yig; W.cert[:] = W0.cert; W.arrears_m[:] = W0.arrears_m; W.account[:] = W0.account
    W.annuity[:] = W0.annuity; W.idx_sum[:] = W0.idx_sum; W.stat_m[:] = W0.stat_m; W.fails[:] = W0.fails
    W.hired_t[:] = W0.hired_t; W.qcert[:] = W0.qcert; W.prev_pay[:] = W0.prev_pay; W.prev_er[:] = W0.prev_er
    W.alive[:] = W0.alive
    S.ns[:] = ns0
    raw[0, :] = raw0
    draw_years(P, R, seed, draw, raw, cells, W, S, 1, P.n_years)


@njit(cache=True)
def draw_years(P, R, seed, draw, raw, cells, W, S, first, stop):
    """Years first..stop-1 of one draw (first = 0: from the opening roster; first = 1: from the opening state
    in W and S): the eight steps of the module docstring, each a function over the Workers record.

    ``cells`` is a pay_cells workspace with one table per shard. Workers live in K shards (contiguous slot
    ranges), one per table: the per-worker steps run shard by shard (over threads in the parallel compilation,
    draw_years_wide), the election surplus and seats and hiring across all of them. Tallies are kept per
    shard and summed: they are integers, so the split does not change them. (W and S are made by the caller:
    numba cannot lower a parallel loop over a named tuple made in the same function.)
    """
    wage, avg_last, att_mult, pass_mult = draw_paths(P, seed, draw)
    K = S.base.shape[0]
    rawk = np.zeros((K, raw.shape[0], raw.shape[1]), np.int64)
    carry = np.zeros(K, np.int64)  # last year's cost of this year's leavers (bridge), by shard
    dkey = rng.draw_key(seed, draw)
    cells[0][:] = -1  # no pay cell met yet
    if first == 0:
        for s in prange(K):
            open_roster(P, R, W, S, s)
    next_id = R.wid.shape[0]  # (the opening year hires nobody)

    for t in range(first, stop):
        year = P.opening_year + t
        y_start = year * 12
        election = P.election[t] != 0
        counts = np.zeros((K, 4), np.int64)
        for s in prange(K):
            lo, hi = shard_slots(S.base, S.ns, s)
            start_year(W, lo, hi, dkey, year)
            if t > 0:
                leavers(P, W, lo, hi, t, y_start, att_mult, election, counts[s])
        if t > 0:
            in_post = counts.sum(axis=0)
            outside = np.zeros(STAFF, np.int64)
            if election:
                surplus(P, W, S, t, in_post, rawk[0, t])
                outside = fill_seats(P, W, S, t, in_post, rawk[0, t])
            next_id, hired_from, elected_to = hiring(P, W, S, t, in_post, outside, next_id, rawk[0, t])
            for s in prange(K):
                lo = S.base[s]
                entrants(P, W, np.uint64(lo + hired_from[s]), np.uint64(lo + elected_to[s]), np.uint64(lo + S.ns[s]),
                         t, dkey, rawk[s, t])
        for s in prange(K):
            lo, hi = shard_slots(S.base, S.ns, s)
            cell_s = (cells[0][s], cells[1][s], cells[2][s], cells[3][s], cells[4][s], cells[5][s])
            carry[s] = pay(P, W, lo, hi, t, wage, avg_last, cell_s, rawk[s], carry[s])
        for p in range(4):
            rawk[0, t, R_QUOTA_A[p]] = P.quota[t, p]
        for s in prange(K):
            lo, hi = shard_slots(S.base, S.ns, s)
            year_end(P, W, lo, hi, t, y_start, pass_mult, rawk[s])
            compact(W, S, s)
    for s in range(K):
        raw += rawk[s]


@njit(cache=True)
def key_order(cand, keys, wid):
    """Positions of ``cand`` (worker slots) in order of their random keys, ties broken by worker id."""
    by_id = np.argsort(wid[cand], kind="mergesort")
    return by_id[np.argsort(keys[by_id], kind="mergesort")]


@njit(cache=True)
def first_in_key_order(cand, keys, wid, n):
    """Positions in ``cand`` of its n first workers in key order (ties by worker id), in that order: the same as
    key_order(...)[:n], without sorting every candidate (the keys at or below the n-th smallest, then those)."""
    k = cand.shape[0]
    if n <= 0 or k == 0:
        return np.empty(0, np.int64)
    if n >= k:
        return key_order(cand, keys, wid)
    bound = np.partition(keys, n - 1)[n - 1]
    near = np.flatnonzero(keys <= bound)  # n of them, more only where keys tie at the bound
    return near[key_order(cand[near], keys[near], wid)[:n]]


@njit(cache=True)
def add_entrants(k, p, S, W, next_id):
    """Give k entrants to post p the next ids, each in a slot of the emptiest shard; returns the next free id."""
    for _ in range(k):
        sh = 0  # the emptiest shard (a loop: np.argmin would be a parallel region per entrant)
        for s2 in range(1, S.base.shape[0]):
            if S.ns[s2] < S.ns[sh]:
                sh = s2
        if S.ns[sh] >= S.size:  # cannot happen: see capacity_for and the emptiest-shard rule
            raise RuntimeError("engine: a shard ran out of worker slots")
        i = S.base[sh] + S.ns[sh]
        S.ns[sh] += 1
        W.wid[i] = next_id
        W.post[i] = p
        next_id += 1
    return next_id


@njit(cache=True)
def shard_capacity(capacity, shards):
    """Slots per shard. Hires go to the emptiest shard, so no shard holds more than its share of the
    draw's capacity (capacity_for) plus one."""
    return capacity if shards == 1 else capacity // shards + 2


@njit(cache=True)
def shard_slots(base, ns, s):
    """Slots of shard s, as unsigned bounds: numba indexes with an unsigned integer without first
    checking for a negative index (about 8% of a draw's time with signed bounds that start above 0)."""
    lo = np.uint64(base[s])
    return lo, lo + np.uint64(ns[s])


def _renamed(fn, name):
    """A copy of a Python function under another name, so that numba can compile and cache it twice."""
    out = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    out.__qualname__ = name
    return out


# The same steps with the shards on numba's threads (prange). Called from one thread at a time, never
# from simulate_draws' draw threads: numba's workqueue threading layer aborts on parallel regions
# launched from several threads at once, so those threads run the serial compilation.
draw_years_wide = njit(cache=True, parallel=True)(_renamed(draw_years.py_func, "draw_years_wide"))


@njit(cache=True)
def simulate_draw_wide(P, R, seed, draw, capacity, raw, cells):
    """simulate_draw with its shards on numba's threads."""
    W, S = workspace(capacity, cells)
    draw_years_wide(P, R, seed, draw, raw, cells, W, S, 0, P.n_years)


@njit(cache=True)
def n_pay_cells(P):
    """Pay cells: posts x grades x certificate levels x service years 0..seniority cap x regimes."""
    posts, grades = P.grade_coefficients.shape
    return posts * grades * P.certificate_allowance_monthly.shape[1] * (P.seniority_cap_years + 1) * P.institution.shape[0]


def pay_cells_bytes(P, capacity: int) -> int:
    """Memory of one pay_cells workspace: per cell a tag (year and row); per row N_V int64,
    N_F float64, a count and two codes."""
    n_cells = n_pay_cells(P)
    return n_cells * 4 + (min(n_cells, capacity) + 1) * (8 * N_V + 8 * N_F + 8 + 2)


def running_bytes(P, capacity: int) -> int:
    """Working memory of simulate_draws: a draw's worker slots and pay-cell tables for each of numba's threads,
    and once more for the opening state they all start from (opening_state)."""
    return (capacity * STATE_BYTES_PER_SLOT + pay_cells_bytes(P, capacity)) * (get_num_threads() + 1)


@njit(cache=True)
def pay_cells(P, capacity, shards):
    """Workspace of the pay-cell tables (step 5), one per shard, reused from draw to draw: allocating it
    afresh for every draw cost more than the draw itself (large blocks come from the system, page by page)."""
    n_cells = n_pay_cells(P)
    if n_cells >= 1 << 16:  # cannot happen within the schema's bounds (seniority cap at most 60 years)
        raise ValueError("engine: too many pay cells for a 16-bit row in the cell tag")
    rows = min(n_cells, shard_capacity(capacity, shards))  # a shard meets at most one cell per worker
    K = shards
    return (np.full((K, n_cells), -1, np.int32), np.zeros((K, rows + 1, N_V), np.int64),
            np.zeros((K, rows + 1, N_F)), np.zeros((K, rows), np.int64), np.zeros((K, rows), np.uint8),
            np.zeros((K, rows), np.uint8))


def simulate_draws(P, R, seed, draws, capacity, done=None):
    """Run draws[0..] on numba's thread count; returns raw[draw, t, N_RAW] int64. ``done(k)``, if given, is
    called as each k draws finish (from the thread that ran them: a progress bar's update).

    With at least as many draws as threads, each thread runs whole draws, taking the next few (at most 4, a
    few milliseconds) as it becomes free: on a shared machine a core slowed by other work takes fewer, and
    no thread waits long for the last. With fewer draws than threads (a national run of one draw), each
    draw's workers are split into one shard per thread (simulate_draw_wide).
    """
    draws = np.asarray(draws, dtype=np.int64)
    threads = get_num_threads()
    n = draws.shape[0]
    out = np.zeros((n, P.n_years, N_RAW), np.int64)
    if 1 < threads and n < threads:
        cells = pay_cells(P, capacity, threads)
        for d in range(n):
            simulate_draw_wide(P, R, seed, draws[d], capacity, out[d], cells)
            if done is not None:
                done(1)
        return out
    step = max(1, min(4, n // (threads * 16)))  # draws taken at a time (a call costs about 12 microseconds)
    blocks = iter(range(0, n, step))
    lock = threading.Lock()
    opening = opening_state(P, R, capacity, pay_cells(P, capacity, 1))

    def work(_):
        cells = pay_cells(P, capacity, 1)  # a workspace of its own, reused for all its draws
        while True:
            with lock:
                a = next(blocks, None)
            if a is None:
                return
            simulate_block(P, R, seed, draws[a:a + step], capacity, out[a:a + step], cells, *opening)
            if done is not None:
                with lock:
                    done(min(step, n - a))

    if threads == 1:
        work(0)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, range(threads)))
    return out


@njit(cache=True, nogil=True)
def simulate_block(P, R, seed, draws, capacity, out, cells, W0, ns0, raw0):
    """simulate_draw for each of ``draws`` in turn from the opening state (W0, ns0, raw0), without holding
    Python's lock (so threads run it side by side)."""
    for d in range(draws.shape[0]):
        simulate_draw_after(P, R, seed, draws[d], capacity, out[d], cells, W0, ns0, raw0)


def capacity_for(P, n_open: int) -> int:
    """Slots a draw needs: the most workers in post at a year start plus one year's entrants (recruits within the
    cap, and outside candidates elected to at most every 两委 seat)."""
    most = int(P.quota.sum(axis=1).max())
    seats = int(P.quota[:, :STAFF].sum(axis=1).max())
    return max(n_open, most) + min(most, int(P.annual_cap.max()) + seats) + 1
