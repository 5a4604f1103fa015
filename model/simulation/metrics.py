"""Metric names, the raw integer tallies the engines fill, and the conversion between them.

Both engines (``engine.py`` and ``reference.py``) fill the same int64 array ``raw[draw, t, R]``:
counts in persons, money in fen (0.01 yuan), ages in months, replacement rates in parts per million.
``to_metrics`` turns it into the published metrics (yuan, persons, shares). Integers make the two
engines comparable exactly and make every sum of money reconcile to the fen.
"""

from __future__ import annotations

import numpy as np

from model.lines import BUDGET_LINES, GROUPS, OTHER_LINES, PAY_PARTS, SI_PARTS
from model.scenario.schema import CERT_LEVELS, N_GRADES, POSTS, REGIMES, TWO_COMMITTEE_POSTS

# ---------------------------------------------------------------- raw tallies (int64)
_RAW_NAMES: list[str] = []


def _raw(name: str) -> int:
    _RAW_NAMES.append(name)
    return len(_RAW_NAMES) - 1


R_HC = [_raw(f"headcount.{p}") for p in POSTS]          # end-of-year stock by post
R_QUOTA = [_raw(f"quota.{p}") for p in POSTS]
R_HIRES = [_raw(f"hires.{p}") for p in POSTS]
R_EXITS_POST = [_raw(f"exits.post.{p}") for p in POSTS]
R_MOVES = [_raw(f"moves.net.{p}") for p in POSTS]
R_ELECTED_STAFF = [_raw(f"elected.from_staff.{p}") for p in TWO_COMMITTEE_POSTS]  # staff elected to a vacant seat
R_ELECTED_OUT = [_raw(f"elected.outside.{p}") for p in POSTS]  # outside candidates elected (staff: always 0)
R_ELECTED_CERT = _raw("elected.certified")  # newly elected members holding a certificate
R_EXIT_RET = _raw("exits.retirement")
R_EXIT_ATT = _raw("exits.attrition")
R_EXIT_DIS = _raw("exits.dismissal")
R_EXIT_ELE = _raw("exits.election")
R_EXIT_SHORT = _raw("exits.retirement_short")  # reached the statutory age short of the minimum years: no pension
R_CERT = [_raw(f"certified.{c}") for c in CERT_LEVELS]
R_SAT = _raw("exam.sat")
R_PASSES = _raw("exam.passes")
R_GRADE = [_raw(f"grade.{g:02d}") for g in range(1, N_GRADES + 1)]
R_AGE_MONTHS = _raw("sum_age_months")
R_REGIME = [_raw(f"headcount.regime.{r}") for r in REGIMES]
# money, fen
R_BASE = _raw("pay.base")
R_PERF = _raw("pay.performance")
R_POSTALLOW = _raw("pay.post_allowance")
R_SENIORITY = _raw("pay.seniority_allowance")
R_CERTALLOW = _raw("cost.certificate_allowance")
R_CAREER = _raw("pay.career_allowance")
R_ER_PENSION = _raw("si.employer_pension_enterprise")
R_ER_PENSION_INST = _raw("si.employer_pension_institution")
R_ER_MEDICAL = _raw("si.employer_medical")
R_ER_UNEMP = _raw("si.employer_unemployment")
R_ER_INJURY = _raw("si.employer_work_injury")
R_ER_ANNUITY = _raw("si.occupational_annuity")
R_HOUSING = _raw("cost.housing_fund")
R_EE_TOTAL = _raw("si.employee_total")
R_ARR_PRINCIPAL = _raw("arrears.principal")
R_ARR_FEES = _raw("arrears.late_fees")
R_ARR_OUT = _raw("arrears.months_outstanding")
R_ARR_CLEARED = _raw("arrears.months_cleared")
R_COST_POST = [_raw(f"cost_by_post.{p}") for p in POSTS]  # pay + employer SI + housing, arrears excluded
R_COST_REGIME = [_raw(f"cost_by_regime.{r}") for r in REGIMES]
R_ARR_POST = [_raw(f"arrears_by_post.{p}") for p in POSTS]
R_ARR_REGIME = [_raw(f"arrears_by_regime.{r}") for r in REGIMES]
R_EXAM_SUBSIDY = _raw("cost.other.exam_subsidy")  # a policy's exam subsidy (报考补贴), per sitter and per pass
R_UNION_FUND = _raw("cost.other.union_fund")  # the union fund: a share of each worker's gross pay
R_OTHER_POST = [_raw(f"other_by_post.{p}") for p in POSTS]  # cost.other.* by post and regime
R_OTHER_REGIME = [_raw(f"other_by_regime.{r}") for r in REGIMES]
R_RETIREES = _raw("pension.retirees")
R_PENSION_SUM = _raw("pension.sum_monthly")  # fen per month, summed over retirees
R_REPL_PPM = _raw("pension.sum_replacement_ppm")
# wage-bill bridge (fen); start and end are cost.total of t-1 and t
R_BR_EXITS = _raw("bridge.exits")
R_BR_HIRES = _raw("bridge.hires")
R_BR_PROG = _raw("bridge.progression")
R_BR_CERT = _raw("bridge.certificates")
R_BR_UPRATE = _raw("bridge.uprating")
R_BR_CONTRIB = _raw("bridge.contributions")

