"""The macro-enabled workbooks (`sv-workbook new tender PATH.xlsm`), proved without Excel.

olevba reads the modules back; LibreOffice (through UNO, macros never executed) shows the
VBA project and each button's macro; `score` on an .xlsm keeps the VBA project and the buttons.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from oletools.olevba import VBA_Parser

from sv_workbook.cli.commands import main
from sv_workbook.xlsx.vba.macro_workbook import BUTTONS, make_macro_enabled, sv_module_text
from sv_workbook.xlsx.safe_write import atomic_save
from tests.support.paths import ROOT, TODAY

KINDS = {"tender": "tender_evaluation.xlsm", "kpi-register": "kpi_register.xlsm"}
UNO_PYTHON = "/usr/bin/python3"  # Debian's python3-uno: LibreOffice's UNO bridge


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def new(kind: str, path: Path) -> Path:
    result = run("new", kind, path)
    assert result.exit_code == 0, result.output
    return path


def macros(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def lo_dump(path: Path, filter_name: str = "") -> dict:
    """What LibreOffice sees of ``path``; ``filter_name`` names the import filter for a type it does not detect."""
    proc = subprocess.run([UNO_PYTHON, str(ROOT / "tests" / "support" / "lo_uno_dump.py"), str(path),
                           *([filter_name] if filter_name else [])],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def filled_tender_xlsm(path: Path) -> Path:
    from sv_workbook.xlsx.tender_template import build_tender_template
    from tests.support.example_tender import example_tender
    from tests.support.fill import fill_tender

    wb = build_tender_template()
    fill_tender(wb, example_tender())
    atomic_save(make_macro_enabled(wb, "tender"), path)
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_new_xlsm_holds_the_module_its_buttons_and_xlwings_settings(kind, tmp_path):
    path = new(kind, tmp_path / "w.xlsm")
    found = macros(path)
    assert found["SvWorkbook"] == (ROOT / "macros" / "sv_workbook.bas").read_bytes().decode("ascii")
    assert "Public Function RunPython" in found["xlwings"] and "Dictionary" in found
    with zipfile.ZipFile(path) as zf:
        types = zf.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
        vml = zf.read("xl/drawings/vmlDrawing1.vml").decode()
    sheet, buttons = BUTTONS[kind]
    assert re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml) == [b.macro for b in buttons]
    for b in buttons:  # every button runs a Sub of the module that takes no arguments
        assert re.search(rf"^Sub {b.macro}\(\)\r\n", found["SvWorkbook"], re.M)
    from openpyxl import load_workbook
    wb = load_workbook(path, keep_vba=True)
    conf = wb["xlwings.conf"]
    assert conf.sheet_state == "hidden"
    assert {r[0]: r[1] for r in conf.iter_rows(values_only=True)}["UDF MODULES"] == "sv_workbook.udfs"


def test_xlsx_path_still_gets_the_plain_template(tmp_path):
    path = new("tender", tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as zf:
        assert not any("vba" in n.lower() or n.endswith(".vml") for n in zf.namelist())


@pytest.mark.parametrize("kind", KINDS)
def test_committed_xlsm_is_what_new_writes(kind, tmp_path):
    """workbooks/*.xlsm are `sv-workbook new ... PATH.xlsm` today, part by part."""
    import xml.etree.ElementTree as ET

    def part(z, name):
        data = re.sub(rb"<dcterms:modified.*?</dcterms:modified>", b"", z.read(name))
        if name == "[Content_Types].xml":  # openpyxl adds the vml/bin defaults in set order (hash seed)
            return sorted(ET.canonicalize(ET.tostring(e, encoding="unicode")) for e in ET.fromstring(data))
        return ET.canonicalize(data.decode("utf-8")) if name.endswith((".xml", ".rels")) else data

    fresh = new(kind, tmp_path / "fresh.xlsm")
    committed = ROOT / "workbooks" / KINDS[kind]
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(committed) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            assert part(a, name) == part(b, name), f"{name} differs: run `sv-workbook new {kind} {committed}`"


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", KINDS)
def test_libreoffice_shows_the_module_and_each_buttons_macro(kind):
    dump = lo_dump(ROOT / "workbooks" / KINDS[kind])
    assert "xlwings.conf" in dump["sheets"]
    project = dump["libraries"]["VBAProject"]
    body = sv_module_text().split("\r\n", 1)[1].replace("\r\n", "\n")  # LibreOffice drops the VB_Name line
    assert body.strip() in project["SvWorkbook"].replace("\r\n", "\n")
    assert "Public Function RunPython" in project["xlwings"]
    sheet, buttons = BUTTONS[kind]
    seen = [(c["sheet"], c["label"], c["cell"], [e["code"] for e in c["events"]]) for c in dump["controls"]]
    assert seen == [(sheet, b.caption, b.cell,
                     [f"vnd.sun.star.script:VBAProject.SvWorkbook.{b.macro}?language=Basic&location=document"])
                    for b in buttons]


@pytest.mark.libreoffice
def test_score_on_an_xlsm_keeps_the_vba_project_and_the_buttons(tmp_path):
    src = filled_tender_xlsm(tmp_path / "tender.xlsm")
    result = run("score", src, "--as-of", TODAY.isoformat())
    assert result.exit_code in (0, 1), result.output
    scored = tmp_path / "tender.scored.xlsm"
    assert scored.exists(), result.output
    assert macros(scored) == macros(src)
    dump = lo_dump(scored)
    assert [(c["label"], c["cell"]) for c in dump["controls"]] == [(b.caption, b.cell) for b in BUTTONS["tender"][1]]
    assert "SvWorkbook" in dump["libraries"]["VBAProject"]
    from openpyxl import load_workbook
    assert "Ranking" in load_workbook(scored)["Report"].tables  # and it was scored
    # every rebuilt sheet keeps the code name its document module in the VBA project carries
    # (a sheet new in the scored copy, Scored inputs, has no module: Excel names it on opening)
    before, after = _code_names(src), _code_names(scored)
    assert {title: after[title] for title in before} == before


def _code_names(path: Path) -> dict[str, str | None]:
    from openpyxl import load_workbook

    wb = load_workbook(path, keep_vba=True)
    return {ws.title: ws.sheet_properties.codeName for ws in wb.worksheets}


def test_score_refuses_an_xlsm_whose_buttons_it_would_lose(tmp_path):
    """Buttons count as content: a scored copy without them is refused, as for any other loss."""
    from sv_workbook.xlsx.preserve import find_losses

    src = filled_tender_xlsm(tmp_path / "tender.xlsm")
    stripped = tmp_path / "stripped.xlsm"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(stripped, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.endswith(".vml"):
                data = re.sub(rb'<v:shape id="_x0000_s1026".*?</v:shape>', b"", data, flags=re.S)
            zout.writestr(item, data)
    losses = find_losses(src, stripped)
    assert [(loss.what, loss.count, loss.where) for loss in losses] == [("buttons (form controls)", 1, ("Setup",))]


@pytest.mark.parametrize("kind", KINDS)
def test_committed_xlsm_embeds_the_xlwings_the_package_requires(kind):
    """The standalone module loads xlwings' DLL of its own version: it must be the version pip installs."""
    import tomllib

    from packaging.requirements import Requirement

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pin = next(Requirement(d) for d in deps if Requirement(d).name == "xlwings").specifier
    embedded = re.search(r'XLWINGS_VERSION As String = "([\d.]+)"', macros(ROOT / "workbooks" / KINDS[kind])["xlwings"])
    assert str(pin) == f"=={embedded.group(1)}"
