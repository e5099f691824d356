"""The tolerant figure comparison that nbval uses for stored plotly outputs (conftest.py at the
repository root): last-bit differences pass, anything a person could see fails."""
import base64
import importlib.util
from pathlib import Path

import numpy as np
import pytest

spec = importlib.util.spec_from_file_location(
    "root_conftest", Path(__file__).resolve().parents[1] / "conftest.py")
root = importlib.util.module_from_spec(spec)
spec.loader.exec_module(root)


def typed(values, dtype="f4"):
    a = np.asarray(values, dtype=dtype)
    return {"dtype": dtype, "bdata": base64.b64encode(a.tobytes()).decode()}


def figure(y, name="dose", colour="#0072B2", dtype="f4"):
    return {"data": [{"type": "scatter", "name": name, "line": {"color": colour},
                      "x": [0, 1, 2], "y": typed(y, dtype)}],
            "layout": {"title": {"text": "t"}, "yaxis": {"range": [0.0, 1.5]}}}


BASE = [1.0, 2.3952856e-13, 0.5]


def test_last_bits_pass():
    # the stored and new values from the fresh-machine failure of lesson 07, cell 12
    assert root.figures_close(figure(BASE), figure([1.0, 2.395291e-13, 0.5]))
    assert root.figures_close(figure(BASE), figure([1.0000001, 2.3952856e-13, 0.49999997]))


@pytest.mark.parametrize("other", [
    figure([1.0, 2.3952856e-13, 0.51]),           # a visible change of a value
    figure([1.0, 0.01, 0.5]),                     # a small value that is no longer small
    figure([1.0, 2.3952856e-13]),                 # a point lost
    figure(BASE, name="dose rate"),               # a name
    figure(BASE, colour="#D55E00"),               # a colour
    figure(BASE, dtype="f8"),                     # precision of the data
    figure([1.0, np.nan, 0.5]),                   # a gap
])
def test_visible_changes_fail(other):
    assert not root.figures_close(figure(BASE), other)


def test_layout_numbers_and_keys():
    a, b = figure(BASE), figure(BASE)
    b["layout"]["yaxis"]["range"] = [0.0, 1.5000001]
    assert root.figures_close(a, b)
    b["layout"]["yaxis"]["range"] = [0.0, 1.6]
    assert not root.figures_close(a, b)
    c = figure(BASE)
    c["layout"]["height"] = 320
    assert not root.figures_close(a, c)


def test_only_close_figures_are_replaced():
    ref = [{"output_type": "display_data", "data": {root.PLOTLY: figure(BASE)}}]
    near = [{"output_type": "display_data", "data": {root.PLOTLY: figure([1.0, 2.4e-13, 0.5])}}]
    far = [{"output_type": "display_data", "data": {root.PLOTLY: figure([1.0, 0.3, 0.5])}}]
    assert root._with_close_figures(near, ref)[0]["data"][root.PLOTLY] == ref[0]["data"][root.PLOTLY]
    assert root._with_close_figures(far, ref)[0]["data"][root.PLOTLY] != ref[0]["data"][root.PLOTLY]
    assert far[0]["data"][root.PLOTLY]["data"][0]["y"] == figure([1.0, 0.3, 0.5])["data"][0]["y"]
