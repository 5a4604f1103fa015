"""The scenario schema: every parameter the model reads, with its type and range.

Dated values (``Dated[...]``) are mappings year -> value; a bare value means "from the start".
Probabilities and shares are in [0, 1]; money is in yuan; durations in years unless the name says months.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

POSTS = ("chief", "deputy", "member", "staff")
TWO_COMMITTEE_POSTS = ("chief", "deputy", "member")
EDUCATION = ("high_school", "college", "bachelor", "master")
CERT_LEVELS = ("junior", "intermediate", "senior")
REGIMES = ("contract", "establishment", "reference")
N_GRADES = 18
ALWAYS = -1  # key of a dated value given without a year

Prob = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]  # persons: a whole country's community workers fit
Grade = Annotated[int, Field(ge=1, le=N_GRADES)]
FIRST_YEAR, LAST_YEAR = 1990, 2100  # the years a scenario may name
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
MonthlyYuan = Annotated[float, Field(ge=0, le=1_000_000)]  # an amount of yuan per month
MAX_PROJECTED_WAGE = 10_000_000  # yuan/month: beyond this a scenario is surely mistyped (and sums would overflow)


def _as_dated(value: Any) -> Any:
    if isinstance(value, dict) and all(isinstance(k, int) and not isinstance(k, bool) for k in value):
        return value
    return {ALWAYS: value}


def Dated(kind):  # noqa: N802 - reads like a type
    """A value that may change by year: ``x`` or ``{2021: x, 2026: y}``."""
    return Annotated[dict[int, kind], BeforeValidator(_as_dated), Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class PerPost(Strict):
    chief: Any
    deputy: Any
    member: Any
    staff: Any

    def get(self, post: str):
        return getattr(self, post)


def per_post(kind):
    return type(f"PerPost_{getattr(kind, '__name__', 'x')}", (PerPost,), {"__annotations__": {p: kind for p in POSTS}})


def per_level(kind, names=CERT_LEVELS):
    return type(f"PerLevel_{getattr(kind, '__name__', 'x')}", (Strict,), {"__annotations__": {n: kind for n in names}})


EduShares = type("EduShares", (Strict,), {"__annotations__": {e: Prob for e in EDUCATION}})
Years = Annotated[float, Field(ge=0, le=60)]
EduYears = type("EduYears", (Strict,), {"__annotations__": {e: Years for e in EDUCATION}})


class Horizon(Strict):
    opening_year: Year
    end_year: Year
    # The budget year: years before it are history; it and the two after form the 中期财政规划 (medium-term
    # fiscal plan). Optional: without it, the first projected year.
    budget_year: Year | None = None


class AgeDist(Strict):
    mean: Annotated[float, Field(ge=0, le=100)]
    sd: Annotated[float, Field(ge=0, le=100)]
    min: Annotated[int, Field(ge=16, le=70)]
    max: Annotated[int, Field(ge=16, le=70)]


class Establishment(Strict):
    special: Count
    reference: Count


class Arrears0(Strict):
    share_with_gaps: Prob
    mean_gap_months: Annotated[float, Field(ge=0, le=600)]
    max_gap_months: Annotated[int, Field(ge=0, le=600)]


class Opening(Strict):
    communities: Annotated[int, Field(ge=1)]
    headcount: per_post(Count)
    establishment: Establishment
    roster_file: str | None = None
    age: per_post(AgeDist)
    female_share: per_post(Prob)
    education: EduShares
    mean_service_years: per_post(Years)
    prior_contribution_share: Prob  # mean share of the years from pension.contributions_from_age to joining with contributions
    certified_share: Prob
    certificate_mix: per_level(Prob)
    arrears: Arrears0
    contribution_index: Annotated[float, Field(ge=0, le=10)]
    account_per_contribution_year: MonthlyYuan


class GradeRange(Strict):
    lowest: Grade
    highest: Grade


class Posts(Strict):
    grade_range: per_post(GradeRange)
    grade_coefficients: per_post(list[Annotated[float, Field(gt=0)]])


class Progression(Strict):
    years_per_grade: Dated(Annotated[int, Field(ge=1, le=10)])
    review_fail_rate: Dated(Prob)
    dismiss_after_fails: Annotated[int, Field(ge=1, le=10)]
    education_credit_years: EduYears
    certificate_grade_bonus: per_level(Annotated[int, Field(ge=0, le=5)])


class Retirement(Strict):
    reform: bool
    male_age: Annotated[int, Field(ge=50, le=70)]
    female_original_age: per_post(Literal[50, 55])
    min_contribution_years: Dated(Annotated[float, Field(ge=0, le=40)])
    max_deferral_years: Annotated[int, Field(ge=0, le=10)]


class Attrition(Strict):
    rate: per_post(Dated(Prob))
    early_service_years: Annotated[int, Field(ge=0, le=40)]
    early_service_multiplier: Annotated[float, Field(ge=0, le=10)]
    exit_month: Annotated[int, Field(ge=1, le=12)]


class Candidates(Strict):
    """Outside candidates elected to vacant 两委 seats: who they are on arrival."""

    age_min: Dated(Annotated[int, Field(ge=16, le=65)])
    age_max: Dated(Annotated[int, Field(ge=16, le=65)])
    female_share: Dated(Prob)
    education: Dated(EduShares)
    certified_share: Dated(Prob)  # where the certificate rule applies every elected member holds one anyway
    prior_contribution_share: Prob


class Elections(Strict):
    first_year: Year
    interval_years: Annotated[int, Field(ge=1, le=10)]
    turnover: Dated(Prob)
    certificate_required: Dated(bool)
    career_secretaries_exempt: bool
    surplus_to_staff_share: Prob
    # The election fills the 两委 seats left vacant (by turnover, the candidacy rule or the year's exits), up
    # to the quota and outside the recruitment cap: this share from eligible full-time staff (a post move),
    # the rest from outside candidates.
    from_staff_share: Dated(Prob)
    outside_candidates: Candidates


ExamYuan = Annotated[float, Field(ge=0, le=100_000)]  # yuan per exam


class ExamSubsidy(Strict):
    """A policy's exam subsidy (报考补贴), yuan per exam by the level sat: paid for each sitting and each pass."""

    per_sitter: per_level(Dated(ExamYuan))
    per_pass: per_level(Dated(ExamYuan))


