"""Case files that ship inside the package (``itsim/scenarios``), found with
:mod:`importlib.resources` so that they work from a wheel as from the checkout.

>>> from itsim import shipped
>>> shipped.scenario("catheter_occlusion").name
'catheter_occlusion.toml'
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import InputError, ItsimError


def folder() -> Path:
    """The shipped ``scenarios`` folder (the checkout's top-level ``scenarios`` links to it)."""
    root = resources.files(__package__) / "scenarios"
    if not isinstance(root, Path):
        raise ItsimError("itsim is installed as an archive: its case files need an ordinary "
                         "install (pip install itsim)")
    return root


def scenario_names() -> list[str]:
    """The instructor scenarios for ``itsim run``, by name (file name without ``.toml``)."""
    return sorted(p.stem for p in folder().glob("*.toml"))


def scenario(name: str) -> Path:
    """The shipped scenario ``name`` (e.g. ``"catheter_occlusion"``, ``.toml`` optional)."""
    stem = str(name).removesuffix(".toml")
    path = folder() / f"{stem}.toml"
    if "/" in stem or "\\" in stem or not path.is_file():
        raise InputError("scenario", name, "one shipped with itsim: " + ", ".join(scenario_names()))
    return path


def troubleshooting() -> Path:
    """The troubleshooting cases' folder (for :func:`itsim.troubleshoot.library`)."""
    return folder() / "troubleshooting"


def refill_cases() -> Path:
    """The refill station's cases (for :func:`itsim.refill_station.load_cases`)."""
    return folder() / "cases" / "refill_station.toml"
