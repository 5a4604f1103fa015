"""The three implementations of the keyed random stream agree, and the stream looks uniform."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from model.simulation import rng

keys = st.integers(min_value=0, max_value=2**40)


@given(seed=keys, draw=keys, worker=keys, year=st.integers(1990, 2100), event=st.integers(0, 2000))
def test_python_and_numba_agree(seed, draw, worker, year, event):
    a = rng.uniform_py(seed, draw, worker, year, event)
    b = rng.uniform_nb(seed, draw, worker, year, event)
    c = rng.uniform_np(seed, draw, np.array([worker]), year, event)[0]
    assert a == b == c
    assert 0.0 <= a < 1.0


def test_uniform_moments():
    u = rng.uniform_np(1, 0, np.arange(200_000), 2021, rng.ATTRITION)
    assert abs(u.mean() - 0.5) < 0.003
    assert abs(u.var() - 1 / 12) < 0.002
    counts = np.histogram(u, bins=10, range=(0, 1))[0]
    assert counts.min() > 19_000 and counts.max() < 21_000


def test_streams_differ_by_every_key():
    base = rng.uniform_py(1, 2, 3, 2021, 4)
    for args in [(2, 2, 3, 2021, 4), (1, 3, 3, 2021, 4), (1, 2, 4, 2021, 4), (1, 2, 3, 2022, 4), (1, 2, 3, 2021, 5)]:
        assert rng.uniform_py(*args) != base
