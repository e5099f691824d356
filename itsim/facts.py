"""Sourced facts: one value from a data file, its unit-checked float and its sources.

A fact in ``itsim/data/*.toml`` is a table with ``value`` (or ``low``/``high``) and either
``source = [tags]`` (resolved in ``sources.toml``) or ``assumption = true`` with a ``note``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import data
from .errors import InputError
from .units import parse


@dataclass(frozen=True)
class Fact:
    """One sourced fact. Quantities are floats in canonical units; ``text`` keeps the
    value as written in the data file."""

    name: str
    value: object = None
    low: float | None = None
    high: float | None = None
    source: tuple[str, ...] = ()
    assumption: bool = False
    note: str = ""
    text: str = ""
    extra: dict = field(default_factory=dict)
    alternatives: tuple["Fact", ...] = ()

    def __getitem__(self, key):
        return self.extra[key]

    def get(self, key, default=None):
        return self.extra.get(key, default)

    @property
    def label(self) -> str:
        """Where this fact comes from, for people: '[M1]' or 'teaching assumption'."""
        if self.assumption:
            return "teaching assumption (unverified)"
        return "[" + ", ".join(self.source) + "]"


def parse_fact(where: str, name: str, raw: dict, kind: str | None = None) -> Fact:
    """Parse one fact table; quantities of ``kind`` become canonical floats."""
    if not isinstance(raw, dict):
        raise InputError(where, raw, "expected a table with a value and its source")
    source = tuple(raw.get("source", ()))
    assumption = bool(raw.get("assumption", False))
    if not source and not (assumption and raw.get("note")):
        raise InputError(where, raw, "every fact needs a source, or assumption = true and a note")
    known = data.sources()
    for tag in source:
        if tag not in known:
            raise InputError(f"{where}.source", tag, "expected a tag listed in sources.toml")
    parsed, extra = {}, {}
    for key, val in raw.items():
        if key in ("source", "assumption", "note", "alternatives"):
            continue
        if kind and key in ("value", "low", "high") and isinstance(val, list):
            parsed[key] = tuple(parse(v, kind, f"{where}.{key}") for v in val)
        elif kind and key in ("value", "low", "high"):
            parsed[key] = parse(val, kind, f"{where}.{key}")
        elif key == "max_step":
            extra[key] = parse(val, "dose_rate", f"{where}.{key}")
        elif key == "min_interval":
            extra[key] = parse(val, "time", f"{where}.{key}")
        elif key in ("value", "low", "high"):
            parsed[key] = val
        else:
            extra[key] = val
    text = raw.get("value", "")
    if "low" in raw:
        text = f"{raw['low']} to {raw['high']}"
    alternatives = tuple(parse_fact(f"{where} (alternative)", name, alt, kind)
                         for alt in raw.get("alternatives", ()))
    return Fact(name=name, source=source, assumption=assumption, note=raw.get("note", ""),
                text=", ".join(map(str, text)) if isinstance(text, list) else str(text),
                extra=extra, alternatives=alternatives, **parsed)


