"""Drug in the CSF along the spinal canal: a linear compartment chain, solved exactly.

The canal is one compartment per vertebral level, from the sacral sac to C1, plus a cranial
compartment (cisterns and brainstem). Drug enters at the catheter tip's level, is exchanged
between neighbouring levels by the mixing that CSF pulsation drives, drifts upward with the
slow net flow, and is cleared at a first-order rate (faster for lipophilic drugs).

    dc/dt = M c + (input at the tip) / V

The system is linear and time-invariant, and the input (mcg per step from the catheter) is
constant within each step, so the state is advanced *exactly*: with M = W diag(lam) W^-1,
each mode obeys z[n+1] = a z[n] + g r[n] (a = exp(lam dt)). To be fast at 1-minute steps the
steps are grouped in blocks of B: the input's effect over a block is one matrix product,
the modes are carried from block to block by a first-order recurrence, and the values inside
each block come from two more matrix products. No step-by-step integrator is involved.
Units: mL, mcg, minutes inside; concentrations mcg/mL.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import data
from ..facts import parse_fact
from .recurrence import TINY, first_order

LEVELS = (["S1"] + [f"L{i}" for i in range(5, 0, -1)] + [f"T{i}" for i in range(12, 0, -1)]
          + [f"C{i}" for i in range(7, 0, -1)] + ["cranial"])
BODY_KINDS = {"total_volume": "volume", "spinal_volume": "volume",
              "lumbosacral_volume": "volume", "lumbar_segment_volume": "volume",
              "production": "flow", "cranial_volume": "volume", "segment_split": "volume",
              "mixing_flow": "flow", "cervical_mixing_flow": "flow", "bulk_flow": "flow",
              "lipophilicity_exponent": None, "spread_flow": "flow", "spread_levels": None}


@lru_cache(maxsize=1)
def csf_facts() -> dict:
    raw = data.load("body")["csf"]
    return {k: parse_fact(f"body.toml [csf].{k}", k, v, BODY_KINDS[k]) for k, v in raw.items()}


def segment_volumes() -> np.ndarray:
    """CSF volume (mL) of each compartment in LEVELS order, adding up to the sourced totals."""
    f = csf_facts()
    per_lumbar = f["segment_split"].value
    lumbosacral = f["lumbosacral_volume"].value
    upper = f["spinal_volume"].value - lumbosacral
    v = np.empty(len(LEVELS))
    v[0] = lumbosacral - 6 * per_lumbar                    # sacral sac
    v[1:7] = per_lumbar                                     # L5..L1, T12
    v[7:25] = upper / 18                                    # T11..T1, C7..C1
    v[25] = f["cranial_volume"].value
    return v


def index(level: str) -> int:
    """Compartment index of a vertebral level ('T10', 'L1', ..., 'C1') or 'cranial'."""
    try:
        return LEVELS.index(level.upper() if level != "cranial" else level)
    except ValueError:
        from ..errors import InputError
        raise InputError("level", level, "expected a vertebral level such as T10, or "
                         "'cranial'") from None


@dataclass
class CSFModel:
    """A compartment chain with fixed parameters (mL, mL/min, 1/min); build once, solve many
    inputs. ``mixing``: exchange flow between neighbours (one value, or one per interface);
    ``clearance``: first-order loss from each compartment (1/min)."""

    volumes: np.ndarray
    mixing: float | np.ndarray
    bulk: float
    clearance: np.ndarray

    def __post_init__(self):
        self.volumes = np.asarray(self.volumes, dtype=float)
        self.clearance = np.broadcast_to(np.asarray(self.clearance, dtype=float),
                                         self.volumes.shape).copy()
        self.M = self.matrix()
        lam, W = np.linalg.eig(self.M)
        if np.abs(lam.imag).max() > 1e-12 * np.abs(lam.real).max():
            raise ValueError("CSF model with complex modes; reduce the bulk flow")
        order = np.argsort(lam.real)
        self.lam = lam.real[order]
        self.W = W.real[:, order]
        self.Winv = np.linalg.inv(self.W)
        self._powers = {}                                        # (dt, B) -> block powers

    def matrix(self) -> np.ndarray:
        """dc/dt = M c (1/min): exchange with neighbours, upward drift, clearance."""
        v, s = self.volumes, self.volumes.size
        M = np.zeros((s, s))
        mixing = np.broadcast_to(np.asarray(self.mixing, dtype=float), (s - 1,))
        for i in range(s - 1):
            ex = mixing[i]
            M[i, i] -= ex / v[i]
            M[i, i + 1] += ex / v[i]
            M[i + 1, i + 1] -= ex / v[i + 1]
            M[i + 1, i] += ex / v[i + 1]
            M[i + 1, i] += self.bulk / v[i + 1]          # upward drift: i feeds i + 1
            M[i, i] -= self.bulk / v[i]
        M -= np.diag(self.clearance)
        return M

    def _block_powers(self, dt: float, B: int):
        """Per mode, for steps of ``dt`` minutes in blocks of ``B``: a = e^(lam dt), g (the
        integral of e^(lam s) over a step), a^(B-1-k), a^i and a^(j-k) for k <= j. Made once
        per (dt, B); powers below TINY are zero (subnormals are slow and far below
        double precision)."""
        key = (float(dt), int(B))
        if key not in self._powers:
            lam = self.lam
            a = np.exp(lam * dt)
            g = np.where(np.abs(lam) > 1e-15, np.expm1(lam * dt) / np.where(
                lam == 0, 1, lam), dt)                           # integral of e^{lam s} ds
            k = np.arange(B)
            P = a[:, None] ** (B - 1 - k)[None, :]               # modes x B: a^(B-1-k)
            i = np.arange(1, B + 1)
            Ai = a[:, None] ** i[None, :]                        # modes x B: a^i
            lower = i[None, :] - 1 - k[:, None]                  # k x j: exponent j - k
            powers = np.where(lower >= 0, a[:, None, None] ** np.maximum(lower, 0), 0.0)
            for x in (P, Ai, powers):
                x[np.abs(x) < TINY] = 0.0
            self._powers[key] = (a, g, P, Ai, powers)
        return self._powers[key]

    def response(self, mass_per_step, dt: float, tip, outputs, block: int = 32,
                 c0=None) -> np.ndarray:
        """Concentration (mcg/mL) at compartments ``outputs`` at the end of each step, for
        ``mass_per_step`` mcg entering evenly during each step of ``dt`` minutes, all into
        compartment ``tip`` (an index) or shared by a profile (fractions per compartment).
        Several inputs at once: lists of masses and of tips. Exact for that input. Returns an
        array (len(outputs), N)."""
        single = (mass_per_step.ndim == 1 if isinstance(mass_per_step, np.ndarray)
                  else not len(mass_per_step) or np.ndim(mass_per_step[0]) == 0)
        if single:
            mass_per_step, tip = [mass_per_step], [tip]
        lam, W, Winv = self.lam, self.W, self.Winv
        n = len(mass_per_step[0])
        if n == 0:
            return np.zeros((len(outputs), 0))
        B = block
        nb = -(-n // B)
        a, g, P, Ai, powers = self._block_powers(dt, B)
        wl = W[list(outputs)]                                    # outputs x modes
        G = np.zeros((lam.size, nb))                             # modes x blocks
        channels = []
        for mass, where in zip(mass_per_step, tip):
            mass = np.asarray(mass, dtype=float)                 # mcg per step; / dt below
            if n == nb * B:
                R = mass.reshape(nb, B)
            else:
                R = np.zeros((nb, B))
                R.ravel()[:n] = mass
            profile = np.zeros(self.volumes.size)
            if np.ndim(where) == 0:
                profile[int(where)] = 1.0
            else:
                profile = np.asarray(where, dtype=float)
            gb = g / dt * (Winv @ (profile / self.volumes))      # mode loadings of the input
            # an input busy in fewer than half the blocks (a bolus) is applied to those only
            busy = None
            if np.count_nonzero(R[:, 0]) < nb // 2:             # (a dense input stops here)
                busy = np.unique(np.flatnonzero(R) // B)
                busy = busy if busy.size < nb // 2 else None
            if busy is None:
                G += gb[:, None] * (P @ R.T)
            else:
                G[:, busy] += gb[:, None] * (P @ R[busy].T)
            # this input's own effect inside each block, for each output: B x B
            K = np.einsum("om,mkj->okj", wl * gb, powers)
            channels.append((R, K, busy))
        if not np.isfinite(G).all():
            raise ValueError("CSFModel.response: the input holds NaN or infinite values")
        z0 = 0.0 if c0 is None else Winv @ np.asarray(c0, dtype=float)
        ends = first_order(a ** B, G, z0)                        # modes at each block's end
        # Each block's values: the modes it started with, carried through the block, plus
        # its own input. Dense inputs join the start modes in one matrix product per output,
        # written straight into the result; sparse inputs touch only their blocks.
        dense = [c for c in channels if c[2] is None]
        X = np.empty((nb, lam.size + B * len(dense)))
        X[0, :lam.size] = z0
        X[1:, :lam.size] = ends[:, :-1].T
        for d, (R, _, _) in enumerate(dense):
            X[:, lam.size + d * B: lam.size + (d + 1) * B] = R
        out = np.empty((len(wl), nb * B))
        for o in range(len(wl)):
            Y = out[o].reshape(nb, B)
            np.matmul(X, np.concatenate([wl[o][:, None] * Ai] + [K[o] for _, K, _ in dense]),
                      out=Y)
            for R, K, rows in channels:
                if rows is not None:
                    Y[rows] += R[rows] @ K[o]
        return out[:, :n]


def half_life_minutes(drug) -> tuple[float, str]:
    """The drug's CSF half-life (minutes) and where it comes from: its sourced value (or the
    geometric middle of a sourced range); else morphine's, scaled by lipophilicity (sourced
    octanol/water coefficients, assumed exponent). InputError if neither is known: no
    half-life is invented."""
    from .. import drugs
    from ..errors import InputError
    d = drugs.get(drug)
    f = d.csf_half_life
    if f is not None and not f.assumption:
        if f.value is not None:
            return f.value * 1440.0, f.label
        return (float(np.sqrt(f.low * f.high)) * 1440.0,
                f"{f.label}, geometric middle of the range")
    lip = d.lipophilicity
    if lip is None or lip.get("octanol_water") is None:
        raise InputError("drug", d.name, "neither its CSF half-life nor its octanol/water "
                         "coefficient is in the library's sources, so the CSF model cannot "
                         "follow it")
    morphine = drugs.get("morphine")
    ratio = lip["octanol_water"] / morphine.lipophilicity["octanol_water"]
    exponent = csf_facts()["lipophilicity_exponent"].value
    return (morphine.csf_half_life.value * 1440.0 / ratio ** exponent,
            f"morphine's {morphine.csf_half_life.label} scaled by lipophilicity {lip.label} "
            "(the exponent is a teaching assumption)")


def spread_profile(tip: int, width: int | None = None) -> np.ndarray:
    """Fractions of a fast injection reaching each compartment: the tip and ``width`` levels
    either side, falling off linearly (kept within the spinal canal)."""
    width = int(csf_facts()["spread_levels"].value) if width is None else width
    weights = np.zeros(len(LEVELS))
    for i in range(max(0, tip - width), min(len(LEVELS) - 1, tip + width + 1)):
        weights[i] = width + 1 - abs(i - tip)
    return weights / weights.sum()


def catheter_inputs(mass_per_step, flow_ml_per_min, tip: int) -> tuple[list, np.ndarray]:
    """What leaves the catheter, as inputs for :meth:`CSFModel.response`: ``mass_per_step``
    mcg leaving at ``flow_ml_per_min``. Slow flow stays at the tip's level; a fast injection
    carries the share :func:`fast_fraction` along :func:`spread_profile`. Returns
    ([(mcg per step, where), ...], the fast mcg per step). The usual flow's split is one input
    for every step, and the steps whose flow differs (boluses) add a correction that is zero
    elsewhere, so the solver can skip it: exactly the same split, at the cost of one input."""
    mass = np.asarray(mass_per_step, dtype=float)
    f = fast_fraction(flow_ml_per_min)
    fast = mass * f
    if not fast.sum() > 1e-9 * max(mass.sum(), 1e-12):
        return [(mass, tip)], fast
    spread, at_tip = spread_profile(tip), np.zeros(len(LEVELS))
    at_tip[tip] = 1.0
    sample = f[np.linspace(0, f.size - 1, 9).astype(int)]      # nine evenly spread steps
    values, counts = np.unique(sample, return_counts=True)
    usual = values[np.argmax(counts)]                             # their commonest flow
    inputs = [(mass, (1 - usual) * at_tip + usual * spread)]
    other = np.flatnonzero(f != usual)
    if other.size:
        correction = np.zeros(mass.size)
        correction[other] = mass[other] * (f[other] - usual)
        inputs.append((correction, spread - at_tip))
    return inputs, fast


def fast_fraction(flow_ml_per_min) -> np.ndarray:
    """Share of what leaves the catheter that a fast injection carries beyond the tip."""
    q = np.asarray(flow_ml_per_min, dtype=float)
    half = csf_facts()["spread_flow"].value / 1440.0
    return q / (q + half)


def model_for(drug) -> CSFModel:
    """The CSF model for ``drug``: sourced volumes, assumed mixing and drift, clearance from
    the drug's CSF half-life. Built once per drug (its modes take a matrix decomposition)."""
    from .. import drugs
    return _model_for(drugs.get(drug).name)


