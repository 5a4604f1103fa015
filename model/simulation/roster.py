"""Read an opening roster from CSV or XLSX (one row per worker in post at the end of the opening year).

Columns used (others are ignored; personal fields are dropped on reading and never reach any output):

| column | meaning | values |
|---|---|---|
| post | post category | chief, deputy, member, staff |
| regime | employment regime | contract, establishment, reference (default contract) |
| sex | sex | F or M |
| birth | birth month | YYYY-MM |
| education | highest education | high_school, college, bachelor, master |
| service_years | completed years of community work | 0-50 |
| contribution_years | years of pension contributions paid | 0-50 |
| certificate | social-work certificate | none, junior, intermediate, senior |
| grade | pay grade (optional; else from post, service, education, certificate) | 1-18 within the post's range |
| arrears_months | months of unpaid contributions (optional) | 0-600 |
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from model.errors import UserError
from model.inputs import MB, check_xlsx, checked_file
from model.scenario.params import Params
from model.scenario.schema import CERT_LEVELS, EDUCATION, POSTS, REGIMES, ScenarioModel
from model.simulation.engine import statutory_month
from model.simulation.population import Roster, initial_grade

# Columns that identify a person: dropped on reading, never used or written.
PERSONAL = re.compile(r"(name|姓名|名字|身份|证件|id_?(number|no|card)|passport|护照|phone|mobile|tel\b|电话|手机|联系方式"
                      r"|address|住址|地址|户籍|e-?mail|邮箱|wechat|微信|qq)", re.I)
_DIGITS = re.compile(r"\d")


def shown(value) -> str:
    """A cell value as a message may quote it: a value with nine or more digits (an ID-card, phone or account
    number in the wrong column) is masked but for its last two characters; a birth month (six digits) is not."""
    text = str(value)
    if len(_DIGITS.findall(text)) >= 9:
        return repr("*" * (len(text) - 2) + text[-2:]) + " (masked)"
    return repr(text)


REQUIRED = ("post", "sex", "birth", "education", "service_years", "contribution_years", "certificate")
MAX_ROWS = 10_000_000
MAX_BYTES = 512 * MB  # a roster file
MAX_XLSX_BYTES = 128 * MB  # what an xlsx roster expands to (its XML is parsed in memory)


class PersonalDataWarning(UserWarning):
    """The roster held personal fields; they were dropped."""


def read_table(path) -> pd.DataFrame:
    """The roster's rows as text; a regular file within MAX_BYTES, an xlsx checked for what it expands to."""
    suffix = path.suffix.lower()
    checked_file(path, "roster file", MAX_BYTES)
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(path, "roster file", MAX_XLSX_BYTES)
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False)
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text; save the roster as UTF-8 CSV or XLSX") from None
    except Exception as exc:  # any parser failure is a problem with the file
        raise UserError(f"{path}: cannot read the roster: {exc}") from None
    raise UserError(f"{path}: roster must be .csv or .xlsx, not {suffix or 'no suffix'}")


