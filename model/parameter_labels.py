"""Readers' names of the scenario parameters, in one place: Chinese and English name and how a value is written.

A parameter's dotted path (schema) is named by its longest labelled prefix, followed by the names of the
remaining parts (a post, a level, a year …) in brackets: ``attrition.rate.staff`` -> 年流失率（专职人员）.
Kinds: ``share`` (written as a percentage), ``yuan`` (thousands separators), ``count``, ``years``,
``code``, ``text`` (as given).
"""

from __future__ import annotations

import json

# path prefix -> (Chinese, English, kind)
LABELS: dict[str, tuple[str, str, str]] = {
    "horizon.opening_year": ("开局年度（期末存量）", "Opening year (stock at its end)", "text"),
    "horizon.end_year": ("预测截止年度", "Last projected year", "text"),
    "horizon.budget_year": ("预算年度", "Budget year", "text"),
    "opening.communities": ("城市社区数", "Urban communities", "count"),
    "opening.headcount": ("期初在岗人数", "Opening headcount", "count"),
    "opening.establishment.special": ("专项事业编制书记人数", "Secretaries in special establishment", "count"),
    "opening.establishment.reference": ("参照管理书记人数", "Secretaries under reference management", "count"),
    "opening.roster_file": ("花名册文件", "Roster file", "text"),
    "opening.age": ("期初年龄分布", "Opening age distribution", "text"),
    "opening.female_share": ("期初女性比例", "Opening share of women", "share"),
    "opening.education": ("期初学历构成", "Opening education mix", "share"),
    "opening.mean_service_years": ("期初平均社区工作年限", "Opening mean years of service", "years"),
    "opening.prior_contribution_share": ("入职前缴费年限比例", "Share of prior working years contributed", "share"),
    "opening.certified_share": ("期初持证率", "Opening certified share", "share"),
    "opening.certificate_mix": ("期初证书等级构成", "Opening certificate mix", "share"),
    "opening.arrears.share_with_gaps": ("存在欠费断缴人员比例", "Share of workers with contribution gaps", "share"),
    "opening.arrears.mean_gap_months": ("平均欠缴月数", "Mean gap, months", "count"),
    "opening.arrears.max_gap_months": ("最长欠缴月数", "Longest gap, months", "count"),
    "opening.contribution_index": ("期初平均缴费指数", "Opening mean contribution index", "text"),
    "opening.account_per_contribution_year": ("每缴费年个人账户余额", "Account balance per contribution year", "yuan"),
    "quota": ("核定员额", "Quota (posts)", "count"),
    "posts.grade_range": ("岗位等级范围", "Grade range of the post", "count"),
    "posts.grade_coefficients": ("等级系数（1–18级）", "Grade coefficients (grades 1–18)", "text"),
    "progression.years_per_grade": ("晋升一级所需年限", "Years per grade", "years"),
    "progression.review_fail_rate": ("年度考核不合格率", "Share failing the annual review", "share"),
    "progression.dismiss_after_fails": ("连续不合格解聘次数", "Consecutive failures before dismissal", "count"),
    "progression.education_credit_years": ("学历折算工作年限", "Years credited for education", "years"),
    "progression.certificate_grade_bonus": ("持证增加等级", "Grades added by a certificate", "count"),
    "retirement.reform": ("实施渐进式延迟退休", "Gradual retirement-age reform", "text"),
    "retirement.male_age": ("男性原法定退休年龄", "Men's original statutory age", "years"),
    "retirement.female_original_age": ("女性原法定退休年龄", "Women's original statutory age", "years"),
    "retirement.min_contribution_years": ("领取养老金最低缴费年限", "Minimum contribution years for a pension", "years"),
    "retirement.max_deferral_years": ("缴费不足者单位留用年限", "Years the employer keeps on workers short of the minimum", "years"),
    "attrition.rate": ("年流失率", "Attrition per year", "share"),
    "attrition.early_service_years": ("入职初期年限", "Early-service years", "years"),
    "attrition.early_service_multiplier": ("入职初期流失倍数", "Early-service attrition multiplier", "text"),
    "attrition.exit_month": ("离职月份", "Month of leaving", "count"),
    "elections.first_year": ("首次换届年度", "First election year", "text"),
    "elections.interval_years": ("换届间隔年数", "Years between elections", "years"),
    "elections.turnover": ("换届更替比例", "Turnover at an election", "share"),
    "elections.certificate_required": ("两委成员须持证参选", "Certificate required to stand", "text"),
    "elections.career_secretaries_exempt": ("事业岗位书记不参与换届更替", "Career secretaries keep their posts", "text"),
    "elections.surplus_to_staff_share": ("超职数两委转任专职比例", "Share of the 两委 surplus moved to staff", "share"),
    "elections.from_staff_share": ("空缺职位由专职人员当选比例", "Share of vacant seats filled from staff", "share"),
    "elections.outside_candidates": ("外部当选人员", "Outside candidates elected", "text"),
    "elections.outside_candidates.female_share": ("外部当选人员女性比例", "Outside candidates: share of women", "share"),
    "elections.outside_candidates.education": ("外部当选人员学历构成", "Outside candidates: education", "share"),
    "elections.outside_candidates.certified_share": ("外部当选人员持证比例", "Outside candidates: certified share", "share"),
    "elections.outside_candidates.prior_contribution_share": ("外部当选人员既往缴费年限比例",
                                                             "Outside candidates: share of prior years contributed", "share"),
    "certificates.sitting_rate": ("年度报考率", "Share of non-holders sitting each year", "share"),
    "certificates.pass_rate": ("考试通过率", "Pass rate", "share"),
    "certificates.min_service_years": ("报考所需工作年限", "Years of work needed to sit", "years"),
    "certificates.exam_subsidy.per_sitter": ("考试补贴（每人次）", "Exam subsidy per sitting", "yuan"),
    "certificates.exam_subsidy.per_pass": ("考试补贴（每通过一人）", "Exam subsidy per pass", "yuan"),
    "hiring.fill_rate": ("空缺当年补员比例", "Share of vacancies filled in the year", "share"),
    "hiring.annual_cap": ("年度招聘上限", "Yearly recruitment cap", "count"),
    "hiring.start_month": ("新进人员到岗月份", "Month hires start", "count"),
    "hiring.probation_months": ("试用期月数", "Probation months", "count"),
    "hiring.probation_pay_share": ("试用期工资比例", "Probation pay share", "share"),
    "hiring.new_hire": ("新招人员", "Recruits", "text"),
    "hiring.new_hire.female_share": ("新招人员女性比例", "Recruits: share of women", "share"),
    "hiring.new_hire.education": ("新招人员学历构成", "Recruits: education", "share"),
    "hiring.new_hire.certified_share": ("新招人员持证比例", "Recruits: certified share", "share"),
    "hiring.new_hire.prior_contribution_share": ("新招人员既往缴费年限比例", "Recruits: share of prior years contributed", "share"),
    "pay.reference_wage_monthly": ("一级基准工资", "Grade-1 reference wage", "yuan"),
    "pay.wage_growth": ("基准工资年增长率", "Reference wage growth", "share"),
    "pay.link_to_average_wage": ("基准工资与上年社平工资挂钩比例", "Reference wage as a share of last year's average wage", "share"),
    "pay.performance_share": ("绩效工资占基本工资比例", "Performance pay as a share of base pay", "share"),
    "pay.post_allowance_monthly": ("岗位津贴", "Post allowance", "yuan"),
    "pay.seniority_allowance_per_year_monthly": ("工龄津贴（每年工龄）", "Seniority allowance per year of service", "yuan"),
    "pay.seniority_cap_years": ("工龄津贴封顶年限", "Seniority cap", "years"),
    "pay.certificate_allowance_monthly": ("证书津贴", "Certificate allowance", "yuan"),
    "pay.career_allowance_monthly": ("事业岗位书记津补贴", "Career secretaries' allowance", "yuan"),
    "social_insurance.average_wage_monthly": ("全省全口径社平工资（当年）", "Provincial average wage of the year", "yuan"),
    "social_insurance.average_wage_growth": ("社平工资年增长率（公布数之后）", "Average wage growth after the last published figure",
                                             "share"),
    "social_insurance.base_floor_share": ("缴费基数下限（占上年社平工资）", "Base floor, share of last year's average wage", "share"),
    "social_insurance.base_ceiling_share": ("缴费基数上限（占上年社平工资）", "Base ceiling, share of last year's average wage", "share"),
    "social_insurance.housing_fund_floor_share": ("公积金基数下限（占上年社平工资）", "Housing-fund base floor", "share"),
    "social_insurance.housing_fund_ceiling_share": ("公积金基数上限（占上年社平工资）", "Housing-fund base ceiling", "share"),
    "social_insurance.employer": ("单位缴费率", "Employer rate", "share"),
    "social_insurance.employee": ("个人缴费率", "Employee rate", "share"),
    "social_insurance.reference_scheme": ("参照管理书记的养老保险制度", "Pension scheme of reference-managed secretaries", "text"),
    "pension.crediting_rate": ("个人账户记账利率", "Individual-account crediting rate", "share"),
    "pension.accrual_rate": ("基础养老金计发比例（每缴费年）", "Basic pension accrual per year", "share"),
    "pension.months_divisor": ("个人账户养老金计发月数", "Months divisor of the account pension", "text"),
    "arrears.clearance_start_year": ("欠费补缴开始年度", "First year of arrears clearance", "text"),
    "arrears.clearance_rate": ("年度补缴比例", "Share of workers with gaps clearing them each year", "share"),
    "arrears.employer_pays_employee_share": ("单位代缴个人部分", "Employer pays the employee's share", "text"),
    "arrears.late_fee_daily": ("滞纳金日费率", "Late fee per day", "share"),
    "arrears.late_fee_charged_share": ("滞纳金实际收取比例", "Share of late fees charged", "share"),
    "other_costs.union_fund_rate": ("工会经费计提比例（占工资总额）", "Trade-union fund, share of the wage bill", "share"),
    "uncertainty.parameter_ranges": ("参数不确定性区间", "Parameter ranges drawn per draw", "text"),
    "uncertainty.wage_growth_sd": ("工资增长随机波动（标准差）", "Wage-growth shock, standard deviation", "share"),
    "uncertainty.attrition_multiplier_low": ("流失率倍数下限", "Attrition multiplier, low", "text"),
    "uncertainty.attrition_multiplier_high": ("流失率倍数上限", "Attrition multiplier, high", "text"),
    "uncertainty.pass_rate_multiplier_low": ("通过率倍数下限", "Pass-rate multiplier, low", "text"),
    "uncertainty.pass_rate_multiplier_high": ("通过率倍数上限", "Pass-rate multiplier, high", "text"),
    "budget.functional_code": ("支出功能分类科目", "Functional classification code", "code"),
    "budget.economic_codes": ("部门预算支出经济分类科目", "Economic classification codes", "text"),
    "budget.payer_shares": ("分级负担比例", "Shares by payer", "share"),
    "budget.payer_shares_by_line": ("分项目负担比例", "Shares by payer for particular lines", "text"),
    "appropriation": ("预算安排数（万元）", "Appropriation (10k yuan)", "yuan"),
}

