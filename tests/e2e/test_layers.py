"""The layer rules in pyproject.toml hold, and they would catch a wrong import.

The README's Architecture section promises what each layer may import; import-linter checks it.
The second test plants each kind of wrong import in a copy of the package and shows the check
fails on it, so a contract that silently checked nothing could not pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

LINT = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
        "sys.exit(lint_imports_command())", "--no-cache"]


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(LINT, cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_package_keeps_its_layer_rules():
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(("module", "bad_import", "contract"), [
    ("core/findings.py", "import openpyxl", "core imports only core and the standard library"),
    ("core/tender/scoring.py", "import pandas", "pandas only where the portfolio figures need it"),
    ("core/policy.py", "import sv_workbook.xlsx.safe_write", "Layers"),
    ("excel/read.py", "import sv_workbook.xlsx.openpyxl_read", "Layers"),
    ("xlsx/fast_read.py", "import sv_workbook.excel.read", "Layers"),
    ("app/jobs.py", "import sv_workbook.cli", "Layers"),
    ("reports/inert.py", "import sv_workbook.app.batch", "Layers"),
])
def test_a_wrong_import_breaks_a_contract(tmp_path, module, bad_import, contract):
    shutil.copytree(ROOT / "sv_workbook", tmp_path / "sv_workbook", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "sv_workbook" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{bad_import}  # planted by the test\n", encoding="utf-8")
    run = _lint(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    broken = run.stdout.split("Broken contracts", 1)[1]
    assert contract in broken and "planted" not in run.stderr
