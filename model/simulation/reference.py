"""Slow per-worker reference implementation: the model's rules written for reading, not for speed.

It must give exactly the raw tallies of the compiled engine (``engine.py``) on small scenarios;
``tests/test_reference.py`` checks that to the fen. A year is eight rules, each a function below over one
state record (``Draw``), with the engine's names and in the engine's order (its docstring says each rule
in full): retirement, exits, elections, hiring, pay, progression, certificates, ageing.
Random numbers come from ``rng.uniform_py`` (pure Python), keyed like the engine's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from model.lines import CONTRIBUTIONS, PAY_PARTS, RATE_KEYS
from model.scenario.params import Params
from model.simulation import metrics as M
from model.simulation import rng
from model.simulation.population import Roster

STAFF = 3
EXIT_RAW = {"retirement": M.R_EXIT_RET, "retirement_short": M.R_EXIT_SHORT, "attrition": M.R_EXIT_ATT,
            "dismissal": M.R_EXIT_DIS, "election": M.R_EXIT_ELE}


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


@dataclass
class Draw:
    """One draw's state: the workers, the draw's paths, the tallies, and what happens to whom this year."""

    P: Params
    seed: int
    draw: int
    staff: list  # everyone paid this year (in post on 1 January, and this year's entrants)
    next_id: int
    raw: np.ndarray
    wage: list
    avg_last: list
    att_mult: float
    pass_mult: float
    t: int = 0
    in_post: list = field(default_factory=list)  # who is still in post
    months: dict = field(default_factory=dict)  # by worker id: months paid this year, of which on probation
    probation: dict = field(default_factory=dict)
    exit_kind: dict = field(default_factory=dict)
    exit_at: dict = field(default_factory=dict)
    failed: dict = field(default_factory=dict)
    elected_outside: list = field(default_factory=lambda: [0] * STAFF)
    carry_exit_cost: int = 0

    @property
    def year(self) -> int:
        return self.P.opening_year + self.t

    def u(self, w: Worker, event: int) -> float:
        return rng.uniform_py(self.seed, self.draw, w.wid, self.year, event)

    def key(self, w: Worker, event: int):
        """Sort key of a random order: the event's hash, ties by worker id."""
        return rng.hash_py(self.seed, self.draw, w.wid, self.year, event), w.wid

    def leave(self, w: Worker, kind: str, paid: int) -> None:
        self.in_post.remove(w)
        self.exit_kind[w.wid] = kind
        self.months[w.wid] = paid

    def tally(self, column: int, amount=1) -> None:
        self.raw[self.t, column] += amount


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
    base = wage * float(P.grade_coefficients[post, grade - 1])
    perf = base * float(P.performance_share[t])
    return (base, perf, float(P.post_allowance_monthly[t, post]),
            float(P.seniority_allowance_per_year_monthly[t]) * min(service, P.seniority_cap_years),
            float(P.certificate_allowance_monthly[t, cert]), float(P.career_allowance_monthly[t, regime]))


def probation_base(P: Params, t: int, wage: float, monthly, post, regime) -> float:
    """Monthly base pay on probation: the probation share, raised so that the month's pay (allowances in full, no
    performance pay) reaches the legal floor, probation_pay_floor_share x the monthly pay of the post's lowest grade
    with no service and no certificate (《劳动合同法》 art. 20, 实施条例 art. 15)."""
    base, perf, post_allow, seniority, cert_allow, career = monthly
    floor = P.probation_pay_floor_share * sum(monthly_pay(P, t, wage, post, int(P.grade_lo[post]), 0, 0, regime))
    return max(base * P.probation_pay_share, floor - (post_allow + seniority + cert_allow + career))


def annual_pay(P, t, wage, jan, regime, months, probation):
    post, grade, cert, service = jan
    monthly = monthly_pay(P, t, wage, post, grade, cert, service, regime)
    base, perf, post_allow, seniority, cert_allow, career = monthly
    on_probation = probation_base(P, t, wage, monthly, post, regime) if probation else 0.0
    return [fen(base * (months - probation) + on_probation * probation), fen(perf * (months - probation)),
            fen(post_allow * months), fen(seniority * months), fen(cert_allow * months), fen(career * months)]


