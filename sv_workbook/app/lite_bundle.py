"""What a trust deploys for xlwings Lite: the sv-workbook wheel, ``main.py`` and ``requirements.txt``.

xlwings Lite installs the packages ``requirements.txt`` lists into Excel's Pyodide when
the workbook opens: from PyPI, from Pyodide's own repository, from a direct HTTPS link to
a wheel file, or (self-hosted xlwings Lite) from the trust's private package index set
in ``XLWINGS_PYPI_INDEX_URL``. sv-workbook is not on PyPI, so the trust publishes the
wheel itself and ``requirements.txt`` names it by one of the last two routes; there is
no placeholder to edit by hand.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import sv_workbook

#: The source checkout this package runs from (the wheel is built from it).
ROOT = Path(sv_workbook.__file__).resolve().parent.parent
LITE = ROOT / "macros" / "lite"


class BundleRefused(ValueError):
    """The bundle cannot be written as asked; the message says what to change."""


def wheel_name() -> str:
    return f"sv_workbook-{sv_workbook.__version__}-py3-none-any.whl"


def build_wheel(folder: str | Path) -> Path:
    """Build the pure-Python wheel of this checkout into ``folder`` (``pip wheel . --no-deps``)."""
    if not (ROOT / "pyproject.toml").is_file() or not (LITE / "main.py").is_file():
        raise BundleRefused(f"sv-workbook is not running from a copy of its repository ({ROOT} has no "
                            "pyproject.toml and macros/lite/main.py): run `sv-workbook lite` from a clone.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check",
                        "--wheel-dir", tmp, str(ROOT)], check=True, capture_output=True)
        built = Path(tmp) / wheel_name()
        if not built.is_file():
            raise BundleRefused(f"pip built no {wheel_name()} in {tmp}")
        return Path(shutil.copy2(built, folder / built.name))


def wheel_requirement(wheel_url: str | None, from_index: bool) -> str:
    """The requirements.txt line that installs sv-workbook: the wheel's HTTPS address, or its name and version."""
    if bool(wheel_url) == from_index:
        raise BundleRefused("Give either --wheel-url URL (where the trust publishes the wheel) or --from-index (a "
                            "self-hosted xlwings Lite whose XLWINGS_PYPI_INDEX_URL index holds sv-workbook).")
    if from_index:
        return f"sv-workbook=={sv_workbook.__version__}"
    url = urlparse(wheel_url)
    if url.scheme != "https" or not url.netloc:
        raise BundleRefused(f"--wheel-url {wheel_url}: give an https:// address; Excel's add-ins download only "
                            "over HTTPS.")
    if wheel_url.endswith("/"):
        return wheel_url + wheel_name()
    if not url.path.endswith("/" + wheel_name()):
        raise BundleRefused(f"--wheel-url {wheel_url}: the address must end with the wheel's own file name, "
                            f"{wheel_name()} (the installer reads the name and version from it), or with / for "
                            "the folder the wheel is published in.")
    return wheel_url


def requirements_text(requirement: str) -> str:
    """``macros/lite/requirements.txt`` (the pinned xlwings) followed by the sv-workbook line."""
    pinned = [ln for ln in (LITE / "requirements.txt").read_text(encoding="utf-8").splitlines()
              if ln.strip() and not ln.lstrip().startswith("#")]
    return ("# xlwings Lite installs these into Excel's Python when the workbook opens (written by "
            "sv-workbook lite).\n" + "\n".join(pinned) + f"\n{requirement}\n")


def write_bundle(folder: str | Path, wheel_url: str | None = None, from_index: bool = False) -> list[Path]:
    """Write the wheel, main.py and requirements.txt into ``folder``; returns the files written."""
    requirement = wheel_requirement(wheel_url, from_index)
    folder = Path(folder)
    wheel = build_wheel(folder)
    main = Path(shutil.copy2(LITE / "main.py", folder / "main.py"))
    requirements = folder / "requirements.txt"
    requirements.write_text(requirements_text(requirement), encoding="utf-8")
    return [wheel, main, requirements]