RAW_NAMES = tuple(_RAW_NAMES)
N_RAW = len(RAW_NAMES)
RAW = {name: i for i, name in enumerate(RAW_NAMES)}  # raw column of a tally by name
_untallied = [m for m in BUDGET_LINES if m not in RAW and m != "cost.arrears"]  # (arrears: principal + fees)
if _untallied:
    raise ImportError(f"cost lines declared in model/lines.py without a raw tally: {_untallied}")

FEN = {R_BASE, R_PERF, R_POSTALLOW, R_SENIORITY, R_CERTALLOW, R_CAREER, R_ER_PENSION, R_ER_PENSION_INST, R_ER_MEDICAL,
       R_ER_UNEMP, R_ER_INJURY, R_ER_ANNUITY, R_HOUSING, R_EE_TOTAL, R_ARR_PRINCIPAL, R_ARR_FEES,
       R_BR_EXITS, R_BR_HIRES, R_BR_PROG, R_BR_CERT, R_BR_UPRATE, R_BR_CONTRIB,
       *R_COST_POST, *R_COST_REGIME, *R_ARR_POST, *R_ARR_REGIME, R_EXAM_SUBSIDY, *R_OTHER_POST, *R_OTHER_REGIME, R_UNION_FUND}

# PAY_PARTS, SI_PARTS, TOTAL_PARTS, OTHER_LINES and BUDGET_LINES come from the one declaration, model/lines.py.
# Leavers by reason: each leaver counts in exactly one of these; ``exits`` is their sum.
EXIT_KINDS = ("exits.retirement", "exits.retirement_short", "exits.attrition", "exits.dismissal", "exits.election")
R_EXIT_KINDS = [RAW_NAMES.index(k) for k in EXIT_KINDS]
BRIDGE_STEPS = ("bridge.exits", "bridge.hires", "bridge.progression", "bridge.certificates",
                "bridge.uprating", "bridge.contributions", "bridge.arrears", "bridge.other")