def draw_paths(P: Params, seed: int, draw: int):
    """The draw's reference wage wage[t] and last year's average wage avg_last[t] (the 上年度 figure of year t).

    The average wage of a year is the published figure where there is one, else last year's x (1 + growth
    + sd x z); the opening year, if not published, grows from the year before without a shock.
    """
    wage = [P.reference_wage_monthly]
    known = [float(a) for a in P.average_wage_monthly]
    avg_year = [known[0]]  # avg_year[k]: the average wage of year opening_year - 1 + k
    avg_year.append(known[1] if known[1] > 0 else known[0] * (1.0 + float(P.average_wage_growth[0])))
    for t in range(1, P.n_years):
        year = P.opening_year + t
        u1 = rng.uniform_py(seed, draw, rng.GLOBAL_WORKER, year, rng.WAGE_SHOCK)
        u2 = rng.uniform_py(seed, draw, rng.GLOBAL_WORKER, year, rng.WAGE_SHOCK + 1000)
        z = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
        avg_year.append(known[t + 1] if known[t + 1] > 0 else avg_year[t] * (1.0 + float(P.average_wage_growth[t]) + P.wage_growth_sd * z))
        linked = float(P.link_to_average_wage[t]) * avg_year[t]
        wage.append(linked if P.link_to_average_wage[t] > 0 else wage[-1] * (1.0 + float(P.wage_growth[t]) + P.wage_growth_sd * z))
    ua = rng.uniform_py(seed, draw, rng.GLOBAL_WORKER, 0, rng.ATTRITION_SCALE)
    up = rng.uniform_py(seed, draw, rng.GLOBAL_WORKER, 0, rng.PASS_SCALE)
    att = P.attrition_multiplier_low + (P.attrition_multiplier_high - P.attrition_multiplier_low) * ua
    pas = P.pass_rate_multiplier_low + (P.pass_rate_multiplier_high - P.pass_rate_multiplier_low) * up
    return wage, avg_year[:P.n_years], att, pas


def open_draw(P: Params, R: Roster, seed: int, draw: int) -> Draw:
    staff = [Worker(int(R.wid[i]), int(R.post[i]), int(R.regime[i]), int(R.female[i]), int(R.edu[i]), int(R.birth_m[i]),
                    int(R.service[i]), int(R.contrib_m[i]), int(R.grade[i]), int(R.yig[i]), int(R.cert[i]),
                    int(R.arrears_m[i]), float(R.account[i]), float(R.idx_sum[i])) for i in range(len(R.wid))]
    wage, avg_last, att_mult, pass_mult = draw_paths(P, seed, draw)
    return Draw(P, seed, draw, staff, len(staff), np.zeros((P.n_years, M.N_RAW), dtype=np.int64), wage, avg_last,
                att_mult, pass_mult)


def start_year(d: Draw, t: int) -> None:
    """1 January: everyone in post is paid a full year unless a rule below says otherwise."""
    d.t = t
    d.months, d.probation, d.exit_kind, d.exit_at, d.failed = {}, {}, {}, {}, {}
    for w in d.staff:
        w.jan = (w.post, w.grade, w.cert, w.service)
        d.months[w.wid], d.probation[w.wid], d.failed[w.wid] = 12, 0, False
    d.in_post = list(d.staff)
    d.elected_outside = [0] * STAFF


