"""The xlwings Lite scripts and worksheet functions inside real Pyodide give exactly CPython's results.

xlwings Lite runs ``macros/lite/main.py`` in Pyodide (CPython compiled to WebAssembly,
a newer Python than the desktop's). Here the npm package ``pyodide`` runs under Node,
offline: the xlwings wheel xlwings Lite installs and the sv-workbook wheel ``sv-workbook
lite`` writes are unpacked into its file system, and nothing else is installed, so the
scripts also prove they need no openpyxl, pandas or numpy. Each of the four scripts
runs on the JSON an Excel client sends for the real example workbooks, through
xlwings' own script and custom-function entry points, and every action sent back to
Excel, every function result and every number must be the same bits as CPython's.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import datetime

import pytest

from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.policy import DEFAULT_POLICY
from tests.support.paths import ROOT, TODAY
from tests.support.pyodide import lite_driver
from tests.support.pyodide.env import pyodide_dir, xlwings_wheel
from tests.support.xlwings_payload import payload_from_xlsx

pytestmark = pytest.mark.pyodide

NOW = datetime(2026, 11, 27, 14, 30)
RUNNER = ROOT / "tests" / "support" / "pyodide" / "run_pyodide.mjs"
EXAMPLES = ROOT / "examples"
SCRIPTS = {"tender_example.xlsx": ["sv_check_workbook", "sv_score_tender"],
           "kpi_register_example.xlsx": ["sv_check_register", "sv_build_kpi_report"]}


def differences(a, b, path: str = "") -> list[str]:
    """Where two JSON values differ, floats shown to the last bit (empty when they are identical)."""
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return [d for k in a for d in differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if type(a) is type(b) and a == b and json.dumps(a) == json.dumps(b):
        return []
    show = lambda v: v.hex() if isinstance(v, float) else repr(v)[:80]  # noqa: E731
    return [f"{path}: Pyodide {show(a)} != CPython {show(b)}"]


def serial(d) -> float:
    """A date as Excel's custom functions pass it (days since 1899-12-30)."""
    return float((d - type(d)(1899, 12, 30)).days)


def function_calls() -> list[list]:
    """Each worksheet function on every bid and KPI of the examples, as Excel passes the cells."""
    tender = analyse_file(EXAMPLES / "tender_example.xlsx", DEFAULT_POLICY, TODAY).result
    setup, criteria = tender.tender.setup, tender.tender.criteria
    weights = [[c.weight] for c in criteria]
    prices = [[b.price] for b in tender.tender.bidders]
    sv_weight = sum(c.weight for c in criteria if c.social_value)
    calls: list[list] = [["sv_weighting_check", [[[setup.contract_value]], [[setup.route]], [[sv_weight]]]]]
    for r in tender.results:
        calls.append(["sv_quality_score", [[[r.marks[c.id] for c in criteria]], weights, [[setup.quality_weight]],
                                           [[setup.scale_max]]]])
        calls.append(["sv_price_score", [[[r.price]], prices, [[setup.price_weight]]]])
    register = analyse_file(EXAMPLES / "kpi_register_example.xlsx", DEFAULT_POLICY, TODAY).result
    info = register.register.contract
    reported = [[serial(register.reporting_date)]] if register.reporting_date else [[None]]
    for s in register.statuses:
        calls.append(["sv_kpi_expected_to_date", [[[s.target]], [[serial(info.start)]], [[serial(info.end)]], reported]])
        calls.append(["sv_kpi_percent", [[[s.delivered]], [[s.expected]]]])
        calls.append(["sv_kpi_rating", [[[s.percent]]]])
    calls.append(["sv_quality_score", [[[4.0, None]], [[90.0, 10.0]], [[60.0]], [[5.0]]]])  # a sentence, not #VALUE!
    return calls


@pytest.fixture(scope="module")
def job() -> dict:
    scripts = [{"script": name, "payload": payload_from_xlsx(EXAMPLES / book)}
               for book, names in SCRIPTS.items() for name in names]
    return {"main_py": str(ROOT / "macros" / "lite" / "main.py"), "now": NOW.isoformat(), "scripts": scripts,
            "functions": function_calls()}


@pytest.fixture(scope="module")
def sv_wheel(tmp_path_factory):
    """The wheel ``sv-workbook lite`` deploys, built from this checkout."""
    from sv_workbook.app.lite_bundle import build_wheel

    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def both(job, sv_wheel, tmp_path_factory) -> tuple[dict, dict]:
    folder = tmp_path_factory.mktemp("pyodide")
    (folder / "job.json").write_text(json.dumps(job), encoding="utf-8")
    subprocess.run(["node", str(RUNNER), str(pyodide_dir()), str(folder / "job.json"), str(folder / "out.json"),
                    str(xlwings_wheel()), str(sv_wheel)], check=True, timeout=600)
    return asyncio.run(lite_driver.run(json.loads(json.dumps(job)))), json.loads((folder / "out.json").read_text())


def test_it_really_ran_in_pyodide_with_no_heavy_library(both):
    cpython, pyodide = both
    assert pyodide["platform"] == "emscripten" and cpython["platform"] != "emscripten"
    assert pyodide["heavy_loaded"] == []


@pytest.mark.parametrize("index", range(4), ids=[n for names in SCRIPTS.values() for n in names])
def test_each_lite_script_sends_excel_the_same_actions_as_cpython(both, index):
    cpython, pyodide = both
    assert differences(pyodide["scripts"][index], cpython["scripts"][index]) == []
    assert json.dumps(pyodide["scripts"][index]) == json.dumps(cpython["scripts"][index])  # same bits: repr round-trips
    assert any(a["func"] == "setValues" for a in cpython["scripts"][index]["actions"])


def test_every_worksheet_function_gives_the_same_bits_as_cpython(both, job):
    cpython, pyodide = both
    assert len(cpython["functions"]) == len(job["functions"])
    assert differences(pyodide["functions"], cpython["functions"]) == []
    assert json.dumps(pyodide["functions"]) == json.dumps(cpython["functions"])
    assert any(isinstance(r, list) and isinstance(r[0][0], float) for r in cpython["functions"])
