"""The opening roster: one row per worker in post at the end of the opening year.

Synthesised from the scenario's aggregates with the counter-based random stream (the same roster in
every draw and run for a given seed), or read from a roster file (``roster.py``).
Ages are as at the end of the opening year; service and contribution years count completed years.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numba
import numpy as np

from . import rng
from .params import Params
from .schema import CERT_LEVELS, EDUCATION, POSTS, ScenarioModel


class Roster(NamedTuple):
    wid: np.ndarray  # int64 worker id, 0..n-1 in post order
    post: np.ndarray  # index into POSTS
    regime: np.ndarray  # 0 contract, 1 special career establishment, 2 reference management
    female: np.ndarray  # 0/1
    edu: np.ndarray  # index into EDUCATION
    birth_m: np.ndarray  # birth month as year*12 + month-1
    service: np.ndarray  # completed years of community service
    contrib_m: np.ndarray  # months of pension contributions paid
    grade: np.ndarray  # 1..18
    yig: np.ndarray  # years counted towards the next grade
    cert: np.ndarray  # 0 none, 1 junior, 2 intermediate, 3 senior
    arrears_m: np.ndarray  # months of unpaid contributions (欠费、断缴)
    account: np.ndarray  # pension individual-account balance, yuan
    idx_sum: np.ndarray  # sum over contribution months of (own base / average wage)


def initial_grade(post, service, edu, cert, p: Params, ypg: int):
    """Grade from post, years counted (service + education credit), certificate bonus; clipped to the post range.

    grade = lowest + (service + edu_credit) // years_per_grade + cert_bonus, at most highest.
    Returns (grade, years counted towards the next grade).
    """
    counted = service + p.edu_credit[edu]
    grade = np.minimum(p.grade_lo[post] + counted // ypg + p.cert_bonus[cert], p.grade_hi[post])
    return grade.astype(np.int64), (counted % ypg).astype(np.int64)


def synthesise(m: ScenarioModel, p: Params, seed: int) -> Roster:
    """Opening roster from the scenario's aggregates (opening.*).

    Every attribute is a function of the worker's id alone, so a large roster is drawn in slices of
    ``SLICE`` workers on numba's number of threads (numpy releases the GIL) and comes out the same as
    in one piece.
    """
    op = m.opening
    counts = [op.headcount.get(q) for q in POSTS]
    n = sum(counts)
    wid = np.arange(n, dtype=np.int64)
    post = np.repeat(np.arange(len(POSTS), dtype=np.int64), counts)
    regime = np.zeros(n, dtype=np.int64)
    chiefs = np.flatnonzero(post == POSTS.index("chief"))
    regime[chiefs[: op.establishment.special]] = 1
    regime[chiefs[op.establishment.special: op.establishment.special + op.establishment.reference]] = 2
    slices = max(1, -(-n // SLICE))
    bounds = np.linspace(0, n, slices + 1).astype(np.int64)

    drawn = Roster._fields[3:]  # female .. idx_sum, as _attributes returns them
    columns = [np.empty(n, np.float64 if name in ("account", "idx_sum") else np.int64) for name in drawn]

    def one(k):
        lo, hi = bounds[k], bounds[k + 1]
        for column, values in zip(columns, _attributes(op, p, seed, wid[lo:hi], post[lo:hi]), strict=True):
            column[lo:hi] = values

    with ThreadPoolExecutor(min(slices, numba.get_num_threads())) as pool:
        list(pool.map(one, range(slices)))
    return Roster(wid, post, regime, *columns)


SLICE = 250_000  # workers drawn at a time (bounds the temporary arrays: about 40 MB per thread)


def _attributes(op, p: Params, seed: int, wid: np.ndarray, post: np.ndarray):
    """The drawn attributes of workers ``wid`` (in posts ``post``), in Roster order from ``female`` on."""
    y0 = p.opening_year

    def u(event):
        return rng.uniform_np(seed, rng.OPENING_DRAW, wid, y0, event)

    mean = np.array([op.age.get(q).mean for q in POSTS])[post]
    sd = np.array([op.age.get(q).sd for q in POSTS])[post]
    lo = np.array([op.age.get(q).min for q in POSTS])[post]
    hi = np.array([op.age.get(q).max for q in POSTS])[post]
    from scipy.special import ndtri

    z = ndtri(np.clip(u(rng.OPEN_AGE), 1e-12, 1 - 1e-12))
    age = np.clip(np.floor(mean + sd * z), lo, hi).astype(np.int64)
    birth_m = (y0 - age) * 12 + np.floor(u(rng.OPEN_MONTH) * 12).astype(np.int64)
    female = (u(rng.OPEN_SEX) < np.array([op.female_share.get(q) for q in POSTS])[post]).astype(np.int64)
    edu_cum = np.cumsum([getattr(op.education, e) for e in EDUCATION])
    edu = np.minimum(np.searchsorted(edu_cum, u(rng.OPEN_EDU), side="right"), len(EDUCATION) - 1).astype(np.int64)
    mean_service = np.array([op.mean_service_years.get(q) for q in POSTS])[post]
    service = np.floor(-mean_service * np.log1p(-u(rng.OPEN_SERVICE))).astype(np.int64)
    service = np.clip(service, 0, np.maximum(age - 18, 0))
    cert_cum = np.cumsum([getattr(op.certificate_mix, c) for c in CERT_LEVELS])
    has_cert = u(rng.OPEN_CERT) < op.certified_share
    level = np.minimum(np.searchsorted(cert_cum, u(rng.OPEN_CERT_LEVEL), side="right"), len(CERT_LEVELS) - 1) + 1
    cert = np.where(has_cert, level, 0).astype(np.int64)
    ypg = int(p.years_per_grade[0])
    grade, yig = initial_grade(post, service, edu, cert, p, ypg)
    prior = np.minimum(np.floor(2 * op.prior_contribution_years * u(rng.OPEN_PRIOR)), np.maximum(age - 18 - service, 0))
    contrib_m = ((service + prior) * 12).astype(np.int64)
    gap = u(rng.OPEN_GAP) < op.arrears.share_with_gaps
    gap_m = np.minimum(1 + np.floor(-op.arrears.mean_gap_months * np.log1p(-u(rng.OPEN_GAP_MONTHS))), op.arrears.max_gap_months)
    arrears_m = np.where(gap, np.minimum(gap_m, contrib_m), 0).astype(np.int64)
    contrib_m = contrib_m - arrears_m
    account = op.account_per_contribution_year * contrib_m / 12.0
    idx_sum = op.contribution_index * contrib_m.astype(np.float64)
    return female, edu, birth_m, service, contrib_m, grade, yig, cert, arrears_m, account, idx_sum
