"""The cost lines of the budget, each declared once.

A line is a metric (yuan a year) with its place in the cost tree, its kind and its readers' names. The
metrics (``metrics.py``), the identity checks, the report's labels and cost tree, the workbook and the
property tests all derive their lists from ``LINES``; the engines tally the leaf lines into raw columns of
the same names. No module lists the lines by hand.

Kinds:
- ``pay``: a part of gross pay (工资薪酬); the wage-bill bridge follows it.
- ``contribution``: an employer contribution on a base (社会保险, 住房公积金).
- ``arrears``: back contributions and late fees of the arrears clearance.
- ``other``: a cost outside pay and contributions (``cost.other.*``): in ``cost.total``, by post and regime,
  and in the bridge's ``other`` step as a whole.
- ``group``: a subtotal of the lines whose parent it is.

This module imports nothing heavy: a run, a report and the workbook read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    metric: str
    parent: str | None
    kind: str  # pay | contribution | arrears | other | group
    zh: str
    en: str
    rate: str = ""  # contribution: its rate's key under social_insurance.employer (and .employee)
    base: str = ""  # contribution: "social" (the social-insurance base) or "housing" (the housing-fund base)
    scheme: str = ""  # contribution: paid only for workers in this pension scheme ("enterprise" or "institution")


LINES: tuple[Line, ...] = (
    Line("cost.total", None, "group", "经费总额", "Total cost"),
    Line("cost.pay", "cost.total", "group", "工资薪酬", "Gross pay"),
    Line("pay.base", "cost.pay", "pay", "基本工资", "Base pay"),
    Line("pay.performance", "cost.pay", "pay", "绩效工资", "Performance pay"),
    Line("pay.post_allowance", "cost.pay", "pay", "岗位津贴", "Post allowance"),
    Line("pay.seniority_allowance", "cost.pay", "pay", "工龄津贴", "Seniority allowance"),
    Line("cost.certificate_allowance", "cost.pay", "pay", "职业资格证书津贴", "Certificate allowance"),
    Line("pay.career_allowance", "cost.pay", "pay", "书记事业岗位津补贴", "Career-post allowances"),
    Line("cost.employer_social_insurance", "cost.total", "group", "单位社会保险缴费", "Employer social insurance"),
    # The basic pension by scheme: the budget books them apart (部门预算支出经济分类: 30108 is the 机关事业单位
    # scheme's; the enterprise scheme's goes elsewhere, see budget.economic_codes).
    Line("cost.employer_pension", "cost.employer_social_insurance", "group", "基本养老保险", "Basic pension"),
    Line("si.employer_pension_enterprise", "cost.employer_pension", "contribution", "企业职工基本养老保险",
         "Basic pension (enterprise scheme)", "pension", "social", scheme="enterprise"),
    Line("si.employer_pension_institution", "cost.employer_pension", "contribution", "机关事业单位基本养老保险",
         "Basic pension (institution scheme)", "pension", "social", scheme="institution"),
    Line("si.employer_medical", "cost.employer_social_insurance", "contribution", "医疗保险（含生育）",
         "Medical (incl. maternity)", "medical", "social"),
    Line("si.employer_unemployment", "cost.employer_social_insurance", "contribution", "失业保险", "Unemployment",
         "unemployment", "social"),
    Line("si.employer_work_injury", "cost.employer_social_insurance", "contribution", "工伤保险", "Work injury",
         "work_injury", "social"),
    Line("si.occupational_annuity", "cost.employer_social_insurance", "contribution", "职业年金",
         "Occupational annuity", "annuity", "social", scheme="institution"),
    Line("cost.housing_fund", "cost.total", "contribution", "住房公积金", "Housing fund", "housing_fund", "housing"),
    Line("cost.arrears", "cost.total", "arrears", "社保欠费补缴", "Arrears clearance"),
    Line("cost.other.exam_subsidy", "cost.total", "other", "考试补贴", "Exam subsidy"),
    Line("cost.other.union_fund", "cost.total", "other", "工会经费", "Trade-union fund"),
)

BY_METRIC = {line.metric: line for line in LINES}


def _under(x: Line, parent: str) -> bool:
    """Whether line x is below ``parent`` in the cost tree, at any depth."""
    while x.parent is not None and x.parent != parent:
        x = BY_METRIC[x.parent]
    return x.parent == parent


def lines_of(kind: str, parent: str | None = None) -> tuple[str, ...]:
    """Metrics of the lines of ``kind`` (and under ``parent``, at any depth, when given), in declared order."""
    return tuple(x.metric for x in LINES if x.kind == kind and (parent is None or _under(x, parent)))


PAY_PARTS = lines_of("pay")  # the parts of cost.pay
SI_PARTS = lines_of("contribution", "cost.employer_social_insurance")  # the leaf lines of cost.employer_social_insurance
OTHER_LINES = lines_of("other")  # cost.other.*: in cost.total, outside the pay bridge
TOTAL_PARTS = tuple(x.metric for x in LINES if x.parent == "cost.total" and x.kind != "other")
# The leaf lines of cost.total: each is one budget line with its classification codes (scenario: budget.*).
BUDGET_LINES = tuple(x.metric for x in LINES if x.kind != "group")
# Contribution rates: the keys of social_insurance.employer/employee, in the order of Params.employer / Params.employee columns.
RATE_KEYS = ("pension", "medical", "unemployment", "work_injury", "housing_fund", "annuity")
CONTRIBUTIONS = tuple(x for x in LINES if x.kind == "contribution")  # the employer's, in declared order
# Groups other than cost.total, each the sum of the leaf lines under it (cost.total also holds arrears and others).
GROUPS = {g.metric: tuple(x.metric for x in LINES if x.kind != "group" and _under(x, g.metric))
          for g in LINES if g.kind == "group" and g.parent is not None}
# (metric, parent) of the cost tree without the cost.other.* lines, which are shown only when they are spent.
COST_TREE = [(x.metric, x.parent) for x in LINES if x.kind != "other"]
