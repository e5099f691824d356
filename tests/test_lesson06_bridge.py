"""Lesson 06's bridge-bolus section agrees with the simulator's bridge and teaches its limits:
planned for the smallest volume when raising the concentration [S17] (a short dip remains), the
residual in the emptied reservoir [S2], and the assessment within 24 h of the change [B8]."""
from pathlib import Path

import nbformat

import itsim
from itsim import refill

LESSON = Path(__file__).resolve().parents[1] / "lessons" / "06_programming.ipynb"


def _cells():
    return nbformat.read(LESSON, as_version=4).cells


def _markdown():
    return " ".join(" ".join(c.source.split()) for c in _cells() if c.cell_type == "markdown")


def _outputs():
    return "\n".join(o.get("text", "") for c in _cells() if c.cell_type == "code"
                     for o in c.outputs)


def _runs():
    new_fill = {"at": "day 1", "kind": "refill", "volume": "20 mL",
                "concentration": "2000 mcg/mL"}
    base = dict(drug="baclofen", concentration="500 mcg/mL", fill="20 mL", days=5,
                step="10 min", program={"mode": "continuous", "dose": "300 mcg/day"})
    return (itsim.simulate(**base, events=[new_fill]),
            itsim.simulate(**base, events=[new_fill, {"at": "day 1", "kind": "bridge-bolus",
                                                      "old_concentration": "500 mcg/mL"}]))


def test_the_stored_bridge_outputs_are_the_simulators():
    without, bridge = _runs()
    out = _outputs()
    tip = bridge.first("new-solution-at-tip")
    assert f"new solution at the tip on day {tip:.2f}" in out
    day2 = bridge.to_csf[(bridge.t >= 1.5) & (bridge.t < 2)].mean()
    assert f"dose on day 2: {day2:.0f} mcg/day" in out and day2 < 300 * 0.9   # a dip remains
    c = refill.concentration_change("300 mcg/day", "500 mcg/mL", "2000 mcg/mL",
                                    catheter="0.156 mL")
    assert f"for {c.bridge.duration * 24:.1f} h" in out
    assert c.volume == min(c.volume_range)                 # raising: the smallest [S17]
    # the words give the same day as the stored output
    assert f"day {tip:.2f}" in _markdown()


def test_the_lesson_explains_the_rule_the_dip_the_residual_and_the_24_h_check():
    text = _markdown()
    assert "smallest" in text and "largest" in text and "[S17]" in text and "dip" in text
    assert "1.4 mL" in text and "[S2]" in text
    assert "within 24 h" in text and "[B8]" in text
    code = "\n".join(c.source for c in _cells() if c.cell_type == "code")
    assert 'fill="20 mL"' in code and "concentration_change" in code


def test_the_stored_mixed_doses_are_less_after_raising_and_more_after_lowering():
    out = _outputs()
    for old, new in (("500 mcg/mL", "2000 mcg/mL"), ("2000 mcg/mL", "500 mcg/mL")):
        mix = refill.concentration_change("300 mcg/day", old, new, catheter="0.156 mL",
                                          fill="20 mL")
        assert f"the pump gives {mix.dose_after:.0f} mcg/day" in out
        assert (mix.dose_after < 300) == (new == "2000 mcg/mL")
