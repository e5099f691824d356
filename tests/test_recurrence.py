"""The blocked first-order recurrence behind every delay in the body model."""
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.signal import lfilter

from itsim.body import recurrence
from itsim.body.recurrence import first_order


def step_by_step(a, x, y0, scale=1.0):
    return lfilter([scale], [1.0, -a], x, zi=[a * y0])[0]


@given(st.integers(0, 3000), st.floats(0.0, 1.0), st.floats(-5, 5),
       st.sampled_from([2, 5, 32, 64]), st.floats(0.01, 100), st.integers(0, 10_000),
       st.booleans())
def test_blocks_give_the_step_by_step_answer(n, a, y0, block, scale, seed, blocked):
    x = np.random.default_rng(seed).normal(size=n)
    with mock.patch.object(recurrence, "SEQUENTIAL", -1 if blocked else recurrence.SEQUENTIAL):
        got = first_order(a, x, y0, block, scale)
    assert got.shape == (n,)
    if n:
        want = step_by_step(a, x, y0, scale)
        assert np.abs(got - want).max() <= 1e-12 * max(np.abs(want).max(), 1.0)


@given(st.integers(1, 2000), st.integers(0, 10_000))
def test_one_coefficient_per_row(n, seed):
    rng = np.random.default_rng(seed)
    a = np.concatenate([[0.0, 1.0, 1e-60], rng.random(5)])         # incl. instant and held
    x, y0 = rng.random((a.size, n)), rng.random(a.size)
    got = first_order(a, x, y0)
    for i in range(a.size):
        want = step_by_step(a[i], x[i], y0[i])
        assert np.abs(got[i] - want).max() <= 1e-12 * max(np.abs(want).max(), 1.0)


def test_a_shared_coefficient_filters_every_row_and_can_store_single_precision():
    x = np.random.default_rng(3).random((3, 1000))
    want = lfilter([1.0], [1.0, -0.9], x, axis=-1)
    for sequential in (recurrence.SEQUENTIAL, -1):
        with mock.patch.object(recurrence, "SEQUENTIAL", sequential):
            got = first_order(0.9, x, y0=[0.0, 0.0, 0.0], dtype=np.float32)
        assert got.dtype == np.float32
        assert np.abs(got - want).max() <= 1e-6 * np.abs(want).max()


def test_a_long_slow_filter_stays_accurate():
    """Half a year of 1-minute steps through a 180-day half-time: no drift from the blocks."""
    a = np.exp(-np.log(2) / (180 * 1440))
    x = np.ones(259_200)
    got = first_order(a, x, scale=1 - a)
    want = 1 - a ** np.arange(1, x.size + 1)                   # closed form for a step input
    assert np.abs(got - want).max() <= 1e-12


def test_negative_coefficients_and_bad_values():
    x = np.random.default_rng(4).normal(size=(2, 5000))
    a = np.array([-0.5, -0.999])
    got = first_order(a, x)
    for i in range(2):
        want = step_by_step(a[i], x[i], 0.0)
        assert np.abs(got[i] - want).max() <= 1e-12 * np.abs(want).max()
    x[1, 4000] = np.nan                  # a product would carry it back through its block
    with mock.patch.object(recurrence, "SEQUENTIAL", -1), pytest.raises(ValueError, match="NaN"):
        first_order(0.5, x[1])
