"""The Excel add-in macros/sv_workbook.xlam (`sv-workbook addin PATH`), proved without Excel.

olevba reads its modules back; its ribbon (customUI.xml) is valid against the Custom UI schema
(the subset in tests/support/customui_subset.xsd, written from [MS-CUSTOMUI]) and every button
runs a ribbon callback that exists in the module; LibreOffice opens the file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from python_calamine import CalamineWorkbook

from sv_workbook.cli.commands import main
from sv_workbook.xlsx.vba.addin import (ADDIN_CONTENT_TYPE, CONF_SHEET, CUSTOMUI_PART, CUSTOMUI_XMLNS, RIBBON_GROUPS,
                                    RIBBON_TAB, ribbon_xml, xlwings_addin_module_text)
from sv_workbook.xlsx.vba.macro_workbook import sv_module_text
from tests.support.paths import ROOT
from tests.xlsx.test_macro_workbook import lo_dump, macros

ADDIN = ROOT / "macros" / "sv_workbook.xlam"
SCHEMA = ROOT / "tests" / "support" / "customui_subset.xsd"
UI = f"{{{CUSTOMUI_XMLNS}}}"
CALLBACK = re.compile(r"^Sub (\w+)\(control As IRibbonControl\)\r\n(.*?)^End Sub", re.M | re.S)


def write(path: Path) -> Path:
    result = CliRunner().invoke(main, ["addin", str(path)])
    assert result.exit_code == 0, result.output
    return path


def customui(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(CUSTOMUI_PART)


def schema_errors(xml: bytes) -> list[str]:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    schema.validate(etree.fromstring(xml))
    return [e.message for e in schema.error_log]


def test_addin_holds_the_module_xlwings_addin_module_ribbon_and_settings(tmp_path):
    path = write(tmp_path / "sv_workbook.xlam")
    found = macros(path)
    assert found["SvWorkbook"] == (ROOT / "macros" / "sv_workbook.bas").read_bytes().decode("ascii")
    assert found["xlwings"] == xlwings_addin_module_text()
    assert 'Public Const PROJECT_NAME As String = "sv_workbook"' in found["xlwings"]
    assert "ActiveWorkbook.Name" in found["xlwings"]  # the custom add-in module: Python gets the workbook in front
    assert "Dictionary" in found
    with zipfile.ZipFile(path) as zf:
        types = ET.fromstring(zf.read("[Content_Types].xml"))
        rels = ET.fromstring(zf.read("_rels/.rels"))
    with zipfile.ZipFile(path) as zf:
        assert re.search(rb"<dc:title[^>]*>Social value \(sv-workbook\)</dc:title>", zf.read("docProps/core.xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    assert overrides["/xl/workbook.xml"] == ADDIN_CONTENT_TYPE
    ribbon_rels = [r for r in rels if r.get("Type") == "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"]
    assert [r.get("Target") for r in ribbon_rels] == [CUSTOMUI_PART]
    book = CalamineWorkbook.from_path(str(path))  # openpyxl reads no add-in; calamine reads its sheet
    assert book.sheet_names == [CONF_SHEET]
    assert dict(book.get_sheet_by_index(0).to_python())["UDF MODULES"] == "sv_workbook.udfs"


def test_ribbon_is_the_social_value_tab_with_its_four_buttons():
    root = ET.fromstring(customui(ADDIN))
    tab = root.find(f"{UI}ribbon/{UI}tabs/{UI}tab")
    assert tab.get("label") == RIBBON_TAB == "Social value"
    labels = [b.get("label") for b in tab.iter(f"{UI}button")]
    assert labels == ["Check workbook", "Score tender / Build KPI report", "New tender", "New KPI register"]


def test_ribbon_xml_is_valid_against_the_customui_schema():
    assert schema_errors(customui(ADDIN)) == []
    root = ET.fromstring(customui(ADDIN))
    for control in root.iter():  # what XSD 1.0 cannot say ([MS-CUSTOMUI]): exactly one id, one label source
        if control.tag in (f"{UI}tab", f"{UI}group", f"{UI}button"):
            assert sum(a in control.attrib for a in ("id", "idQ", "idMso")) == 1, control.attrib
            assert not {"label", "getLabel"} <= set(control.attrib)


@pytest.mark.parametrize("damage, expected", [
    (lambda x: x.replace(' size="large"', ' size="huge"', 1), "size"),
    (lambda x: x.replace('id="svScore"', 'id="svCheck"', 1), "svCheck"),  # ids are unique (xsd:ID)
    (lambda x: x.replace(' onAction=', ' onClick=', 1), "onClick"),
    (lambda x: x.replace('label="Check workbook"', 'label=""', 1), "label"),
    (lambda x: x.replace("<tabs>", "<tabs><qat/>", 1), "qat"),
    (lambda x: x.replace(CUSTOMUI_XMLNS, "http://schemas.microsoft.com/office/2009/07/customui"), "customUI"),
])
def test_the_schema_rejects_a_damaged_ribbon(damage, expected):
    """The check can fail: each damage is one a hand edit could make, and each is refused."""
    errors = schema_errors(damage(ribbon_xml()).encode("utf-8"))
    assert errors and any(expected in e for e in errors), errors


def test_every_button_runs_a_ribbon_callback_of_the_module():
    """Each onAction is Module.Sub; the Sub exists in that module of the add-in with the callback signature."""
    found = macros(ADDIN)
    root = ET.fromstring(customui(ADDIN))
    actions = [b.get("onAction") for b in root.iter(f"{UI}button")]
    assert len(actions) == sum(len(buttons) for _, _, buttons in RIBBON_GROUPS) == 4
    button_subs = set(re.findall(r'^Sub (\w+)\(\)\r\n\s+RunPython "', found["SvWorkbook"], re.M))
    for action in actions:
        module, sub = action.split(".")
        callbacks = dict(CALLBACK.findall(found[module]))
        assert sub in callbacks, f"{action}: no Sub {sub}(control As IRibbonControl) in module {module}"
        assert set(re.findall(r"^\s+(\w+)\r$", callbacks[sub], re.M)) & button_subs  # it runs a button's macro
    assert sorted(a.split(".")[1] for a in actions) == sorted(dict(CALLBACK.findall(found["SvWorkbook"])))


def test_committed_addin_is_what_the_command_writes(tmp_path):
    """macros/sv_workbook.xlam is `sv-workbook addin` today, part by part."""
    def part(z, name):
        data = re.sub(rb"<dcterms:modified.*?</dcterms:modified>", b"", z.read(name))
        if name == "[Content_Types].xml":  # openpyxl adds the defaults in set order (hash seed)
            return sorted(ET.canonicalize(ET.tostring(e, encoding="unicode")) for e in ET.fromstring(data))
        return ET.canonicalize(data.decode("utf-8")) if name.endswith((".xml", ".rels")) else data

    fresh = write(tmp_path / "sv_workbook.xlam")
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(ADDIN) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            assert part(a, name) == part(b, name), f"{name} differs: run `sv-workbook addin {ADDIN}`"


def test_addin_needs_an_xlam_name(tmp_path):
    result = CliRunner().invoke(main, ["addin", str(tmp_path / "sv_workbook.xlsm")])
    assert result.exit_code == 2 and ".xlam" in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.libreoffice
def test_libreoffice_opens_the_addin_and_shows_its_modules():
    """LibreOffice 7.4 has no .xlam file type, so its Excel VBA import filter is named; it reads the package."""
    dump = lo_dump(ADDIN, "Calc MS Excel 2007 VBA XML")
    assert dump["sheets"] == [CONF_SHEET]
    project = dump["libraries"]["SvWorkbookAddin"]
    body = sv_module_text().split("\r\n", 1)[1].replace("\r\n", "\n")  # LibreOffice drops the VB_Name line
    assert body.strip() in project["SvWorkbook"].replace("\r\n", "\n")
    assert 'PROJECT_NAME As String = "sv_workbook"' in project["xlwings"]
    assert "Dictionary" in project


def test_an_xlwings_without_the_project_name_line_is_refused(tmp_path, monkeypatch):
    """The rename is what makes it our add-in (its settings, its config file): never ship it silently unrenamed."""
    import sv_workbook.xlsx.vba.addin as addin

    (tmp_path / "xlwings_custom_addin.bas").write_bytes(b'Attribute VB_Name = "xlwings"\r\nPublic Const X = 1\r\n')
    monkeypatch.setattr(addin.resources, "files", lambda package: tmp_path)
    with pytest.raises(RuntimeError, match="PROJECT_NAME"):
        xlwings_addin_module_text()
