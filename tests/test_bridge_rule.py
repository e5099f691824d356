"""Issue 16 §6: the bridge bolus uses the smallest tubing volume when the concentration goes
up and the largest when it goes down [S17]; the residual left in the emptied reservoir
(up to 1.4 mL [S2]) dilutes the new fill. Worked examples."""
import pytest

import itsim
from itsim import dosing, refill
from itsim.device.catheter import make_catheter
from itsim.errors import InputError


def test_a_range_picks_the_low_end_when_raising_and_the_high_end_when_lowering():
    up = dosing.bridge_bolus("300 mcg/day", "500 mcg/mL", "2000 mcg/mL", ("0.3 mL", "0.4 mL"))
    assert up.volume == pytest.approx(0.3) and up.flow == pytest.approx(0.6)
    assert up.duration == pytest.approx(0.3 / 0.6) and "smallest" in up.rule
    down = dosing.bridge_bolus("300 mcg/day", "2000 mcg/mL", "500 mcg/mL", ("0.3 mL", "0.4 mL"))
    assert down.volume == pytest.approx(0.4) and down.flow == pytest.approx(0.15)
    assert down.duration == pytest.approx(0.4 / 0.15) and "largest" in down.rule
    assert "[S17]" in up.rule and "overdose" in down.rule
    one = dosing.bridge_bolus("300 mcg/day", "500 mcg/mL", "2000 mcg/mL", "0.356 mL")
    assert one.volume == pytest.approx(0.356) and one.rule == ""          # a known volume


def test_a_reversed_range_is_refused():
    with pytest.raises(InputError) as e:
        dosing.bridge_bolus("300 mcg/day", "500 mcg/mL", "2000 mcg/mL", ("0.4 mL", "0.3 mL"))
    assert e.value.parameter == "volume"


def test_concentration_change_adds_the_tubing_range_to_the_catheter():
    t = refill.facts()["bridge_tubing_volume"]
    assert t.assumption and (t.low, t.high) == (0.15, 0.25)
    up = refill.concentration_change("300 mcg/day", "500 mcg/mL", "2000 mcg/mL",
                                     catheter="0.156 mL")
    assert up.volume == pytest.approx(0.156 + 0.15) and up.volume_range == pytest.approx(
        (0.306, 0.406))
    down = refill.concentration_change("300 mcg/day", "2000 mcg/mL", "500 mcg/mL",
                                       catheter="0.156 mL")
    assert down.volume == pytest.approx(0.406)
    with pytest.raises(InputError):
        refill.concentration_change("300 mcg/day", "500 mcg/mL", "2000 mcg/mL")


def test_the_residual_dilutes_the_new_fill_worked_example():
    # raising 500 -> 2000 mcg/mL, 20 mL new fill, 1.4 mL left [S2]:
    # (1.4 x 500 + 20 x 2000) / 21.4 = 1901.9 mcg/mL; at 0.15 mL/day: 285.3 mcg/day
    c = refill.concentration_change("300 mcg/day", "500 mcg/mL", "2000 mcg/mL", "0.356 mL",
                                    fill="20 mL")
    assert c.residual == pytest.approx(1.4) and c.residual_label == "[S2]"
    assert c.effective == pytest.approx((1.4 * 500 + 20 * 2000) / 21.4)
    assert c.dose_after == pytest.approx(0.15 * 1901.869, rel=1e-5)
    assert "1902 mcg/mL" in c.summary() and "less" in c.summary()
    # lowering 2000 -> 500: 598.1 mcg/mL, 359 mcg/day at 0.6 mL/day: 20 % more
    d = refill.concentration_change("300 mcg/day", "2000 mcg/mL", "500 mcg/mL", "0.356 mL",
                                    fill="20 mL")
    assert d.effective == pytest.approx((1.4 * 2000 + 20 * 500) / 21.4)
    assert d.dose_after == pytest.approx(0.6 * 598.13, rel=1e-4) and "more" in d.summary()
    # without a fill the old behaviour is kept
    plain = refill.concentration_change("300 mcg/day", "500 mcg/mL", "2000 mcg/mL", "0.356 mL")
    assert plain.effective == 2000 and "reservoir still holds" not in plain.summary()


def test_a_pump_without_a_sourced_residual_needs_one_given():
    with pytest.raises(InputError) as e:
        refill.concentration_change("300 mcg/day", "500 mcg/mL", "2000 mcg/mL", "0.356 mL",
                                    fill="20 mL", pump="valve-gated-20")
    assert e.value.parameter == "residual"
    c = refill.concentration_change("300 mcg/day", "500 mcg/mL", "2000 mcg/mL", "0.356 mL",
                                    fill="20 mL", pump="valve-gated-20", residual="0.5 mL")
    assert c.effective == pytest.approx((0.5 * 500 + 20 * 2000) / 20.5)


BASE = dict(drug="baclofen", fill="20 mL", days=20,
            program={"mode": "continuous", "dose": "300 mcg/day"})


def _bridged(old, new):
    refill_ev = {"at": "day 10", "kind": "refill", "volume": "20 mL", "concentration": new}
    return itsim.simulate(concentration=old, **BASE, events=[
        refill_ev, {"at": "day 10", "kind": "bridge-bolus", "old_concentration": old}])


def test_the_simulator_bridge_follows_the_rule_and_never_overdoses():
    cath = make_catheter("60 cm").catheter_volume
    low, high = cath + 0.15, cath + 0.25
    true = make_catheter("60 cm").volume                      # 0.2 mL of tubing in the model
    # raising: the bridge ends after the low volume; the rest of the old, weaker solution
    # runs at the new rate: a short underdose, no overdose
    up = _bridged("500 mcg/mL", "2000 mcg/mL")
    assert up.first("new-solution-at-tip") == pytest.approx(
        10 + low / 0.6 + (true - low) / 0.15, abs=2e-3)
    after = up.t > 10.01
    assert up.to_csf[after].max() <= 300 * 1.01
    # lowering: the bridge runs for the high volume at the low rate; the old, stronger
    # solution never runs at the new, higher rate
    down = _bridged("2000 mcg/mL", "500 mcg/mL")
    assert down.first("new-solution-at-tip") == pytest.approx(10 + true / 0.15, abs=2e-3)
    assert down.to_csf[down.t > 10.01].max() <= 300 * 1.01
    ends = [e for e in down.log if e.kind == "bridge-bolus"]
    assert len(ends) == 1 and f"for {high / 0.15:.3g} days" in ends[0].detail
