"""Where the Pyodide tests find Pyodide and the xlwings wheel (``scripts/test.sh`` puts them there).

``SV_PYODIDE_DIR`` is the folder holding ``pyodide.mjs`` (from ``npm install pyodide``);
``SV_WHEELS_DIR`` the folder holding xlwings' pure wheel at the version
``macros/lite/requirements.txt`` pins. Both default to folders under
``~/.cache/sv-workbook`` so that CI can cache them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.paths import ROOT

CACHE = Path.home() / ".cache" / "sv-workbook"


def pyodide_dir() -> Path:
    return Path(os.environ.get("SV_PYODIDE_DIR", CACHE / "pyodide" / "node_modules" / "pyodide"))


def xlwings_version() -> str:
    for line in (ROOT / "macros" / "lite" / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("xlwings=="):
            return line.split("==")[1].strip()
    raise LookupError("macros/lite/requirements.txt pins no xlwings version")


def xlwings_wheel() -> Path:
    return Path(os.environ.get("SV_WHEELS_DIR", CACHE / "wheels")) / f"xlwings-{xlwings_version()}-py3-none-any.whl"


def missing() -> str | None:
    """Why the Pyodide tests cannot run here, or None."""
    if not shutil.which("node"):
        return "node is not installed"
    if not (pyodide_dir() / "pyodide.mjs").is_file():
        return f"Pyodide is not at {pyodide_dir()} (npm install pyodide)"
    if not xlwings_wheel().is_file():
        return f"the xlwings wheel is not at {xlwings_wheel()}"
    return None
