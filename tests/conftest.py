"""Shared fixtures: real files on disk in a temporary folder, built from the templates."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 27)


def pytest_collection_modifyitems(config, items):
    """LibreOffice and Chromium tests must run in CI: with SV_REQUIRE_LIBREOFFICE=1 / SV_REQUIRE_CHROMIUM=1 a
    missing program fails them; elsewhere they are skipped with the reason."""
    for marker, found, variable in (("libreoffice", shutil.which("soffice"), "SV_REQUIRE_LIBREOFFICE"),
                                    ("chromium", shutil.which("chromium") or shutil.which("chromium-browser"),
                                     "SV_REQUIRE_CHROMIUM")):
        if found:
            continue
        if os.environ.get(variable) == "1":
            raise pytest.UsageError(f"{variable}=1 but {marker} is not installed: its tests cannot run")
        for item in items:
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=f"{marker} not installed (scripts/test.sh installs it)"))
