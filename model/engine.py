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

from . import rng
from .lines import CONTRIBUTIONS, PAY_PARTS
from .metrics import (
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


@njit(cache=True, inline="always")
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

    ``base`` is the provincial average wage of the year before retirement (上年度), ``contrib_m`` months.
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
    union_fund_rate: float  # 工会经费 as a share of gross pay
    avg: float  # last year's provincial average wage, yuan a month (limits, contribution index, 计发基数)


@njit(cache=True)
def pay_rates(P, t, wage, avg_last):
    """The PayRates of year t, for the draw's reference wage path and last year's average wage.

    Contribution base limits of year t = floor/ceiling share x the provincial average wage of year t - 1
    (国办发〔2019〕13号: 上年度全口径城镇单位就业人员平均工资); the housing fund's limits likewise.
    """
    A = avg_last[t]
    return PayRates(wage[t], P.coef, P.perf_share[t], P.probation_share, P.post_allow[t], P.seniority_per_year[t],
                    P.seniority_cap, P.cert_allow[t], P.career_allow[t], P.floor_share[t] * A, P.ceil_share[t] * A,
                    P.hf_floor_share[t] * A, P.hf_ceil_share[t] * A, P.er[t], P.ee[t], P.institution,
                    P.union_fund_rate[t], A)


@njit(cache=True, inline="always")
def monthly_pay(Y, post, grade, cert, service, regime):
    """Monthly pay parts in yuan: base = wage x coefficient; performance = base x share; allowances."""
    base = Y.wage * Y.coef[post, grade - 1]
    return (base, base * Y.perf_share, Y.post_allow[post], Y.seniority_per_year * min(service, Y.seniority_cap),
            Y.cert_allow[cert], Y.career_allow[regime])


@njit(cache=True, inline="always")
def annual_pay_fen(Y, monthly, months, probation):
    """Annual pay parts in fen for ``months`` paid, of which ``probation`` at the probation share without performance pay."""
    base, perf, post_allow, seniority, cert_allow, career = monthly
    return (fen(base * (months - probation) + base * Y.probation_share * probation),
            fen(perf * (months - probation)),
            fen(post_allow * months),
            fen(seniority * months),
            fen(cert_allow * months),
            fen(career * months))


# Columns of a priced row (int64, fen): the tallied lines first, in the order of LINE_RAW.
V_BASE, V_PERF, V_POSTALLOW, V_SENIORITY, V_CERTALLOW, V_CAREER = 0, 1, 2, 3, 4, 5
V_ER_PENSION, V_ER_MEDICAL, V_ER_UNEMP, V_ER_INJURY, V_HOUSING, V_ER_ANNUITY, V_EE_TOTAL = 6, 7, 8, 9, 10, 11, 12
V_EE_PENSION, V_EE_ANNUITY, V_PAY, V_ER, V_PAY_PREV_PRICES, V_CERT_PREV_PRICES = 13, 14, 15, 16, 17, 18
V_UNION = 19  # cost.other.union_fund
N_V = 20
# The tallied columns by name: the pay parts and the employer's contributions in the declared orders
# (model.lines: PAY_PARTS; CONTRIBUTIONS by rate column), then the employees' total.
V_LINES = PAY_PARTS + tuple(x.metric for x in CONTRIBUTIONS) + ("si.employee_total",)
LINE_RAW = np.array([RAW[m] for m in V_LINES])
if (V_BASE, V_ER_PENSION, V_HOUSING, V_ER_ANNUITY, V_EE_TOTAL) != tuple(
        V_LINES.index(m) for m in ("pay.base", "cost.employer_pension", "cost.housing_fund", "si.occupational_annuity",
                                   "si.employee_total")) or len(PAY_PARTS) != 6:
    raise ImportError("engine.V_* columns do not follow the lines declared in model/lines.py")
# Float columns: contribution base and gross pay (yuan a month); what the accounts gain (yuan): the individual
# account's contribution, the annuity's, and the contribution index of one month (base / average wage)
F_BASE, F_GROSS, F_ACCOUNT, F_ANNUITY, F_INDEX = 0, 1, 2, 3, 4
N_F = 5


@njit(cache=True, inline="always")
def price(Y, Y_prev, post, grade, cert, service, regime, months, probation, vals, fvals, r):
    """Price one worker-year at rates Y into vals[r] (fen) and fvals[r] (yuan a month).

    Pay parts for ``months`` paid, ``probation`` of them at the probation share without performance pay;
    contributions = rate x base x months on monthly gross pay clipped to [floor, ceiling];
    and the full-year pay at last year's rates Y_prev (the bridge's counterfactual).
    Each amount is rounded to the fen once.
    """
    monthly = monthly_pay(Y, post, grade, cert, service, regime)
    parts = annual_pay_fen(Y, monthly, months, probation)
    vals[r, V_BASE] = parts[0]; vals[r, V_PERF] = parts[1]; vals[r, V_POSTALLOW] = parts[2]
    vals[r, V_SENIORITY] = parts[3]; vals[r, V_CERTALLOW] = parts[4]; vals[r, V_CAREER] = parts[5]
    gross = monthly[0] + monthly[1] + monthly[2] + monthly[3] + monthly[4] + monthly[5]
    sb = min(max(gross, Y.floor), Y.ceiling)
    hb = min(max(gross, Y.hf_floor), Y.hf_ceiling)
    inst = Y.institution[regime]  # 1 or 0
    m = months
    vals[r, V_ER_PENSION] = fen(Y.er[0] * sb * m)
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
    vals[r, V_ER] = (vals[r, V_ER_PENSION] + vals[r, V_ER_MEDICAL] + vals[r, V_ER_UNEMP] + vals[r, V_ER_INJURY]
                     + vals[r, V_HOUSING] + vals[r, V_ER_ANNUITY])
    b = annual_pay_fen(Y_prev, monthly_pay(Y_prev, post, grade, cert, service, regime), 12, 0)
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

    The average wage of a year is the published figure where there is one (P.avg_known), else
    A_y = A_(y-1) x (1 + g_avg + sd x z_t) (the opening year, if not published, grows without a shock);
    W_t = link_t x A_(t-1) where linked, else W_(t-1) x (1 + g + sd x z_t), with z_t one standard-normal
    shock per draw and year, common to both. avg_last[t] = A_(t-1) is the 上年度 figure used in year t.
    """
    n = P.n_years
    wage = np.empty(n)
    avg_year = np.empty(n + 1)  # avg_year[k]: the average wage of year opening_year - 1 + k
    wage[0] = P.wage0
    avg_year[0] = P.avg_known[0]
    avg_year[1] = P.avg_known[1] if P.avg_known[1] > 0 else P.avg_known[0] * (1.0 + P.avg_growth[0])
    for t in range(1, n):
        year = P.opening_year + t
        u1 = rng.uniform_nb(seed, draw, rng.GLOBAL_WORKER, year, rng.WAGE_SHOCK)
        u2 = rng.uniform_nb(seed, draw, rng.GLOBAL_WORKER, year, rng.WAGE_SHOCK + 1000)
        z = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
        if P.avg_known[t + 1] > 0:
            avg_year[t + 1] = P.avg_known[t + 1]
        else:
            avg_year[t + 1] = avg_year[t] * (1.0 + P.avg_growth[t] + P.wage_sd * z)
        if P.wage_link[t] > 0:
            wage[t] = P.wage_link[t] * avg_year[t]
        else:
            wage[t] = wage[t - 1] * (1.0 + P.wage_growth[t] + P.wage_sd * z)
    ua = rng.uniform_nb(seed, draw, rng.GLOBAL_WORKER, 0, rng.ATTRITION_SCALE)
    up = rng.uniform_nb(seed, draw, rng.GLOBAL_WORKER, 0, rng.PASS_SCALE)
    att_mult = P.att_lo + (P.att_hi - P.att_lo) * ua
    pass_mult = P.pass_lo + (P.pass_hi - P.pass_lo) * up
    return wage, avg_year[:n].copy(), att_mult, pass_mult


@njit(cache=True)
def simulate_draw(P, R, seed, draw, capacity, raw, cells):
    """Run one draw over all years, filling raw[t, :] (int64 tallies, see metrics.py).

    ``cells`` is a pay_cells workspace with one table per shard. Workers live in K shards (contiguous
    slot ranges), one per table: the per-worker steps run shard by shard (over threads in the parallel
    compilation, simulate_draw_wide), hiring and the election surplus across all of them. Tallies are
    kept per shard and summed: they are integers, so the split does not change them.
    """
    wage, avg_last, att_mult, pass_mult = draw_paths(P, seed, draw)
    K = cells[0].shape[0]
    cs = shard_capacity(capacity, K)
    C = cs * K
    base = np.arange(K) * cs
    ns = np.zeros(K, np.int64)  # workers in each shard, in slots base[s] .. base[s] + ns[s] - 1
    rawk = np.zeros((K, raw.shape[0], raw.shape[1]), np.int64)
    carry = np.zeros(K, np.int64)  # last year's cost of this year's leavers (bridge), by shard
    # Worker state, in the narrowest types that hold it (less memory traffic at national scale):
    # STATE_BYTES_PER_SLOT in all.
    # Codes and counts are unsigned: numba indexes with them without checking for a negative index.
    u8, u16, i16, i32 = np.uint8, np.uint16, np.int16, np.int32
    wid = np.empty(C, np.int64); post = np.empty(C, u8); regime = np.empty(C, u8)
    female = np.empty(C, u8); edu = np.empty(C, u8); birth_m = np.empty(C, i32)
    service = np.empty(C, u16); contrib_m = np.empty(C, i32); grade = np.empty(C, u8)
    yig = np.empty(C, u16); cert = np.empty(C, u8); arrears_m = np.empty(C, i32)
    account = np.empty(C); annuity = np.empty(C); idx_sum = np.empty(C)
    stat_m = np.empty(C, i32)  # month of reaching the statutory age (depends on sex, birth and post)
    fails = np.zeros(C, u8); hired_t = np.zeros(C, i16)
    # state on 1 January (what pay uses)
    ppost = np.empty(C, u8); pgrade = np.empty(C, u8); pcert = np.empty(C, u8); pservice = np.empty(C, u16)
    qcert = np.empty(C, u8)  # certificate on 1 January of the year before (bridge)
    prev_pay = np.zeros(C, np.int64); prev_er = np.zeros(C, np.int64)
    # per-year scratch
    months = np.zeros(C, u8); probation = np.zeros(C, u8); exit_kind = np.zeros(C, u8)
    exit_at = np.zeros(C, i32); failed = np.zeros(C, np.bool_); alive = np.zeros(C, np.bool_)
    wykey = np.zeros(C, np.uint64)  # random-stream key of (seed, draw, worker, year)
    # the year's uniforms for attrition, the review and sitting the exam, drawn with the keys in one loop
    # that the compiler vectorises (in the loops that use them, each would be a hash to wait for)
    u_att = np.empty(C); u_rev = np.empty(C); u_sit = np.empty(C)
    dkey = rng.draw_key(seed, draw)
    # pay cells (see step 5): each cell's tag, year t << 16 | its row among year t's priced cells (at most
    # 4 x 18 x 4 x 61 x 3 < 2**16 cells, so rows fit in 16 bits); -1 before it is first met
    cell_tag_k, vals_k, fvals_k, cell_n_k, cell_post_k, cell_regime_k = cells
    cell_tag_k[:] = -1
    # sizes of the pay-cell index, unsigned (numba then indexes without checking for a negative index)
    u1, ng, nc = np.uint64(1), np.uint64(P.coef.shape[1]), np.uint64(P.cert_allow.shape[1])
    nr, uscap = np.uint64(P.institution.shape[0]), np.uint64(P.seniority_cap)
    # Flags read once: a bool taken from the parameter tuple inside a loop is slow in numba.
    reform = P.reform == 1
    male_age, female_age = P.male_age, P.female_age
    career_exempt = P.career_exempt == 1
    employer_pays_ee = P.employer_pays_ee == 1

    n_open = R.wid.shape[0]
    for s in prange(K):  # the opening roster in K contiguous blocks
        lo, hi = n_open * s // K, n_open * (s + 1) // K
        ns[s] = hi - lo
        for j in range(lo, hi):
            i = base[s] + j - lo
            wid[i] = R.wid[j]; post[i] = R.post[j]; regime[i] = R.regime[j]; female[i] = R.female[j]
            edu[i] = R.edu[j]; birth_m[i] = R.birth_m[j]; service[i] = R.service[j]; contrib_m[i] = R.contrib_m[j]
            grade[i] = R.grade[j]; yig[i] = R.yig[j]; cert[i] = R.cert[j]; arrears_m[i] = R.arrears_m[j]
            account[i] = R.account[j]; annuity[i] = 0.0; idx_sum[i] = R.idx_sum[j]; alive[i] = True
            hired_t[i] = -10
            stat_m[i] = statutory_month(male_age, female_age, female[i], birth_m[i], post[i], reform)
    next_id = n_open

    for t in range(P.n_years):
        year = P.opening_year + t
        y_start = year * 12
        for s in prange(K):
            lo, hi = shard_slots(base, ns, s)
            for i in range(lo, hi):
                ppost[i] = post[i]; pgrade[i] = grade[i]; pcert[i] = cert[i]; pservice[i] = service[i]
                months[i] = 12; probation[i] = 0; exit_kind[i] = NOT_EXITED; failed[i] = False
                wk = rng.worker_year_key(dkey, wid[i], year)
                wykey[i] = wk
                u_att[i] = rng.event_uniform(wk, rng.ATTRITION)
                u_rev[i] = rng.event_uniform(wk, rng.REVIEW)
                u_sit[i] = rng.event_uniform(wk, rng.SIT)

        if t > 0:
            # 1. retirement, 2. attrition and reviews, 3. elections (the surplus follows), worker by worker
            # (each slot below ns holds a worker in post on 1 January); then the workers left, by post
            election = P.election[t] != 0
            counts = np.zeros((K, 4), np.int64)
            for s in prange(K):
                lo, hi = shard_slots(base, ns, s)
                for i in range(lo, hi):
                    stat = stat_m[i]
                    if stat < y_start + 12:  # has reached, or reaches this year, the statutory age
                        out, short = retirement_exit(stat, contrib_m[i], y_start, P.opening_year,
                                                     P.min_contrib_months, P.max_deferral_months)
                        if out < y_start + 12:
                            alive[i] = False
                            exit_kind[i] = RETIRED_SHORT if short else RETIRED
                            exit_at[i] = out
                            months[i] = max(0, out - y_start)
                            continue
                    rate = P.attrition[t, post[i]] * att_mult * (P.early_mult if service[i] < P.early_years else 1.0)
                    if u_att[i] < rate:
                        alive[i] = False; exit_kind[i] = ATTRITED; months[i] = P.exit_month - 1
                        continue
                    failed[i] = u_rev[i] < P.review_fail[t]
                    fails[i] = fails[i] + 1 if failed[i] else 0
                    if fails[i] >= P.dismiss_after:
                        alive[i] = False; exit_kind[i] = DISMISSED; months[i] = P.exit_month - 1
                        continue
                    if election and post[i] != STAFF and not (career_exempt and regime[i] != 0):
                        out_now = P.cert_required[t] and cert[i] == 0
                        if not out_now:
                            out_now = rng.event_uniform(wykey[i], rng.ELECTION) < P.turnover[t]
                        if out_now:
                            alive[i] = False; exit_kind[i] = ELECTED_OUT; months[i] = P.exit_month - 1
                            continue
                    counts[s, post[i]] += 1
            in_post = np.zeros(4, np.int64)
            for s in range(K):
                for p in range(4):
                    in_post[p] += counts[s, p]
            if election:  # a post above its quota loses its surplus
                for p in range(STAFF):
                    excess = in_post[p] - P.quota[t, p]
                    if excess <= 0:
                        continue
                    cand = np.empty(in_post[p], np.int64)
                    keys = np.empty(in_post[p], np.uint64)
                    k = 0
                    for s in range(K):
                        lo, hi = shard_slots(base, ns, s)
                        for i in range(lo, hi):
                            if alive[i] and post[i] == p and not (career_exempt and regime[i] != 0):
                                cand[k] = i
                                keys[k] = rng.event_hash(wykey[i], rng.SURPLUS)
                                k += 1
                    order = key_order(cand[:k], keys[:k], wid)
                    excess = min(excess, k)
                    room = max(P.quota[t, STAFF] - in_post[STAFF], 0)
                    n_move = int(math.floor(P.surplus_to_staff * min(excess, room) + 1e-9))
                    for j in range(excess):
                        i = cand[order[j]]
                        in_post[p] -= 1
                        if j < n_move:
                            in_post[STAFF] += 1
                            rawk[0, t, R_MOVES_A[p]] -= 1
                            rawk[0, t, R_MOVES_A[STAFF]] += 1
                            post[i] = STAFF
                            grade[i] = min(max(grade[i], P.grade_lo[STAFF]), P.grade_hi[STAFF])
                            stat_m[i] = statutory_month(male_age, female_age, female[i], birth_m[i], STAFF, reform)
                        else:
                            alive[i] = False; exit_kind[i] = ELECTED_OUT; months[i] = P.exit_month - 1
            # the election fills the 两委 seats left vacant, outside the recruitment cap: first from full-time
            # staff (in post as staff on 1 January; holding a certificate where the rule applies), moved to the
            # post in order of their keys; the rest from outside candidates, who enter below
            outside = np.zeros(STAFF, np.int64)
            if election:
                seats = np.zeros(STAFF, np.int64)
                want = np.zeros(STAFF, np.int64)
                for p in range(STAFF):
                    seats[p] = max(P.quota[t, p] - in_post[p], 0)
                    want[p] = int(math.floor(P.from_staff[t] * seats[p] + 1e-9))
                k = 0
                cand = np.empty(max(in_post[STAFF], 0) if want.sum() > 0 else 0, np.int64)
                keys = np.empty(cand.shape[0], np.uint64)
                if cand.shape[0] > 0:  # the eligible staff, once; each post takes the next in key order
                    for s in range(K):
                        lo, hi = shard_slots(base, ns, s)
                        for i in range(lo, hi):
                            if (alive[i] and post[i] == STAFF and ppost[i] == STAFF
                                    and (cert[i] > 0 or not P.cert_required[t])):
                                cand[k] = i
                                keys[k] = rng.event_hash(wykey[i], rng.ELECT_FROM_STAFF)
                                k += 1
                order = first_in_key_order(cand[:k], keys[:k], wid, want.sum())
                j = 0
                for p in range(STAFF):
                    moved = min(want[p], order.shape[0] - j)
                    for q in range(moved):
                        i = cand[order[j + q]]
                        post[i] = p
                        grade[i] = min(max(grade[i], P.grade_lo[p]), P.grade_hi[p])
                        stat_m[i] = statutory_month(male_age, female_age, female[i], birth_m[i], p, reform)
                        rawk[0, t, R_ELECTED_CERT] += cert[i] > 0
                    j += moved
                    in_post[STAFF] -= moved
                    rawk[0, t, R_MOVES_A[STAFF]] -= moved
                    rawk[0, t, R_MOVES_A[p]] += moved
                    rawk[0, t, R_ELECTED_STAFF_A[p]] += moved
                    outside[p] = seats[p] - moved
                    in_post[p] += seats[p]
                    rawk[0, t, R_ELECTED_OUT_A[p]] += outside[p]
            # 4. hiring: vacancies per post within the yearly cap. Entrants (the elected outside candidates,
            # then the recruits) take the slots after hired_from, shard by shard; the elected ones end at elected_to
            cap_left = P.cap[t]
            ypg = P.years_per_grade[t]
            hired_from = ns.copy()
            for p in range(STAFF):
                next_id = add_entrants(outside[p], p, K, cs, base, ns, wid, post, next_id)
            elected_to = ns.copy()
            for p in range(4):
                vacancies = P.quota[t, p] - in_post[p]
                if vacancies <= 0:
                    continue
                k = min(int(math.floor(P.fill_rate[t] * vacancies + 1e-9)), cap_left)
                cap_left -= k
                rawk[0, t, R_HIRES_A[p]] += k
                next_id = add_entrants(k, p, K, cs, base, ns, wid, post, next_id)
            # an entrant's attributes depend on its id, post and kind alone: drawn shard by shard
            for s in prange(K):
                for i in range(np.uint64(base[s] + hired_from[s]), np.uint64(base[s] + ns[s])):
                    hp = post[i]
                    kind = 1 if i < base[s] + elected_to[s] else 0  # 1: elected outside candidate, 0: recruit
                    wk = rng.worker_year_key(dkey, wid[i], year)
                    wykey[i] = wk
                    regime[i] = 0; alive[i] = True; hired_t[i] = t
                    span = P.ent_age_max[t, kind, hp] - P.ent_age_min[t, kind, hp] + 1
                    age = P.ent_age_min[t, kind, hp] + int(math.floor(rng.event_uniform(wk, rng.HIRE_AGE) * span))
                    birth_m[i] = (year - age) * 12 + int(math.floor(rng.event_uniform(wk, rng.HIRE_MONTH) * 12))
                    female[i] = 1 if rng.event_uniform(wk, rng.HIRE_SEX) < P.ent_female[t, kind, hp] else 0
                    stat_m[i] = statutory_month(male_age, female_age, female[i], birth_m[i], hp, reform)
                    ue = rng.event_uniform(wk, rng.HIRE_EDU)
                    e = 0
                    while e < P.ent_edu_cum.shape[2] - 1 and ue >= P.ent_edu_cum[t, kind, e]:
                        e += 1
                    edu[i] = e
                    cert[i] = 1 if rng.event_uniform(wk, rng.HIRE_CERT) < P.ent_cert[t, kind, hp] else 0
                    if hp != STAFF and P.cert_required[t]:
                        cert[i] = 1  # where candidates must hold a certificate, new 两委 members hold one
                    if kind == 1:
                        rawk[s, t, R_ELECTED_CERT] += cert[i] > 0
                    service[i] = 0
                    counted = P.edu_credit[e]
                    grade[i] = min(P.grade_lo[hp] + counted // ypg + P.cert_bonus[cert[i]], P.grade_hi[hp])
                    yig[i] = counted % ypg
                    contrib_m[i] = int(math.floor(P.ent_prior[kind] * max(0, age - 22))) * 12
                    account[i] = P.account_per_year * contrib_m[i] / 12.0
                    annuity[i] = 0.0
                    idx_sum[i] = P.contribution_index0 * contrib_m[i]
                    arrears_m[i] = 0; fails[i] = 0; failed[i] = False
                    ppost[i] = hp; pgrade[i] = grade[i]; pcert[i] = cert[i]; pservice[i] = 0
                    qcert[i] = cert[i]
                    prev_pay[i] = 0; prev_er[i] = 0
                    # elected members take their seats when the old ones leave, without probation;
                    # recruits start in start_month on probation
                    months[i] = 13 - (P.exit_month if kind == 1 else P.start_month)
                    probation[i] = 0 if kind == 1 else min(P.probation_months, months[i])
                    exit_kind[i] = NOT_EXITED

        # 5. pay, contributions, pensions of retirees, arrears. A full-year worker's amounts depend only on
        # the pay cell (post, grade, certificate, service up to the seniority cap, regime) on 1 January:
        # each cell met is priced once a year and tallied as count x amount at the end of the year.
        # Leavers and hires (part years) are priced and tallied one by one, in the scratch row.
        grow = 1.0 + P.crediting[t]
        for s in prange(K):
            Y = pay_rates(P, t, wage, avg_last)
            Y_prev = pay_rates(P, max(t - 1, 0), wage, avg_last)  # (at t = 0 the counterfactual is not used)
            rk = rawk[s]
            cell_tag, vals, fvals = cell_tag_k[s], vals_k[s], fvals_k[s]
            cell_n, cell_post, cell_regime = cell_n_k[s], cell_post_k[s], cell_regime_k[s]
            scratch = vals.shape[0] - 1  # the last row prices one part-year worker at a time
            n_cells_met = 0
            exit_cost = np.int64(0)
            br_exits = br_hires = br_prog = br_cert = br_uprate = br_contrib = np.int64(0)
            lo, hi = shard_slots(base, ns, s)
            for i in range(lo, hi):
                m = months[i]
                full_year = m == 12 and probation[i] == 0 and exit_kind[i] == NOT_EXITED
                if full_year:
                    c = (((ppost[i] * ng + pgrade[i] - u1) * nc + pcert[i]) * (uscap + u1)
                         + min(pservice[i], uscap)) * nr + regime[i]
                    tag = cell_tag[c]
                    fresh = (tag >> 16) != t
                    if fresh:
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
                    price(Y, Y_prev, ppost[i], pgrade[i], pcert[i], pservice[i], regime[i], m, probation[i], vals, fvals, r)
                if not full_year:
                    tally_row(rk, t, vals, r, 1, ppost[i], regime[i])
                pay = vals[r, V_PAY]
                er = vals[r, V_ER]
                sb = fvals[r, F_BASE]
                # individual and annuity accounts: credited at the year end, then this year's contributions
                # added; not in the opening year, whose months the roster's accounts already hold
                if t > 0:
                    account[i] = account[i] * grow + fvals[r, F_ACCOUNT]
                    annuity[i] = annuity[i] * grow + fvals[r, F_ANNUITY]
                    idx_sum[i] += fvals[r, F_INDEX] * m
                    contrib_m[i] += m
                # wage-bill bridge
                if t > 0:
                    if exit_kind[i] != NOT_EXITED:
                        br_exits += pay + er - prev_pay[i] - prev_er[i]
                        exit_cost += pay + er
                    elif hired_t[i] == t:
                        br_hires += pay + er
                    elif hired_t[i] == t - 1:
                        br_hires += pay + er - prev_pay[i] - prev_er[i]
                    else:
                        # this year's state at last year's wage and rates; the certificate allowance
                        # change is split off, the rest of the state change is progression
                        pay_b = vals[r, V_PAY_PREV_PRICES]
                        cert_step = vals[r, V_CERT_PREV_PRICES] - fen(P.cert_allow[t - 1, qcert[i]] * 12)
                        br_prog += pay_b - cert_step - prev_pay[i]
                        br_cert += cert_step
                        br_uprate += pay - pay_b
                        br_contrib += er - prev_er[i]
                prev_pay[i] = pay
                prev_er[i] = er
                # pension of a retiree (workers' outcome)
                if exit_kind[i] == RETIRED:
                    age_years = (exit_at[i] - birth_m[i]) // 12
                    div = P.divisor[min(max(age_years - 40, 0), P.divisor.shape[0] - 1)]
                    index = idx_sum[i] / contrib_m[i] if contrib_m[i] > 0 else 0.0
                    pension = monthly_pension(Y.avg, index, contrib_m[i], P.accrual, account[i], div)
                    if P.institution[regime[i]] == 1:
                        pension += annuity[i] / div
                    rk[t, R_RETIREES] += 1
                    rk[t, R_PENSION_SUM] += fen(pension)
                    rk[t, R_REPL_PPM] += np.int64(math.floor(pension / fvals[r, F_GROSS] * 1e6 + 0.5))
                # arrears clearance (workers still in post)
                if alive[i] and arrears_m[i] > 0 and t >= P.clear_start_t and t > 0:
                    if rng.event_uniform(wykey[i], rng.ARREARS_CLEAR) < P.clear_rate[t]:
                        rate = P.er[t, 0] + (P.ee[t, 0] if employer_pays_ee else 0.0)
                        principal = fen(arrears_m[i] * sb * rate)
                        overdue_years = t + arrears_m[i] / 24.0
                        fee = fen(principal / 100.0 * P.late_fee_daily * 365.0 * overdue_years * P.late_fee_share)
                        rk[t, R_ARR_PRINCIPAL] += principal
                        rk[t, R_ARR_FEES] += fee
                        rk[t, R_ARR_POST_A[post[i]]] += principal + fee
                        rk[t, R_ARR_REGIME_A[regime[i]]] += principal + fee
                        rk[t, R_ARR_CLEARED] += arrears_m[i]
                        account[i] += arrears_m[i] * sb * P.ee[t, 0]
                        contrib_m[i] += arrears_m[i]
                        arrears_m[i] = 0
            for r in range(n_cells_met):
                tally_row(rk, t, vals, r, cell_n[r], cell_post[r], cell_regime[r])
            rk[t, R_BR_EXITS] += br_exits - (carry[s] if t > 0 else 0)
            rk[t, R_BR_HIRES] += br_hires
            rk[t, R_BR_PROG] += br_prog
            rk[t, R_BR_CERT] += br_cert
            rk[t, R_BR_UPRATE] += br_uprate
            rk[t, R_BR_CONTRIB] += br_contrib
            carry[s] = exit_cost

        # 6. progression, 7. certificates and 8. ageing at the year end, then the year-end stock;
        # leavers are counted, then dropped
        for p in range(4):
            rawk[0, t, R_QUOTA_A[p]] = P.quota[t, p]
        for s in prange(K):
            rk = rawk[s]
            lo, hi = shard_slots(base, ns, s)
            age_months = arrears_out = np.int64(0)  # sums kept in registers, added to the tallies after the loop
            for i in range(lo, hi):
                if not alive[i]:
                    rk[t, EXIT_RAW[exit_kind[i]]] += 1
                    rk[t, R_EXITS_POST_A[post[i]]] += 1
                    continue
                if t > 0:
                    if hired_t[i] != t:  # hires of the year take part from the next year on
                        # without branches (whether a grade is gained is as good as random): a passed
                        # review adds a year; a full step of years moves up a grade within the range
                        y = yig[i] + (not failed[i])
                        up = (not failed[i]) and y >= P.years_per_grade[t] and grade[i] < P.grade_hi[post[i]]
                        grade[i] += up
                        yig[i] = 0 if up else y
                        c = cert[i]
                        if c < 3 and service[i] >= P.min_service[c, edu[i]]:
                            if u_sit[i] < P.sit[t, c]:
                                rk[t, R_SAT] += 1
                                subsidy = P.subsidy_sit[t, c]
                                if rng.event_uniform(wykey[i], rng.PASS) < min(1.0, P.pass_rate[t, c] * pass_mult):
                                    rk[t, R_PASSES] += 1
                                    subsidy += P.subsidy_pass[t, c]
                                    cert[i] = c + 1
                                    grade[i] = min(grade[i] + P.cert_bonus[c + 1] - P.cert_bonus[c], P.grade_hi[post[i]])
                                rk[t, R_EXAM_SUBSIDY] += subsidy
                                rk[t, R_OTHER_POST_A[post[i]]] += subsidy
                                rk[t, R_OTHER_REGIME_A[regime[i]]] += subsidy
                    service[i] += 1
                rk[t, R_HC_A[post[i]]] += 1
                rk[t, R_REGIME_A[regime[i]]] += 1
                rk[t, R_GRADE_A[grade[i] - 1]] += 1
                rk[t, R_CERT_A[max(cert[i], 1) - 1]] += cert[i] > 0  # (without a branch)
                age_months += y_start + 11 - birth_m[i]
                arrears_out += arrears_m[i]
                qcert[i] = pcert[i]
            rk[t, R_AGE_MONTHS] += age_months
            rk[t, R_ARR_OUT] += arrears_out
            # leavers' slots are filled from the end of the shard (the slot order carries no meaning)
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
                annuity[i] = annuity[j]; idx_sum[i] = idx_sum[j]; fails[i] = fails[j]; hired_t[i] = hired_t[j]
                stat_m[i] = stat_m[j]; qcert[i] = qcert[j]; prev_pay[i] = prev_pay[j]; prev_er[i] = prev_er[j]
                alive[i] = alive[j]
                alive[j] = False  # a freed slot
            ns[s] = end - lo
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
def add_entrants(k, p, K, cs, base, ns, wid, post, next_id):
    """Give k entrants to post p the next ids, each in a slot of the emptiest shard; returns the next free id."""
    for _ in range(k):
        sh = 0  # the emptiest shard (a loop: np.argmin would be a parallel region per entrant)
        for s2 in range(1, K):
            if ns[s2] < ns[sh]:
                sh = s2
        if ns[sh] >= cs:  # cannot happen: see capacity_for and the emptiest-shard rule
            raise RuntimeError("engine: a shard ran out of worker slots")
        i = base[sh] + ns[sh]
        ns[sh] += 1
        wid[i] = next_id
        post[i] = p
        next_id += 1
    return next_id


@njit(cache=True, inline="always")
def shard_capacity(capacity, shards):
    """Slots per shard. Hires go to the emptiest shard, so no shard holds more than its share of the
    draw's capacity (capacity_for) plus one."""
    return capacity if shards == 1 else capacity // shards + 2


@njit(cache=True, inline="always")
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
simulate_draw_wide = njit(cache=True, parallel=True)(_renamed(simulate_draw.py_func, "simulate_draw_wide"))


@njit(cache=True)
def n_pay_cells(P):
    """Pay cells: posts x grades x certificate levels x service years 0..seniority cap x regimes."""
    return P.coef.shape[0] * P.coef.shape[1] * P.cert_allow.shape[1] * (P.seniority_cap + 1) * P.institution.shape[0]


def pay_cells_bytes(P, capacity: int) -> int:
    """Memory of one pay_cells workspace: per cell a tag (year and row); per row N_V int64,
    N_F float64, a count and two codes."""
    n_cells = n_pay_cells(P)
    return n_cells * 4 + (min(n_cells, capacity) + 1) * (8 * N_V + 8 * N_F + 8 + 2)


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


def simulate_draws(P, R, seed, draws, capacity):
    """Run draws[0..] on numba's thread count; returns raw[draw, t, N_RAW] int64.

    With at least as many draws as threads, each thread runs whole draws, taking the next few as it
    becomes free: on a shared machine a core slowed by other work takes fewer, instead of finishing
    last. With fewer draws than threads (a national run of one draw), each draw's workers are split
    into one shard per thread (simulate_draw_wide).
    """
    draws = np.asarray(draws, dtype=np.int64)
    threads = get_num_threads()
    n = draws.shape[0]
    out = np.zeros((n, P.n_years, N_RAW), np.int64)
    if 1 < threads and n < threads:
        cells = pay_cells(P, capacity, threads)
        for d in range(n):
            simulate_draw_wide(P, R, seed, draws[d], capacity, out[d], cells)
        return out
    step = max(1, n // (threads * 16))  # draws taken at a time: small blocks leave a short tail
    blocks = iter(range(0, n, step))
    lock = threading.Lock()

    def work(_):
        cells = pay_cells(P, capacity, 1)  # a workspace of its own, reused for all its draws
        while True:
            with lock:
                a = next(blocks, None)
            if a is None:
                return
            simulate_block(P, R, seed, draws[a:a + step], capacity, out[a:a + step], cells)

    if threads == 1:
        work(0)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, range(threads)))
    return out


@njit(cache=True, nogil=True)
def simulate_block(P, R, seed, draws, capacity, out, cells):
    """simulate_draw for each of ``draws`` in turn, without holding Python's lock (so threads run it side by side)."""
    for d in range(draws.shape[0]):
        simulate_draw(P, R, seed, draws[d], capacity, out[d], cells)


def capacity_for(P, n_open: int) -> int:
    """Slots a draw needs: the most workers in post at a year start plus one year's entrants (recruits within the
    cap, and outside candidates elected to at most every 两委 seat)."""
    most = int(P.quota.sum(axis=1).max())
    seats = int(P.quota[:, :STAFF].sum(axis=1).max())
    return max(n_open, most) + min(most, int(P.cap.max()) + seats) + 1
