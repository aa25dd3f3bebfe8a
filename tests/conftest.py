"""Shared fixtures: real files on disk in a temporary folder, built from the templates."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.paths import CORPUS

# xlwings reads these when it is first imported, so they are set before any test module imports it:
# the remote engine (``xw.Book(json=...)``) runs under xlwings' free non-commercial licence key, and
# XLWINGS_ON_SERVER gives the decorators xlwings Lite and xlwings Server use, so UDF metadata
# (names, docstrings as Excel help) and calls can be checked as Excel would make them.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ON_SERVER", "true")



def pytest_collection_modifyitems(config, items):
    """LibreOffice, Chromium and Pyodide tests must run in CI: with SV_REQUIRE_LIBREOFFICE=1 /
    SV_REQUIRE_CHROMIUM=1 / SV_REQUIRE_PYODIDE=1 (scripts/test.sh sets them) a missing program fails
    them; elsewhere they are skipped with the reason."""
    from tests.support.pyodide.env import missing as pyodide_missing

    soffice = shutil.which("soffice")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    for marker, why, variable in (("libreoffice", None if soffice else "soffice not installed", "SV_REQUIRE_LIBREOFFICE"),
                                  ("chromium", None if chromium else "chromium not installed", "SV_REQUIRE_CHROMIUM"),
                                  ("pyodide", pyodide_missing(), "SV_REQUIRE_PYODIDE")):
        if why is None or not any(marker in item.keywords for item in items):
            continue
        if os.environ.get(variable) == "1":
            raise pytest.UsageError(f"{variable}=1 but {why}: the {marker} tests cannot run")
        for item in items:
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=f"{why} (scripts/test.sh installs it)"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The corpus folder. In CI (CI=true) a missing corpus fails, so CI cannot pass without it;
    on a newcomer's machine, which has no shared/ folder beside the clone, those tests skip."""
    if not CORPUS.is_dir():
        reason = (f"the real-world corpus is missing: expected it at {CORPUS} (../shared/corpus/calamine "
                  "from the repository root)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return CORPUS


@pytest.fixture(scope="session")
def example_bytes(tmp_path_factory) -> bytes:
    """The bundled example tender, built fresh from the template (so tests follow the code)."""
    from tests.support.example_tender import write_example_tender

    path = write_example_tender(tmp_path_factory.mktemp("example") / "tender.xlsx")
    return path.read_bytes()


@pytest.fixture
def example_path(tmp_path, example_bytes) -> Path:
    path = tmp_path / "tender.xlsx"
    path.write_bytes(example_bytes)
    return path
