"""Slow per-worker reference implementation: the model's rules written for reading, not for speed.

It must give exactly the raw tallies of the compiled engine (``engine.py``) on small scenarios;
``tests/test_reference.py`` checks that to the fen. See ``engine.py`` for the order of the steps.
Random numbers come from ``rng.uniform_py`` (pure Python), keyed like the engine's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import metrics as M
from . import rng
from .lines import CONTRIBUTIONS, PAY_PARTS
from .params import Params
from .population import Roster

STAFF = 3


def fen(x: float) -> int:
    """Yuan to whole fen, half up."""
    return int(math.floor(x * 100.0 + 0.5))


@dataclass
class Worker:
    wid: int
    post: int
    regime: int
    female: int
    edu: int
    birth_m: int
    service: int
    contrib_m: int
    grade: int
    yig: int
    cert: int
    arrears_m: int
    account: float
    idx_sum: float
    annuity: float = 0.0
    fails: int = 0
    hired_t: int = -10
    # state on 1 January of this year and of the year before
    jan: tuple = ()
    last_jan: tuple = ()
    prev_pay: int = 0
    prev_er: int = 0


def statutory_retirement_month(female: int, birth_m: int, original_age: int, reform: bool) -> int:
    base = birth_m + original_age * 12
    if not reform:
        return base
    if female == 0:
        start, step, cap = 1965 * 12, 4, 36
    elif original_age == 55:
        start, step, cap = 1970 * 12, 4, 36
    else:
        start, step, cap = 1975 * 12, 2, 60
    born_after = birth_m - start
    return base if born_after < 0 else base + min(cap, born_after // step + 1)


def monthly_pay(P: Params, t: int, wage: float, post, grade, cert, service, regime):
    base = wage * float(P.coef[post, grade - 1])
    perf = base * float(P.perf_share[t])
    return (base, perf, float(P.post_allow[t, post]),
            float(P.seniority_per_year[t]) * min(service, P.seniority_cap),
            float(P.cert_allow[t, cert]), float(P.career_allow[t, regime]))


def annual_pay(P, t, wage, jan, regime, months, probation):
    post, grade, cert, service = jan
    base, perf, post_allow, seniority, cert_allow, career = monthly_pay(P, t, wage, post, grade, cert, service, regime)
    return [fen(base * (months - probation) + base * P.probation_share * probation), fen(perf * (months - probation)),
            fen(post_allow * months), fen(seniority * months), fen(cert_allow * months), fen(career * months)]


def draw_paths(P: Params, seed: int, draw: int):
    """The draw's reference wage wage[t] and last year's average wage avg_last[t] (the 上年度 figure of year t).

    The average wage of a year is the published figure where there is one, else last year's x (1 + growth
    + sd x z); the opening year, if not published, grows from the year before without a shock.
    """
    wage = [P.wage0]
    known = [float(a) for a in P.avg_known]
    avg_year = [known[0]]  # avg_year[k]: the average wage of year opening_year - 1 + k
    avg_year.append(known[1] if known[1] > 0 else known[0] * (1.0 + float(P.avg_growth[0])))
    for t in range(1, P.n_years):
        year = P.opening_year + t
        u1 = rng.uniform_py(seed, draw, rng.GLOBAL_WORKER, year, rng.WAGE_SHOCK)
        u2 = rng.uniform_py(seed, draw, rng.GLOBAL_WORKER, year, rng.WAGE_SHOCK + 1000)
        z = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
        avg_year.append(known[t + 1] if known[t + 1] > 0 else avg_year[t] * (1.0 + float(P.avg_growth[t]) + P.wage_sd * z))
        linked = float(P.wage_link[t]) * avg_year[t]
        wage.append(linked if P.wage_link[t] > 0 else wage[-1] * (1.0 + float(P.wage_growth[t]) + P.wage_sd * z))
    att = P.att_lo + (P.att_hi - P.att_lo) * rng.uniform_py(seed, draw, rng.GLOBAL_WORKER, 0, rng.ATTRITION_SCALE)
    pas = P.pass_lo + (P.pass_hi - P.pass_lo) * rng.uniform_py(seed, draw, rng.GLOBAL_WORKER, 0, rng.PASS_SCALE)
    return wage, avg_year[:P.n_years], att, pas


def simulate_draw(P: Params, R: Roster, seed: int, draw: int) -> np.ndarray:
    """Raw tallies raw[t, N_RAW] for one draw."""
    raw = np.zeros((P.n_years, M.N_RAW), dtype=np.int64)
    wage, avg_last, att_mult, pass_mult = draw_paths(P, seed, draw)
    staff = [Worker(int(R.wid[i]), int(R.post[i]), int(R.regime[i]), int(R.female[i]), int(R.edu[i]), int(R.birth_m[i]),
                    int(R.service[i]), int(R.contrib_m[i]), int(R.grade[i]), int(R.yig[i]), int(R.cert[i]),
                    int(R.arrears_m[i]), float(R.account[i]), float(R.idx_sum[i])) for i in range(len(R.wid))]
    next_id = len(staff)
    carry_exit_cost = 0

    def u(w, year, event):
        return rng.uniform_py(seed, draw, w.wid, year, event)

    for t in range(P.n_years):
        year = P.opening_year + t
        y_start = year * 12
        months, probation, exit_kind, exit_at, failed = {}, {}, {}, {}, {}
        for w in staff:
            w.jan = (w.post, w.grade, w.cert, w.service)
            months[w.wid], probation[w.wid], failed[w.wid] = 12, 0, False
        in_post = list(staff)  # who is still in post; `staff` keeps everyone paid this year

        def leave(w, kind, paid):
            in_post.remove(w)
            exit_kind[w.wid] = kind
            months[w.wid] = paid

        if t > 0:
            # 1. retirement: the contract ends at the statutory age; a pension needs the minimum contribution
            # years of the year the age is reached (months worked this year count as contributed)
            for w in list(in_post):
                original = P.male_age if w.female == 0 else int(P.female_age[w.post])
                stat = statutory_retirement_month(w.female, w.birth_m, original, P.reform)
                if stat >= y_start + 12:
                    continue
                year_of_age = min(max(stat // 12 - P.opening_year, 0), P.n_years - 1)
                minimum = int(P.min_contrib_months[year_of_age])
                months_by = lambda month: w.contrib_m + max(0, month - y_start)  # noqa: E731 - contributed by that month
                if months_by(stat) >= minimum:
                    out, kind = max(stat, y_start), "retirement"
                else:
                    # short at the statutory age: leaves without a pension, unless the employer keeps them on
                    # (max_deferral_months, a scenario assumption) until the minimum is met
                    out = y_start + (minimum - w.contrib_m)
                    kind = "retirement" if out <= stat + P.max_deferral_months else "retirement_short"
                    out = min(out, stat + P.max_deferral_months)
                if out < y_start + 12:
                    exit_at[w.wid] = out
                    leave(w, kind, max(0, out - y_start))
            # 2. attrition and the annual review
            for w in list(in_post):
                rate = float(P.attrition[t, w.post]) * att_mult
                if w.service < P.early_years:
                    rate *= P.early_mult
                if u(w, year, rng.ATTRITION) < rate:
                    leave(w, "attrition", P.exit_month - 1)
                    continue
                failed[w.wid] = u(w, year, rng.REVIEW) < P.review_fail[t]
                w.fails = w.fails + 1 if failed[w.wid] else 0
                if w.fails >= P.dismiss_after:
                    leave(w, "dismissal", P.exit_month - 1)
            # 3. elections
            elected_outside = [0] * STAFF
            if P.election[t]:
                def exempt(w):
                    return P.career_exempt and w.regime != 0

                for w in list(in_post):
                    if w.post == STAFF or exempt(w):
                        continue
                    if (P.cert_required[t] and w.cert == 0) or u(w, year, rng.ELECTION) < P.turnover[t]:
                        leave(w, "election", P.exit_month - 1)
                for p in range(STAFF):
                    holders = [w for w in in_post if w.post == p]
                    excess = len(holders) - int(P.quota[t, p])
                    if excess <= 0:
                        continue
                    candidates = sorted((w for w in holders if not exempt(w)),
                                        key=lambda w: (rng.hash_py(seed, draw, w.wid, year, rng.SURPLUS), w.wid))
                    excess = min(excess, len(candidates))
                    room = max(int(P.quota[t, STAFF]) - sum(w.post == STAFF for w in in_post), 0)
                    n_move = int(math.floor(P.surplus_to_staff * min(excess, room) + 1e-9))
                    for j, w in enumerate(candidates[:excess]):
                        if j < n_move:
                            raw[t, M.R_MOVES[p]] -= 1
                            raw[t, M.R_MOVES[STAFF]] += 1
                            w.post = STAFF
                            w.grade = min(max(w.grade, int(P.grade_lo[STAFF])), int(P.grade_hi[STAFF]))
                        else:
                            leave(w, "election", P.exit_month - 1)
                # the election fills the seats left vacant, outside the recruitment cap: first full-time staff
                # (staff on 1 January, certified where the rule applies) in order of their keys, then outsiders
                for p in range(STAFF):
                    seats = int(P.quota[t, p]) - sum(w.post == p for w in in_post)
                    if seats <= 0:
                        continue
                    want = int(math.floor(P.from_staff[t] * seats + 1e-9))
                    eligible = sorted((w for w in in_post if w.post == STAFF and w.jan[0] == STAFF
                                       and (w.cert > 0 or not P.cert_required[t])),
                                      key=lambda w: (rng.hash_py(seed, draw, w.wid, year, rng.ELECT_FROM_STAFF), w.wid))
                    for w in eligible[:want]:
                        raw[t, M.R_MOVES[STAFF]] -= 1
                        raw[t, M.R_MOVES[p]] += 1
                        raw[t, M.R_ELECTED_STAFF[p]] += 1
                        raw[t, M.R_ELECTED_CERT] += w.cert > 0
                        w.post = p
                        w.grade = min(max(w.grade, int(P.grade_lo[p])), int(P.grade_hi[p]))
                    elected_outside[p] = seats - min(want, len(eligible))
            # 4. entrants: the outside candidates elected above, then recruits for the vacancies within the cap
            cap_left = int(P.cap[t])
            ypg = int(P.years_per_grade[t])
            entrants = [(p, 1) for p in range(STAFF) for _ in range(elected_outside[p])]
            for p in range(STAFF):
                raw[t, M.R_ELECTED_OUT[p]] += elected_outside[p]
            for p in range(4):
                vacancies = int(P.quota[t, p]) - sum(w.post == p for w in in_post) - (elected_outside[p] if p < STAFF else 0)
                if vacancies <= 0:
                    continue
                k = min(int(math.floor(P.fill_rate[t] * vacancies + 1e-9)), cap_left)
                cap_left -= k
                raw[t, M.R_HIRES[p]] += k
                entrants += [(p, 0) for _ in range(k)]
            for p, kind in entrants:  # kind 1: an elected outside candidate, 0: a recruit
                w = Worker(next_id, p, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, hired_t=t)
                next_id += 1
                span = int(P.ent_age_max[t, kind, p] - P.ent_age_min[t, kind, p] + 1)
                age = int(P.ent_age_min[t, kind, p]) + int(math.floor(u(w, year, rng.HIRE_AGE) * span))
                w.birth_m = (year - age) * 12 + int(math.floor(u(w, year, rng.HIRE_MONTH) * 12))
                w.female = 1 if u(w, year, rng.HIRE_SEX) < P.ent_female[t, kind, p] else 0
                ue = u(w, year, rng.HIRE_EDU)
                cum = P.ent_edu_cum[t, kind]
                w.edu = next((e for e, c in enumerate(cum[:-1]) if ue < c), len(cum) - 1)
                w.cert = 1 if u(w, year, rng.HIRE_CERT) < P.ent_cert[t, kind, p] else 0
                if p != STAFF and P.cert_required[t]:
                    w.cert = 1
                if kind == 1:
                    raw[t, M.R_ELECTED_CERT] += w.cert > 0
                counted = int(P.edu_credit[w.edu])
                w.grade = min(int(P.grade_lo[p]) + counted // ypg + int(P.cert_bonus[w.cert]), int(P.grade_hi[p]))
                w.yig = counted % ypg
                w.contrib_m = int(math.floor(P.ent_prior[kind] * max(0, age - 22))) * 12
                w.account = P.account_per_year * w.contrib_m / 12.0
                w.idx_sum = P.contribution_index0 * w.contrib_m
                w.jan = w.last_jan = (p, w.grade, w.cert, 0)
                # elected members take their seats as the old ones leave, without probation
                months[w.wid] = 13 - (P.exit_month if kind == 1 else P.start_month)
                probation[w.wid] = 0 if kind == 1 else min(P.probation_months, months[w.wid])
                failed[w.wid] = False
                staff.append(w)
                in_post.append(w)

        # 5. pay, contributions, pensions, arrears
        W, A = wage[t], avg_last[t]  # limits, index and 计发基数 all read last year's average wage
        exit_cost = 0
        for w in staff:
            m = months[w.wid]
            parts = annual_pay(P, t, W, w.jan, w.regime, m, probation[w.wid])
            gross_m = sum(monthly_pay(P, t, W, *w.jan, w.regime))
            sb = min(max(gross_m, P.floor_share[t] * A), P.ceil_share[t] * A)
            hb = min(max(gross_m, P.hf_floor_share[t] * A), P.hf_ceil_share[t] * A)
            inst = P.institution[w.regime] == 1
            er_rates, ee_rates = P.er[t], P.ee[t]
            er_lines = [fen(er_rates[k] * sb * m) for k in range(4)] + [fen(er_rates[4] * hb * m), fen(er_rates[5] * sb * m) if inst else 0]
            ee_p = fen(ee_rates[0] * sb * m)
            ee_a = fen(ee_rates[5] * sb * m) if inst else 0
            ee_all = (ee_p + fen(ee_rates[1] * sb * m) + fen(ee_rates[2] * sb * m) + fen(ee_rates[3] * sb * m)
                      + fen(ee_rates[4] * hb * m) + ee_a)
            pay, er = sum(parts), sum(er_lines)
            for line, amount in zip(PAY_PARTS, parts):  # (model.lines: the pay parts in declared order)
                raw[t, M.RAW[line]] += amount
            for line, amount in zip(CONTRIBUTIONS, er_lines):  # (the employer's, by rate column)
                raw[t, M.RAW[line.metric]] += amount
            raw[t, M.R_EE_TOTAL] += ee_all
            raw[t, M.R_COST_POST[w.jan[0]]] += pay + er
            raw[t, M.R_COST_REGIME[w.regime]] += pay + er
            union = fen(P.union_fund_rate[t] * (pay / 100.0))  # 工会经费: a share of the year's gross pay
            raw[t, M.R_UNION_FUND] += union
            raw[t, M.R_OTHER_POST[w.jan[0]]] += union
            raw[t, M.R_OTHER_REGIME[w.regime]] += union
            if t > 0:  # the opening roster's accounts are complete at the end of the opening year
                w.account = w.account * (1.0 + P.crediting[t]) + ee_p / 100.0
                w.annuity = w.annuity * (1.0 + P.crediting[t]) + (er_lines[5] + ee_a) / 100.0
                w.idx_sum += sb / A * m
                w.contrib_m += m
            kind = exit_kind.get(w.wid)
            if t > 0:
                if kind is not None:
                    raw[t, M.R_BR_EXITS] += pay + er - w.prev_pay - w.prev_er
                    exit_cost += pay + er
                elif w.hired_t == t:
                    raw[t, M.R_BR_HIRES] += pay + er
                elif w.hired_t == t - 1:
                    raw[t, M.R_BR_HIRES] += pay + er - w.prev_pay - w.prev_er
                else:
                    post, grade, cert, service = w.jan
                    with_old_cert = sum(annual_pay(P, t - 1, wage[t - 1], (post, grade, w.last_jan[2], service), w.regime, 12, 0))
                    with_new_cert = sum(annual_pay(P, t - 1, wage[t - 1], w.jan, w.regime, 12, 0))
                    raw[t, M.R_BR_PROG] += with_old_cert - w.prev_pay
                    raw[t, M.R_BR_CERT] += with_new_cert - with_old_cert
                    raw[t, M.R_BR_UPRATE] += pay - with_new_cert
                    raw[t, M.R_BR_CONTRIB] += er - w.prev_er
            w.prev_pay, w.prev_er = pay, er
            if kind == "retirement":
                age_years = (exit_at[w.wid] - w.birth_m) // 12
                div = int(P.divisor[min(max(age_years - 40, 0), len(P.divisor) - 1)])
                index = w.idx_sum / w.contrib_m if w.contrib_m > 0 else 0.0
                pension = A * (1.0 + index) / 2.0 * (w.contrib_m / 12.0) * P.accrual + w.account / div
                if inst:
                    pension += w.annuity / div
                raw[t, M.R_RETIREES] += 1
                raw[t, M.R_PENSION_SUM] += fen(pension)
                raw[t, M.R_REPL_PPM] += int(math.floor(pension / gross_m * 1e6 + 0.5))
            if kind is None and w.arrears_m > 0 and t >= P.clear_start_t and t > 0:
                if u(w, year, rng.ARREARS_CLEAR) < P.clear_rate[t]:
                    rate = P.er[t, 0] + (P.ee[t, 0] if P.employer_pays_ee else 0.0)
                    principal = fen(w.arrears_m * sb * rate)
                    fee = fen(principal / 100.0 * P.late_fee_daily * 365.0 * (t + w.arrears_m / 24.0) * P.late_fee_share)
                    raw[t, M.R_ARR_PRINCIPAL] += principal
                    raw[t, M.R_ARR_FEES] += fee
                    raw[t, M.R_ARR_POST[w.post]] += principal + fee
                    raw[t, M.R_ARR_REGIME[w.regime]] += principal + fee
                    raw[t, M.R_ARR_CLEARED] += w.arrears_m
                    w.account += w.arrears_m * sb * P.ee[t, 0]
                    w.contrib_m += w.arrears_m
                    w.arrears_m = 0
        if t > 0:
            raw[t, M.R_BR_EXITS] -= carry_exit_cost
        carry_exit_cost = exit_cost

        if t > 0:
            for w in in_post:
                if w.hired_t == t:
                    continue
                # 6. progression
                if not failed[w.wid]:
                    w.yig += 1
                    if w.yig >= P.years_per_grade[t] and w.grade < P.grade_hi[w.post]:
                        w.grade += 1
                        w.yig = 0
                # 7. certificates
                c = w.cert
                if c < 3 and w.service >= P.min_service[c, w.edu] and u(w, year, rng.SIT) < P.sit[t, c]:
                    raw[t, M.R_SAT] += 1
                    passed = u(w, year, rng.PASS) < min(1.0, P.pass_rate[t, c] * pass_mult)
                    subsidy = int(P.subsidy_sit[t, c]) + (int(P.subsidy_pass[t, c]) if passed else 0)  # fen
                    raw[t, M.R_EXAM_SUBSIDY] += subsidy
                    raw[t, M.R_OTHER_POST[w.post]] += subsidy
                    raw[t, M.R_OTHER_REGIME[w.regime]] += subsidy
                    if passed:
                        raw[t, M.R_PASSES] += 1
                        w.cert = c + 1
                        w.grade = min(w.grade + int(P.cert_bonus[c + 1] - P.cert_bonus[c]), int(P.grade_hi[w.post]))
            # 8. ageing
            for w in in_post:
                w.service += 1

        exit_raw = {"retirement": M.R_EXIT_RET, "retirement_short": M.R_EXIT_SHORT, "attrition": M.R_EXIT_ATT,
                    "dismissal": M.R_EXIT_DIS, "election": M.R_EXIT_ELE}
        for w in staff:
            if w.wid in exit_kind:
                raw[t, exit_raw[exit_kind[w.wid]]] += 1
                raw[t, M.R_EXITS_POST[w.post]] += 1
        for p in range(4):
            raw[t, M.R_QUOTA[p]] = P.quota[t, p]
        for w in in_post:
            raw[t, M.R_HC[w.post]] += 1
            raw[t, M.R_REGIME[w.regime]] += 1
            raw[t, M.R_GRADE[w.grade - 1]] += 1
            if w.cert > 0:
                raw[t, M.R_CERT[w.cert - 1]] += 1
            raw[t, M.R_AGE_MONTHS] += y_start + 11 - w.birth_m
            raw[t, M.R_ARR_OUT] += w.arrears_m
            w.last_jan = w.jan
        staff = sorted(in_post, key=lambda w: w.wid)
    return raw


def simulate(P: Params, R: Roster, seed: int, draws) -> np.ndarray:
    """raw[draw, t, N_RAW] for the given draw numbers."""
    return np.stack([simulate_draw(P, R, seed, int(d)) for d in draws])