def read_roster(path, m: ScenarioModel, p: Params) -> Roster:
    """Validate a roster file and return the opening roster; every problem is listed with its row."""
    df = read_table(path)
    personal = [c for c in df.columns if PERSONAL.search(str(c))]
    if personal:
        warnings.warn(f"{path.name}: personal columns {personal} were dropped and are not used", PersonalDataWarning, stacklevel=2)
        df = df.drop(columns=personal)
    df.columns = [str(c).strip() for c in df.columns]
    repeated = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if repeated:
        raise UserError(f"{path}: column(s) {', '.join(repr(c) for c in repeated)} appear more than once")
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}; needed: {', '.join(REQUIRED)}")
    if len(df) == 0:
        raise UserError(f"{path}: the roster has no rows")
    if len(df) > MAX_ROWS:
        raise UserError(f"{path}: {len(df):,} rows is more than {MAX_ROWS:,}")
    problems: list[str] = []
    n = len(df)
    y0 = p.opening_year

    def col(name, default=""):
        return df[name].astype(str).str.strip() if name in df.columns else pd.Series([default] * n)

    def choice(name, options, default=None):
        values = col(name, default or "")
        out = np.zeros(n, dtype=np.int64)
        for i, v in enumerate(values):
            v = v or (default or "")
            if v not in options:
                problems.append(f"{path.name} row {i + 2}, {name}: {shown(v)} is not one of {', '.join(options)}")
            else:
                out[i] = options.index(v)
        return out

    def number(name, lo, hi, default=None):
        values = col(name, "" if default is None else str(default))
        out = np.zeros(n, dtype=np.int64)
        for i, v in enumerate(values):
            v = v or ("" if default is None else str(default))
            try:
                x = float(v)
                if not np.isfinite(x) or x != int(x):
                    raise ValueError
                x = int(x)
            except ValueError:
                problems.append(f"{path.name} row {i + 2}, {name}: {shown(v)} is not a whole number")
                continue
            if not lo <= x <= hi:
                problems.append(f"{path.name} row {i + 2}, {name}: {x} is outside {lo}..{hi}")
                continue
            out[i] = x
        return out

    post = choice("post", list(POSTS))
    regime = choice("regime", list(REGIMES), "contract")
    female = choice("sex", ["M", "F"])
    edu = choice("education", list(EDUCATION))
    cert = choice("certificate", ["none", *CERT_LEVELS])
    service = number("service_years", 0, 50)
    contrib_years = number("contribution_years", 0, 50)
    arrears = number("arrears_months", 0, 600, 0)
    birth_m = np.zeros(n, dtype=np.int64)
    for i, v in enumerate(col("birth")):
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", v)
        if not match or not 1 <= int(match.group(2)) <= 12:
            problems.append(f"{path.name} row {i + 2}, birth: {shown(v)} is not a month YYYY-MM")
            continue
        year, month = int(match.group(1)), int(match.group(2))
        age = y0 - year
        if not 16 <= age <= 70:
            problems.append(f"{path.name} row {i + 2}, birth: {shown(v)} gives age {age} at the end of {y0}; expected 16-70")
        birth_m[i] = year * 12 + month - 1
    for i in range(n):
        if service[i] > max(y0 - birth_m[i] // 12 - 16, 0):
            problems.append(f"{path.name} row {i + 2}, service_years: {service[i]} years is impossible for someone born {birth_m[i] // 12}")
    first_month = (y0 + 1) * 12
    for i in range(n):
        if birth_m[i] == 0:
            continue  # birth already reported
        stat = int(statutory_month(p.male_age, p.female_original_age, female[i], birth_m[i], post[i], p.reform))
        if stat <= first_month:
            problems.append(f"{path.name} row {i + 2}, birth: {birth_m[i] // 12}-{birth_m[i] % 12 + 1:02d} reaches the statutory "
                            f"retirement age in {stat // 12}-{stat % 12 + 1:02d}, by 1 January {y0 + 1}: a roster lists workers "
                            f"still in post (《劳动合同法实施条例》 art. 21)")
    if "id" in df.columns:
        dup = df["id"][df["id"].duplicated(keep=False) & (df["id"] != "")]
        for value in sorted(set(dup)):
            rows = [str(i + 2) for i in np.flatnonzero(df["id"] == value)]
            problems.append(f"{path.name} rows {', '.join(rows)}: duplicate id {shown(value)}")
    ypg = int(p.years_per_grade[0])
    grade, yig = initial_grade(post, service, edu, cert, p, ypg)
    if "grade" in df.columns and (df["grade"].astype(str).str.strip() != "").any():
        given = number("grade", 1, 18)
        for i in range(n):
            if not p.grade_lo[post[i]] <= given[i] <= p.grade_hi[post[i]]:
                problems.append(f"{path.name} row {i + 2}, grade: {given[i]} is outside the {POSTS[post[i]]} range "
                                f"{p.grade_lo[post[i]]}-{p.grade_hi[post[i]]}")
        grade = given
    if problems:
        listed = problems[:50] + ([f"... and {len(problems) - 50} more"] if len(problems) > 50 else [])
        raise UserError(f"{path}: {len(problems)} problem(s) in the roster", listed)
    contrib_m = contrib_years * 12 - np.minimum(arrears, contrib_years * 12)
    account = m.opening.account_per_contribution_year * contrib_m / 12.0
    idx_sum = m.opening.contribution_index * contrib_m.astype(np.float64)
    order = np.argsort(post, kind="mergesort")  # ids in post order, as in a synthesised roster
    pick = lambda a: np.ascontiguousarray(a[order])  # noqa: E731
    return Roster(np.arange(n, dtype=np.int64), pick(post), pick(regime), pick(female), pick(edu), pick(birth_m),
                  pick(service), pick(contrib_m), pick(grade).astype(np.int64), pick(yig), pick(cert), pick(arrears),
                  pick(account), pick(idx_sum))