# the names of the parts after a labelled prefix
PARTS: dict[str, tuple[str, str]] = {
    "chief": ("正职", "chief"), "deputy": ("副职", "deputy"), "member": ("两委委员", "member"), "staff": ("专职人员", "staff"),
    "junior": ("助理社会工作师", "junior"), "intermediate": ("社会工作师", "intermediate"), "senior": ("高级社会工作师", "senior"),
    "high_school": ("高中及以下", "high school"), "college": ("大专", "college"), "bachelor": ("本科", "bachelor"),
    "master": ("硕士及以上", "master"),
    "pension": ("养老保险", "pension"), "medical": ("医疗保险（含生育）", "medical"), "unemployment": ("失业保险", "unemployment"),
    "work_injury": ("工伤保险", "work injury"), "housing_fund": ("住房公积金", "housing fund"), "annuity": ("职业年金", "annuity"),
    "establishment": ("专项事业编制", "establishment"), "reference": ("参照管理", "reference management"),
    "lowest": ("最低等级", "lowest"), "highest": ("最高等级", "highest"),
    "mean": ("均值", "mean"), "sd": ("标准差", "sd"), "min": ("最小", "min"), "max": ("最大", "max"),
    "age_min": ("最小年龄", "youngest"), "age_max": ("最大年龄", "oldest"),
    "city": ("市级", "city"), "district": ("区级", "districts"), "transfer": ("上级转移支付", "transfers"),
}