@lru_cache(maxsize=None)
def _model_for(drug: str) -> CSFModel:
    f = csf_facts()
    t_half, _ = half_life_minutes(drug)
    return CSFModel(segment_volumes(), mixing_flows(), f["bulk_flow"].value / 1440.0,
                    np.log(2) / t_half)


def mixing_flows() -> np.ndarray:
    """Exchange flow (mL/min) across each interface between neighbouring compartments: the
    lumbar value up to T12, growing geometrically to the cervical value at the cranial end
    (pulsation is strong in the neck and nearly absent in the lumbar sac)."""
    f = csf_facts()
    low, high = f["mixing_flow"].value / 1440.0, f["cervical_mixing_flow"].value / 1440.0
    flows = np.full(len(LEVELS) - 1, low)
    first = index("T12")                       # interface T12 | T11 and everything above
    steps = np.arange(flows.size - first)
    flows[first:] = low * (high / low) ** (steps / steps[-1])
    return flows


def tracer_model() -> CSFModel:
    """The CSF model for a tracer that leaves the CSF only with its turnover (production
    [C4] / total volume [C1]): for comparing transport with tracer imaging [C16]."""
    f = csf_facts()
    production = float(np.sqrt(f["production"].low * f["production"].high)) / 1440.0
    v = segment_volumes()
    return CSFModel(v, mixing_flows(), f["bulk_flow"].value / 1440.0, production / v.sum())
