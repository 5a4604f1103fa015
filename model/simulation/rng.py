"""Counter-based random numbers: every draw is a pure function of (seed, draw, worker, year, event).

No generator state is carried anywhere, so results do not depend on the order in which workers or
draws are processed, nor on how they are split between threads, processes or machines.

The hash chains the SplitMix64 finaliser over the five keys; the uniform takes the top 53 bits.
Two implementations are kept identical (a test checks): pure Python (for ``reference.py``) and
numba (for the engine, and over arrays for the opening roster).
"""

from __future__ import annotations

import numpy as np
from numba import njit

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
TWO_M53 = 1.0 / (1 << 53)

# Event codes: one per kind of random decision.
ATTRITION, REVIEW, ELECTION, SURPLUS, SIT, PASS = 1, 2, 3, 4, 5, 6
HIRE_AGE, HIRE_MONTH, HIRE_SEX, HIRE_EDU, HIRE_CERT = 7, 8, 9, 10, 11
ARREARS_CLEAR = 12
ELECT_FROM_STAFF = 13
OPEN_AGE, OPEN_MONTH, OPEN_SEX, OPEN_EDU, OPEN_SERVICE, OPEN_CERT, OPEN_CERT_LEVEL = 20, 21, 22, 23, 24, 25, 26
OPEN_GAP, OPEN_GAP_MONTHS, OPEN_PRIOR = 27, 28, 29
WAGE_SHOCK, ATTRITION_SCALE, PASS_SCALE = 40, 41, 42
PARAMETER_RANGE = 100  # + the parameter's position in uncertainty.parameter_ranges

OPENING_DRAW = (1 << 32) - 1  # the opening roster is the same in every draw
GLOBAL_WORKER = 1 << 40  # draw-level shocks are keyed to no worker


def _mix_py(z: int) -> int:
    z = ((z ^ (z >> 30)) * M1) & MASK
    z = ((z ^ (z >> 27)) * M2) & MASK
    return z ^ (z >> 31)


def hash_py(seed: int, draw: int, worker: int, year: int, event: int) -> int:
    h = _mix_py((seed + GAMMA) & MASK)
    for part in (draw, worker, year, event):
        h = _mix_py(((h ^ (part & MASK)) + GAMMA) & MASK)
    return h


def uniform_py(seed: int, draw: int, worker: int, year: int, event: int) -> float:
    """Uniform on [0, 1) (pure Python)."""
    return (hash_py(seed, draw, worker, year, event) >> 11) * TWO_M53


_G = np.uint64(GAMMA)
_M1 = np.uint64(M1)
_M2 = np.uint64(M2)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def hash_nb(seed, draw, worker, year, event):
    h = _mix(np.uint64(seed) + _G)
    h = _mix((h ^ np.uint64(draw)) + _G)
    h = _mix((h ^ np.uint64(worker)) + _G)
    h = _mix((h ^ np.uint64(year)) + _G)
    h = _mix((h ^ np.uint64(event)) + _G)
    return h


@njit(cache=True)
def uniform_nb(seed, draw, worker, year, event):
    """Uniform on [0, 1) (numba scalar)."""
    return np.float64(hash_nb(seed, draw, worker, year, event) >> _S11) * TWO_M53


@njit(cache=True, nogil=True)
def _uniform_many(seed, draw, workers, year, event):
    out = np.empty(workers.shape[0])
    for i in range(workers.shape[0]):
        out[i] = uniform_nb(seed, draw, workers[i], year, event)
    return out


def uniform_np(seed: int, draw: int, workers: np.ndarray, year: int, event: int) -> np.ndarray:
    """Uniform on [0, 1) for an array of worker ids (the numba scalar over the array; it releases the
    GIL, so callers may run slices on several threads)."""
    return _uniform_many(seed, draw, np.ascontiguousarray(workers, dtype=np.int64), year, event)


# The chain can be cut after any key: a prefix computed once serves every later key.
# The engine keys a draw once, each worker-year once, then pays one mix per event.
@njit(cache=True, inline="always")
def draw_key(seed, draw):
    h = _mix(np.uint64(seed) + _G)
    return _mix((h ^ np.uint64(draw)) + _G)


@njit(cache=True, inline="always")
def worker_year_key(dkey, worker, year):
    h = _mix((dkey ^ np.uint64(worker)) + _G)
    return _mix((h ^ np.uint64(year)) + _G)


@njit(cache=True, inline="always")
def event_hash(wykey, event):
    return _mix((wykey ^ np.uint64(event)) + _G)


@njit(cache=True, inline="always")
def event_uniform(wykey, event):
    """Same value as uniform_nb(seed, draw, worker, year, event) for wykey = worker_year_key(draw_key(seed, draw), worker, year)."""
    return np.float64(event_hash(wykey, event) >> _S11) * TWO_M53
