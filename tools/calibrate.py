"""Fit the body model's labelled assumptions to the declared calibration rows.

    python tools/calibrate.py            # fit, write the values into itsim/data/*.toml
    python tools/calibrate.py --check    # fit, and fail if the data files differ

The rows, the parameters, their starting values, bounds and the order of the stages are in
itsim/data/validation.toml, declared before fitting. Each stage is a least-squares fit
(scipy.optimize.least_squares, on the log of simulated / published: the middle of a range,
the bound of a one-sided result) of its parameters to the calibration rows that name them;
validation rows are never used. Fitted facts get ``fitted = true``, the rows they were
fitted to and the date. Every fit starts from the declared values, not from the data
files, so a rerun gives the same values.
"""
from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
import tomllib
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from itsim import data  # noqa: E402
from itsim.body import validation  # noqa: E402

SIG = 3     # significant digits written (and compared by --check)


def _changes(names, x, spec, digits=None):
    """Data changes for parameter values ``x``: each parameter and the facts declared to share
    its value (``also``)."""
    out = {}
    for name, v in zip(names, x):
        p = spec[name]
        v = float(f"{v:.{digits}g}") if digits else float(v)
        for target in [name] + list(p.get("also", [])):
            out[target] = validation.setting(p, v)
    return out


def miss(row, sim: float) -> float:
    """How far ``sim`` is from ``row``'s published result, as a log ratio: to the value, or
    to the geometric middle of a range or window; for a one-sided result, to its bound with
    a 10 % margin (0 on the right side). A result the model never reaches (inf, nan) counts
    as 12 orders of magnitude away."""
    if not np.isfinite(sim) or sim <= 0:
        return 27.6
    if row.rule == "at_least":
        return float(min(0.0, np.log(sim / (row.low * 1.1))))
    if row.rule == "at_most":
        return float(max(0.0, np.log(sim / (row.high / 1.1))))
    return float(np.log(sim / row.centre))


def fit_stage(names, rows, spec, fixed) -> tuple[dict, list]:
    """Fit ``names`` to ``rows`` (the :func:`miss` of each), other values ``fixed``; returns
    the changes and the misses at the solution."""
    lo = np.log([spec[n]["low"] for n in names])
    width = np.log([spec[n]["high"] for n in names]) - lo
    # each parameter as u = 1 + log(x / low) / log(high / low), from 1 to 2: scipy's finite
    # differences are relative to u, which is never near 0
    to_x = lambda u: np.exp(lo + (np.asarray(u) - 1) * width)          # noqa: E731
    u0 = 1 + (np.log([spec[n]["start"] for n in names]) - lo) / width

    def residuals(u):
        with data.override({**fixed, **_changes(names, to_x(u), spec)}):
            return np.array([miss(r, validation.simulated(r)) for r in rows])

    sol = least_squares(residuals, u0, bounds=(1.0, 2.0), diff_step=1e-2, xtol=1e-8,
                        ftol=1e-10, max_nfev=200)
    written = _changes(names, to_x(sol.x), spec, SIG)
    rounded = 1 + (np.log([float(f"{x:.{SIG}g}") for x in to_x(sol.x)]) - lo) / width
    return written, list(residuals(rounded))


def calibrate() -> tuple[dict, dict]:
    """All stages in order: {path: value written}, {path: rows it was fitted to}."""
    table = data.load("validation")
    spec = table["parameters"]
    rows = [r for r in validation.rows() if r.set == "calibration"]
    # every fitted parameter starts at its declared value, whatever the data files hold, so
    # that a rerun gives the same values
    fixed = _changes(list(spec), [spec[n]["start"] for n in spec], spec)
    used = {}
    for names in table["calibration"]["stages"]:
        mine = [r for r in rows if set(r.fits) & set(names)]
        if not mine:
            raise SystemExit(f"calibrate: no calibration row names {names}")
        changes, res = fit_stage(names, mine, spec, fixed)
        fixed.update(changes)
        for name in names:
            for target in [name] + list(spec[name].get("also", [])):
                used[target] = [f"{r.key} [{r.source}]" for r in mine]
        shown = ", ".join(f"{n.split(':')[1]} = {changes[n]}" for n in names)
        fit = ", ".join(f"{r.key} {np.exp(e):.3f}x" for r, e in zip(mine, res))
        print(f"{shown}\n    simulated / published (1 = met): {fit}")
    return fixed, used


# --- writing the values into the data files, one fact line at a time ----------------------

def _inline(d: dict) -> str:
    def one(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(one(x) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False)
    return "{ " + ", ".join(f"{k} = {one(v)}" for k, v in d.items()) + " }"


def _locate(lines, dotted):
    """(line index, line key, field) of ``dotted`` (a table path, a key, maybe a field)."""
    headers = {m.group(1): i for i, l in enumerate(lines)
               if (m := re.match(r"^\[([^\]]+)\]\s*$", l))}
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        header = ".".join(parts[:cut])
        if header not in headers:
            continue
        rest = parts[cut:]
        start = headers[header] + 1
        end = min([i for i in headers.values() if i > headers[header]] + [len(lines)])
        for key, field in ((".".join(rest), "value"), (".".join(rest[:-1]), rest[-1])):
            for i in range(start, end):
                if key and re.match(rf"^{re.escape(key)}\s*=\s*\{{", lines[i]):
                    return i, key, field
    raise SystemExit(f"calibrate: {dotted} not found")


def write(fixed: dict, used: dict, today: str, check: bool) -> list[str]:
    """Write (or with ``check`` compare) each fitted value; returns what differs."""
    differ = []
    by_file: dict[str, list] = {}
    for path, value in fixed.items():
        name, _, dotted = path.partition(":")
        by_file.setdefault(name, []).append((dotted, value, used[path]))
    for name, items in by_file.items():
        file = data.DATA_DIR / f"{name}.toml"
        lines = file.read_text(encoding="utf-8").splitlines()
        for dotted, value, rows in items:
            i, key, field = _locate(lines, dotted)
            table = tomllib.loads("x = " + lines[i].split("=", 1)[1])["x"]
            if table.get(field) != value:
                differ.append(f"{name}.toml {dotted}: {table.get(field)!r} -> {value!r}")
            table[field] = value
            table["fitted"] = True
            table["fitted_to"] = rows
            table.pop("fitted_on", None)
            table["fitted_on"] = today
            if "source" not in table:
                table["assumption"] = True
            note = table.pop("note", None)
            if note is not None:
                table["note"] = note
            lines[i] = f"{key} = {_inline(table)}"
        if not check:
            file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return differ


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="fit, compare with the data files, write nothing")
    args = ap.parse_args(argv)
    fixed, used = calibrate()
    differ = write(fixed, used, datetime.date.today().isoformat(), args.check)
    for d in differ:
        print(("differs: " if args.check else "changed: ") + d)
    if args.check and differ:
        return 1
    print("the data files hold these values" if not differ else "written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
