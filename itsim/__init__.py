"""itsim: an open simulator of intrathecal drug delivery, for teaching.

FOR EDUCATION ONLY. Not a medical device; never use it to dose or manage a patient.

Model layers (pure numpy and pint; no widgets): :mod:`itsim.units`, :mod:`itsim.drugs`,
:mod:`itsim.dosing`, :mod:`itsim.device`, :mod:`itsim.body` (CSF and response),
:mod:`itsim.cohorts`; the procedures :mod:`itsim.trial`, :mod:`itsim.implant`, :mod:`itsim.refill` and
:mod:`itsim.refill_station`, :mod:`itsim.troubleshoot`; complications over the years in
:mod:`itsim.hazards`.
:mod:`itsim.ui` holds every widget and figure;
:mod:`itsim.exercises` checks learners' answers. Submodules load on first use so that
``import itsim`` is fast.
"""
from __future__ import annotations

import importlib

from .errors import InputError, ItsimError, UnknownDrugError
from .memory import keep_freed_memory

keep_freed_memory()           # re-runs reuse freed memory instead of faulting in fresh pages

__version__ = "0.1.0"
DISCLAIMER = ("For education only: itsim is a teaching simulator, not a medical device. "
              "Never use it to dose, program or manage a real patient.")

_SUBMODULES = ("units", "drugs", "dosing", "device", "events", "simulation", "timeline",
               "scenario", "exercises", "ui", "cli", "data", "facts", "body", "cohorts",
               "trial", "implant", "refill", "refill_station", "hazards", "troubleshoot",
               "patient_guide", "authoring", "memory", "shipped",
               "patient_safety", "emergency")


def simulate(**kwargs):
    """Run program -> pump -> catheter; see :func:`itsim.simulation.simulate`."""
    from .simulation import simulate as run
    return run(**kwargs)


def cohort(n, **kwargs):
    """Simulate ``n`` seeded virtual patients at once; see :func:`itsim.cohorts.cohort`."""
    from .cohorts import cohort as run
    return run(n, **kwargs)


def event(at, kind, **params):
    """An event on the timeline; see :func:`itsim.events.event`."""
    from .events import event as make
    return make(at, kind, **params)


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'itsim' has no attribute {name!r}")


__all__ = ["ItsimError", "InputError", "UnknownDrugError", "__version__", "DISCLAIMER", "simulate", "cohort", "event",
           *_SUBMODULES]
