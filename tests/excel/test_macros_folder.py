"""The files in macros/ point at code that exists, in the form Excel and xlwings read them."""

from __future__ import annotations

import csv
import importlib
import inspect
import re

from tests.support.paths import ROOT

MACROS = ROOT / "macros"


def test_every_button_sub_runs_an_existing_macro_without_arguments():
    text = (MACROS / "sv_workbook.bas").read_bytes().decode("ascii")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # the VBA editor imports CRLF files
    calls = re.findall(r'^Sub (\w+)\(\)\r\n\s+RunPython "import ([\w.]+) as m; m\.(\w+)\(\)"', text, re.M)
    assert [c[0] for c in calls] == ["SvCheckWorkbook", "SvScoreWorkbook", "SvNewTender", "SvNewKpiRegister"]
    for _, module, func in calls:
        target = getattr(importlib.import_module(module), func)
        assert not inspect.signature(target).parameters


def test_xlwings_conf_names_the_udf_module():
    rows = dict(csv.reader((MACROS / "xlwings.conf").read_text(encoding="ascii").splitlines()))
    modules = rows["UDF MODULES"].split(";")
    assert modules == ["sv_workbook.udfs"]
    funcs = [name for name, obj in inspect.getmembers(importlib.import_module(modules[0])) if hasattr(obj, "__xlfunc__")]
    assert funcs and all(name.startswith("sv_") for name in funcs)


def test_lite_requirements_pin_an_xlwings_the_package_accepts():
    import tomllib

    from packaging.requirements import Requirement

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    accepted = next(Requirement(d) for d in deps if Requirement(d).name == "xlwings").specifier
    pins = [Requirement(ln) for ln in (MACROS / "lite" / "requirements.txt").read_text().splitlines()
            if ln.strip().startswith("xlwings")]
    assert len(pins) == 1 and str(pins[0].specifier).startswith("==")
    assert accepted.contains(str(pins[0].specifier)[2:])


def test_ribbon_callbacks_call_the_button_subs():
    """Each ribbon callback of the add-in (``control As IRibbonControl``) runs one of the button Subs.

    Before it, one ``If`` may guard against Excel having no workbook open (the add-in's xlwings
    module hands Python the active workbook).
    """
    text = (MACROS / "sv_workbook.bas").read_bytes().decode("ascii")
    subs = set(re.findall(r"^Sub (\w+)\(\)", text, re.M))
    callbacks = re.findall(r"^Sub (\w+)\(control As IRibbonControl\)\r\n(?:\s+If .*\r\n)?\s+(\w+)\r\nEnd Sub",
                           text, re.M)
    assert len(callbacks) == 4 and all(target in subs for _, target in callbacks)
