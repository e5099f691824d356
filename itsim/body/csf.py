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

LEVELS = (["S"] + [f"L{i}" for i in range(5, 0, -1)] + [f"T{i}" for i in range(12, 0, -1)]
          + [f"C{i}" for i in range(7, 0, -1)] + ["cranial"])
BODY_KINDS = {"total_volume": "volume", "spinal_volume": "volume",
              "lumbosacral_volume": "volume", "lumbar_segment_volume": "volume",
              "production": "flow", "cranial_volume": "volume", "segment_split": "volume",
              "mixing_flow": "flow", "bulk_flow": "flow"}


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
    inputs. ``clearance``: first-order loss from each compartment (1/min)."""

    volumes: np.ndarray
    mixing: float
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

    def matrix(self) -> np.ndarray:
        """dc/dt = M c (1/min): exchange with neighbours, upward drift, clearance."""
        v, s = self.volumes, self.volumes.size
        M = np.zeros((s, s))
        for i in range(s - 1):
            ex = self.mixing
            M[i, i] -= ex / v[i]
            M[i, i + 1] += ex / v[i]
            M[i + 1, i + 1] -= ex / v[i + 1]
            M[i + 1, i] += ex / v[i + 1]
            M[i + 1, i] += self.bulk / v[i + 1]          # upward drift: i feeds i + 1
            M[i, i] -= self.bulk / v[i]
        M -= np.diag(self.clearance)
        return M

    def response(self, mass_per_step: np.ndarray, dt: float, tip: int, outputs,
                 block: int = 32, c0=None) -> np.ndarray:
        """Concentration (mcg/mL) at compartments ``outputs`` at the end of each step, for
        ``mass_per_step`` mcg entering compartment ``tip`` evenly during each step of ``dt``
        minutes. Exact for that input. Returns an array (len(outputs), N)."""
        r = np.asarray(mass_per_step, dtype=float) / dt          # mcg/min, constant per step
        n = r.size
        lam, W, Winv = self.lam, self.W, self.Winv
        a = np.exp(lam * dt)
        g = np.where(np.abs(lam) > 1e-15, np.expm1(lam * dt) / np.where(
            lam == 0, 1, lam), dt)                               # integral of e^{lam s} ds
        beta = Winv[:, tip] / self.volumes[tip]                  # mode loadings of a unit input
        B = block
        nb = -(-n // B)
        rp = np.zeros(nb * B)
        rp[:n] = r
        R = rp.reshape(nb, B)                                    # blocks x steps
        k = np.arange(B)
        # effect of one block's input on the modes at its end: sum_k a^(B-1-k) g beta r_k
        P = a[:, None] ** (B - 1 - k)[None, :]                   # modes x B
        G = (R @ P.T) * (g * beta)                               # blocks x modes
        aB = a ** B
        Z = np.empty((nb + 1, lam.size))                         # modes at block starts
        Z[0] = 0.0 if c0 is None else Winv @ np.asarray(c0, dtype=float)
        for m in range(lam.size):                                # one recurrence per mode
            Z[1:, m] = _recurrence(aB[m], G[:, m], Z[0, m])
        out = np.empty((len(outputs), nb * B))
        i = np.arange(1, B + 1)
        Ai = a[:, None] ** i[None, :]                            # modes x B: a^i
        # inside a block: step j (0-based) ends after j + 1 steps: a^(j+1) z0 + sum_{k<=j}
        # a^(j-k) g beta r_k
        lower = (i[None, :] - 1 - k[:, None])                    # k x j : exponent j - k
        mask = lower >= 0
        for o, loc in enumerate(outputs):
            wl = W[loc]                                          # modes
            free = Z[:-1] @ (wl[:, None] * Ai)                   # blocks x B
            K = np.zeros((B, B))
            for m in range(lam.size):                            # kernel: k -> j
                K += wl[m] * g[m] * beta[m] * np.where(mask, a[m] ** np.maximum(lower, 0), 0)
            out[o] = (free + R @ K).ravel()
        return out[:, :n]

    def state_at(self, mass_per_step, dt, tip, steps) -> np.ndarray:
        """The whole spine (concentration per compartment) at the end of the given steps."""
        return self.response(mass_per_step, dt, tip, range(self.volumes.size))[:, steps].T


def half_life_minutes(drug) -> tuple[float, str]:
    """The drug's CSF half-life (minutes) and where it comes from: the sourced value, or the
    geometric middle of a sourced range (labelled as derived). InputError if not in the
    library: no half-life is invented."""
    from .. import drugs
    from ..errors import InputError
    d = drugs.get(drug)
    f = d.csf_half_life
    if f is None or f.assumption:
        raise InputError("drug", d.name, "its CSF half-life is not in the library's sources, so "
                         "the CSF model is available only for " + ", ".join(
                             x.name for x in drugs.library().values()
                             if x.csf_half_life is not None and not x.csf_half_life.assumption))
    if f.value is not None:
        return f.value * 1440.0, f.label
    return float(np.sqrt(f.low * f.high)) * 1440.0, f"{f.label}, geometric middle of the range"


def model_for(drug) -> CSFModel:
    """The CSF model for ``drug``: sourced volumes, assumed mixing and drift, clearance from
    the drug's CSF half-life."""
    f = csf_facts()
    t_half, _ = half_life_minutes(drug)
    return CSFModel(segment_volumes(), f["mixing_flow"].value / 1440.0,
                    f["bulk_flow"].value / 1440.0, np.log(2) / t_half)


def _recurrence(a: float, x: np.ndarray, z0: float) -> np.ndarray:
    """y[j] = a y[j-1] + x[j-1] (y[-1] = z0), returned for j = 1..len(x): a first-order
    linear recurrence computed in C by scipy.signal.lfilter."""
    from scipy.signal import lfilter
    y, _ = lfilter([1.0], [1.0, -a], x, zi=[a * z0])
    return y