class Certificates(Strict):
    sitting_rate: per_level(Dated(Prob))
    pass_rate: per_level(Dated(Prob))
    min_service_years: per_level(EduYears)
    exam_subsidy: ExamSubsidy


class NewHire(Strict):
    """Who recruits are on arrival, per post and year (a policy may say "recruit certified staff from 2024")."""

    age_min: per_post(Dated(Annotated[int, Field(ge=16, le=65)]))
    age_max: per_post(Dated(Annotated[int, Field(ge=16, le=65)]))
    female_share: per_post(Dated(Prob))
    education: Dated(EduShares)
    certified_share: per_post(Dated(Prob))
    prior_contribution_share: Prob


class Hiring(Strict):
    fill_rate: Dated(Prob)
    annual_cap: Dated(Count)
    start_month: Annotated[int, Field(ge=1, le=12)]
    probation_months: Annotated[int, Field(ge=0, le=12)]
    probation_pay_share: Prob
    probation_pay_floor_share: Prob
    new_hire: NewHire


class Pay(Strict):
    reference_wage_monthly: MonthlyYuan
    wage_growth: Dated(Annotated[float, Field(ge=-0.5, le=1)])
    # Where > 0 in a year: reference wage = this x the provincial average wage of the year before
    # (replaces wage_growth in that year). Optional; absent means pay follows wage_growth.
    link_to_average_wage: Dated(Annotated[float, Field(ge=0, le=5)]) | None = None
    performance_share: Dated(Annotated[float, Field(ge=0, le=5)])
    post_allowance_monthly: per_post(Dated(MonthlyYuan))
    seniority_allowance_per_year_monthly: Dated(MonthlyYuan)
    seniority_cap_years: Annotated[int, Field(ge=0, le=60)]
    certificate_allowance_monthly: per_level(Dated(MonthlyYuan))
    career_allowance_monthly: per_level(Dated(MonthlyYuan), names=("establishment", "reference"))


