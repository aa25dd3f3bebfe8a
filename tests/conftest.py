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
    """LibreOffice tests must run in CI: with SV_REQUIRE_LIBREOFFICE=1 a missing soffice fails them."""
    if shutil.which("soffice"):
        return
    if os.environ.get("SV_REQUIRE_LIBREOFFICE") == "1":
        raise pytest.UsageError("SV_REQUIRE_LIBREOFFICE=1 but soffice is not installed: the parity tests cannot run")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="soffice not installed (scripts/test.sh installs it)"))
