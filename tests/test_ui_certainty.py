"""Lesson 01's "how sure are we" panel: one assumption across its plausible range, three
results against what was measured in people."""
from __future__ import annotations

from itsim.body import validation
from itsim.ui.certainty import RESULTS, HowSure, itsim_setting, settings
from itsim.ui.style import plain_text


def test_the_panel_starts_at_itsims_values_and_shows_the_validation_verdicts():
    p = HowSure()
    assert p.error is None and p.failure is None
    rows = {r.key: r for r in validation.rows()}
    want = [validation.verdict(rows[k], validation.simulated(rows[k])) for k in
            [r.key for r in validation.rows() if r.key in RESULTS]]
    assert list(p.figure.data[0].text) == want
    text = plain_text(p.readout.value)
    for source in ("[M8]", "[C16]", "[B12]"):
        assert source in text
    assert "teaching assumption" in text.lower()


def test_a_setting_moves_the_results_and_reset_brings_itsims_back():
    p = HowSure()
    before = list(p.figure.data[0].x)
    low = settings("body:csf.mixing_flow")[0][1]
    p.set(setting=low)
    assert list(p.figure.data[0].x) != before
    assert "0.02 mL/min" in p.figure.layout.title.text
    p.set(assumption="body:csf.spread_levels")
    assert p.inputs["setting"].value == itsim_setting("body:csf.spread_levels") == 3
    p.set(setting=6)
    assert "= 6" in p.figure.layout.title.text
    p.reset()
    assert p.inputs["assumption"].value == "body:csf.mixing_flow"
    assert list(p.figure.data[0].x) == before


def test_every_assumption_offers_its_declared_range_and_itsims_value():
    for _, path, _ in (("", "body:csf.mixing_flow", ""), ("", "body:csf.cervical_mixing_flow",
                                                           ""),
                       ("", "body:csf.spread_levels", "")):
        options = settings(path)
        assert sum(label.endswith("(itsim)") for label, _ in options) == 1
        assert len(options) >= 5


def test_a_setting_it_does_not_offer_is_refused_in_plain_words():
    p = HowSure()
    p.compute  # the slider offers only its settings; a direct call is refused
    try:
        p.compute("body:csf.mixing_flow", "7 mL/min")
    except Exception as e:                      # noqa: BLE001 - checked below
        assert "setting" in str(e)
    else:
        raise AssertionError("an unoffered setting was accepted")
