"""Readers' names of the scenario parameters, in one place: for each parameter its Chinese and English name,
how a value is written, its unit and a one-line description of what it is and how the model uses it.

This registry feeds the report's parameter appendix, the workbook's 参数 sheet, ``parameters.csv``
(``description``), the web explorer and ``docs/parameters.md`` (``python -m model.scenario.parameter_docs``).

A parameter's dotted path (schema) is named by its longest labelled prefix, followed by the names of the
remaining parts (a post, a level, a year …) in brackets: ``attrition.rate.staff`` -> 年流失率（专职人员）;
the unit and description are those of the prefix.
Kinds: ``share`` (written as a percentage), ``yuan`` (thousands separators), ``count``, ``years``,
``code``, ``text`` (as given).
"""

from __future__ import annotations

import json
from typing import NamedTuple

from model.lines import BY_METRIC


class Label(NamedTuple):
    """One parameter as readers see it (``LABELS[path][2]`` is the kind, as before)."""

    zh: str  # name
    en: str
    kind: str  # how a value is written: share, yuan, count, years, code, text
    unit: str  # as printed in the Chinese report ("" where the value says it all, e.g. yes/no)
    unit_en: str
    about: str  # one line: what it is and how the model uses it, for a budget officer
    about_en: str


# path prefix -> Label(Chinese name, English name, kind, unit, English unit, description, English description)
LABELS: dict[str, Label] = {
    # ---------------------------------------------------------------- horizon
    "horizon.opening_year": Label(
        "开局年度（期末存量）", "Opening year (stock at its end)", "text", "年度", "year",
        "期初人员为该年末的在岗人员；该年只按当年标准计算在岗人员经费，人员增减从下一年起模拟。",
        "The opening staff are those in post at the end of this year; the year itself only prices them, "
        "changes in staff are simulated from the next year."),
    "horizon.end_year": Label(
        "预测截止年度", "Last projected year", "text", "年度", "year",
        "测算的最后一个年度，各表按年列至该年；此后年度的参数取值不使用。",
        "The last year projected; tables run to it and parameter values dated after it are not used."),
    "horizon.budget_year": Label(
        "预算年度", "Budget year", "text", "年度", "year",
        "编制预算的年度：此前为历史年度，该年及其后两年构成中期财政规划；未设定时取开局的下一年。",
        "The year budgeted: earlier years are history; it and the next two form the medium-term fiscal plan; "
        "without it, the year after the opening year."),
    # ---------------------------------------------------------------- opening stock
    "opening.communities": Label(
        "城市社区数", "Urban communities", "count", "个", "communities",
        "全市城市社区个数，用于与文件核对；人数和经费按各岗位员额与在岗人数测算，不按社区数推算。",
        "Number of urban communities, kept to check against the documents; headcount and costs follow the posts, "
        "not this count."),
    "opening.headcount": Label(
        "期初在岗人数", "Opening headcount", "count", "人", "persons",
        "开局年末各岗位在岗人数（两委含超出职数的人员），是逐人模拟的起点。",
        "Workers in post at the end of the opening year by post (两委 including those above the quota); "
        "the simulation starts from them."),
    "opening.establishment.special": Label(
        "专项事业编制书记人数", "Secretaries in special establishment", "count", "人", "persons",
        "正职中纳入专项事业编制的书记人数：参加机关事业单位养老保险并缴职业年金，另领事业岗位书记津补贴。",
        "Chiefs in the special career establishment: in the institution pension scheme with an occupational annuity, "
        "and paid the career secretaries' allowance."),
    "opening.establishment.reference": Label(
        "参照管理书记人数", "Secretaries under reference management", "count", "人", "persons",
        "正职中参照事业岗位管理的书记人数：另领津补贴，养老保险制度见“参照管理书记的养老保险制度”。",
        "Chiefs managed by reference to career posts: paid an allowance; their pension scheme is set by "
        "'pension scheme of reference-managed secretaries'."),
    "opening.roster_file": Label(
        "花名册文件", "Roster file", "text", "", "",
        "期初人员名单文件（不含个人身份信息）：给出时逐人读入期初人员，否则按本节各项汇总数生成。",
        "A file listing the opening workers (no personal identifiers): when given, the opening staff are read "
        "from it; otherwise they are generated from the aggregates in this section."),
    "opening.age": Label(
        "期初年龄分布", "Opening age distribution", "text", "周岁", "years of age",
        "各岗位期初人员的年龄（开局年末）：按均值和标准差在最小与最大年龄之间生成，已达退休年龄者不计。",
        "Ages of the opening staff by post (end of the opening year): drawn around the mean with the standard "
        "deviation, between the youngest and oldest age, none past retirement age."),
    "opening.female_share": Label(
        "期初女性比例", "Opening share of women", "share", "占在岗人数", "of those in post",
        "各岗位期初人员中女性的比例；女性的法定退休年龄按岗位从50或55周岁起算。",
        "Share of women among the opening staff by post; women's statutory retirement age starts from 50 or 55 "
        "by post."),
    "opening.education": Label(
        "期初学历构成", "Opening education mix", "share", "占在岗人数", "of those in post",
        "期初人员的最高学历构成（合计100%）；学历折算工作年限，影响定级和报考资格。",
        "Highest education of the opening staff (adding up to 100%); education counts as years of work for the "
        "grade and for exam eligibility."),
    "opening.mean_service_years": Label(
        "期初平均社区工作年限", "Opening mean years of service", "years", "年", "years",
        "各岗位期初人员已从事社区工作的平均年数；据此定级，并计算工龄津贴和报考资格。",
        "Mean years of community work of the opening staff by post; they set the grade, the seniority allowance "
        "and exam eligibility."),
    "opening.prior_contribution_share": Label(
        "入职前缴费年限比例", "Share of prior working years contributed", "share", "占入职前年数", "of prior years",
        "期初人员从缴费起算年龄到从事社区工作前的年份中，平均缴纳了养老保险的比例；计入期初缴费年限。",
        "Of the years between the contributions' starting age and joining community work, the share in which the "
        "opening staff paid pension contributions; counted in their contribution years."),
    "opening.certified_share": Label(
        "期初持证率", "Opening certified share", "share", "占在岗人数", "of those in post",
        "期初持有社会工作者职业资格证书的人员比例；证书等级按“期初证书等级构成”分配。",
        "Share of the opening staff holding a social-work certificate; the levels follow the opening certificate mix."),
    "opening.certificate_mix": Label(
        "期初证书等级构成", "Opening certificate mix", "share", "占持证人数", "of holders",
        "期初持证人员中各等级证书的构成（合计100%）；等级决定证书津贴和持证加级。",
        "Levels of the certificates held at the opening (adding up to 100%); the level sets the certificate allowance "
        "and the grades added."),
    "opening.arrears.share_with_gaps": Label(
        "存在欠费断缴人员比例", "Share of workers with contribution gaps", "share", "占在岗人数", "of those in post",
        "期初有养老保险欠费或断缴的人员比例；欠缴月份在补缴前不计入缴费年限。",
        "Share of the opening staff with unpaid or missing pension contributions; the missing months do not count "
        "towards the contribution years until paid."),
    "opening.arrears.mean_gap_months": Label(
        "平均欠缴月数", "Mean gap, months", "count", "月", "months",
        "有欠缴人员平均欠缴的月数；补缴金额按欠缴月数计算。",
        "Mean number of unpaid months of a worker with a gap; the back payment is computed on these months."),
    "opening.arrears.max_gap_months": Label(
        "最长欠缴月数", "Longest gap, months", "count", "月", "months",
        "单人欠缴月数的上限，且不超过本人应缴费的月数。",
        "The most unpaid months one worker can have, and never more than the months the worker owed contributions for."),
    "opening.contribution_index": Label(
        "期初平均缴费指数", "Opening mean contribution index", "text", "比值", "ratio",
        "以往缴费基数与全省平均工资之比的平均值；用于测算退休人员的基础养老金，也用于新进人员以往的缴费。",
        "Past contribution base divided by the provincial average wage, on average; used for retirees' basic pension, "
        "also for entrants' earlier contributions."),
    "opening.account_per_contribution_year": Label(
        "每缴费年个人账户余额", "Account balance per contribution year", "yuan", "元/缴费年", "yuan/year paid",
        "以往每个缴费年在养老保险个人账户中积累的余额；用于期初和新进人员的账户余额，决定个人账户养老金。",
        "Individual-account balance built up per past contribution year; gives the opening staff's and entrants' "
        "balances, and so the account pension."),
    # ---------------------------------------------------------------- posts and grades
    "quota": Label(
        "核定员额", "Quota (posts)", "count", "人", "posts",
        "各岗位核定员额：在岗人数低于员额的空缺每年招聘补充，两委空缺在换届时先由选举补齐；超员在换届时消化。",
        "Approved posts by post: vacancies are filled by recruitment each year, 两委 seats first by the election; "
        "a surplus is absorbed at the election."),
    "posts.grade_range": Label(
        "岗位等级范围", "Grade range of the post", "count", "级", "grade",
        "各岗位可处的最低和最高薪酬等级（共18级）；新进人员从最低等级起定级，晋级不超过最高等级。",
        "Lowest and highest pay grade of each post (of 18); entrants start from the lowest, and nobody rises above "
        "the highest."),
    "posts.grade_coefficients": Label(
        "等级系数（1–18级）", "Grade coefficients (grades 1–18)", "text", "倍（1级为1）", "times grade 1",
        "各岗位1至18级的工资系数：某级月基本工资=一级基准工资×该级系数。",
        "Pay coefficient of each grade 1-18 by post: a grade's monthly base pay is the grade-1 reference wage "
        "times its coefficient."),
    "progression.years_per_grade": Label(
        "晋升一级所需年限", "Years per grade", "years", "年", "years",
        "考核合格的年数每满该年限晋升一级，次年1月起按新等级计薪；定级时工作年限也按此折算为等级。",
        "Each time the years with a passed review reach this number the worker goes up a grade, paid from the next "
        "January; years of work convert to grades the same way."),
    "progression.review_fail_rate": Label(
        "年度考核不合格率", "Share failing the annual review", "share", "每年", "a year",
        "每年考核不合格的人员比例；不合格的年份不计入晋级年限，连续不合格达规定次数即解聘。",
        "Share of workers failing the annual review each year; a failed year does not count towards the next grade, "
        "and repeated failures lead to dismissal."),
    "progression.dismiss_after_fails": Label(
        "连续不合格解聘次数", "Consecutive failures before dismissal", "count", "次", "reviews",
        "年度考核连续不合格达到该次数的人员予以解聘，于离职月份离岗。",
        "A worker failing this many annual reviews in a row is dismissed, leaving in the month of leaving."),
    "progression.education_credit_years": Label(
        "学历折算工作年限", "Years credited for education", "years", "年", "years",
        "各学历折算的社区工作年限，定级时与实际工作年限合并计算等级。",
        "Years of community work credited for each education level, added to the years worked when the grade is set."),
    "progression.certificate_grade_bonus": Label(
        "持证增加等级", "Grades added by a certificate", "count", "级", "grades",
        "持有各等级证书另加的薪酬等级数；考取更高等级证书时补足差额，不超过岗位最高等级。",
        "Grades added for holding a certificate of each level; a higher certificate adds the difference, up to the "
        "post's highest grade."),
    # ---------------------------------------------------------------- retirement
    "retirement.reform": Label(
        "实施渐进式延迟退休", "Gradual retirement-age reform", "text", "", "",
        "是否按2024年全国人大常委会决定推迟法定退休年龄（按出生年月、性别和原退休年龄逐月推迟）。",
        "Whether the statutory retirement age rises under the 2024 NPCSC decision (month by month, by birth date, "
        "sex and original age)."),
    "retirement.male_age": Label(
        "男性原法定退休年龄", "Men's original statutory age", "years", "周岁", "years of age",
        "男性改革前的法定退休年龄；实施延迟退休时按出生年月推迟，最多3年。",
        "Men's statutory retirement age before the reform; with the reform it rises by birth date, by up to 3 years."),
    "retirement.female_original_age": Label(
        "女性原法定退休年龄", "Women's original statutory age", "years", "周岁", "years of age",
        "女性按岗位适用的改革前退休年龄（55或50周岁）；延迟退休时分别推迟最多3年或5年。",
        "Women's statutory retirement age before the reform, by post (55 or 50); with the reform it rises by up to "
        "3 or 5 years."),
    "retirement.min_contribution_years": Label(
        "领取养老金最低缴费年限", "Minimum contribution years for a pension", "years", "年", "years",
        "达到法定退休年龄当年按月领取养老金所需的最低缴费年限；不足者合同终止、离岗不领养老金（单列）。",
        "Contribution years needed for a monthly pension in the year the statutory age is reached; a worker short "
        "of them leaves without one (counted apart)."),
    "retirement.max_deferral_years": Label(
        "缴费不足者单位留用年限", "Years the employer keeps on workers short of the minimum", "years", "年", "years",
        "缴费年限不足的人员达龄后单位继续留用以补足年限的最长年数；0表示不留用。",
        "Longest time the employer keeps on a worker short of the minimum years so they can complete them; 0: none."),
    # ---------------------------------------------------------------- exits
    "attrition.rate": Label(
        "年流失率", "Attrition per year", "share", "每年", "a year",
        "各岗位每年因个人原因离职的人员比例（不含退休、解聘和换届落选），于离职月份离岗。",
        "Share of workers of each post leaving of their own accord each year (not retirement, dismissal or "
        "elections); they leave in the month of leaving."),
    "attrition.early_service_years": Label(
        "入职初期年限", "Early-service years", "years", "年", "years",
        "社区工作年限不满该年数的人员，其流失率乘以“入职初期流失倍数”。",
        "Workers with fewer years of community work than this leave at the attrition rate times the early-service "
        "multiplier."),
    "attrition.early_service_multiplier": Label(
        "入职初期流失倍数", "Early-service attrition multiplier", "text", "倍", "times",
        "入职初期人员的流失率相对于本岗位年流失率的倍数。",
        "How many times the post's attrition rate applies to workers in their early years."),
    "attrition.exit_month": Label(
        "离职月份", "Month of leaving", "count", "月份", "month",
        "离职、解聘和换届落选人员离岗的月份，当年工资发至上月；外部当选人员同月到任。",
        "Month in which leavers, the dismissed and those not re-elected go, paid up to the month before; outside "
        "candidates elected take their seats that month."),
    # ---------------------------------------------------------------- elections
    "elections.first_year": Label(
        "首次换届年度", "First election year", "text", "年度", "year",
        "首次社区“两委”换届的年度，此后每隔“换届间隔年数”换届一次。",
        "Year of the first community (两委) election; then one every 'years between elections'."),
    "elections.interval_years": Label(
        "换届间隔年数", "Years between elections", "years", "年", "years",
        "两次社区换届之间的年数（居民委员会每届任期五年）。",
        "Years between two community elections (a residents' committee sits for five years)."),
    "elections.turnover": Label(
        "换届更替比例", "Turnover at an election", "share", "占两委成员", "of 两委 members",
        "换届时未再当选而离任的两委成员比例；空出的席位在当次选举中补齐。",
        "Share of 两委 members not returned at an election; the seats they leave are filled at the same election."),
    "elections.certificate_required": Label(
        "两委成员须持证参选", "Certificate required to stand", "text", "", "",
        "是否要求两委成员持社会工作者证书方可参选：是则未持证者换届时离任，新当选和新进的两委成员均持证。",
        "Whether 两委 members must hold a social-work certificate to stand: if so, those without one leave at the "
        "election, and every new member holds one."),
    "elections.career_secretaries_exempt": Label(
        "事业岗位书记不参与换届更替", "Career secretaries keep their posts", "text", "", "",
        "专项事业编制和参照管理的书记是否在换届时保留职位，不参与更替和超职数消化。",
        "Whether secretaries in the career establishment or under reference management keep their posts at "
        "elections, outside turnover and the surplus."),
    "elections.surplus_to_staff_share": Label(
        "超职数两委转任专职比例", "Share of the 两委 surplus moved to staff", "share", "占超职数人员", "of the surplus",
        "换届时两委超出职数的人员中转任空缺专职岗位的比例（以专职空缺为限），其余离任；转任者次年1月起按新岗位计薪。",
        "Of the 两委 members above the quota at an election, the share moved into vacant staff posts (as far as "
        "there are any); the rest leave. Those moved are paid in the new post from the next January."),
    "elections.from_staff_share": Label(
        "空缺职位由专职人员当选比例", "Share of vacant seats filled from staff", "share", "占空缺席位",
        "of vacant seats",
        "换届时两委空缺席位中由符合条件的专职人员当选的比例，其余由外部人员当选；均不占招聘名额。"
        "专职人员当选后次年1月起按新岗位计薪。",
        "Share of the vacant 两委 seats at an election won by eligible full-time staff, the rest by outside "
        "candidates; neither counts against the recruitment cap. Staff elected are paid in the new post from the "
        "next January."),
    "elections.outside_candidates": Label(
        "外部当选人员", "Outside candidates elected", "text", "周岁", "years of age",
        "从外部当选两委成员者到任时的年龄范围（在最小与最大年龄之间均匀分布）；到任不设试用期。",
        "Age range of outside candidates when they take their seats (spread evenly between the youngest and "
        "oldest age); they have no probation."),
    "elections.outside_candidates.female_share": Label(
        "外部当选人员女性比例", "Outside candidates: share of women", "share", "占外部当选者", "of those elected",
        "外部当选的两委成员中女性的比例，影响其法定退休年龄。",
        "Share of women among the outside candidates elected; it sets their statutory retirement age."),
    "elections.outside_candidates.education": Label(
        "外部当选人员学历构成", "Outside candidates: education", "share", "占外部当选者", "of those elected",
        "外部当选人员的学历构成（合计100%），决定定级时折算的工作年限。",
        "Education of the outside candidates elected (adding up to 100%); it sets the years credited for their grade."),
    "elections.outside_candidates.certified_share": Label(
        "外部当选人员持证比例", "Outside candidates: certified share", "share", "占外部当选者", "of those elected",
        "外部当选人员到任时持助理社会工作师证书的比例；要求持证参选的年份全部持证。",
        "Share of the outside candidates elected holding a junior certificate; all hold one where the certificate "
        "is required."),
    "elections.outside_candidates.prior_contribution_share": Label(
        "外部当选人员既往缴费年限比例", "Outside candidates: share of prior years contributed", "share",
        "占起算年龄后年数", "of years from the starting age",
        "外部当选人员从缴费起算年龄到当选之间缴纳了养老保险的年份比例，决定到任时的缴费年限和个人账户余额。",
        "Share of the years between the contributions' starting age and election in which outside candidates paid pension contributions; "
        "sets their contribution years and account balance."),
    # ---------------------------------------------------------------- certificates
    "certificates.sitting_rate": Label(
        "年度报考率", "Share of non-holders sitting each year", "share", "每年", "a year",
        "符合报考条件者中每年报考该等级考试的比例（无证者考助理级，持证者考高一级）。",
        "Share of eligible workers sitting the exam of this level each year (non-holders the junior one, holders "
        "the next level)."),
    "certificates.pass_rate": Label(
        "考试通过率", "Pass rate", "share", "占报考人数", "of those sitting",
        "报考者通过该等级考试的比例；通过者次年1月起领证书津贴并按规定加级。",
        "Share of those sitting who pass the exam of this level; they get the certificate allowance and any grades "
        "added from the next January."),
    "certificates.min_service_years": Label(
        "报考所需工作年限", "Years of work needed to sit", "years", "年", "years",
        "报考各等级证书所需的社区工作年限，按学历分列。",
        "Years of community work needed to sit the exam of each level, by education."),
    "certificates.exam_subsidy.per_sitter": Label(
        "考试补贴（每人次）", "Exam subsidy per sitting", "yuan", "元/人次", "yuan per sitting",
        "政策性考试补贴：每报考一次按所考等级支付的金额，列入考试补贴支出。",
        "A policy's exam subsidy paid for each sitting, by the level sat; booked as the exam-subsidy line."),
    "certificates.exam_subsidy.per_pass": Label(
        "考试补贴（每通过一人）", "Exam subsidy per pass", "yuan", "元/人", "yuan per pass",
        "政策性考试补贴：每通过一人按所考等级另付的金额，列入考试补贴支出。",
        "A policy's exam subsidy paid in addition for each pass, by the level passed; booked as the exam-subsidy line."),
    # ---------------------------------------------------------------- hiring
    "hiring.fill_rate": Label(
        "空缺当年补员比例", "Share of vacancies filled in the year", "share", "占空缺岗位", "of vacant posts",
        "每年空缺岗位（员额减在岗人数）中当年招聘补充的比例，受年度招聘上限约束。",
        "Share of vacant posts (quota less those in post) filled by recruitment within the year, within the yearly cap."),
    "hiring.annual_cap": Label(
        "年度招聘上限", "Yearly recruitment cap", "count", "人/年", "persons a year",
        "全市每年招聘新人的上限（各岗位合计，依次满足正职、副职、两委委员、专职人员）；换届当选者不占名额。",
        "Most recruits a year for the whole city (all posts, filled chief, deputy, member, staff in turn); those "
        "elected do not count."),
    "hiring.start_month": Label(
        "新进人员到岗月份", "Month hires start", "count", "月份", "month",
        "新招人员到岗的月份，当年工资从该月起计发。",
        "Month in which recruits start; their first year's pay runs from that month."),
    "hiring.probation_months": Label(
        "试用期月数", "Probation months", "count", "月", "months",
        "新招人员的试用期：期内基本工资按“试用期工资比例”发放，不发绩效工资，但不低于“试用期工资法定下限”。",
        "Recruits' probation: base pay at the probation pay share and no performance pay, but not below the "
        "probation pay floor."),
    "hiring.probation_pay_share": Label(
        "试用期工资比例", "Probation pay share", "share", "占基本工资", "of base pay",
        "试用期内发放的基本工资占正常标准的比例。",
        "Base pay during probation as a share of the full rate."),
    "hiring.probation_pay_floor_share": Label(
        "试用期工资法定下限", "Probation pay floor", "share", "占本岗位最低档月工资", "of the post's lowest-grade monthly pay",
        "试用期月工资（含津贴补贴）不得低于本岗位最低档（最低等级、无工龄、无证书）月工资的该比例；不足时补足基本工资。",
        "A month's pay on probation (allowances included) is at least this share of the monthly pay of the post's "
        "lowest grade (no service, no certificate); base pay is raised to reach it."),
    "hiring.new_hire": Label(
        "新招人员", "Recruits", "text", "周岁", "years of age",
        "新招人员到岗时的年龄范围，按岗位分列（在最小与最大年龄之间均匀分布）。",
        "Age range of recruits when they start, by post (spread evenly between the youngest and oldest age)."),
    "hiring.new_hire.female_share": Label(
        "新招人员女性比例", "Recruits: share of women", "share", "占新招人员", "of recruits",
        "新招人员中女性的比例，按岗位分列；影响其法定退休年龄。",
        "Share of women among recruits by post; it sets their statutory retirement age."),
    "hiring.new_hire.education": Label(
        "新招人员学历构成", "Recruits: education", "share", "占新招人员", "of recruits",
        "新招人员的学历构成（合计100%），决定定级时折算的工作年限和报考资格。",
        "Education of recruits (adding up to 100%); it sets the years credited for their grade and exam eligibility."),
    "hiring.new_hire.certified_share": Label(
        "新招人员持证比例", "Recruits: certified share", "share", "占新招人员", "of recruits",
        "新招人员到岗时持助理社会工作师证书的比例，按岗位分列。",
        "Share of recruits holding a junior certificate when they start, by post."),
    "hiring.new_hire.prior_contribution_share": Label(
        "新招人员既往缴费年限比例", "Recruits: share of prior years contributed", "share", "占起算年龄后年数",
        "of years from the starting age",
        "新招人员从缴费起算年龄到入职之间缴纳了养老保险的年份比例，决定入职时的缴费年限和个人账户余额。",
        "Share of the years between the contributions' starting age and joining in which recruits paid pension contributions; sets their "
        "contribution years and account balance."),
    # ---------------------------------------------------------------- pay
    "pay.reference_wage_monthly": Label(
        "一级基准工资", "Grade-1 reference wage", "yuan", "元/月", "yuan/month",
        "开局年度1级的月基本工资；各级基本工资=基准工资×等级系数，以后按年增长率或挂钩比例调整。",
        "Monthly base pay of grade 1 in the opening year; each grade's base pay is this times its coefficient, "
        "uprated later by the growth rate or the link."),
    "pay.wage_growth": Label(
        "基准工资年增长率", "Reference wage growth", "share", "每年", "a year",
        "一级基准工资（从而各级基本工资）每年的调整幅度，每次模拟另加随机波动；挂钩社平工资的年份不用。",
        "Yearly uprating of the grade-1 reference wage (and so of every grade), plus each draw's random shock; "
        "not used in years linked to the average wage."),
    "pay.link_to_average_wage": Label(
        "基准工资与上年社平工资挂钩比例", "Reference wage as a share of last year's average wage", "share",
        "占上年社平工资", "of last year's average wage",
        "大于0的年份，一级基准工资=该比例×上年全省平均工资，代替年增长率；为0或未设定则不挂钩。",
        "In years where above 0, the grade-1 reference wage is this share of last year's provincial average wage, "
        "instead of the growth rate; 0 or absent: no link."),
    "pay.performance_share": Label(
        "绩效工资占基本工资比例", "Performance pay as a share of base pay", "share", "占基本工资", "of base pay",
        "绩效工资按基本工资的该比例逐月计算；试用期不发。",
        "Performance pay, this share of base pay each month; none during probation."),
    "pay.post_allowance_monthly": Label(
        "岗位津贴", "Post allowance", "yuan", "元/月", "yuan/month",
        "按岗位每人每月发放的岗位津贴。",
        "Allowance paid each month to every worker of the post."),
    "pay.seniority_allowance_per_year_monthly": Label(
        "工龄津贴（每年工龄）", "Seniority allowance per year of service", "yuan", "元/月·年",
        "yuan/month per year",
        "每满一年社区工作年限每月增加的工龄津贴，超过封顶年限的按封顶年限计。",
        "Monthly allowance per completed year of community work, counted up to the seniority cap."),
    "pay.seniority_cap_years": Label(
        "工龄津贴封顶年限", "Seniority cap", "years", "年", "years",
        "计发工龄津贴时最多计入的工作年数，工作年限更长的按此年数计发。",
        "Most years of service counted for the seniority allowance; longer service is paid as this many years."),
    "pay.certificate_allowance_monthly": Label(
        "证书津贴", "Certificate allowance", "yuan", "元/月", "yuan/month",
        "按所持最高等级证书每人每月发放的津贴，取得证书的次年1月起发放。",
        "Monthly allowance by the highest certificate held, paid from the January after it is obtained."),
    "pay.career_allowance_monthly": Label(
        "事业岗位书记津补贴", "Career secretaries' allowance", "yuan", "元/月", "yuan/month",
        "事业编制和参照管理的书记每人每月另领的绩效工资、改革性补贴等，合计列津贴补贴（30102）。",
        "Monthly performance pay and subsidies paid in addition to secretaries in the career establishment or "
        "under reference management, booked together as allowances (30102)."),
    # ---------------------------------------------------------------- social insurance
    "social_insurance.average_wage_monthly": Label(
        "社保缴费基数标准（全口径社平工资，本市所在档次）", "Contribution standard (average wage, the city's tier)",
        "yuan", "元/月", "yuan/month",
        "全口径城镇单位就业人员月平均工资（分档的取本市所在档次的缴费基数标准）；次年缴费基数上下限、缴费指数和未公布年度的计发基数据此计算。",
        "Provincial monthly average wage of all urban employers as published for each year (of the city's tier); "
        "next year's contribution base limits and contribution index use it, and so does the pension base in years "
        "without a published one."),
    "social_insurance.average_wage_growth": Label(
        "社平工资年增长率（公布数之后）", "Average wage growth after the last published figure", "share", "每年", "a year",
        "最后一个公布数之后全省平均工资每年的增长率，每次模拟另加与基准工资相同的随机波动。",
        "Yearly growth of the provincial average wage after the last published figure, plus the draw's random "
        "shock shared with the reference wage."),
    "social_insurance.base_floor_share": Label(
        "缴费基数下限（占上年社平工资）", "Base floor, share of last year's average wage", "share",
        "占上年社平工资", "of last year's average wage",
        "社会保险缴费基数下限占上年全省平均工资的比例；月应发工资低于下限的按下限缴费。",
        "Lowest social-insurance contribution base as a share of last year's provincial average wage; lower pay "
        "contributes on the floor."),
    "social_insurance.base_ceiling_share": Label(
        "缴费基数上限（占上年社平工资）", "Base ceiling, share of last year's average wage", "share",
        "占上年社平工资", "of last year's average wage",
        "社会保险缴费基数上限占上年全省平均工资的比例；月应发工资高于上限的按上限缴费。",
        "Highest social-insurance contribution base as a share of last year's provincial average wage; higher pay "
        "contributes on the ceiling."),
    "social_insurance.housing_fund_floor_share": Label(
        "公积金基数下限（占上年社平工资）", "Housing-fund base floor", "share",
        "占上年社平工资", "of last year's average wage",
        "住房公积金缴存基数下限占上年全省平均工资的比例。",
        "Lowest housing-fund contribution base as a share of last year's provincial average wage."),
    "social_insurance.housing_fund_ceiling_share": Label(
        "公积金基数上限（占上年社平工资）", "Housing-fund base ceiling", "share",
        "占上年社平工资", "of last year's average wage",
        "住房公积金缴存基数上限占上年全省平均工资的比例。",
        "Highest housing-fund contribution base as a share of last year's provincial average wage."),
    "social_insurance.employer": Label(
        "单位缴费率", "Employer rate", "share", "占缴费基数", "of the base",
        "单位缴纳各项社会保险和住房公积金的费率（按各自缴费基数），计入经费；职业年金只适用于机关事业单位养老保险的人员。",
        "Employer's rate of each insurance and the housing fund on the contribution base, a cost; the annuity only "
        "for workers in the institution scheme."),
    "social_insurance.employee": Label(
        "个人缴费率", "Employee rate", "share", "占缴费基数", "of the base",
        "个人按缴费基数缴纳的费率，从工资中代扣，不另增加经费；个人养老保险部分记入个人账户。",
        "Employee's rate on the contribution base, withheld from pay and so no extra cost; the pension part goes "
        "to the individual account."),
    "social_insurance.reference_scheme": Label(
        "参照管理书记的养老保险制度", "Pension scheme of reference-managed secretaries", "text", "", "",
        "参照管理的书记参加企业职工基本养老保险，或参加机关事业单位养老保险并缴职业年金。",
        "Whether secretaries under reference management are in the enterprise pension scheme, or in the "
        "institution scheme with an occupational annuity."),
    # ---------------------------------------------------------------- pensions
    "pension.crediting_rate": Label(
        "个人账户记账利率", "Individual-account crediting rate", "share", "每年", "a year",
        "养老保险个人账户（及职业年金）余额每年年末计入的利率。",
        "Interest credited each year end to the individual pension account (and the annuity)."),
    "pension.accrual_rate": Label(
        "基础养老金计发比例（每缴费年）", "Basic pension accrual per year", "share", "每缴费年", "per year paid",
        "每缴费一年计发的基础养老金比例；用于测算退休人员的养老金和替代率，养老金不计入本级经费。",
        "Basic pension per contribution year; used for retirees' pensions and replacement rates, which are not "
        "a cost in this budget."),
    "pension.benefit_base_monthly": Label(
        "养老金计发基数", "Pension base (计发基数)", "yuan", "元/月", "yuan/month",
        "当年退休人员基础养老金的计发基数（按市公布数）；未公布的年度按上年全省平均工资乘以此前最近公布年度的比例。",
        "Base of the basic pension of those who retire in the year (the city's published figure); other years take "
        "last year's provincial average wage times the ratio of the latest year published before them."),
    "pension.contributions_from_age": Label(
        "缴费起算年龄", "Age contributions may start from", "count", "岁", "years of age",
        "入职或当选前的工作年份从此年龄起算，各“既往缴费年限比例”均为此后年份中缴费的比例。",
        "Working years before community work count from this age; each share of prior years contributed is a "
        "share of the years after it."),
    "pension.months_divisor": Label(
        "个人账户养老金计发月数", "Months divisor of the account pension", "text", "月", "months",
        "按退休年龄确定的计发月数：每月个人账户养老金=个人账户余额÷计发月数。",
        "Months divisor by age at retirement: the monthly account pension is the account balance divided by it."),
    # ---------------------------------------------------------------- arrears
    "arrears.clearance_start_year": Label(
        "欠费补缴开始年度", "First year of arrears clearance", "text", "年度", "year",
        "开始补缴以往养老保险欠费的年度。",
        "First year in which past unpaid pension contributions are paid."),
    "arrears.clearance_rate": Label(
        "年度补缴比例", "Share of workers with gaps clearing them each year", "share", "每年", "a year",
        "尚有欠缴的在岗人员每年补清欠费的比例；补缴额=欠缴月数×补缴当年缴费基数×费率，补缴月份按当年缴费指数计入缴费年限。",
        "Share of workers in post with gaps who pay them off each year; the payment is months x contribution base x "
        "pension rate (those of the year of payment, not of the months owed), booked as arrears; the months paid "
        "count as contribution months at that year's contribution index."),
    "arrears.employer_pays_employee_share": Label(
        "单位代缴个人部分", "Employer pays the employee's share", "text", "", "",
        "补缴欠费时，单位是否同时承担个人应缴的养老保险部分。",
        "Whether the employer also pays the employee's pension share when arrears are cleared."),
    "arrears.late_fee_daily": Label(
        "滞纳金日费率", "Late fee per day", "share", "每日", "a day",
        "欠缴社会保险费每日加收的滞纳金比例，按欠缴时间计算。",
        "Late fee charged per day on unpaid contributions, for the time they were overdue."),
    "arrears.late_fee_charged_share": Label(
        "滞纳金实际收取比例", "Share of late fees charged", "share", "占应收滞纳金", "of the fees due",
        "应收滞纳金中实际收取并计入经费的比例；0表示全部减免。",
        "Share of the late fees due that is charged and costed; 0: all waived."),
    # ---------------------------------------------------------------- other costs
    "other_costs.union_fund_rate": Label(
        "工会经费计提比例（占工资总额）", "Trade-union fund, share of the wage bill", "share", "占应发工资",
        "of gross pay",
        "单位按应发工资计提工会经费的比例，列入工会经费支出；0表示不计提。",
        "Share of gross pay set aside for the trade-union fund, booked as its own line; 0: none."),
    # ---------------------------------------------------------------- uncertainty
    "uncertainty.parameter_ranges": Label(
        "参数不确定性区间", "Parameter ranges drawn per draw", "text", "", "",
        "可选：为所列参数设定取值区间，每次模拟在区间内取一个值，使结果区间也反映参数假设；无则不启用。",
        "Optional: ranges for the parameters listed; each draw takes one value in each range, so the band covers "
        "these assumptions too; none: off."),
    "uncertainty.wage_growth_sd": Label(
        "工资增长随机波动（标准差）", "Wage-growth shock, standard deviation", "share", "每年", "a year",
        "每次模拟中基准工资和全省平均工资年增长率随机波动的标准差（二者同向波动）。",
        "Standard deviation of each draw's yearly shock to the growth of the reference wage and the average wage "
        "(the same shock for both)."),
    "uncertainty.attrition_multiplier_low": Label(
        "流失率倍数下限", "Attrition multiplier, low", "text", "倍", "times",
        "每次模拟将各岗位流失率乘以一个倍数，在下限与上限之间均匀抽取；此为下限。",
        "Each draw scales every attrition rate by a factor drawn evenly between low and high; this is the low end."),
    "uncertainty.attrition_multiplier_high": Label(
        "流失率倍数上限", "Attrition multiplier, high", "text", "倍", "times",
        "每次模拟将各岗位流失率乘以一个倍数，在下限与上限之间均匀抽取；此为上限。",
        "Each draw scales every attrition rate by a factor drawn evenly between low and high; this is the high end."),
    "uncertainty.pass_rate_multiplier_low": Label(
        "通过率倍数下限", "Pass-rate multiplier, low", "text", "倍", "times",
        "每次模拟将考试通过率乘以一个倍数，在下限与上限之间均匀抽取；此为下限。",
        "Each draw scales every exam pass rate by a factor drawn evenly between low and high; this is the low end."),
    "uncertainty.pass_rate_multiplier_high": Label(
        "通过率倍数上限", "Pass-rate multiplier, high", "text", "倍", "times",
        "每次模拟将考试通过率乘以一个倍数，在下限与上限之间均匀抽取；此为上限。",
        "Each draw scales every exam pass rate by a factor drawn evenly between low and high; this is the high end."),
    # ---------------------------------------------------------------- budget
    "budget.functional_code": Label(
        "支出功能分类科目", "Functional classification code", "code", "科目编码", "code",
        "全部经费列支的政府收支分类支出功能分类科目，用于预算表。",
        "Functional classification code under which every cost line is budgeted, shown in the budget sheet."),
    "budget.economic_codes": Label(
        "部门预算支出经济分类科目", "Economic classification codes", "text", "科目编码", "codes",
        "各经费项目对应的部门预算支出经济分类科目，用于预算表。",
        "Economic classification code of each cost line in the department budget, shown in the budget sheet."),
    "budget.payer_shares": Label(
        "分级负担比例", "Shares by payer", "share", "占该项经费", "of each line",
        "各项经费由市级财政、区级财政和上级转移支付负担的比例（合计100%）。",
        "Shares of every cost line paid by the city, the districts and transfers from above (adding up to 100%)."),
    "budget.payer_shares_by_line": Label(
        "分项目负担比例", "Shares by payer for particular lines", "text", "占该项经费", "of the line",
        "个别经费项目另定的负担比例（如专项转移支付），未列项目按“分级负担比例”。",
        "Payer shares of particular cost lines paid otherwise (e.g. an earmarked transfer); other lines follow the "
        "shares by payer."),
    "appropriation": Label(
        "预算安排数（万元）", "Appropriation (10k yuan)", "yuan", "万元/年", "10k yuan a year",
        "已安排的社区工作者经费预算，报告给出各年经费超出该数的概率；首个年度之前不作比较。",
        "The budget appropriated for community workers; the report gives the probability that costs exceed it each "
        "year; no comparison before its first year."),
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
# words a scenario writes as a value, as a reader says them
WORDS: dict[str, tuple[str, str]] = {
    "enterprise": ("企业职工基本养老保险", "enterprise scheme"),
    "institution": ("机关事业单位养老保险（含职业年金）", "institution scheme (with annuity)"),
}


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


def labelled_prefix(path: str) -> str:
    """The labelled prefix that names a parameter path ("" when none does): attrition.rate.staff -> attrition.rate."""
    return _prefix(path)[0]


def label_of(path: str) -> Label | None:
    """The Label of a parameter path (that of its longest labelled prefix), or None."""
    head, _ = _prefix(path)
    return LABELS[head] if head else None


def parameter_unit(path: str, lang: str = "zh", given: str = "") -> str:
    """A parameter's unit as printed: the registry's, else the unit the scenario gives (``given``)."""
    found = label_of(path)
    unit = (found.unit if lang == "zh" else found.unit_en) if found else ""
    return unit or unit_text(given, lang)


def parameter_about(path: str, lang: str = "zh") -> str:
    """A parameter's one-line description: what it is and how the model uses it ("" when unlabelled)."""
    found = label_of(path)
    return (found.about if lang == "zh" else found.about_en) if found else ""


NONE = ("无", "none")


def parameter_value(path: str, value, lang: str = "zh") -> str:
    """A value as a person would write it: shares as percentages, yuan with separators, yes or no."""
    head, _ = _prefix(path)
    kind = LABELS[head][2] if head else "text"
    i = 0 if lang == "zh" else 1
    if kind == "code" and not isinstance(value, (dict, list)):
        return str(value)  # a budget code is written as given, never as a number
    if isinstance(value, str):
        if value in WORDS:
            return WORDS[value][i]
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
    if isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return ("、" if i == 0 else ", ").join(parameter_value(path, v, lang) for v in value)
    sep = "；" if i == 0 else "; "
    if isinstance(value, dict) and all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in value.values()):
        return sep.join(f"{_key_word(path, str(k), i)} {_scalar(path, v, lang)}" for k, v in value.items())
    if isinstance(value, dict) and kind == "share":
        return sep.join(f"{_key_word(path, str(k), i)} {parameter_value(path, v, lang)}" for k, v in value.items())
    if isinstance(value, dict) and all(labelled_prefix(str(k)) and isinstance(v, list) and len(v) == 2 for k, v in value.items()):
        return sep.join(f"{parameter_name(k, lang)} {parameter_value(k, lo, lang)}–{parameter_value(k, hi, lang)}"
                        for k, (lo, hi) in value.items())  # parameter ranges: path -> [low, high]
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value in WORDS:
        return WORDS[value][i]
    return str(value)