class Rates(Strict):
    pension: Dated(Prob)
    medical: Dated(Prob)
    unemployment: Dated(Prob)
    work_injury: Dated(Prob)
    housing_fund: Dated(Prob)
    annuity: Dated(Prob)


PositiveMonthlyYuan = Annotated[float, Field(gt=0, le=1_000_000)]


class SocialInsurance(Strict):
    # Provincial 全口径城镇单位就业人员 average wage OF each year (yuan/month), published during the next
    # year: {year: figure}, consecutive years from at least opening_year - 1. Years after the last one
    # given are projected with average_wage_growth and the draw's wage shock. Every rule that the law
    # states on the 上年度 figure reads year Y - 1 in year Y (base limits, contribution index, and the pension's
    # 计发基数 where none is published: Pension.benefit_base_monthly).
    average_wage_monthly: Annotated[dict[Year, PositiveMonthlyYuan], Field(min_length=1)]
    average_wage_growth: Dated(Annotated[float, Field(ge=-0.5, le=1)])
    base_floor_share: Dated(Annotated[float, Field(ge=0, le=10)])
    base_ceiling_share: Dated(Annotated[float, Field(ge=0, le=10)])
    housing_fund_floor_share: Dated(Annotated[float, Field(ge=0, le=10)])
    housing_fund_ceiling_share: Dated(Annotated[float, Field(ge=0, le=10)])
    employer: Rates
    employee: Rates
    reference_scheme: Literal["enterprise", "institution"]


class Pension(Strict):
    crediting_rate: Dated(Annotated[float, Field(ge=-0.5, le=1)])
    accrual_rate: Prob
    # 计发基数 published for year Y (yuan/month): the base of the basic pension of those who retire in Y, set by the
    # province per city and not equal to the contribution standard. A year not given takes the contribution
    # standard read that year (the average wage of Y - 1) times the ratio of the last year given before it (of
    # the first year given, before that); none given: the contribution standard itself. Only years in the
    # horizon are read.
    benefit_base_monthly: dict[Year, PositiveMonthlyYuan] | None = None
    # Age from which a worker's years before community work may hold pension contributions: the opening staff's,
    # recruits' and elected candidates' prior_contribution_share is a share of the years from it to joining.
    contributions_from_age: Annotated[int, Field(ge=14, le=40)]
    months_divisor: Annotated[dict[Annotated[int, Field(ge=40, le=75)], Annotated[int, Field(ge=1, le=400)]], Field(min_length=1)]


class ArrearsRules(Strict):
    clearance_start_year: Year
    clearance_rate: Dated(Prob)
    employer_pays_employee_share: bool
    late_fee_daily: Annotated[float, Field(ge=0, le=0.01)]
    late_fee_charged_share: Prob


class Uncertainty(Strict):
    # Parameter uncertainty (optional, off when empty): dotted parameter path -> [low, high]; each draw takes
    # its own value of each, uniform in the range (keyed by seed, draw and parameter), for every year. The
    # opening roster is drawn once, so opening.* parameters cannot be ranged.
    parameter_ranges: dict[str, Annotated[list[float], Field(min_length=2, max_length=2)]] = {}
    wage_growth_sd: Annotated[float, Field(ge=0, le=0.2)]
    attrition_multiplier_low: Annotated[float, Field(ge=0, le=10)]
    attrition_multiplier_high: Annotated[float, Field(ge=0, le=10)]
    pass_rate_multiplier_low: Annotated[float, Field(ge=0, le=10)]
    pass_rate_multiplier_high: Annotated[float, Field(ge=0, le=10)]