def to_metrics(raw: np.ndarray, years: np.ndarray) -> dict[str, np.ndarray]:
    """Published metrics, each an array [draw, year], from the raw tallies ``raw[draw, t, R]``."""
    r = {name: raw[:, :, i] for i, name in enumerate(RAW_NAMES)}
    m: dict[str, np.ndarray] = {}
    money = {RAW_NAMES[i] for i in FEN}
    yuan = {k: (v / 100.0 if k in money else v.astype(np.float64)) for k, v in r.items()}

    hc = sum(r[f"headcount.{p}"] for p in POSTS)
    m["headcount"] = hc.astype(np.float64)
    for p in POSTS:
        m[f"headcount.{p}"] = yuan[f"headcount.{p}"]
    m["quota"] = sum(yuan[f"quota.{p}"] for p in POSTS)
    for p in POSTS:
        m[f"quota.{p}"] = yuan[f"quota.{p}"]
    m["vacancies"] = sum(np.maximum(yuan[f"quota.{p}"] - yuan[f"headcount.{p}"], 0) for p in POSTS)
    m["hires"] = sum(yuan[f"hires.{p}"] for p in POSTS)
    for p in POSTS:
        m[f"hires.{p}"] = yuan[f"hires.{p}"]
    for k in EXIT_KINDS:
        m[k] = yuan[k]
    m["exits"] = sum(m[k] for k in EXIT_KINDS)
    for p in POSTS:
        m[f"exits.post.{p}"] = yuan[f"exits.post.{p}"]
        m[f"moves.net.{p}"] = yuan[f"moves.net.{p}"]
    from_staff = sum(yuan[f"elected.from_staff.{p}"] for p in TWO_COMMITTEE_POSTS)
    m["moves.to_staff"] = yuan["moves.net.staff"] + from_staff  # 两委 surplus moved into staff posts
    outside = sum(yuan[f"elected.outside.{p}"] for p in TWO_COMMITTEE_POSTS)
    m["elected.from_staff"], m["elected.outside"], m["elected"] = from_staff, outside, from_staff + outside
    for p in TWO_COMMITTEE_POSTS:
        m[f"elected.{p}"] = yuan[f"elected.from_staff.{p}"] + yuan[f"elected.outside.{p}"]
        m[f"elected.from_staff.{p}"], m[f"elected.outside.{p}"] = yuan[f"elected.from_staff.{p}"], yuan[f"elected.outside.{p}"]
    with np.errstate(invalid="ignore", divide="ignore"):
        m["elected.certified_share"] = np.where(m["elected"] > 0, yuan["elected.certified"] / np.maximum(m["elected"], 1), 0.0)
    certified = sum(yuan[f"certified.{c}"] for c in CERT_LEVELS)
    with np.errstate(invalid="ignore", divide="ignore"):
        m["certified_share"] = np.where(hc > 0, certified / np.maximum(hc, 1), 0.0)
        for c in CERT_LEVELS:
            m[f"certified.{c}"] = yuan[f"certified.{c}"]
        m["exam.sat"] = yuan["exam.sat"]
        m["exam.passes"] = yuan["exam.passes"]
        for g in range(1, N_GRADES + 1):
            m[f"grade.{g:02d}"] = yuan[f"grade.{g:02d}"]
        m["mean_age"] = np.where(hc > 0, yuan["sum_age_months"] / 12.0 / np.maximum(hc, 1), 0.0)
        for reg in REGIMES:
            m[f"headcount.regime.{reg}"] = yuan[f"headcount.regime.{reg}"]

        for k in PAY_PARTS + SI_PARTS + ("cost.housing_fund",):
            m[k] = yuan[k]
        for group, leaves in GROUPS.items():  # cost.pay, cost.employer_social_insurance, cost.employer_pension
            m[group] = sum(r[k] for k in leaves) / 100.0
        arrears_fen = r["arrears.principal"] + r["arrears.late_fees"]
        m["cost.arrears"] = arrears_fen / 100.0
        other_fen = sum(r[k] for k in OTHER_LINES)
        for k in OTHER_LINES:
            m[k] = yuan[k]
        total_fen = sum(r[k] for k in PAY_PARTS) + sum(r[k] for k in SI_PARTS) + r["cost.housing_fund"] + arrears_fen + other_fen
        m["cost.total"] = total_fen / 100.0
        for p in POSTS:
            m[f"cost_by_post.{p}"] = (r[f"cost_by_post.{p}"] + r[f"arrears_by_post.{p}"] + r[f"other_by_post.{p}"]) / 100.0
        for reg in REGIMES:
            m[f"cost_by_regime.{reg}"] = (r[f"cost_by_regime.{reg}"] + r[f"arrears_by_regime.{reg}"]
                                          + r[f"other_by_regime.{reg}"]) / 100.0
        m["si.employee_total"] = yuan["si.employee_total"]
        m["pay.net"] = (sum(r[k] for k in PAY_PARTS) - r["si.employee_total"]) / 100.0
        m["arrears.months_outstanding"] = yuan["arrears.months_outstanding"]
        m["arrears.months_cleared"] = yuan["arrears.months_cleared"]
        m["arrears.principal"] = yuan["arrears.principal"]
        m["arrears.late_fees"] = yuan["arrears.late_fees"]
        ret = yuan["pension.retirees"]
        m["pension.retirees"] = ret
        m["pension.mean_monthly"] = np.where(ret > 0, yuan["pension.sum_monthly"] / 100.0 / np.maximum(ret, 1), 0.0)
        m["pension.replacement_rate"] = np.where(ret > 0, yuan["pension.sum_replacement_ppm"] / 1e6 / np.maximum(ret, 1), 0.0)

        # Bridge: start (cost.total of the year before) + steps = end, exactly in fen.
        start = np.zeros_like(total_fen)
        start[:, 1:] = total_fen[:, :-1]
        arrears_step = np.zeros_like(arrears_fen)
        arrears_step[:, 1:] = arrears_fen[:, 1:] - arrears_fen[:, :-1]
        other_step = np.zeros_like(other_fen)
        other_step[:, 1:] = other_fen[:, 1:] - other_fen[:, :-1]
        m["bridge.start"] = start / 100.0
        for k in BRIDGE_STEPS[:-2]:
            m[k] = yuan[k]
        m["bridge.arrears"] = arrears_step / 100.0
        m["bridge.other"] = other_step / 100.0
        m["bridge.end"] = total_fen / 100.0
        m["bridge.end"][:, 0] = 0.0  # the opening year has no year before it: its bridge is all zero
    return m
