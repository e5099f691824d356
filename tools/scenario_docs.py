"""Write docs/scenarios.md (every scenario key, unit and allowed value) from the code.

    python tools/scenario_docs.py          # rewrite it
    python tools/scenario_docs.py --check  # exit 1 if it is out of date (a test does this)
"""
from __future__ import annotations

import sys
from pathlib import Path

from itsim.authoring import format_doc

DOC = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"

if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if DOC.read_text() == format_doc() else 1)
    DOC.write_text(format_doc())
    print(f"wrote {DOC}")
