"""The CSF compartment chain: sourced volumes, exact solution, conservation, half-life."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from itsim.body.csf import LEVELS, CSFModel, csf_facts, index, segment_volumes

V = segment_volumes()


def test_segment_volumes_add_up_to_the_sourced_totals():
    f = csf_facts()
    assert V.sum() == pytest.approx(f["total_volume"].value)                 # 150 mL [C1, C2]
    assert V[:index("cranial")].sum() == pytest.approx(f["spinal_volume"].value)   # 95 [C5]
    assert V[:index("T11")].sum() == pytest.approx(f["lumbosacral_volume"].value)  # 50 [C5]
    lumbar = V[index("L5"):index("L1") + 1]
    assert lumbar.min() >= f["lumbar_segment_volume"].low                     # 4.3-5.8 [C8]
    assert lumbar.max() <= f["lumbar_segment_volume"].high
    assert len(LEVELS) == 26 and LEVELS[0] == "S1" and LEVELS[-1] == "cranial"


def stepped(model, inflow, dt, tip, outs):
    """Exact step-by-step solution with the matrix exponential (slow, for checking)."""
    s = model.volumes.size
    A = expm(model.M * dt)
    b = np.linalg.solve(model.M, A - np.eye(s)) @ (np.eye(s)[:, tip] / model.volumes[tip])
    c, out = np.zeros(s), []
    for x in inflow:
        c = A @ c + b * (x / dt)
        out.append(c[outs])
    return np.array(out).T


@given(st.integers(1, 400), st.sampled_from([1, 7, 32, 64]), st.floats(1, 30),
       st.sampled_from(["T10", "L2", "C5"]), st.integers(0, 10_000))
def test_block_solution_is_exact(n, block, dt, tip, seed):
    model = CSFModel(V, 0.05, 0.01, np.log(2) / 185)
    u = np.random.default_rng(seed).random(n) * 10
    outs = [index(tip), index("T4"), index("cranial")]
    got = model.response(u, dt, index(tip), outs, block=block)
    ref = stepped(model, u, dt, index(tip), outs)
    assert np.abs(got - ref).max() <= 1e-10 * max(np.abs(ref).max(), 1e-12)


def test_matches_a_general_ode_solver():
    model = CSFModel(V, 0.05, 0.01, np.log(2) / 185)
    dt, n = 10.0, 300                                   # 50 hours of 10-minute steps
    u = np.where(np.arange(n) < 36, 50.0, 0.0)          # 6 hours of infusion, then none
    tip = index("L2")
    got = model.response(u, dt, tip, [tip, index("cranial")])

    def rhs(t, c):
        k = min(int(t // dt), n - 1)
        inflow = np.zeros_like(c)
        inflow[tip] = u[k] / dt / model.volumes[tip]
        return model.M @ c + inflow
    sol = solve_ivp(rhs, (0, n * dt), np.zeros(V.size), t_eval=np.arange(1, n + 1) * dt,
                    rtol=1e-10, atol=1e-12, max_step=dt / 2)
    ref = sol.y[[tip, index("cranial")]]
    assert np.abs(got - ref).max() <= 1e-6 * np.abs(ref).max()


def test_without_clearance_all_the_drug_stays_in_the_csf():
    model = CSFModel(V, 0.05, 0.01, 0.0)
    u = np.random.default_rng(3).random(500)
    state = model.response(u, 5.0, index("T10"), range(V.size))
    assert (state[:, -1] * V).sum() == pytest.approx(u.sum(), rel=1e-9)


def test_total_drug_falls_with_the_clearance_half_life():
    half_life = 185.0                                  # min: morphine, 175-196 min [M6]
    model = CSFModel(V, 0.05, 0.01, np.log(2) / half_life)
    u = np.zeros(2000)
    u[0] = 500.0                                       # a bolus in the first minute
    state = model.response(u, 1.0, index("L3"), range(V.size))
    mass = (state * V[:, None]).sum(axis=0)
    assert mass[int(half_life)] / mass[0] == pytest.approx(0.5, rel=0.01)


def test_a_slow_infusion_stays_near_the_tip():
    model = CSFModel(V, 0.05, 0.01, np.log(2) / 185)
    u = np.full(14 * 1440 // 10, 300 / 144)            # 300 mcg/day for 14 days, 10-min steps
    state = model.response(u, 10.0, index("T10"), range(V.size))[:, -1]
    assert state.argmax() == index("T10")
    assert state[index("T10")] > 5 * state[index("T4")] > 0


def test_simulate_follows_the_drug_into_the_csf():
    import itsim
    from itsim import InputError
    tl = itsim.simulate(drug="morphine", concentration="10 mg/mL", fill="20 mL", days=20,
                        step="10 min", program={"mode": "continuous", "dose": "2 mg/day"},
                        csf_target="T4")
    tip, target, brain = (tl.csf[k][-1] for k in ("tip", "target", "brainstem"))
    assert tip > target > brain > 0                     # highest at the tip, falls with distance
    spine = tl.spine(19.9)
    assert spine.argmax() == index("T10") and spine[index("T10")] == pytest.approx(tip)
    header = tl.to_csv(every=144).splitlines()[0].split(",")
    assert header[-3:] == ["csf_tip_mcg_per_ml", "csf_target_mcg_per_ml",
                           "csf_brainstem_mcg_per_ml"]
    # the model input is exactly what left the catheter into the CSF
    model = tl.csf["model"]
    mass_now = (tl.spine(19.9) * model.volumes).sum()
    assert 0 < mass_now < tl.balance.to_csf
    with pytest.raises(InputError, match="cannot follow it"):
        itsim.simulate(drug="bupivacaine", concentration="5 mg/mL", fill="20 mL", days=2,
                       program={"mode": "continuous", "dose": "2 mg/day"}, csf_target="T4")
    with pytest.raises(InputError, match="level = 'T13'"):
        itsim.simulate(drug="morphine", concentration="10 mg/mL", fill="20 mL", days=2,
                       program={"mode": "continuous", "dose": "2 mg/day"}, csf_target="T13")


def test_drug_stops_reaching_the_csf_when_the_pump_runs_dry():
    import itsim
    tl = itsim.simulate(drug="baclofen", concentration="500 mcg/mL", fill="5 mL", days=20,
                        step="10 min", program={"mode": "continuous", "dose": "300 mcg/day"},
                        csf_target="T4")
    empty = tl.reservoir_empty_day                      # about 8.3 days
    at = lambda day: tl.csf["tip"][int(day * 144)]      # noqa: E731
    assert at(empty - 0.5) > 100 * at(empty + 2.5)      # half-life about 2 h: gone in a day


def test_lipophilic_drugs_clear_faster_and_stay_closer_to_the_tip():
    import itsim
    from itsim.body.csf import half_life_minutes
    assert half_life_minutes("fentanyl")[0] < half_life_minutes("hydromorphone")[0] < \
        half_life_minutes("morphine")[0]
    assert "teaching assumption" in half_life_minutes("fentanyl")[1]

    def reach(drug, conc, dose):
        tl = itsim.simulate(drug=drug, concentration=conc, fill="20 mL", days=10,
                            step="10 min", program={"mode": "continuous", "dose": dose},
                            csf_target="T4")
        return tl.csf["target"][-1] / tl.csf["tip"][-1]
    assert reach("fentanyl", "500 mcg/mL", "100 mcg/day") < reach("morphine", "10 mg/mL",
                                                                  "2 mg/day")


def test_a_bolus_spreads_further_than_the_same_dose_infused_slowly():
    import itsim
    kw = dict(drug="morphine", concentration="10 mg/mL", fill="20 mL", days=1, step="1 min",
              program={"mode": "stopped"}, csf_target="T7")
    bolus = itsim.simulate(**kw, events=[{"at": "day 0.1", "kind": "bolus", "dose": "1 mg",
                                          "duration": "6 min"}])        # the pump's fastest
    slow = itsim.simulate(**kw, events=[{"at": "day 0.1", "kind": "bolus", "dose": "1 mg",
                                         "duration": "12 h"}])
    assert bolus.balance.to_csf == pytest.approx(slow.balance.to_csf)   # same dose in
    assert bolus.csf["target"].max() > 2 * slow.csf["target"].max()      # reaches T7 more
    assert bolus.csf["fast"].sum() > 0.5 * bolus.balance.to_csf


@given(st.integers(1, 300), st.integers(0, 1000))
def test_several_inputs_at_once_equal_their_sum(n, seed):
    from itsim.body.csf import spread_profile
    model = CSFModel(V, 0.05, 0.01, np.log(2) / 185)
    rng = np.random.default_rng(seed)
    a, b = rng.random(n), rng.random(n)
    outs = [index("T10"), index("cranial")]
    both = model.response([a, b], 3.0, [index("T10"), spread_profile(index("T10"))], outs)
    apart = (model.response(a, 3.0, index("T10"), outs)
             + model.response(b, 3.0, spread_profile(index("T10")), outs))
    assert np.abs(both - apart).max() <= 1e-10 * max(np.abs(apart).max(), 1e-12)


def test_every_catheter_tip_level_can_be_followed_into_the_csf():
    import itsim
    from itsim import InputError
    from itsim.device.catheter import make_catheter
    for level in ("S1", "L5", "T10", "C1"):
        tl = itsim.simulate(drug="morphine", concentration="10 mg/mL", fill="20 mL", days=1,
                            step="10 min", program={"mode": "continuous", "dose": "2 mg/day"},
                            catheter={"tip": level}, csf_target="T4")
        assert tl.csf["levels"][0] == index(level)
    with pytest.raises(InputError, match="catheter.tip = 'cranial'"):
        make_catheter(tip="cranial")


@given(st.integers(2, 600), st.integers(0, 1000), st.sampled_from(["T10", "L2", "C5"]))
def test_catheter_inputs_split_the_flow_exactly(n, seed, tip_level):
    """The usual flow's split for every step, plus a correction where the flow differs,
    gives the same CSF as the slow and fast shares sent separately."""
    from itsim.body.csf import catheter_inputs, fast_fraction, spread_profile
    model = CSFModel(V, 0.05, 0.01, np.log(2) / 185)
    rng = np.random.default_rng(seed)
    flow = np.full(n, 2e-4)                                   # mL/min: a slow infusion ...
    burst = rng.integers(0, n, size=3)
    flow[burst] = rng.random(3) * 0.5                         # ... with a few fast steps
    mass = flow * 500.0                                       # mcg per 1-min step
    tip, outs = index(tip_level), [index(tip_level), index("T4"), index("cranial")]
    inputs, fast = catheter_inputs(mass, flow, tip)
    assert np.array_equal(fast, mass * fast_fraction(flow))
    got = model.response([m for m, _ in inputs], 1.0, [w for _, w in inputs], outs)
    want = model.response([mass - fast, fast], 1.0, [tip, spread_profile(tip)], outs)
    assert np.abs(got - want).max() <= 1e-12 * np.abs(want).max()
    if n >= 20:                                               # slow flow is most steps:
        assert len(inputs) == 2 and np.count_nonzero(inputs[1][0]) <= 3   # a sparse correction


def test_a_sparse_input_is_solved_exactly():
    """Inputs busy in few blocks take the solver's sparse path: still the exact answer."""
    model = CSFModel(V, 0.05, 0.01, np.log(2) / 185)
    u = np.zeros(2000)
    u[[5, 700, 701, 1999]] = [3.0, 1.0, 2.0, 5.0]
    outs = [index("T10"), index("cranial")]
    got = model.response(u, 2.0, index("T10"), outs)
    want = stepped(model, u, 2.0, index("T10"), outs)
    assert np.abs(got - want).max() <= 1e-10 * np.abs(want).max()
    v = np.zeros(2000)
    v[1::32] = 1.0                        # busy in every block, though not at its first step
    got = model.response(v, 2.0, index("T10"), outs)
    want = stepped(model, v, 2.0, index("T10"), outs)
    assert np.abs(got - want).max() <= 1e-10 * np.abs(want).max()


def test_the_solver_takes_a_plain_list_and_an_empty_input_and_refuses_nan():
    model = CSFModel(V, 0.05, 0.01, np.log(2) / 185)
    listed = model.response([0.0, 1.0, 2.0], 1.0, index("T10"), [index("T10")])
    arrayed = model.response(np.array([0.0, 1.0, 2.0]), 1.0, index("T10"), [index("T10")])
    assert listed.shape == (1, 3) and np.array_equal(listed, arrayed)
    assert model.response(np.zeros(0), 1.0, index("T10"), [1, 2]).shape == (2, 0)
    bad = np.ones(500)
    bad[300] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        model.response(bad, 1.0, index("T10"), [index("T10")])
