"""The opening roster: one row per worker in post at the end of the opening year.

Synthesised from the scenario's aggregates with the counter-based random stream (the same roster in
every draw and run for a given seed), or read from a roster file (``roster.py``).
Ages are as at the end of the opening year; service and contribution years count completed years.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numba
import numpy as np

from model.scenario.params import Params
from model.scenario.schema import CERT_LEVELS, EDUCATION, POSTS, ScenarioModel
from model.simulation import rng


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
    Returns (grade, years counted towards the next grade), int64 arrays.
    """
    def codes(a):
        return np.ascontiguousarray(a, dtype=np.int64)

    return _initial_grade(codes(post), codes(service), codes(edu), codes(cert), p.education_credit_years, p.grade_lo, p.grade_hi,
                          p.certificate_grade_bonus, ypg)


@numba.njit(cache=True, nogil=True)
def _initial_grade(post, service, edu, cert, edu_credit, lowest, highest, cert_bonus, ypg):
    grade = np.empty(post.shape[0], np.int64)
    yig = np.empty(post.shape[0], np.int64)
    for i in range(post.shape[0]):
        counted = service[i] + edu_credit[edu[i]]
        grade[i] = min(lowest[post[i]] + counted // ypg + cert_bonus[cert[i]], highest[post[i]])
        yig[i] = counted % ypg
    return grade, yig


def synthesise(m: ScenarioModel, p: Params, seed: int) -> Roster:
    """Opening roster from the scenario's aggregates (opening.*).

    Every attribute is a function of the worker's id alone, so a large roster is drawn in slices of
    ``SLICE`` workers on numba's number of threads (the compiled steps release the GIL) and comes out
    the same as in one piece.
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

    drawn = Roster._fields[3:]  # female .. idx_sum, as _attributes fills them
    columns = [np.empty(n, np.float64 if name in ("account", "idx_sum") else np.int64) for name in drawn]

    def one(k):
        lo, hi = bounds[k], bounds[k + 1]
        _attributes(op, p, seed, wid[lo:hi], post[lo:hi], [column[lo:hi] for column in columns])

    with ThreadPoolExecutor(min(slices, numba.get_num_threads())) as pool:
        list(pool.map(one, range(slices)))
    return Roster(wid, post, regime, *columns)


SLICE = 250_000  # workers drawn at a time (bounds the temporary arrays: about 10 MB per thread)


def _attributes(op, p: Params, seed: int, wid: np.ndarray, post: np.ndarray, out: list[np.ndarray]):
    """Fill ``out`` (Roster's columns from ``female`` on) with the drawn attributes of workers ``wid`` in posts ``post``.

    Each worker's uniforms are keyed by (seed, opening draw, id, opening year, attribute). Sex and the age
    (a truncated normal, see opening_age_months) are drawn here in numpy, as are the logarithms of the
    service and gap draws; the rest, worker by worker, in ``_draw_attributes``.
    """
    y0 = p.opening_year

    def u(event):
        return rng.uniform_np(seed, rng.OPENING_DRAW, wid, y0, event)

    def by_post(value):
        return np.array([value(q) for q in POSTS], dtype=np.float64)

    female = out[0]
    female[:] = u(rng.OPEN_SEX) < by_post(op.female_share.get)[post]
    age_m = opening_age_months(op, p, post, female, u(rng.OPEN_AGE))
    log_service = np.log1p(-u(rng.OPEN_SERVICE))
    log_gap = np.log1p(-u(rng.OPEN_GAP_MONTHS))
    edu_cum = np.cumsum([getattr(op.education, e) for e in EDUCATION])
    cert_cum = np.cumsum([getattr(op.certificate_mix, c) for c in CERT_LEVELS])
    _, edu, birth_m, service, contrib_m, grade, yig, cert, arrears_m, account, idx_sum = out
    _draw_attributes(np.uint64(rng.draw_key(seed, rng.OPENING_DRAW)), wid, post, age_m, log_service,
                     log_gap, edu_cum, by_post(op.mean_service_years.get), op.certified_share, cert_cum,
                     op.prior_contribution_share, p.contributions_from_age, op.arrears.share_with_gaps,
                     op.arrears.mean_gap_months, op.arrears.max_gap_months, op.account_per_contribution_year,
                     op.contribution_index, y0, edu, birth_m, service, cert, contrib_m, arrears_m, account, idx_sum)
    grade[:], yig[:] = initial_grade(post, service, edu, cert, p, int(p.years_per_grade[0]))


def opening_age_months(op, p: Params, post: np.ndarray, female: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Age in whole months on 1 January of the first projected year, from the uniforms ``u``.

    A normal of the post's mean (+ half a year: ages are whole years at the end of the opening year) and sd,
    truncated by inverse transform to the post's [min, max] ages and, below max, to the oldest birth month
    that has not reached the statutory age by that day (oldest_birth_month: by sex and retirement track).
    Truncating, not clipping, leaves no pile of workers at either bound.
    """
    from scipy.special import ndtr, ndtri

    first = (p.opening_year + 1) * 12
    oldest = np.array([[first - oldest_birth_month(p, q, f) for f in (0, 1)] for q in range(len(POSTS))])
    a = {k: np.array([getattr(op.age.get(q), k) for q in POSTS], dtype=np.float64)[post] for k in ("mean", "sd", "min", "max")}
    lo = a["min"] * 12 + 1  # born in December of the year that makes them min at the end of the opening year
    hi = np.minimum((a["max"] + 1) * 12, oldest[post, female]) + 1.0  # exclusive
    mu, sd = (a["mean"] + 0.5) * 12, np.maximum(a["sd"] * 12, 1e-9)
    lo = np.minimum(lo, hi - 1)
    cl, ch = ndtr((lo - mu) / sd), ndtr((hi - mu) / sd)
    x = mu + sd * ndtri(np.clip(cl + u * (ch - cl), 1e-300, 1 - 1e-16))
    return np.clip(np.floor(x), lo, hi - 1).astype(np.int64)


@numba.njit(cache=True, nogil=True)
def _draw_attributes(dkey, wid, post, age_m, log_service, log_gap, edu_cum, mean_service, certified_share, cert_cum,
                     prior_share, from_age, gap_share, mean_gap, max_gap, account_per_year, contribution_index, y0,
                     edu, birth_m, service, cert, contrib_m, arrears_m, account, idx_sum):
    """Opening attributes, worker by worker (dkey: the random-stream key of the opening draw).

    birth month = January of the first projected year less the age in months (opening_age_months)
    education, certificate level: by cumulative shares; a certificate with probability certified_share
    service   = floor(-mean x ln(1 - u)) (exponential), at most age - 18
    contributions = (service + prior years) x 12 months. Prior years (before community work) =
                floor(2 x prior_share x u x (age - from_age - service)), at most age - from_age - service: on
                average prior_share of the working years between from_age (pension.contributions_from_age) and
                joining. Less the arrears: with probability
                gap_share, 1 + floor(-mean_gap x ln(1 - u)) months, at most max_gap and the months contributed
    account   = account_per_year x contribution years; idx_sum = contribution_index x contribution months
    """
    for i in range(wid.shape[0]):  # written without branches: the outcomes are random, so branches mispredict
        k, q = rng.worker_year_key(dkey, wid[i], y0), post[i]
        birth_m[i] = (y0 + 1) * 12 - age_m[i]
        age = (age_m[i] - 1) // 12  # whole years at the end of the opening year
        edu[i] = _category(edu_cum, rng.event_uniform(k, rng.OPEN_EDU))
        s = min(max(np.int64(math.floor(-mean_service[q] * log_service[i])), 0), max(age - 18, 0))
        service[i] = s
        level = _category(cert_cum, rng.event_uniform(k, rng.OPEN_CERT_LEVEL)) + 1
        cert[i] = level * (rng.event_uniform(k, rng.OPEN_CERT) < certified_share)
        before = max(age - from_age - s, 0)  # working years between from_age and joining community work
        prior = min(np.int64(math.floor(2 * prior_share * rng.event_uniform(k, rng.OPEN_PRIOR) * before)), before)
        months = np.int64((s + prior) * 12)
        gap = min(min(1 + math.floor(-mean_gap * log_gap[i]), max_gap), months)
        gap *= rng.event_uniform(k, rng.OPEN_GAP) < gap_share
        arrears_m[i] = gap
        contrib_m[i] = months - gap
        account[i] = account_per_year * contrib_m[i] / 12.0
        idx_sum[i] = contribution_index * np.float64(contrib_m[i])


def oldest_birth_month(p: Params, post: int, female: int) -> int:
    """The first birth month (year*12 + month-1) of a worker of this post and sex who has not reached the
    statutory retirement age by 1 January of the first projected year.

    A roster is of workers in post: whoever had reached the statutory age would have left already
    (《劳动合同法实施条例》 art. 21). The statutory month rises with the birth month.
    """
    from model.simulation.engine import statutory_month

    first = (p.opening_year + 1) * 12
    b = (p.opening_year - 90) * 12
    while statutory_month(p.male_age, p.female_original_age, female, b, post, p.reform) <= first:
        b += 1
    return b


@numba.njit(cache=True, inline="always")
def _category(cum, u):
    """Index of the share that u falls in, by cumulative shares (the last one takes any rounding remainder)."""
    e = 0
    for j in range(cum.shape[0]):  # the shares are cumulative: count those at or below u
        e += cum[j] <= u
    return min(e, cum.shape[0] - 1)
