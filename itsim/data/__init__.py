"""Clinical and device data files, each number with its source (see sources.toml)."""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DATA_DIR = Path(__file__).parent


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """The parsed TOML data file ``name`` (e.g. ``"drugs"``), cached."""
    with open(DATA_DIR / f"{name}.toml", "rb") as f:
        return tomllib.load(f)


def sources() -> dict[str, dict]:
    """Source tag -> {title, url, reference[, reliability]}."""
    return load("sources")
