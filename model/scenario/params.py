"""Resolve a validated scenario into per-year numpy arrays for the engines.

Index ``t`` runs over years: t = 0 is the opening year (the stock at its end, money at its rates),
t = 1 .. T are projected years. Dated values are looked up with "latest key <= year".
Post order is ``POSTS``, certificate levels ``CERT_LEVELS`` (index 0 = none, 1..3 = levels),
education ``EDUCATION``, regimes ``REGIMES``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from model.lines import RATE_KEYS
from model.scenario.schema import CERT_LEVELS, EDUCATION, N_GRADES, POSTS, ScenarioModel, value_at

MIN_AGE_TABLE, MAX_AGE_TABLE = 40, 85  # 70 + 3 years of reform + 10 of deferral, the schema's most


class Params(NamedTuple):
    """Everything the yearly steps read. Arrays are float64 or int64. A field holding a scenario value is
    named after its leaf (``hiring.annual_cap`` -> ``annual_cap``); the comment names the source of the others."""

    opening_year: int
    n_years: int  # including the opening year
    # posts
    quota: np.ndarray  # [t, post] int
    grade_lo: np.ndarray  # [post] int, 1-based: posts.grade_range.<post>.lowest
    grade_hi: np.ndarray  # [post]: posts.grade_range.<post>.highest
    grade_coefficients: np.ndarray  # [post, grade-1]
    # progression
    years_per_grade: np.ndarray  # [t] int
    review_fail_rate: np.ndarray  # [t]
    dismiss_after_fails: int
    education_credit_years: np.ndarray  # [edu] int years
    certificate_grade_bonus: np.ndarray  # [level 0..3] int grades
    # retirement
    reform: bool
    male_age: int
    female_original_age: np.ndarray  # [post] 50 or 55
    min_contribution_months: np.ndarray  # [t] int: retirement.min_contribution_years x 12
    max_deferral_months: int  # retirement.max_deferral_years x 12
    # attrition and elections
    attrition: np.ndarray  # [t, post]: attrition.rate
    early_service_years: int
    early_service_multiplier: float
    exit_month: int
    election: np.ndarray  # [t] bool: an election year (elections.first_year, interval_years)
    turnover: np.ndarray  # [t]
    certificate_required: np.ndarray  # [t] bool
    career_secretaries_exempt: bool
    surplus_to_staff_share: float
    from_staff_share: np.ndarray  # [t] share of vacant 两委 seats an election fills from full-time staff
    # certificates
    sitting_rate: np.ndarray  # [t, level 1..3 -> 0..2]
    pass_rate: np.ndarray  # [t, level]
    min_service_years: np.ndarray  # [level, edu]
    per_sitter: np.ndarray  # [t, level] fen per sitting of that level's exam (cost.other.exam_subsidy)
    per_pass: np.ndarray  # [t, level] fen per pass
    # hiring
    fill_rate: np.ndarray  # [t]
    annual_cap: np.ndarray  # [t] int
    start_month: int
    probation_months: int
    probation_pay_share: float
    probation_pay_floor_share: float  # legal floor: share of the post's lowest-grade monthly pay
    # entrants' profiles, [kind, ...]: kind 0 = recruits (hiring.new_hire), 1 = outside candidates elected
    # to vacant 两委 seats (elections.outside_candidates)
    ent_age_min: np.ndarray  # [t, kind, post]
    ent_age_max: np.ndarray  # [t, kind, post]
    ent_female: np.ndarray  # [t, kind, post]
    ent_edu_cum: np.ndarray  # [t, kind, edu] cumulative shares
    ent_cert: np.ndarray  # [t, kind, post] share holding a junior certificate
    ent_prior: np.ndarray  # [kind] share of years since contributions_from_age with contributions before joining
    # pay
    reference_wage_monthly: float  # reference wage, yuan/month, opening year
    wage_growth: np.ndarray  # [t] growth into year t (t >= 1)
    link_to_average_wage: np.ndarray  # [t] reference wage as a share of last year's average wage (0 = use wage_growth)
    performance_share: np.ndarray  # [t]
    post_allowance_monthly: np.ndarray  # [t, post]
    seniority_allowance_per_year_monthly: np.ndarray  # [t]
    seniority_cap_years: int
    certificate_allowance_monthly: np.ndarray  # [t, level 0..3] (level 0 = 0)
    career_allowance_monthly: np.ndarray  # [t, regime] (contract = 0)
    # social insurance
    average_wage_monthly: np.ndarray  # [k] published average wage of year opening_year - 1 + k (k = 0..n_years), 0 = projected
    average_wage_growth: np.ndarray  # [t] growth of the average wage into year t
    base_floor_share: np.ndarray  # [t]
    base_ceiling_share: np.ndarray
    housing_fund_floor_share: np.ndarray
    housing_fund_ceiling_share: np.ndarray
    employer: np.ndarray  # [t, line] employer rates: pension, medical, unemployment, injury, housing, annuity
    employee: np.ndarray  # [t, line] employee rates
    institution: np.ndarray  # [regime] 1 where the regime is in the institution scheme (social_insurance.reference_scheme)
    union_fund_rate: np.ndarray  # [t] share of the year's gross pay paid to the union fund (cost.other.union_fund)
    # pensions
    crediting_rate: np.ndarray  # [t]
    accrual_rate: float
    contributions_from_age: int  # earlier working years count from this age (prior_contribution_share)
    months_divisor: np.ndarray  # [age - MIN_AGE_TABLE]
    benefit_base_monthly: np.ndarray  # [t] published 计发基数 of year t, 0 = not given
    benefit_base_from: np.ndarray  # [t] int: for a year not given, the year index whose ratio of 计发基数 to the
    #                                average wage of the year before it follows (-1: none given, ratio 1)
    # arrears
    clear_start_t: int  # arrears.clearance_start_year - opening_year
    clearance_rate: np.ndarray  # [t]
    employer_pays_employee_share: bool
    late_fee_daily: float
    late_fee_charged_share: float
    # opening accounts (also used for hires' earlier contributions)
    contribution_index: float
    account_per_contribution_year: float
    # uncertainty
    wage_growth_sd: float
    attrition_multiplier_low: float
    attrition_multiplier_high: float
    pass_rate_multiplier_low: float
    pass_rate_multiplier_high: float




def benefit_base(given: dict[int, float], years: list[int]) -> dict[str, np.ndarray]:
    """The pension's 计发基数 by year of the horizon: the published figure where given (benefit_base_monthly), else
    0 and the year whose ratio to last year's average wage it follows (benefit_base_from): the last year given
    before it, or the first year given; -1 when none is given. The engine takes the ratio in each draw, so that a
    year given whose average wage is projected follows the draw's path."""
    inside = sorted(y for y in given if y in years)

    def source(y: int) -> int:
        return years.index(max((g for g in inside if g <= y), default=inside[0])) if inside else -1

    return {"benefit_base_monthly": np.array([given.get(y, 0.0) for y in years], dtype=np.float64),
            "benefit_base_from": np.array([source(y) for y in years], dtype=np.int64)}