Code = Annotated[str, Field(pattern=r"^[0-9]{3,7}$")]
PayerShares = type("PayerShares", (Strict,), {"__annotations__": {k: Prob for k in ("city", "district", "transfer")}})


class OtherCosts(Strict):
    """Costs outside pay and contributions, each a cost.other.* line."""

    # The trade-union fund: an employer with a trade union pays this share of its wage bill (2 %, 《工会法》 art. 43);
    # the share of each worker's gross pay of the year.
    union_fund_rate: Dated(Prob)


class Budget(Strict):
    """How the cost lines enter the budget: classification codes and who pays."""

    functional_code: Code  # 支出功能分类 of every line
    economic_codes: dict[str, Code]  # 部门预算支出经济分类 by cost line (metric name)
    payer_shares: Dated(PayerShares)  # 市级 / 区级 / 上级转移支付 shares of every line, adding up to 1
    payer_shares_by_line: dict[str, Dated(PayerShares)] = {}  # lines paid otherwise (e.g. an earmarked transfer)


class ScenarioModel(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
    title: str
    rationale: str
    # The documents values rest on, each once under a key; a value's `source:` begins with its keys ("seed: ...").
    sources: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")], str] = {}
    extends: str | None = None
    issuer: str = ""  # 编制单位 printed on the report's cover (left blank to be filled in when empty)
    status: str = "征求意见稿"  # the document's status on the cover, e.g. 征求意见稿, 送审稿
    prices: list[str] = []  # what the policy costs in the model (costing note)
    not_priced: list[str] = []  # what the policy may cost that the model does not price
    horizon: Horizon
    opening: Opening
    quota: per_post(Dated(Count))
    posts: Posts
    progression: Progression
    retirement: Retirement
    attrition: Attrition
    elections: Elections
    certificates: Certificates
    hiring: Hiring
    pay: Pay
    social_insurance: SocialInsurance
    pension: Pension
    arrears: ArrearsRules
    uncertainty: Uncertainty
    other_costs: OtherCosts
    budget: Budget
    # The budget appropriated for community workers, 万元 a year (a value holds from its year on; no
    # appropriation before the first year given). Reports give the probability that cost.total exceeds it.
    appropriation: Dated(Annotated[float, Field(ge=0, le=1e11)]) | None = None

    # ------------------------------------------------------------------ checks across fields

    def _check_parameter_ranges(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        leaves = set(leaf_paths(self))
        for path, (low, high) in self.uncertainty.parameter_ranges.items():
            where = f"uncertainty.parameter_ranges.{path}"
            if path not in leaves or path.startswith(("opening.", "horizon.", "uncertainty.", "budget.")):
                out.append((where, "not a parameter that can be ranged (a numeric parameter outside opening, horizon, "
                                   "budget and uncertainty)"))
                continue
            value = self
            for part in path.split("."):
                value = getattr(value, part)
            values = list(value.values()) if isinstance(value, dict) else [value]
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                out.append((where, "not a numeric parameter"))
                continue
            if low > high:
                out.append((where, f"low {low:g} is above high {high:g}"))
                continue
            for end in (low, high):
                try:
                    with_values(self, {path: end})
                except ValidationError as exc:  # an end outside the parameter's own bounds, or of the wrong kind
                    out.append((where, f"{end:g} is not a valid value: {exc.errors()[0]['msg']}"))
                except (TypeError, KeyError):
                    out.append((where, "not a numeric parameter"))
        return out

    def cross_checks(self) -> list[tuple[str, str]]:
        """Checks that span fields; returns (dotted path, message) for each problem."""
        out: list[tuple[str, str]] = []
        h = self.horizon
        if h.end_year <= h.opening_year:
            out.append(("horizon.end_year", f"must be after opening_year ({h.opening_year})"))
        if h.end_year - h.opening_year > 60:
            out.append(("horizon.end_year", "a projection may span at most 60 years"))
        if h.budget_year is not None and h.budget_year <= h.opening_year:
            out.append(("horizon.budget_year", f"{h.budget_year}: must be after the opening year {h.opening_year}"))
        for post in POSTS:
            r = self.posts.grade_range.get(post)
            if r.lowest > r.highest:
                out.append((f"posts.grade_range.{post}", f"lowest grade {r.lowest} is above highest {r.highest}"))
            coefs = self.posts.grade_coefficients.get(post)
            if len(coefs) != N_GRADES:
                out.append((f"posts.grade_coefficients.{post}", f"needs {N_GRADES} coefficients, one per grade; got {len(coefs)}"))
            for g in range(1, len(coefs)):
                if coefs[g] < coefs[g - 1]:
                    out.append((f"posts.grade_coefficients.{post}[{g}]",
                                f"grade {g + 1} coefficient {coefs[g]} is below grade {g}'s {coefs[g - 1]}: the table must not decrease"))
            a = self.opening.age.get(post)
            if a.min > a.max:
                out.append((f"opening.age.{post}", f"min {a.min} is above max {a.max}"))
        if self.retirement.reform and self.retirement.male_age != 60:
            out.append(("retirement.male_age", f"{self.retirement.male_age} with the reform on: the 2024 decision raises "
                        "the men's age from 60 (to 63); set 60, or retirement.reform: false to use another age"))
        nh, oc = self.hiring.new_hire, self.elections.outside_candidates
        years = range(h.opening_year, h.end_year + 1)
        profiles = [(f"hiring.new_hire.age_min.{p}", nh.age_min.get(p), nh.age_max.get(p), p) for p in POSTS]
        profiles += [("elections.outside_candidates.age_min", oc.age_min, oc.age_max, p) for p in TWO_COMMITTEE_POSTS]
        for path, lows, highs, post in profiles:
            limit = min(self.retirement.male_age, self.retirement.female_original_age.get(post))
            for y in years:  # youngest <= oldest, and an entrant joins before the statutory age of the post
                lo, hi = value_at(lows, y), value_at(highs, y)
                if lo > hi:
                    out.append((path, f"{lo} is above age_max ({hi}) in {y}"))
                    break
                if hi >= limit:
                    out.append((path.replace("age_min", "age_max"), f"{hi} is not below the statutory retirement age {limit} "
                                f"of a {post} post"))
                    break
        for label, dated in (("opening.education", {ALWAYS: self.opening.education}),
                             ("hiring.new_hire.education", nh.education), ("elections.outside_candidates.education", oc.education)):
            for y, shares in dated.items():
                total = sum(getattr(shares, e) for e in EDUCATION)
                if abs(total - 1) > 1e-9:
                    out.append((label, f"shares must add up to 1; they add up to {total:g}" + (f" in {y}" if y != ALWAYS else "")))
        return out + self.money_checks()

    def money_checks(self) -> list[tuple[str, str]]:
        """Cross-field checks of the budget, pay, insurance and pension sections, and of dated values."""
        from model.lines import BUDGET_LINES

        out: list[tuple[str, str]] = []
        h = self.horizon
        codes = self.budget.economic_codes
        for line in sorted(set(BUDGET_LINES) - set(codes)):
            out.append(("budget.economic_codes", f"no code for the cost line {line}"))
        for line in sorted(set(codes) - set(BUDGET_LINES)):
            out.append((f"budget.economic_codes.{line}", f"not a cost line; the lines are {', '.join(BUDGET_LINES)}"))
        splits = [("budget.payer_shares", self.budget.payer_shares)]
        splits += [(f"budget.payer_shares_by_line.{line}", dated) for line, dated in self.budget.payer_shares_by_line.items()]
        for line in sorted(set(self.budget.payer_shares_by_line) - set(BUDGET_LINES)):
            out.append((f"budget.payer_shares_by_line.{line}", f"not a cost line; the lines are {', '.join(BUDGET_LINES)}"))
        for path, dated in splits:
            for y, shares in dated.items():
                total = shares.city + shares.district + shares.transfer
                if abs(total - 1) > 1e-9:
                    out.append((path, f"shares must add up to 1; they add up to {total:g}" + (f" in {y}" if y != ALWAYS else "")))
        out += self._check_parameter_ranges()
        mix = sum(getattr(self.opening.certificate_mix, c) for c in CERT_LEVELS)
        if abs(mix - 1) > 1e-9:
            out.append(("opening.certificate_mix", f"shares must add up to 1; they add up to {mix:g}"))
        est = self.opening.establishment
        if est.special + est.reference > self.opening.headcount.chief:
            out.append(("opening.establishment", f"{est.special + est.reference} career-managed secretaries but only "
                                                  f"{self.opening.headcount.chief} chiefs in post"))
        u = self.uncertainty
        if u.attrition_multiplier_low > u.attrition_multiplier_high:
            out.append(("uncertainty.attrition_multiplier_low", "is above attrition_multiplier_high"))
        if u.pass_rate_multiplier_low > u.pass_rate_multiplier_high:
            out.append(("uncertainty.pass_rate_multiplier_low", "is above pass_rate_multiplier_high"))
        si = self.social_insurance
        for y, floor in si.base_floor_share.items():
            ceiling = value_at(si.base_ceiling_share, max(y, h.opening_year))
            if floor > ceiling:
                out.append(("social_insurance.base_floor_share",
                            f"floor {floor} is above the ceiling {ceiling} in {max(y, h.opening_year)}"))
        ages = sorted(self.pension.months_divisor)
        for a, b in zip(ages, ages[1:]):
            if self.pension.months_divisor[b] > self.pension.months_divisor[a]:
                out.append((f"pension.months_divisor.{b}", "the months divisor must not rise with age"))
        table = self.pension.months_divisor
        lo_age, hi_age = reachable_retirement_ages(self.retirement)
        missing = [a for a in range(lo_age, hi_age + 1) if a not in table]
        if missing:
            out.append(("pension.months_divisor", f"no 计发月数 for age {', '.join(map(str, missing))}: workers can retire at "
                        f"{lo_age}-{hi_age} under these retirement rules (国发〔2005〕38号 annex gives ages 40-70)"))
        years = sorted(self.retirement.min_contribution_years.items())
        for (_, v0), (y1, v1) in zip(years, years[1:]):
            if v1 < v0:
                out.append((f"retirement.min_contribution_years.{y1}",
                            f"falls from {v0} to {v1}: minimum contribution years must not fall"))
        known = sorted(si.average_wage_monthly)
        if known[0] > h.opening_year - 1:
            out.append(("social_insurance.average_wage_monthly", f"needs the figure of {h.opening_year - 1}, the year before "
                        f"the opening year: the contribution base limits of {h.opening_year} are set on it "
                        f"(国办发〔2019〕13号); the first year given is {known[0]}"))
        gaps = [y for y in range(known[0], known[-1]) if y not in si.average_wage_monthly]
        if gaps:
            out.append(("social_insurance.average_wage_monthly", f"no figure for {', '.join(map(str, gaps))}: give every year "
                        f"from {known[0]} to {known[-1]} (years after the last one are projected)"))
        # wages compounded at their growth (plus three standard deviations a year) must stay plausible
        last_avg_year = max(known[-1], h.opening_year)
        for path, start, growth, first in (
                ("pay.wage_growth", self.pay.reference_wage_monthly, self.pay.wage_growth, h.opening_year + 1),
                ("social_insurance.average_wage_growth", si.average_wage_monthly[known[-1]], si.average_wage_growth,
                 last_avg_year + 1)):
            level = start
            for y in range(first, h.end_year + 1):
                level *= 1 + (value_at(growth, y) or 0) + 3 * u.wage_growth_sd
            if path == "pay.wage_growth" and self.pay.link_to_average_wage:
                level = 0  # a linked wage is bounded by the average wage, checked below
            if level > MAX_PROJECTED_WAGE:
                out.append((path, f"compounds to about {level:,.0f} yuan a month by {h.end_year}; "
                                  f"at most {MAX_PROJECTED_WAGE:,} is plausible"))
        # dated values: keys must lie in the horizon and the first must cover the opening year
        for path, dated in dated_fields(self):
            keys = sorted(dated)
            if keys[0] not in (ALWAYS,) and keys[0] > h.opening_year:
                out.append((path, f"no value for {h.opening_year}..{keys[0] - 1}: the first year given is {keys[0]} "
                                  "(a value holds from its year on)"))
            if ALWAYS in keys and len(keys) > 1:
                out.append((path, "mixes a plain value with years"))
            for k in keys:
                if k != ALWAYS and not FIRST_YEAR <= k <= LAST_YEAR:
                    out.append((f"{path}.{k}", "is not a plausible year"))
        return out


def with_values(model: ScenarioModel, values: dict[str, float]) -> ScenarioModel:
    """The scenario with each dotted path set to one value for every year (a parameter range's draw)."""
    tree = model.model_dump()
    for path, v in values.items():
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        old = node[leaf]
        node[leaf] = {ALWAYS: v} if isinstance(old, dict) else (int(v) if isinstance(old, int) and not isinstance(old, bool) else v)
    return ScenarioModel.model_validate(tree, strict=False)


def reachable_retirement_ages(r: Retirement) -> tuple[int, int]:
    """Lowest and highest whole age at which a worker can retire: the original statutory ages, the reform's
    delay (up to 3 years on the 60 and 55 tracks, 5 on the 50 track) and any years the employer keeps on
    workers short of the minimum (max_deferral_years)."""
    tracks = {r.male_age: 3, **{a: (5 if a == 50 else 3) for a in (r.female_original_age.get(p) for p in POSTS)}}
    lo = min(tracks)
    hi = max(a + (delay if r.reform else 0) for a, delay in tracks.items()) + r.max_deferral_years
    return lo, hi


def value_at(dated: dict, year: int):
    """Value of a dated mapping in ``year``: the entry with the latest key <= year."""
    best = None
    for k in sorted(dated):
        if k <= year or k == ALWAYS:
            best = dated[k]
    return best


def is_year_series(value) -> bool:
    """Whether ``value`` is a mapping of years to figures (a dated value, or a series published year by year)."""
    return isinstance(value, dict) and bool(value) and all(isinstance(k, int) and FIRST_YEAR <= k <= LAST_YEAR for k in value)


def dated_fields(model: BaseModel, prefix: str = ""):
    """(dotted path, mapping) of every dated parameter."""
    for name, finfo in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, BaseModel):
            yield from dated_fields(value, path)
        elif isinstance(value, dict) and value and all(isinstance(k, int) for k in value) and _is_dated_field(finfo):
            yield path, value


def _is_dated_field(finfo) -> bool:
    return any(getattr(m, "func", None) is _as_dated for m in finfo.metadata)


# Describe a scenario without changing its results; a scenario's own, not inherited (but for sources).
HEADER_FIELDS = ("name", "title", "rationale", "sources", "extends", "prices", "not_priced", "issuer", "status")


def leaf_paths(model: BaseModel, prefix: str = ""):
    """Dotted paths of every parameter leaf (scenario header fields excluded)."""
    for name in type(model).model_fields:
        if not prefix and name in HEADER_FIELDS:
            continue
        value = getattr(model, name)
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, BaseModel):
            yield from leaf_paths(value, path)
        elif value is not None:  # optional parameters left out have no leaf
            yield path
