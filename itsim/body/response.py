"""What the patient feels: effects of the drug in the CSF, for one patient or a cohort.

The last stage of the chain (program -> pump -> catheter -> CSF -> response). Inputs are the
CSF concentrations (mcg/mL) at the target level and at the brainstem on the simulation's
time grid; outputs are a score on the patient's scale (pain NRS 0-10 or Modified Ashworth
0-4) and effect indices from 0 (none) to 1 (maximal):

- effect site: the target's concentration is followed with a delay (``effect_delay``), one
  first-order step or a few in series (``effect_stages``); the brainstem's with one step
  (``brainstem_delay``, the effect delay unless given);
- main effect (pain relief or tone reduction): a sigmoid Emax curve, x^n / (1 + x^n), with
  x = exposure x sensitivity x Ce / (EC50 x (1 + gain x tolerance)) and the drug's
  ``steepness`` n; side effects: x / (1 + x) with the half-effect concentration EC50 x ratio;
- tolerance: follows the exposure with ``tolerance_time`` (months);
- withdrawal: the body's adaptation follows the exposure with ``dependence_time``; when the
  exposure falls below it, withdrawal builds with ``withdrawal_time`` and the score rebounds
  towards the top of the scale.

Every stage is a linear filter over the whole array (``recurrence.first_order``) or an
elementwise formula, so a year at 1-minute steps or 10 000 patients at hourly steps cost
milliseconds to a second. Patients differ by three factors (exposure, sensitivity,
tolerance) and a baseline; the shared filters run once and the patients only scale them.

Numbers come from ``data/response.toml``: the half-effect concentration is derived from the
patient group's sourced maintenance dose range, everything else is sourced or a labelled
teaching assumption.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .. import data
from ..errors import InputError
from ..facts import Fact, parse_fact
from .recurrence import first_order

SCALES = {"NRS": {"max": 10.0, "what": "pain", "column": "pain_score_nrs_0_10",
                  "name": "pain (NRS 0-10)"},
          "MAS": {"max": 4.0, "what": "tone", "column": "tone_score_mas_0_4",
                  "name": "muscle tone (Modified Ashworth 0-4)"}}
MODEL_KINDS = {"reference_level": None, "maintenance_effect": None, "max_effect": None,
               "syndrome_threshold": None, "exposure_variability": None,
               "sensitivity_variability": None, "tolerance_variability": None}
DRUG_KINDS = {"effect_delay": "time", "effect_stages": None, "brainstem_delay": "time",
              "steepness": None, "tolerance_time": "time", "tolerance_gain": None,
              "dependence_time": "time", "withdrawal_time": "time", "rebound": None,
              "withdrawal": None}
IMPORTANT_CHANGE = 0.30   # a 30 % fall in pain NRS is clinically important [SC2] (pain only)


@lru_cache(maxsize=1)
def model_facts() -> dict:
    raw = data.load("response")["model"]
    return {k: parse_fact(f"response.toml [model].{k}", k, v, MODEL_KINDS[k])
            for k, v in raw.items()}


def presets() -> list[str]:
    """Names of the patient presets."""
    return list(data.load("response")["patients"])


@dataclass(frozen=True)
class Patient:
    """One patient: a preset and four numbers. ``exposure``: CSF concentration factor
    (CSF volume, clearance); ``sensitivity``: effect factor; ``tolerance``: factor on how
    strongly tolerance builds; all 1 for the typical patient."""

    preset: str
    label: str
    scale: str
    baseline: float
    opioid_tolerant: bool
    exposure: float = 1.0
    sensitivity: float = 1.0
    tolerance: float = 1.0
    seed: int | None = None


def _preset(name) -> dict:
    table = data.load("response")["patients"]
    if not isinstance(name, str) or name not in table:
        raise InputError("patient.preset", name, "expected one of " + ", ".join(table))
    return table[name]


def _preset_fact(name: str, key: str) -> Fact:
    return parse_fact(f"response.toml [patients.{name}].{key}", key, _preset(name)[key])


PATIENT_KEYS = {"preset", "baseline", "exposure", "sensitivity", "tolerance", "seed"}


def patient(spec) -> Patient:
    """A Patient from a preset name or a dict: ``preset`` and optionally ``baseline``
    (score before therapy), ``exposure``/``sensitivity``/``tolerance`` (factors, typical 1)
    or ``seed`` (draw a virtual patient from the group's variability)."""
    if isinstance(spec, Patient):
        return spec
    if isinstance(spec, str):
        spec = {"preset": spec}
    if not isinstance(spec, dict) or "preset" not in spec:
        raise InputError("patient", spec, "expected a preset name (" + ", ".join(presets())
                         + ") or a dict with 'preset'")
    for key in spec:
        if key not in PATIENT_KEYS:
            raise InputError(f"patient.{key}", spec[key], "unknown; allowed: "
                             + ", ".join(sorted(PATIENT_KEYS)))
    name = spec["preset"]
    p = _preset(name)
    scale = p["scale"]
    values = {"baseline": _preset_fact(name, "baseline").value, "exposure": 1.0,
              "sensitivity": 1.0, "tolerance": 1.0}
    seed = spec.get("seed")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise InputError("patient.seed", seed, "expected a whole number, 0 or more")
        drawn = draw(name, 1, seed)
        values.update({k: float(v[0]) for k, v in drawn.items()})
    top = SCALES[scale]["max"]
    for key in ("baseline", "exposure", "sensitivity", "tolerance"):
        if key not in spec:
            continue
        v = spec[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
            raise InputError(f"patient.{key}", v, "expected a number")
        if key == "baseline" and not 0 < v <= top:
            raise InputError("patient.baseline", v, f"a score above 0 and at most {top:g} "
                             f"on the {scale} scale")
        if key != "baseline" and not 0.05 <= v <= 20:
            raise InputError(f"patient.{key}", v, "a factor from 0.05 to 20 (1 is typical)")
        values[key] = float(v)
    return Patient(name, p["label"], scale, opioid_tolerant=bool(p["opioid_tolerant"]),
                   seed=seed, **values)


def draw(preset: str, n: int, seed: int) -> dict:
    """``n`` virtual patients of ``preset``, seeded: arrays of baseline, exposure,
    sensitivity and tolerance factors (log-normal with the data file's variability; the
    baseline normal, kept on the scale)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1_000_000:
        raise InputError("n", n, "a whole number of patients from 1 to 1000000")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "expected a whole number, 0 or more")
    f = model_facts()
    rng = np.random.default_rng(seed)

    def lognormal(cv):
        s = np.sqrt(np.log1p(cv ** 2))
        return np.exp(rng.normal(-s * s / 2, s, n))          # mean 1

    base, sd = _preset_fact(preset, "baseline").value, _preset_fact(preset, "baseline_sd").value
    top = SCALES[_preset(preset)["scale"]]["max"]
    out = {"exposure": lognormal(f["exposure_variability"].value),
           "sensitivity": lognormal(f["sensitivity_variability"].value),
           "tolerance": lognormal(f["tolerance_variability"].value)}
    # a score is bounded: draw, then keep within (top/10, top] so every patient has symptoms
    out["baseline"] = np.clip(rng.normal(base, sd, n), top / 10, top)
    return out


@dataclass(frozen=True)
class Pharmacology:
    """A drug's effects in one patient group. Concentrations mcg/mL, times minutes."""

    drug: str
    preset: str
    ec50: float
    effect_delay: float
    tolerance_time: float
    tolerance_gain: float
    dependence_time: float
    withdrawal_time: float
    withdrawal: bool
    rebound: bool
    effects: dict           # name -> (site, ratio, tolerates)
    maintenance: Fact
    overdose_effect: str | None
    overdose_signs: str
    withdrawal_features: str
    steepness: float = 1.0  # Hill coefficient of the main effect
    effect_stages: int = 1  # the main effect-site delay as this many first-order steps
    brainstem_delay: float | None = None   # minutes; None: the same as effect_delay


@lru_cache(maxsize=None)
def pharmacology(drug: str, preset: str) -> Pharmacology:
    """The effect parameters of ``drug`` in patient group ``preset``. InputError when the
    group has no sourced maintenance range for the drug (nothing is guessed)."""
    from . import csf
    from .. import drugs
    d = drugs.get(drug).name
    p = _preset(preset)
    table = data.load("response")
    if d not in p.get("maintenance", {}):
        raise InputError("drug", d, f"no sourced maintenance dose for {d} in "
                         f"{p['label']}; the response can be simulated here for "
                         + ", ".join(p.get("maintenance", {})))
    maintenance = parse_fact(f"response.toml [patients.{preset}].maintenance.{d}", d,
                             p["maintenance"][d], "dose_rate")
    raw = table["drugs"][d]
    f = {k: parse_fact(f"response.toml [drugs.{d}].{k}", k, raw[k], DRUG_KINDS[k])
         for k in DRUG_KINDS if k in raw}
    effects = {}
    for name, e in raw.get("effects", {}).items():
        fact = parse_fact(f"response.toml [drugs.{d}].effects.{name}", name, e)
        effects[name] = (fact["site"], float(fact["ratio"]), bool(fact["tolerates"]))
    mf = model_facts()
    m = mf["maintenance_effect"].value
    dose = float(np.sqrt(maintenance.low * maintenance.high))        # mcg/day, geometric middle
    ref = csf.index(mf["reference_level"].value)
    c_ss = steady_state(d, ref, dose)[ref]
    over = table.get("overdose", {}).get(d, {})
    withdrawal = f.get("withdrawal")
    n = float(f["steepness"].value)
    stages = int(f["effect_stages"].value) if "effect_stages" in f else 1
    if stages < 1:
        raise InputError(f"response.toml [drugs.{d}].effect_stages", stages, "1 or more")
    return Pharmacology(
        d, preset, ec50=c_ss / (m / (1 - m)) ** (1 / n), steepness=n, effect_stages=stages,
        brainstem_delay=(f["brainstem_delay"].value * 1440 if "brainstem_delay" in f else None),
        effect_delay=f["effect_delay"].value * 1440,
        tolerance_time=f["tolerance_time"].value * 1440,
        tolerance_gain=f["tolerance_gain"].value,
        dependence_time=f["dependence_time"].value * 1440,
        withdrawal_time=f["withdrawal_time"].value * 1440,
        withdrawal=True if withdrawal is None else bool(withdrawal.value),
        rebound=bool(f["rebound"].value), effects=effects, maintenance=maintenance,
        overdose_effect=over.get("effect"), overdose_signs=over.get("signs", {}).get("value", ""),
        withdrawal_features=withdrawal_features(d))


def target(name: str) -> Fact:
    """A sourced window the model's assumptions were chosen to meet (``[targets]`` in
    response.toml; times in days), e.g. ``"baclofen_withdrawal_flag"``."""
    table = data.load("response").get("targets", {})
    if not isinstance(name, str) or name not in table:
        raise InputError("target", name, "expected one of " + ", ".join(table))
    return parse_fact(f"response.toml [targets.{name}]", name, table[name], "time")


def withdrawal_features(drug: str) -> str:
    """What withdrawal looks like for ``drug`` (sourced text), or '' if not in the data."""
    w = data.load("response").get("withdrawal", {}).get(drug)
    return "" if w is None else f"{w['features']['value']} [{', '.join(w['features']['source'])}]"


def steady_state(drug: str, level: int, dose_mcg_per_day: float) -> np.ndarray:
    """CSF concentration (mcg/mL) in every compartment for a slow infusion of
    ``dose_mcg_per_day`` into compartment ``level``, once it has settled."""
    from . import csf
    model = csf.model_for(drug)
    source = np.zeros(model.volumes.size)
    source[level] = dose_mcg_per_day / 1440.0 / model.volumes[level]
    return -np.linalg.solve(model.M, source)


def lag(x: np.ndarray, dt: float, half_time: float, scale: float = 1.0,
        dtype=np.float64) -> np.ndarray:
    """First-order delay along the last axis (steps of ``dt`` minutes; ``half_time``
    minutes), exact for a value held over each step: y[k] = a y[k-1] + (1 - a) x[k]; the
    result times ``scale``, stored as ``dtype``."""
    a = float(np.exp(-np.log(2) * dt / half_time))
    return first_order(a, x, scale=(1.0 - a) * scale, dtype=dtype)


def effect_site(x: np.ndarray, dt: float, ph: Pharmacology, scale: float = 1.0,
                dtype=np.float64) -> np.ndarray:
    """The concentration at the main (spinal) effect site: ``ph.effect_stages`` first-order
    steps in series, each with half-time ``effect_delay / effect_stages`` (one step: the
    plain delay; more: a later, steeper onset and a shorter effect, same mean delay)."""
    k = ph.effect_stages
    for _ in range(k - 1):
        x = lag(x, dt, ph.effect_delay / k)
    return lag(x, dt, ph.effect_delay / k, scale, dtype)


@dataclass
class Response:
    """The response on the simulation's grid. Arrays are (patients, steps), or (steps,)
    for one patient. ``score`` is on ``scale``; ``relief`` and ``effects`` are 0-1."""

    pharmacology: Pharmacology
    scale: str
    baseline: np.ndarray
    score: np.ndarray
    relief: np.ndarray
    effects: dict = field(default_factory=dict)
    withdrawal: np.ndarray | None = None
    tolerance: np.ndarray | None = None       # factor on the half-effect concentration
    patient: Patient | None = None

    @property
    def scale_max(self) -> float:
        return SCALES[self.scale]["max"]

    def columns(self) -> dict:
        """CSV columns (name with units -> array) for one patient."""
        out = {SCALES[self.scale]["column"]: self.score, "relief_fraction": self.relief}
        for name, x in self.effects.items():
            out[f"{name}_index_0_1"] = x
        out["withdrawal_index_0_1"] = self.withdrawal
        return out

    def summary(self, t: np.ndarray) -> dict:
        """Figures for ``itsim run --json`` (one patient; ``t`` in days)."""
        ph, thr = self.pharmacology, model_facts()["syndrome_threshold"].value
        s, base = self.score, float(self.baseline)
        best = int(np.argmin(s))
        p = self.patient
        out = {"patient": ph.preset, "scale": SCALES[self.scale]["name"],
               "baseline": round(base, 3),
               "score_start": round(float(s[0]), 3), "score_end": round(float(s[-1]), 3),
               "score_best": round(float(s[best]), 3), "score_best_day": round(float(t[best]), 4),
               "relief_end": round(float(self.relief[-1]), 4),
               "important_relief_day": (_first(t, s <= (1 - IMPORTANT_CHANGE) * base)
                                        if self.scale == "NRS" else None),
               "tolerance_factor_end": round(float(self.tolerance[-1]), 4),
               "half_effect_dose_mcg_per_day": round(half_effect_dose(ph), 4),
               "effects": {k: {"max": round(float(v.max()), 4),
                               "day": round(float(t[int(np.argmax(v))]), 4)}
                           for k, v in self.effects.items()}}
        if p is not None:
            out["factors"] = {"exposure": p.exposure, "sensitivity": p.sensitivity,
                              "tolerance": p.tolerance}
        od = self.effects.get(ph.overdose_effect)
        out["overdose"] = None if od is None else {
            "effect": ph.overdose_effect, "max": round(float(od.max()), 4),
            "first_day": _first(t, od >= thr), "signs": ph.overdose_signs}
        w = self.withdrawal
        out["withdrawal"] = {"possible": ph.withdrawal, "max": round(float(w.max()), 4),
                             "first_day": _first(t, w >= thr),
                             "features": ph.withdrawal_features}
        return out



def half_effect_dose(ph: Pharmacology) -> float:
    """Daily dose (mcg/day) that gives a typical patient of the group half the maximum
    effect at steady state with the tip at the reference level."""
    m = model_facts()["maintenance_effect"].value
    return (float(np.sqrt(ph.maintenance.low * ph.maintenance.high))
            / (m / (1 - m)) ** (1 / ph.steepness))


def _first(t, mask):
    i = np.flatnonzero(mask)
    return None if i.size == 0 else round(float(t[i[0]]), 4)


def respond(c_target, c_brainstem, dt: float, ph: Pharmacology, *, baseline, exposure=1.0,
            sensitivity=1.0, tolerance=1.0, outputs=None, dtype=np.float64,
            reduce_effects: bool = False, chunk: int = 256, antagonism=None) -> Response:
    """The response to CSF concentrations ``c_target`` and ``c_brainstem`` (mcg/mL, one per
    step of ``dt`` minutes). Patient factors are scalars (one patient: 1-D results) or
    arrays of N (a cohort: (N, steps) results). ``outputs``: effect names to compute (all
    by default; ``[]`` for the score only); ``reduce_effects``: keep only each patient's
    largest value of each effect (arrays of N), to spare memory in large cohorts.
    ``antagonism``: a factor per step (1 or more) dividing the effect-site concentrations
    behind the score and the effects, for an antagonist such as naloxone (tolerance and
    dependence follow the drug itself)."""
    f = model_facts()
    emax = f["max_effect"].value
    one = np.ndim(baseline) == 0
    col = (lambda v: np.reshape(np.asarray(v, dtype=float), (-1, 1)))
    base, expo, sens, tol = (col(v) for v in (baseline, exposure, sensitivity, tolerance))
    n = max(len(base), len(expo), len(sens), len(tol))
    base, expo, sens, tol = (np.broadcast_to(v, (n, 1)) for v in (base, expo, sens, tol))
    # Shared filters (one run for all patients); full-length arrays are made as few times
    # as possible and then reused in place. Effect sites in units of the half-effect
    # concentration: the target's in double precision (tolerance and withdrawal follow it),
    # the brainstem's straight in ``dtype``.
    u = effect_site(c_target, dt, ph, 1 / ph.ec50)
    ub = lag(c_brainstem, dt, ph.effect_delay if ph.brainstem_delay is None
             else ph.brainstem_delay, 1 / ph.ec50, dtype)
    tol_d = lag(u, dt, ph.tolerance_time, ph.tolerance_gain, dtype)
    if ph.withdrawal:
        dep = lag(u, dt, ph.dependence_time)
        # deficit = (1 - u / dep) kept within 0..1, weighted by how adapted the body is
        deficit = np.divide(u, dep, out=np.ones_like(u), where=dep > 0)
        np.subtract(1.0, deficit, out=deficit)
        np.clip(deficit, 0.0, 1.0, out=deficit)
        dep /= 1 + dep
        deficit *= dep
        withdrawal = lag(deficit, dt, ph.withdrawal_time, dtype=dtype)
    else:
        withdrawal = np.zeros(u.shape, dtype=dtype)
    names = list(ph.effects) if outputs is None else list(outputs)
    for name in names:
        if name not in ph.effects:
            raise InputError("outputs", name, "effects of " + ph.drug + ": "
                             + ", ".join(ph.effects))
    steps = u.size
    scale = _preset(ph.preset)["scale"]
    top = SCALES[scale]["max"]
    score = np.empty((n, steps), dtype=dtype)
    relief = np.empty((n, steps), dtype=dtype) if one else None
    effects = {k: np.empty(n if reduce_effects else (n, steps), dtype=dtype) for k in names}
    rebound = withdrawal if ph.rebound else np.zeros(u.shape, dtype=dtype)
    u_d = u.astype(dtype, copy=False)
    if antagonism is not None:
        block = np.asarray(antagonism, dtype=dtype)
        u_d = u_d / block
        ub = ub / block
    raw = {"target": u_d, "brainstem": ub}
    sites = {"target"} | {ph.effects[e][0] for e in names if ph.effects[e][2]}
    hill = ph.steepness

    def patients(starts):
        """Fill the outputs for the chunks of patients beginning at ``starts``."""
        rows = min(n, chunk)
        buffer = lambda: np.empty((rows, steps), dtype=dtype)    # noqa: E731
        scratch, inv_tf = buffer(), buffer()                     # reused by every chunk
        work = buffer() if reduce_effects else None
        tolerated = {site: buffer() for site in sites}
        for lo in starts:
            sl = slice(lo, min(n, lo + chunk))
            m = sl.stop - sl.start
            a = (expo[sl] * sens[sl]).astype(dtype)
            b = base[sl].astype(dtype)
            tmp = scratch[:m]
            # 1 / (1 + gain x T): the tolerance factor, once for all effects that tolerate
            tf = inv_tf[:m]
            np.multiply((tol[sl] * expo[sl]).astype(dtype), tol_d, out=tf)
            tf += 1
            np.reciprocal(tf, out=tf)
            made = {site: np.multiply(raw[site], tf, out=buf[:m])
                    for site, buf in tolerated.items()}
            out = score[sl]                                  # the main effect, as a score
            np.multiply(a, made["target"], out=out)
            if hill != 1.0:
                np.power(out, hill, out=out)
            r = _emax(out, emax, tmp)
            if relief is not None:
                relief[sl] = r
            np.multiply(r, -b, out=out)                      # b (1 - r) + rebound
            out += b
            np.multiply(rebound, top - b, out=tmp)
            out += tmp
            for name in names:                               # side effects
                site, ratio, tolerates = ph.effects[name]
                y = work[:m] if reduce_effects else effects[name][sl]
                np.multiply(a / ratio, made[site] if tolerates else raw[site], out=y)
                _emax(y, 1.0, tmp)
                if reduce_effects:
                    effects[name][sl] = y.max(axis=1)

    starts = range(0, n, chunk)
    if len(starts) < 4:
        patients(starts)
    else:           # a large cohort: chunks are independent, so two threads share them
        from concurrent.futures import ThreadPoolExecutor  # (numpy releases the GIL)
        with ThreadPoolExecutor(2, thread_name_prefix="itsim-cohort") as pool:
            list(pool.map(patients, (starts[0::2], starts[1::2])))
    if one:
        score, relief = score[0], relief[0]
        effects = {k: v[0] for k, v in effects.items()} if not reduce_effects else effects
        tolerance_out = tol_d * tol_d.dtype.type(tol[0, 0] * expo[0, 0])
        tolerance_out += 1
    else:
        tolerance_out = None
    return Response(ph, scale, np.asarray(baseline, dtype=float) if one else base[:, 0],
                    score, relief, effects, withdrawal, tolerance_out)



def _emax(x: np.ndarray, top: float, scratch: np.ndarray | None = None) -> np.ndarray:
    """top x / (1 + x), in place on ``x`` (``scratch``: a same-shaped buffer to reuse)."""
    d = np.add(x, 1, out=scratch)
    np.divide(x, d, out=x)
    if top != 1.0:
        x *= top
    return x


def all_facts():
    """Every fact in response.toml as (owner, Fact): for the assumptions table and tests."""
    table = data.load("response")
    for k, f in model_facts().items():
        yield "response model", f
    for name, p in table["patients"].items():
        for key in ("baseline", "baseline_sd"):
            yield f"patient {name}", _preset_fact(name, key)
        for drug, raw in p.get("maintenance", {}).items():
            yield f"patient {name}", parse_fact(f"[patients.{name}].maintenance.{drug}",
                                                f"maintenance {drug}", raw, "dose_rate")
    for drug, raw in table["drugs"].items():
        for key in DRUG_KINDS:
            if key in raw:
                yield f"response {drug}", parse_fact(f"[drugs.{drug}].{key}", key, raw[key],
                                                     DRUG_KINDS[key])
        for name, e in raw.get("effects", {}).items():
            yield f"response {drug}", parse_fact(f"[drugs.{drug}].effects.{name}",
                                                 f"{name} (ratio {e['ratio']:g})", e)
    for name in table.get("targets", {}):
        yield "response target", target(name)
    for kind in ("overdose", "withdrawal"):
        for drug, raw in table[kind].items():
            key = "signs" if kind == "overdose" else "features"
            yield f"{kind} {drug}", parse_fact(f"[{kind}.{drug}].{key}", key, raw[key])