def retirement(d: Draw) -> None:
    """1. The contract ends at the statutory age; a pension needs the minimum contribution years of the year
    the age is reached (months worked this year count as contributed)."""
    P, y_start = d.P, d.year * 12
    for w in list(d.in_post):
        original = P.male_age if w.female == 0 else int(P.female_original_age[w.post])
        stat = statutory_retirement_month(w.female, w.birth_m, original, P.reform)
        if stat >= y_start + 12:
            continue
        year_of_age = min(max(stat // 12 - P.opening_year, 0), P.n_years - 1)
        minimum = int(P.min_contribution_months[year_of_age])
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
            d.exit_at[w.wid] = out
            d.leave(w, kind, max(0, out - y_start))


def exits(d: Draw) -> None:
    """2. Attrition (higher in early service) and the annual review (dismissal after consecutive failures)."""
    P, t = d.P, d.t
    for w in list(d.in_post):
        rate = float(P.attrition[t, w.post]) * d.att_mult
        if w.service < P.early_service_years:
            rate *= P.early_service_multiplier
        if d.u(w, rng.ATTRITION) < rate:
            d.leave(w, "attrition", P.exit_month - 1)
            continue
        d.failed[w.wid] = d.u(w, rng.REVIEW) < P.review_fail_rate[t]
        w.fails = w.fails + 1 if d.failed[w.wid] else 0
        if w.fails >= P.dismiss_after_fails:
            d.leave(w, "dismissal", P.exit_month - 1)


def exempt(d: Draw, w: Worker) -> bool:
    return d.P.career_secretaries_exempt and w.regime != 0


def move_to_post(P: Params, w: Worker, p: int) -> None:
    w.post = p
    w.grade = min(max(w.grade, int(P.grade_lo[p])), int(P.grade_hi[p]))


def turnover(d: Draw) -> None:
    """3a. 两委 members without a required certificate cannot stand; the others are not returned with
    probability ``turnover``."""
    P, t = d.P, d.t
    for w in list(d.in_post):
        if w.post == STAFF or exempt(d, w):
            continue
        if (P.certificate_required[t] and w.cert == 0) or d.u(w, rng.ELECTION) < P.turnover[t]:
            d.leave(w, "election", P.exit_month - 1)


def surplus(d: Draw) -> None:
    """3b. A post above its quota loses its surplus (random order), moved to vacant staff posts or leaving."""
    P, t = d.P, d.t
    for p in range(STAFF):
        holders = [w for w in d.in_post if w.post == p]
        excess = len(holders) - int(P.quota[t, p])
        if excess <= 0:
            continue
        candidates = sorted((w for w in holders if not exempt(d, w)), key=lambda w: d.key(w, rng.SURPLUS))
        excess = min(excess, len(candidates))
        room = max(int(P.quota[t, STAFF]) - sum(w.post == STAFF for w in d.in_post), 0)
        n_move = int(math.floor(P.surplus_to_staff_share * min(excess, room) + 1e-9))
        for j, w in enumerate(candidates[:excess]):
            if j < n_move:
                d.tally(M.R_MOVES[p], -1)
                d.tally(M.R_MOVES[STAFF])
                move_to_post(P, w, STAFF)
            else:
                d.leave(w, "election", P.exit_month - 1)


def fill_seats(d: Draw) -> None:
    """3c. The seats left vacant are filled at the election, outside the recruitment cap: first full-time staff
    (staff on 1 January, certified where the rule applies) in random order, then outside candidates."""
    P, t = d.P, d.t
    for p in range(STAFF):
        seats = int(P.quota[t, p]) - sum(w.post == p for w in d.in_post)
        if seats <= 0:
            continue
        want = int(math.floor(P.from_staff_share[t] * seats + 1e-9))
        eligible = sorted((w for w in d.in_post if w.post == STAFF and w.jan[0] == STAFF
                           and (w.cert > 0 or not P.certificate_required[t])), key=lambda w: d.key(w, rng.ELECT_FROM_STAFF))
        for w in eligible[:want]:
            d.tally(M.R_MOVES[STAFF], -1)
            d.tally(M.R_MOVES[p])
            d.tally(M.R_ELECTED_STAFF[p])
            d.tally(M.R_ELECTED_CERT, w.cert > 0)
            move_to_post(P, w, p)
        d.elected_outside[p] = seats - min(want, len(eligible))


def elections(d: Draw) -> None:
    """3. In election years: turnover, the surplus, and the vacant seats filled."""
    if d.P.election[d.t]:
        turnover(d)
        surplus(d)
        fill_seats(d)


def hiring(d: Draw) -> None:
    """4. Entrants: the outside candidates elected above, then recruits for the vacancies within the cap."""
    P, t = d.P, d.t
    cap_left = int(P.annual_cap[t])
    entrants = [(p, 1) for p in range(STAFF) for _ in range(d.elected_outside[p])]
    for p in range(STAFF):
        d.tally(M.R_ELECTED_OUT[p], d.elected_outside[p])
    for p in range(4):
        vacancies = int(P.quota[t, p]) - sum(w.post == p for w in d.in_post) - (d.elected_outside[p] if p < STAFF else 0)
        if vacancies <= 0:
            continue
        k = min(int(math.floor(P.fill_rate[t] * vacancies + 1e-9)), cap_left)
        cap_left -= k
        d.tally(M.R_HIRES[p], k)
        entrants += [(p, 0) for _ in range(k)]
    for p, kind in entrants:  # kind 1: an elected outside candidate, 0: a recruit
        enter(d, p, kind)


def enter(d: Draw, p: int, kind: int) -> None:
    """An entrant to post p: profile drawn by id, post and kind; grade from the post's lowest with education
    credit and certificate bonus."""
    P, t, year = d.P, d.t, d.year
    ypg = int(P.years_per_grade[t])
    w = Worker(d.next_id, p, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, hired_t=t)
    d.next_id += 1
    span = int(P.ent_age_max[t, kind, p] - P.ent_age_min[t, kind, p] + 1)
    age = int(P.ent_age_min[t, kind, p]) + int(math.floor(d.u(w, rng.HIRE_AGE) * span))
    w.birth_m = (year - age) * 12 + int(math.floor(d.u(w, rng.HIRE_MONTH) * 12))
    w.female = 1 if d.u(w, rng.HIRE_SEX) < P.ent_female[t, kind, p] else 0
    ue = d.u(w, rng.HIRE_EDU)
    cum = P.ent_edu_cum[t, kind]
    w.edu = next((e for e, c in enumerate(cum[:-1]) if ue < c), len(cum) - 1)
    w.cert = 1 if d.u(w, rng.HIRE_CERT) < P.ent_cert[t, kind, p] else 0
    if p != STAFF and P.certificate_required[t]:
        w.cert = 1
    if kind == 1:
        d.tally(M.R_ELECTED_CERT, w.cert > 0)
    counted = int(P.education_credit_years[w.edu])
    w.grade = min(int(P.grade_lo[p]) + counted // ypg + int(P.certificate_grade_bonus[w.cert]), int(P.grade_hi[p]))
    w.yig = counted % ypg
    w.contrib_m = int(math.floor(P.ent_prior[kind] * max(0, age - P.contributions_from_age))) * 12
    w.account = P.account_per_contribution_year * w.contrib_m / 12.0
    w.idx_sum = P.contribution_index * w.contrib_m
    w.jan = w.last_jan = (p, w.grade, w.cert, 0)
    # elected members take their seats as the old ones leave, without probation
    d.months[w.wid] = 13 - (P.exit_month if kind == 1 else P.start_month)
    d.probation[w.wid] = 0 if kind == 1 else min(P.probation_months, d.months[w.wid])
    d.failed[w.wid] = False
    d.staff.append(w)
    d.in_post.append(w)


def pay(d: Draw) -> None:
    """5. Pay, contributions, accounts, the wage-bill bridge, pensions of this year's retirees, arrears."""
    P, t, raw = d.P, d.t, d.raw
    W, A = d.wage[t], d.avg_last[t]  # base limits and the contribution index read last year's average wage
    exit_cost = 0
    for w in d.staff:
        m = d.months[w.wid]
        parts = annual_pay(P, t, W, w.jan, w.regime, m, d.probation[w.wid])
        gross_m = sum(monthly_pay(P, t, W, *w.jan, w.regime))
        sb = min(max(gross_m, P.base_floor_share[t] * A), P.base_ceiling_share[t] * A)
        hb = min(max(gross_m, P.housing_fund_floor_share[t] * A), P.housing_fund_ceiling_share[t] * A)
        inst = P.institution[w.regime] == 1
        er_rates, ee_rates = P.employer[t], P.employee[t]
        scheme = "institution" if inst else "enterprise"
        er_lines = {c.metric: fen(er_rates[RATE_KEYS.index(c.rate)] * (hb if c.base == "housing" else sb) * m)
                    if c.scheme in ("", scheme) else 0 for c in CONTRIBUTIONS}  # (model.lines: rate, base, scheme)
        ee_p = fen(ee_rates[0] * sb * m)
        ee_a = fen(ee_rates[5] * sb * m) if inst else 0
        ee_all = (ee_p + fen(ee_rates[1] * sb * m) + fen(ee_rates[2] * sb * m) + fen(ee_rates[3] * sb * m)
                  + fen(ee_rates[4] * hb * m) + ee_a)
        pay, er = sum(parts), sum(er_lines.values())
        for line, amount in zip(PAY_PARTS, parts):  # (model.lines: the pay parts in declared order)
            raw[t, M.RAW[line]] += amount
        for line, amount in er_lines.items():  # (the employer's)
            raw[t, M.RAW[line]] += amount
        raw[t, M.R_EE_TOTAL] += ee_all
        raw[t, M.R_COST_POST[w.jan[0]]] += pay + er
        raw[t, M.R_COST_REGIME[w.regime]] += pay + er
        union = fen(P.union_fund_rate[t] * (pay / 100.0))  # the union fund (model.lines): a share of the year's gross pay
        raw[t, M.R_UNION_FUND] += union
        raw[t, M.R_OTHER_POST[w.jan[0]]] += union
        raw[t, M.R_OTHER_REGIME[w.regime]] += union
        if t > 0:  # the opening roster's accounts are complete at the end of the opening year
            w.account = w.account * (1.0 + P.crediting_rate[t]) + ee_p / 100.0
            w.annuity = w.annuity * (1.0 + P.crediting_rate[t]) + (er_lines["si.occupational_annuity"] + ee_a) / 100.0
            w.idx_sum += sb / A * m
            w.contrib_m += m
        kind = d.exit_kind.get(w.wid)
        if t > 0:
            exit_cost += bridge(d, w, kind, pay, er)
        w.prev_pay, w.prev_er = pay, er
        if kind == "retirement":
            pension(d, w, gross_m)
        if kind is None and w.arrears_m > 0 and t >= P.clear_start_t and t > 0:
            clear_arrears(d, w, sb)
    if t > 0:
        raw[t, M.R_BR_EXITS] -= d.carry_exit_cost
    d.carry_exit_cost = exit_cost


def bridge(d: Draw, w: Worker, kind, pay: int, er: int) -> int:
    """The wage-bill bridge of one worker: leavers, hires (this year's and last year's), and for stayers
    progression, certificates, uprating (last year's state at this year's prices) and contributions.
    Returns the leaver's cost (subtracted next year)."""
    P, t, wage = d.P, d.t, d.wage
    if kind is not None:
        d.tally(M.R_BR_EXITS, pay + er - w.prev_pay - w.prev_er)
        return pay + er
    if w.hired_t == t:
        d.tally(M.R_BR_HIRES, pay + er)
    elif w.hired_t == t - 1:
        d.tally(M.R_BR_HIRES, pay + er - w.prev_pay - w.prev_er)
    else:
        post, grade, cert, service = w.jan
        with_old_cert = sum(annual_pay(P, t - 1, wage[t - 1], (post, grade, w.last_jan[2], service), w.regime, 12, 0))
        with_new_cert = sum(annual_pay(P, t - 1, wage[t - 1], w.jan, w.regime, 12, 0))
        d.tally(M.R_BR_PROG, with_old_cert - w.prev_pay)
        d.tally(M.R_BR_CERT, with_new_cert - with_old_cert)
        d.tally(M.R_BR_UPRATE, pay - with_new_cert)
        d.tally(M.R_BR_CONTRIB, er - w.prev_er)
    return 0


def pension(d: Draw, w: Worker, gross_m: float) -> None:
    """A retiree's monthly pension (国发〔2005〕38号): basic pension on the year's 计发基数 (the published figure of
    the year, else the average wage of the year before times the ratio of the last published year), plus the
    account (and in the institution scheme the annuity) over the 计发月数 of the age at retirement."""
    P, t, A = d.P, d.t, d.avg_last[d.t]
    g = int(P.benefit_base_from[t])
    if P.benefit_base_monthly[t] > 0:
        base = float(P.benefit_base_monthly[t])
    elif g >= 0:
        base = A * (float(P.benefit_base_monthly[g]) / d.avg_last[g])
    else:
        base = A
    age_years = (d.exit_at[w.wid] - w.birth_m) // 12
    div = int(P.months_divisor[min(max(age_years - 40, 0), len(P.months_divisor) - 1)])
    index = w.idx_sum / w.contrib_m if w.contrib_m > 0 else 0.0
    pension = base * (1.0 + index) / 2.0 * (w.contrib_m / 12.0) * P.accrual_rate + w.account / div
    if P.institution[w.regime] == 1:
        pension += w.annuity / div
    d.tally(M.R_RETIREES)
    d.tally(M.R_PENSION_SUM, fen(pension))
    d.tally(M.R_REPL_PPM, int(math.floor(pension / gross_m * 1e6 + 0.5)))


def clear_arrears(d: Draw, w: Worker, sb: float) -> None:
    """Arrears cleared this year with probability ``clear_rate``: principal and late fee."""
    P, t = d.P, d.t
    if d.u(w, rng.ARREARS_CLEAR) < P.clearance_rate[t]:
        rate = P.employer[t, 0] + (P.employee[t, 0] if P.employer_pays_employee_share else 0.0)
        principal = fen(w.arrears_m * sb * rate)
        fee = fen(principal / 100.0 * P.late_fee_daily * 365.0 * (t + w.arrears_m / 24.0) * P.late_fee_charged_share)
        d.tally(M.R_ARR_PRINCIPAL, principal)
        d.tally(M.R_ARR_FEES, fee)
        d.tally(M.R_ARR_POST[w.post], principal + fee)
        d.tally(M.R_ARR_REGIME[w.regime], principal + fee)
        d.tally(M.R_ARR_CLEARED, w.arrears_m)
        w.account += w.arrears_m * sb * P.employee[t, 0]
        w.contrib_m += w.arrears_m  # the months join the record at this year's contribution index (the base they are paid on)
        w.idx_sum += sb / d.avg_last[t] * w.arrears_m
        w.arrears_m = 0


def stayers(d: Draw) -> list:
    """Workers in post at the year end who were in post on 1 January (the year's hires wait a year)."""
    return [w for w in d.in_post if w.hired_t != d.t]


def progression(d: Draw) -> None:
    """6. A passed review adds a year; a full step of years moves up a grade within the post's range."""
    P, t = d.P, d.t
    for w in stayers(d):
        if not d.failed[w.wid]:
            w.yig += 1
            if w.yig >= P.years_per_grade[t] and w.grade < P.grade_hi[w.post]:
                w.grade += 1
                w.yig = 0


def certificates(d: Draw) -> None:
    """7. Eligible non-holders sit the next level's exam; a pass adds the level and its grade bonus."""
    P, t = d.P, d.t
    for w in stayers(d):
        c = w.cert
        if c < 3 and w.service >= P.min_service_years[c, w.edu] and d.u(w, rng.SIT) < P.sitting_rate[t, c]:
            d.tally(M.R_SAT)
            passed = d.u(w, rng.PASS) < min(1.0, P.pass_rate[t, c] * d.pass_mult)
            subsidy = int(P.per_sitter[t, c]) + (int(P.per_pass[t, c]) if passed else 0)  # fen
            d.tally(M.R_EXAM_SUBSIDY, subsidy)
            d.tally(M.R_OTHER_POST[w.post], subsidy)
            d.tally(M.R_OTHER_REGIME[w.regime], subsidy)
            if passed:
                d.tally(M.R_PASSES)
                w.cert = c + 1
                w.grade = min(w.grade + int(P.certificate_grade_bonus[c + 1] - P.certificate_grade_bonus[c]), int(P.grade_hi[w.post]))


def ageing(d: Draw) -> None:
    """8. A year of service for everyone in post."""
    for w in d.in_post:
        w.service += 1


def year_end(d: Draw) -> None:
    """The year-end tallies: leavers by kind and post, the stock in post; leavers are dropped."""
    P, t = d.P, d.t
    for w in d.staff:
        if w.wid in d.exit_kind:
            d.tally(EXIT_RAW[d.exit_kind[w.wid]])
            d.tally(M.R_EXITS_POST[w.post])
    for p in range(4):
        d.raw[t, M.R_QUOTA[p]] = P.quota[t, p]
    for w in d.in_post:
        d.tally(M.R_HC[w.post])
        d.tally(M.R_REGIME[w.regime])
        d.tally(M.R_GRADE[w.grade - 1])
        if w.cert > 0:
            d.tally(M.R_CERT[w.cert - 1])
        d.tally(M.R_AGE_MONTHS, d.year * 12 + 11 - w.birth_m)
        d.tally(M.R_ARR_OUT, w.arrears_m)
        w.last_jan = w.jan
    d.staff = sorted(d.in_post, key=lambda w: w.wid)


def simulate_draw(P: Params, R: Roster, seed: int, draw: int) -> np.ndarray:
    """Raw tallies raw[t, N_RAW] for one draw: the opening year is priced only; later years run all eight rules."""
    d = open_draw(P, R, seed, draw)
    for t in range(P.n_years):
        start_year(d, t)
        if t > 0:
            retirement(d)
            exits(d)
            elections(d)
            hiring(d)
        pay(d)
        if t > 0:
            progression(d)
            certificates(d)
            ageing(d)
        year_end(d)
    return d.raw


def simulate(P: Params, R: Roster, seed: int, draws) -> np.ndarray:
    """raw[draw, t, N_RAW] for the given draw numbers."""
    return np.stack([simulate_draw(P, R, seed, int(d)) for d in draws])
