"""The files in macros/ point at code that exists, in the form Excel and xlwings read them."""

from __future__ import annotations

import csv
import importlib
import inspect
import re

from .conftest import ROOT

MACROS = ROOT / "macros"


def test_every_button_sub_runs_an_existing_macro_without_arguments():
    text = (MACROS / "sv_workbook.bas").read_bytes().decode("ascii")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # the VBA editor imports CRLF files
    calls = re.findall(r'^Sub (\w+)\(\)\r\n\s+RunPython "import ([\w.]+) as m; m\.(\w+)\(\)"', text, re.M)
    assert [c[0] for c in calls] == ["SvCheckWorkbook", "SvScoreWorkbook"]
    for _, module, func in calls:
        target = getattr(importlib.import_module(module), func)
        assert not inspect.signature(target).parameters


def test_xlwings_conf_names_the_udf_module():
    rows = dict(csv.reader((MACROS / "xlwings.conf").read_text(encoding="ascii").splitlines()))
    modules = rows["UDF MODULES"].split(";")
    assert modules == ["sv_workbook.udfs"]
    funcs = [name for name, obj in inspect.getmembers(importlib.import_module(modules[0])) if hasattr(obj, "__xlfunc__")]
    assert funcs and all(name.startswith("sv_") for name in funcs)


def test_lite_requirements_pin_the_xlwings_the_tests_use():
    import xlwings

    lines = [ln.strip() for ln in (MACROS / "lite" / "requirements.txt").read_text().splitlines()]
    assert f"xlwings=={xlwings.__version__}" in lines
