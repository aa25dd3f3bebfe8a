"""The Excel entry points load only what a button or a worksheet function needs.

Each click of a desktop button runs ``import sv_workbook.macros`` in a fresh Python, and
xlwings Lite imports ``sv_workbook.macros`` and ``sv_workbook.udfs`` when the workbook
opens, so every file library imported there is paid on each click (openpyxl alone took
about 2 s in Pyodide). Checked in a fresh interpreter, as Excel starts one.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.paths import ROOT

#: Libraries of the command line and the file readers/writers, never of the buttons.
HEAVY = ("openpyxl", "pandas", "numpy", "python_calamine", "docx", "click", "tqdm")

#: Makes the listed top-level packages unimportable, as in an xlwings Lite install without them.
BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")
sys.meta_path.insert(0, Block())
"""


def loaded_after(statement: str, prelude: str = "") -> list[str]:
    """Top-level packages of HEAVY in sys.modules after ``statement`` in a fresh interpreter."""
    code = (f"{prelude}\nimport json, sys\n{statement}\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"XLWINGS_LICENSE_KEY": "noncommercial", "PATH": ""})
    return json.loads(out.stdout.splitlines()[-1])


def test_the_buttons_module_loads_no_file_library_and_not_even_xlwings():
    assert loaded_after("import sv_workbook.macros") == []
    code = "import sys, sv_workbook.macros; print('xlwings' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_the_worksheet_functions_add_nothing_heavy_to_what_xlwings_itself_loads():
    """xlwings 0.37 imports numpy and pandas itself when they are installed (its converters); our import adds none."""
    xlwings_alone = loaded_after("import xlwings")
    assert loaded_after("import sv_workbook.udfs") == xlwings_alone
    assert set(xlwings_alone) <= {"numpy", "pandas"}


@pytest.mark.parametrize("module", ["sv_workbook.macros", "sv_workbook.udfs"])
def test_the_excel_entry_points_import_where_no_heavy_library_is_installed(module):
    """As in xlwings Lite with only xlwings and sv-workbook installed: the import works and loads none of them."""
    prelude = f"BLOCKED = {set(HEAVY)!r}\n{BLOCK}"
    assert loaded_after(f"import {module}", prelude) == []
