"""Keep freed array memory in the process, so that re-running a model is not slowed by the OS.

A 180-day run at 1-minute steps makes about 30 MB of arrays, and a widget update re-runs it.
By default glibc hands large freed blocks back to the operating system (it trims the heap
above 2x the largest block, and maps big blocks on their own), so the next run gets fresh
pages and takes a page fault for every 4 KB touched: about 8000 faults, which measured
10-25 ms per run on the course machines, more than the arithmetic itself
(``python benchmarks/csf_speed.py``). Fixing the thresholds keeps up to ``TRIM_MB`` of
freed memory for reuse: a kernel's memory then stays near its peak instead of returning to
the OS between runs.

Only on Linux with glibc; elsewhere, or with ``ITSIM_MALLOC=default`` in the environment,
nothing is changed.
"""
from __future__ import annotations

import ctypes
import os
import sys

TRIM_MB = 256      # freed memory kept for reuse before glibc gives any back (M_TRIM_THRESHOLD)
MMAP_MB = 32       # blocks up to this size come from the reusable heap (M_MMAP_THRESHOLD)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3           # glibc's mallopt parameter numbers
_done: bool | None = None


def keep_freed_memory() -> bool:
    """Set glibc's trim and mmap thresholds (once per process). True when they are set."""
    global _done
    if _done is None:
        _done = False
        if _glibc() and os.environ.get("ITSIM_MALLOC", "") != "default":
            try:
                mallopt = ctypes.CDLL(None).mallopt
            except (OSError, AttributeError):
                return False
            mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
            _done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_MB << 20)
                         and mallopt(_M_TRIM_THRESHOLD, TRIM_MB << 20))
    return _done


def _glibc() -> bool:
    try:
        return sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION").startswith(
            "glibc")
    except (ValueError, OSError, AttributeError):
        return False