def resolve(m: ScenarioModel) -> Params:
    y0, y1 = m.horizon.opening_year, m.horizon.end_year
    years = list(range(y0, y1 + 1))
    n = len(years)

    def series(dated, dtype=np.float64):
        return np.array([value_at(dated, y) for y in years], dtype=dtype)

    def per_post_series(pp, dtype=np.float64):
        return np.stack([series(pp.get(p), dtype) for p in POSTS], axis=1)

    def per_level_series(pl, names=CERT_LEVELS):
        return np.stack([series(getattr(pl, c)) for c in names], axis=1)

    el = m.elections
    election = np.array([y >= el.first_year and (y - el.first_year) % el.interval_years == 0 and y > y0 for y in years])
    table = m.pension.months_divisor
    ages = sorted(table)
    # Months divisor (计发月数) by whole years of age at retirement. Validation makes the table cover every age
    # a worker can retire at (schema.reachable_retirement_ages); rows beyond the table repeat its ends and are
    # never read.
    divisor = np.array([table[max([k for k in ages if k <= a], default=ages[0])] for a in range(MIN_AGE_TABLE, MAX_AGE_TABLE + 1)],
                       dtype=np.int64)
    nh = m.hiring.new_hire
    oc = el.outside_candidates

    def entrants(recruits, outside):
        """[t, kind, post]: recruits' per-post series and the outside candidates' one for every post."""
        return np.stack([recruits, np.repeat(outside[:, None], len(POSTS), axis=1)], axis=1)

    def edu_cum(dated):
        """[t, edu] cumulative education shares by year."""
        return np.array([np.cumsum([getattr(value_at(dated, y), e) for e in EDUCATION]) for y in years])
    si = m.social_insurance
    zeros = np.zeros((n, 1))
    return Params(
        opening_year=y0,
        n_years=n,
        quota=per_post_series(m.quota, np.int64),
        grade_lo=np.array([m.posts.grade_range.get(p).lowest for p in POSTS], dtype=np.int64),
        grade_hi=np.array([m.posts.grade_range.get(p).highest for p in POSTS], dtype=np.int64),
        grade_coefficients=np.array([m.posts.grade_coefficients.get(p) for p in POSTS], dtype=np.float64).reshape(len(POSTS), N_GRADES),
        years_per_grade=series(m.progression.years_per_grade, np.int64),
        review_fail_rate=series(m.progression.review_fail_rate),
        dismiss_after_fails=m.progression.dismiss_after_fails,
        education_credit_years=np.array([getattr(m.progression.education_credit_years, e) for e in EDUCATION], dtype=np.int64),
        certificate_grade_bonus=np.array([0] + [getattr(m.progression.certificate_grade_bonus, c) for c in CERT_LEVELS], dtype=np.int64),
        reform=m.retirement.reform,
        male_age=m.retirement.male_age,
        female_original_age=np.array([m.retirement.female_original_age.get(p) for p in POSTS], dtype=np.int64),
        min_contribution_months=np.round(series(m.retirement.min_contribution_years) * 12).astype(np.int64),
        max_deferral_months=12 * m.retirement.max_deferral_years,
        attrition=per_post_series(m.attrition.rate),
        early_service_years=m.attrition.early_service_years,
        early_service_multiplier=m.attrition.early_service_multiplier,
        exit_month=m.attrition.exit_month,
        election=election,
        turnover=series(el.turnover),
        certificate_required=series(el.certificate_required, np.bool_),
        career_secretaries_exempt=el.career_secretaries_exempt,
        surplus_to_staff_share=el.surplus_to_staff_share,
        from_staff_share=series(el.from_staff_share),
        sitting_rate=per_level_series(m.certificates.sitting_rate),
        pass_rate=per_level_series(m.certificates.pass_rate),
        min_service_years=np.array([[getattr(getattr(m.certificates.min_service_years, c), e) for e in EDUCATION] for c in CERT_LEVELS],
                             dtype=np.float64),
        per_sitter=np.round(per_level_series(m.certificates.exam_subsidy.per_sitter) * 100).astype(np.int64),
        per_pass=np.round(per_level_series(m.certificates.exam_subsidy.per_pass) * 100).astype(np.int64),
        fill_rate=series(m.hiring.fill_rate),
        annual_cap=series(m.hiring.annual_cap, np.int64),
        start_month=m.hiring.start_month,
        probation_months=m.hiring.probation_months,
        probation_pay_share=m.hiring.probation_pay_share,
        probation_pay_floor_share=m.hiring.probation_pay_floor_share,
        ent_age_min=entrants(per_post_series(nh.age_min, np.int64), series(oc.age_min, np.int64)),
        ent_age_max=entrants(per_post_series(nh.age_max, np.int64), series(oc.age_max, np.int64)),
        ent_female=entrants(per_post_series(nh.female_share), series(oc.female_share)),
        ent_edu_cum=np.stack([edu_cum(nh.education), edu_cum(oc.education)], axis=1),
        ent_cert=entrants(per_post_series(nh.certified_share), series(oc.certified_share)),
        ent_prior=np.array([nh.prior_contribution_share, oc.prior_contribution_share], dtype=np.float64),
        reference_wage_monthly=m.pay.reference_wage_monthly,
        wage_growth=series(m.pay.wage_growth),
        link_to_average_wage=series(m.pay.link_to_average_wage) if m.pay.link_to_average_wage else np.zeros(n),
        performance_share=series(m.pay.performance_share),
        post_allowance_monthly=per_post_series(m.pay.post_allowance_monthly),
        seniority_allowance_per_year_monthly=series(m.pay.seniority_allowance_per_year_monthly),
        seniority_cap_years=m.pay.seniority_cap_years,
        certificate_allowance_monthly=np.concatenate([zeros, per_level_series(m.pay.certificate_allowance_monthly)], axis=1),
        career_allowance_monthly=np.concatenate([zeros, per_level_series(m.pay.career_allowance_monthly, ("establishment", "reference"))],
                                                axis=1),
        average_wage_monthly=np.array([si.average_wage_monthly.get(y, 0.0) for y in range(y0 - 1, y1 + 1)], dtype=np.float64),
        average_wage_growth=series(si.average_wage_growth),
        base_floor_share=series(si.base_floor_share),
        base_ceiling_share=series(si.base_ceiling_share),
        housing_fund_floor_share=series(si.housing_fund_floor_share),
        housing_fund_ceiling_share=series(si.housing_fund_ceiling_share),
        employer=np.stack([series(getattr(si.employer, k)) for k in RATE_KEYS], axis=1),
        employee=np.stack([series(getattr(si.employee, k)) for k in RATE_KEYS], axis=1),
        institution=np.array([0, 1, 1 if si.reference_scheme == "institution" else 0], dtype=np.int64),
        union_fund_rate=series(m.other_costs.union_fund_rate),
        crediting_rate=series(m.pension.crediting_rate),
        accrual_rate=m.pension.accrual_rate,
        contributions_from_age=m.pension.contributions_from_age,
        months_divisor=divisor,
        **benefit_base(m.pension.benefit_base_monthly or {}, years),
        clear_start_t=m.arrears.clearance_start_year - y0,
        clearance_rate=series(m.arrears.clearance_rate),
        employer_pays_employee_share=m.arrears.employer_pays_employee_share,
        late_fee_daily=m.arrears.late_fee_daily,
        late_fee_charged_share=m.arrears.late_fee_charged_share,
        contribution_index=m.opening.contribution_index,
        account_per_contribution_year=m.opening.account_per_contribution_year,
        wage_growth_sd=m.uncertainty.wage_growth_sd,
        attrition_multiplier_low=m.uncertainty.attrition_multiplier_low,
        attrition_multiplier_high=m.uncertainty.attrition_multiplier_high,
        pass_rate_multiplier_low=m.uncertainty.pass_rate_multiplier_low,
        pass_rate_multiplier_high=m.uncertainty.pass_rate_multiplier_high,
    )