AGE_KEYED = ("pension.months_divisor",)  # mappings keyed by an age


def _key_word(path: str, key: str, i: int) -> str:
    """A mapping's key as a reader says it: a part (正职), a cost line (基本工资), a year (2021年) or an age."""
    if key in PARTS:
        return PARTS[key][i]
    if key in BY_METRIC:
        return BY_METRIC[key].zh if i == 0 else BY_METRIC[key].en
    if key.isdigit() and labelled_prefix(path) in AGE_KEYED:
        return f"{key}岁" if i == 0 else f"age {key}:"
    if key.isdigit() and len(key) == 4:
        return f"{key}年" if i == 0 else f"{key}:"
    return key


def _scalar(path: str, value, lang: str) -> str:
    """One value inside a mapping: a code or text as given, a number as parameter_value writes it."""
    return value if isinstance(value, str) else parameter_value(path, value, lang)


UNITS_ZH = {"yuan/month": "元/月", "yuan": "元", "yuan per exam": "元/人次", "yuan per pass": "元/人",
            "yuan/month per year of service": "元/月·年", "share": "", "yuan/month per year": "元/月·年"}


def unit_text(unit: str, lang: str = "zh") -> str:
    """A parameter's unit as printed (Chinese units in the Chinese report)."""
    return UNITS_ZH.get(unit, unit) if lang == "zh" else unit
