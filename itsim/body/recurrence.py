"""First-order linear recurrences, y[k] = a y[k-1] + x[k], computed exactly in blocks.

Every delay in the body model (CSF modes, effect sites, tolerance, withdrawal, a pocket
depot) is one of these. A recurrence is sequential, but its blocks are not: within a block
of B steps the values are one matrix product with the powers of ``a``, and a block passes
on only its last value, which is itself a recurrence B times shorter (coefficient a^B).
At the lengths the simulator uses (10^5 to 10^6 steps) this is about twice as fast as a
step-by-step filter, for one coefficient or for many at once, with the same arithmetic
(sums of a^j x, no subtraction of large numbers). Short runs with one coefficient (the
block ends, hourly cohorts) go through scipy's step-by-step ``lfilter``, one call in C.
"""
from __future__ import annotations

import numpy as np

BLOCK = 32
TINY = 1e-200    # powers of a below this are dropped: far below double precision
SMALL = 1 << 16  # inputs up to this many values are padded to whole blocks, not looped over
SEQUENTIAL = 1 << 14   # one coefficient and up to this many steps: scipy's lfilter, one C loop


def first_order(a, x, y0=0.0, block: int = BLOCK, scale: float = 1.0,
                dtype=np.float64) -> np.ndarray:
    """y[k] = a y[k-1] + scale x[k] along the last axis of ``x``, from y[-1] = ``y0``.

    ``a`` (|a| <= 1 for a decaying state) is a scalar or one coefficient per row of
    ``x`` (shape ``x.shape[:-1]``); ``y0`` likewise. The arithmetic is in double precision;
    the result, a new array shaped like ``x``, is stored as ``dtype``."""
    x = np.asarray(x, dtype=float)
    a = np.asarray(a, dtype=float)
    lead, n = x.shape[:-1], x.shape[-1]
    y0 = np.asarray(y0, dtype=float)
    if y0.shape != lead:
        y0 = np.broadcast_to(y0, lead)
    if a.ndim == 0 and n <= SEQUENTIAL:                     # one coefficient, not long:
        from scipy.signal import lfilter                    # one loop in C is cheapest
        zi = np.broadcast_to(a * y0, lead)[..., None]
        return lfilter([scale], [1.0, -float(a)], x, axis=-1, zi=zi)[0].astype(dtype,
                                                                              copy=False)
    tail = n % block
    if tail and n > block and x.size <= SMALL:             # pad a short input to whole blocks
        padded = np.zeros(lead + (n + block - tail,))       # (zeros after the end change
        padded[..., :n] = x                                 # nothing before it)
        return first_order(a, padded, y0, block, scale, dtype)[..., :n]
    y = np.empty(x.shape, dtype=dtype)
    nb = n // block
    full = nb * block
    if nb > 1:
        power = a[..., None] ** np.arange(block + 1)        # a^0 .. a^B, small
        power[np.abs(power) < TINY] = 0.0                   # no subnormals (slow, negligible)
        j = np.arange(block)
        gap = j[None, :] - j[:, None]                       # from step i to step j of a block
        T = np.where(gap >= 0, power[..., np.maximum(gap, 0)] * scale, 0.0)
        into = y if y.dtype == np.float64 else np.empty(x.shape)
        Y = into[..., :full].reshape(lead + (nb, block))
        np.matmul(x[..., :full].reshape(lead + (nb, block)), T, out=Y)  # each block from 0
        if not np.isfinite(Y[..., -1]).all():               # (a product would spread it
            raise ValueError("first_order: x holds NaN or infinite values")  # backwards)
        ends = first_order(power[..., block], Y[..., -1], y0, block)    # state at block ends
        starts = np.concatenate([y0[..., None], ends[..., :-1]], axis=-1)
        np.add(Y, starts[..., None] * power[..., None, 1:],
               out=y[..., :full].reshape(lead + (nb, block)))
        prev = ends[..., -1]
    else:
        full, prev = 0, y0
    for k in range(full, n):                                # the rest step by step
        prev = a * prev + scale * x[..., k]
        y[..., k] = prev
    return y
