"""The templates carry the shapes xlwings Lite binds its scripts to, and scoring keeps them.

Read back with the standard library's XML parser (not the code that wrote them), and
opened by LibreOffice, an independent reader of DrawingML.
"""

from __future__ import annotations

import ast
import posixpath
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from sv_workbook.app.jobs import score_file
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx.lite_buttons import BUTTONS, buttons_in
from tests.support.lo import needs_libreoffice, recalc
from tests.support.paths import ROOT, TODAY

NS = {"xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
TEMPLATES = {"tender": ROOT / "workbooks" / "tender_evaluation.xlsx",
             "kpi-register": ROOT / "workbooks" / "kpi_register.xlsx"}


def main_py_bindings() -> set[str]:
    """Every ``@script(button=...)`` of macros/lite/main.py."""
    tree = ast.parse((ROOT / "macros" / "lite" / "main.py").read_text(encoding="utf-8"))
    return {kw.value.value for node in ast.walk(tree) if isinstance(node, ast.Call)
            for kw in node.keywords if kw.arg == "button"}


def resolve(base: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))


def rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    folder, name = posixpath.split(part)
    root = ET.fromstring(zf.read(posixpath.join(folder, "_rels", name + ".rels")))
    return {r.get("Id"): (r.get("Type").rsplit("/", 1)[1], r.get("Target")) for r in root}


def shapes(path: Path) -> dict[str, tuple[str, str, str]]:
    """Shape name → (sheet, cell under its top-left corner, hyperlink target), from the package."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        book_rels = rels(zf, "xl/workbook.xml")
        for sheet in book.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
            part = resolve("xl", book_rels[sheet.get(R)][1])
            try:
                drawings = [t for kind, t in rels(zf, part).values() if kind == "drawing"]
            except KeyError:
                continue
            for target in drawings:
                drawing = resolve(posixpath.dirname(part), target)
                links = rels(zf, drawing)
                for anchor in ET.fromstring(zf.read(drawing)).findall("xdr:twoCellAnchor", NS):
                    pr = anchor.find("xdr:sp/xdr:nvSpPr/xdr:cNvPr", NS)
                    col = int(anchor.find("xdr:from/xdr:col", NS).text)
                    row = int(anchor.find("xdr:from/xdr:row", NS).text)
                    link = pr.find("a:hlinkClick", NS)
                    out[pr.get("name")] = (sheet.get("name"), f"{chr(ord('A') + col)}{row + 1}",
                                           links[link.get(R)][1] if link is not None else "")
    return out


def test_the_buttons_are_those_main_py_binds():
    assert {b.binding for kind in BUTTONS.values() for b in kind} == main_py_bindings()


@pytest.mark.parametrize("kind", TEMPLATES)
def test_each_template_carries_its_buttons_named_placed_and_linked_as_main_py_says(kind, tmp_path):
    for path in (TEMPLATES[kind], ROOT / "examples" / {"tender": "tender_example.xlsx",
                                                       "kpi-register": "kpi_register_example.xlsx"}[kind]):
        found = shapes(path)
        assert {f"[{name}]{sheet}!{cell}" for name, (sheet, cell, _) in found.items()} == \
            {b.binding for b in BUTTONS[kind]}
        assert all(link == f"#{sheet}!{cell}" for sheet, cell, link in found.values())


def test_score_keeps_the_buttons_and_reports_nothing_lost(tmp_path):
    out = tmp_path / "scored.xlsx"
    outcome = score_file(ROOT / "examples" / "tender_example.xlsx", out, DEFAULT_POLICY, TODAY)
    assert outcome.written == str(out)
    assert not any(f.code == "WRITE-LOST-CONTENT" for f in outcome.findings)
    assert shapes(out) == shapes(ROOT / "examples" / "tender_example.xlsx")
    rescored = tmp_path / "again.xlsx"
    score_file(out, rescored, DEFAULT_POLICY, TODAY)
    assert shapes(rescored) == shapes(out)  # not doubled


def test_score_of_a_register_keeps_its_buttons(tmp_path):
    out = tmp_path / "scored.xlsx"
    score_file(ROOT / "examples" / "kpi_register_example.xlsx", out, DEFAULT_POLICY, date(2026, 1, 15))
    assert shapes(out) == shapes(ROOT / "examples" / "kpi_register_example.xlsx")


@needs_libreoffice
def test_libreoffice_reads_the_buttons_and_keeps_their_names(tmp_path):
    resaved = recalc(TEMPLATES["tender"], tmp_path / "lo")
    assert {b.name for b in buttons_in(resaved)} == {b.name for b in BUTTONS["tender"]}
    assert {name: place[:2] for name, place in shapes(resaved).items() if name.startswith("sv_")} == \
        {b.name: (b.sheet, b.cell) for b in BUTTONS["tender"]}
