"""Clinical and device data files, each number with its source (see sources.toml)."""
from __future__ import annotations

import copy
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DATA_DIR = Path(__file__).parent


_OVERRIDDEN: dict[str, dict] = {}     # data file name -> its changed copy, inside override()


@lru_cache(maxsize=None)
def _read(name: str) -> dict:
    with open(DATA_DIR / f"{name}.toml", "rb") as f:
        return tomllib.load(f)


def load(name: str) -> dict:
    """The parsed TOML data file ``name`` (e.g. ``"drugs"``), cached (changed only inside
    :func:`override`)."""
    return _OVERRIDDEN[name] if name in _OVERRIDDEN else _read(name)


@contextmanager
def override(changes: dict):
    """Run the model with some data values changed, for calibration and sensitivity studies:
    ``changes`` maps ``"file:dotted.path"`` to a new value, e.g.
    ``{"body:csf.mixing_flow": "0.1 mL/min", "response:drugs.baclofen.effects.sedation.ratio":
    0.3}``. A path that ends at a fact table sets its ``value``. Every cached result of the
    package is dropped on entry and on exit, so nothing computed with the changed values
    outlives the block. Not thread-safe; never used by the course itself."""
    saved = dict(_OVERRIDDEN)
    try:
        for path, value in changes.items():
            name, _, dotted = path.partition(":")
            if name not in _OVERRIDDEN:
                _OVERRIDDEN[name] = copy.deepcopy(_read(name))
            table, leaf = _entry(_OVERRIDDEN[name], path)
            table[leaf] = value
        clear_caches()
        yield
    finally:
        _OVERRIDDEN.clear()
        _OVERRIDDEN.update(saved)
        clear_caches()


def _entry(root: dict, path: str) -> tuple[dict, str]:
    """The table and key that ``"file:dotted.path"`` names in ``root`` (a fact table's
    ``value`` when the path ends at one); KeyError naming the path if there is none."""
    *parents, leaf = path.partition(":")[2].split(".")
    table = root
    for key in parents:
        table = table.get(key) if isinstance(table, dict) else None
        if table is None:
            break
    if not isinstance(table, dict) or leaf not in table:
        raise KeyError(f"{path}: no such entry")
    if isinstance(table[leaf], dict) and "value" in table[leaf]:
        return table[leaf], "value"
    return table, leaf


def value(path: str):
    """The value ``"file:dotted.path"`` holds (a fact's ``value``), e.g.
    ``value("body:csf.mixing_flow")`` -> ``"0.05 mL/min"``."""
    table, leaf = _entry(load(path.partition(":")[0]), path)
    return table[leaf]


def clear_caches():
    """Drop every ``functools`` cache in the itsim package (the data files' own excepted)."""
    for mod_name, mod in list(sys.modules.items()):
        if mod is None or not (mod_name == "itsim" or mod_name.startswith("itsim.")):
            continue
        for obj in list(vars(mod).values()):
            if obj is not _read and callable(getattr(obj, "cache_clear", None)):
                obj.cache_clear()


def sources() -> dict[str, dict]:
    """Source tag -> {title, url, reference[, reliability]}."""
    return load("sources")