YES_NO = {True: ("是", "yes"), False: ("否", "no")}


def _prefix(path: str) -> tuple[str, list[str]]:
    parts = path.split(".")
    for k in range(len(parts), 0, -1):
        head = ".".join(parts[:k])
        if head in LABELS:
            return head, parts[k:]
    return "", parts


def parameter_name(path: str, lang: str = "zh") -> str:
    """A parameter's name for readers, e.g. attrition.rate.staff -> 年流失率（专职人员）."""
    head, rest = _prefix(path)
    i = 0 if lang == "zh" else 1
    name = LABELS[head][i] if head else path
    extra = [PARTS.get(p, (p, p))[i] for p in rest]
    if not extra:
        return name
    return name + ("（" + "，".join(extra) + "）" if lang == "zh" else " (" + ", ".join(extra) + ")")


NONE = ("无", "none")


def parameter_value(path: str, value, lang: str = "zh") -> str:
    """A value as a person would write it: shares as percentages, yuan with separators, yes or no."""
    head, _ = _prefix(path)
    kind = LABELS[head][2] if head else "text"
    i = 0 if lang == "zh" else 1
    if isinstance(value, str):
        if value in ("True", "False"):  # parameters.csv writes booleans as Python does
            return YES_NO[value == "True"][i]
        if value in ("None", ""):
            return NONE[i]
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, bool):
        return YES_NO[value][i]
    if value is None or value == {} or value == []:
        return NONE[i]
    if isinstance(value, (int, float)):
        if kind == "share":
            return f"{value * 100:.4g}%"
        if kind in ("yuan", "count"):
            return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        return f"{value:g}"
    if isinstance(value, dict):
        return "；".join(f"{PARTS.get(str(k), (str(k), str(k)))[i]} {parameter_value(path, v, lang)}" for k, v in value.items()) \
            if kind == "share" else json.dumps(value, ensure_ascii=False)
    return str(value)


UNITS_ZH = {"yuan/month": "元/月", "yuan": "元", "yuan per exam": "元/人次", "yuan per pass": "元/人",
            "yuan/month per year of service": "元/月·年", "share": "", "yuan/month per year": "元/月·年"}


def unit_text(unit: str, lang: str = "zh") -> str:
    """A parameter's unit as printed (Chinese units in the Chinese report)."""
    return UNITS_ZH.get(unit, unit) if lang == "zh" else unit
