"""Notebook outputs under nbval: text strict, figures to what the eye can see.

A stored plotly figure (``application/vnd.plotly.v1+json``) is compared with the new one
number by number with a tolerance: the last bits of a float depend on the CPU, the BLAS kernel
and the thread count, and a figure shows nothing at that scale. Everything else in a figure
(trace kinds, names, colours, text, layout, array shapes and dtypes) must be identical, and so
must every text output: what a learner reads is compared strictly.
"""
from __future__ import annotations

import base64
import copy
import math

import numpy as np

PLOTLY = "application/vnd.plotly.v1+json"
RTOL = 1e-4       # of each number
ATOL = 1e-6       # of the largest magnitude in the same array


def _array(typed: dict) -> np.ndarray:
    """A plotly typed array ({'dtype', 'bdata', 'shape'?}) as numbers."""
    data = np.frombuffer(base64.b64decode(typed["bdata"]), dtype=np.dtype(typed["dtype"]))
    return data.astype(float)


def _close_arrays(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    finite = np.isfinite(a)
    if not np.array_equal(finite, np.isfinite(b)) or not np.array_equal(a[~finite], b[~finite],
                                                                         equal_nan=True):
        return False
    scale = float(np.max(np.abs(a[finite]), initial=0.0))
    return bool(np.allclose(a[finite], b[finite], rtol=RTOL, atol=ATOL * scale))


def _typed(x) -> bool:
    return isinstance(x, dict) and set(x) >= {"dtype", "bdata"} and set(x) <= {"dtype", "bdata",
                                                                               "shape"}


def _numbers(x) -> bool:
    return (isinstance(x, list) and len(x) > 0
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in x))


def figures_close(ref, new) -> bool:
    """True when two plotly figure JSONs differ only in numbers, and those by no more than the
    tolerances above (relative to each number, and to the largest number of its array)."""
    if _typed(ref) and _typed(new):
        return (ref["dtype"] == new["dtype"] and ref.get("shape") == new.get("shape")
                and _close_arrays(_array(ref), _array(new)))
    if isinstance(ref, dict) and isinstance(new, dict):
        return ref.keys() == new.keys() and all(figures_close(ref[k], new[k]) for k in ref)
    if _numbers(ref) and _numbers(new):
        return _close_arrays(ref, new)
    if isinstance(ref, list) and isinstance(new, list):
        return len(ref) == len(new) and all(figures_close(r, n) for r, n in zip(ref, new))
    if isinstance(ref, float) and isinstance(new, float):
        return math.isclose(ref, new, rel_tol=RTOL, abs_tol=0.0) or ref == new
    return type(ref) is type(new) and ref == new


def _plotly_outputs(outputs):
    return [o for o in outputs if PLOTLY in o.get("data", {})]


def _with_close_figures(test, ref):
    """The new outputs, with each figure that is close to its stored one replaced by it, so
    that nbval's strict comparison passes on them and still fails (and shows the difference)
    on anything else."""
    new_figs, ref_figs = _plotly_outputs(test), _plotly_outputs(ref)
    if not new_figs or len(new_figs) != len(ref_figs):
        return test
    test = copy.deepcopy(test)
    for new, old in zip(_plotly_outputs(test), ref_figs):
        if figures_close(old["data"][PLOTLY], new["data"][PLOTLY]):
            new["data"][PLOTLY] = old["data"][PLOTLY]
    return test


def pytest_configure(config):
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # pragma: no cover - nbval is a test dependency
        return
    if getattr(IPyNbCell.compare_outputs, "figures_close", False):
        return
    strict = IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        return strict(self, _with_close_figures(test, ref), ref, skip_compare)

    compare_outputs.figures_close = True
    IPyNbCell.compare_outputs = compare_outputs
