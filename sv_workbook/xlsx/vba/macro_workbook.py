"""Macro-enabled copies of the templates (.xlsm): the VBA behind the buttons, the buttons, xlwings' settings.

``sv-workbook new tender PATH.xlsm`` (and ``kpi-register``) writes the same workbook as the
.xlsx template plus:

* a ``vbaProject.bin`` built from ``macros/sv_workbook.bas`` (shipped in the package as
  ``data/sv_workbook.bas``) and xlwings' standalone VBA (``xlwings.bas`` and its
  ``Dictionary`` class, BSD/MIT, taken from the installed xlwings package), so that no
  add-in has to be installed and the VBA always matches the installed xlwings
  (``xlwings quickstart --standalone`` does the same);
* form-control buttons bound to the module's macros, as legacy VML shapes: the form Excel
  2007 wrote and every later Excel reads, and the one openpyxl carries over when a scored
  copy is saved (``keep_vba``), so ``sv-workbook score`` keeps them;
* a hidden ``xlwings.conf`` sheet with the rows of ``macros/xlwings.conf`` (``UDF Modules``
  = ``sv_workbook.udfs``), which xlwings reads before any config file.

The parts are handed to openpyxl as its ``vba_archive``, exactly as when it re-saves an
.xlsm it has read, so the template code stays the one that builds the .xlsx.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sv_workbook.xlsx.vba.vba_project import (WORKBOOK_BASE, WORKSHEET_BASE, Module, build_vba_project,
                                          document_module, module_from_file_text)

MACRO_SUFFIX = ".xlsm"
CONF_SHEET = "xlwings.conf"
CHECK, SCORE = "SvCheckWorkbook", "SvScoreWorkbook"


@dataclass(frozen=True)
class Button:
    """A form-control button: its caption, the macro it runs and the cell its top-left corner sits on."""

    caption: str
    macro: str
    cell: str  # e.g. "E16"


#: The buttons of each workbook kind: (sheet, buttons). The cells are those the docs and Lite scripts use.
BUTTONS: dict[str, tuple[str, tuple[Button, ...]]] = {
    "tender": ("Setup", (Button("Check workbook", CHECK, "E16"), Button("Score tender", SCORE, "E18"))),
    "kpi-register": ("Contract", (Button("Check register", CHECK, "E3"), Button("Build KPI report", SCORE, "E5"))),
}


def sv_module_text() -> str:
    """The text of ``sv_workbook.bas`` (CRLF, as the VBA editor exports and imports it)."""
    return (resources.files("sv_workbook") / "data" / "sv_workbook.bas").read_bytes().decode("cp1252")


def xlwings_module_texts() -> tuple[str, str]:
    """xlwings' standalone module and its Dictionary class, from the installed xlwings package."""
    root = resources.files("xlwings")
    return ((root / "xlwings.bas").read_bytes().decode("cp1252"),
            (root / "addin" / "Dictionary.cls").read_bytes().decode("cp1252"))


def code_modules() -> list[Module]:
    """The code modules every macro-enabled file carries: ours, then xlwings' standalone VBA."""
    xlwings_bas, dictionary_cls = xlwings_module_texts()
    return [module_from_file_text(sv_module_text(), "module"), module_from_file_text(xlwings_bas, "module"),
            module_from_file_text(dictionary_cls, "class")]


def conf_rows() -> list[list[str]]:
    """The xlwings settings of ``macros/xlwings.conf`` (shipped as ``data/xlwings.conf``)."""
    text = (resources.files("sv_workbook") / "data" / "xlwings.conf").read_text(encoding="ascii")
    return [row for row in csv.reader(text.splitlines()) if row]


def make_macro_enabled(wb: Workbook, kind: str) -> Workbook:
    """Turn a freshly built template into its .xlsm form (VBA, buttons, xlwings.conf sheet)."""
    conf = wb.create_sheet(CONF_SHEET)
    for row in conf_rows():
        conf.append(row)
    conf.sheet_state = "hidden"
    wb.code_name = "ThisWorkbook"
    documents = [document_module("ThisWorkbook", WORKBOOK_BASE)]
    for i, ws in enumerate(wb.worksheets, start=1):
        ws.sheet_properties.codeName = f"Sheet{i}"
        documents.append(document_module(f"Sheet{i}", WORKSHEET_BASE))
    sheet, buttons = BUTTONS[kind]
    vml = "xl/drawings/vmlDrawing1.vml"  # openpyxl carries over only vmlDrawing<digit>.vml
    wb[sheet].legacy_drawing = vml
    parts = {"xl/vbaProject.bin": build_vba_project(documents + code_modules()),
             vml: button_vml(wb[sheet], buttons).encode("utf-8")}
    wb.vba_archive = parts_archive(parts)
    return wb


def parts_archive(parts: dict[str, bytes], root_rels: str = "") -> zipfile.ZipFile:
    """An in-memory package of ``parts`` in the form openpyxl keeps from an .xlsm it read (its ``vba_archive``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{root_rels}'
                    '</Relationships>')
        for name, data in parts.items():
            zf.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def button_vml(ws: Worksheet, buttons: tuple[Button, ...]) -> str:
    """The legacy drawing of ``buttons`` on ``ws``: one VML form-control button each, macro in ``FmlaMacro``."""
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    shapes = []
    for n, button in enumerate(buttons, start=1):
        letter, row = coordinate_from_string(button.cell)
        col = column_index_from_string(letter) - 1
        anchor = f"{col}, 2, {row - 1}, 2, {col}, 190, {row}, 8"  # one column wide, about 1.4 rows high
        shapes.append(
            f'<v:shape id="_x0000_s{1024 + n}" type="#_x0000_t201" style="position:absolute;margin-left:0;'
            f'margin-top:0;width:142pt;height:21pt;z-index:{n};mso-wrap-style:tight" fillcolor="buttonFace [67]" '
            f'strokecolor="windowText [64]" o:insetmode="auto"><v:fill color2="buttonFace [67]" '
            f'o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/><v:textbox style="mso-direction-alt:auto" '
            f'o:singleclick="f"><div style="text-align:center"><font face="Calibri" size="220" color="#000000">'
            f'{escape(button.caption)}</font></div></v:textbox><x:ClientData ObjectType="Button">'
            f'<x:Anchor>{anchor}</x:Anchor><x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>'
            f'<x:FmlaMacro>[0]!{button.macro}</x:FmlaMacro><x:TextHAlign>Center</x:TextHAlign>'
            f'<x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>')
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            '<o:idmap v:ext="edit" data="1"/></o:shapelayout><v:shapetype id="_x0000_t201" coordsize="21600,21600" '
            'o:spt="201" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path shadowok="f" '
            'o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/>'
            '</v:shapetype>' + "".join(shapes) + "</xml>")


def is_macro_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() == MACRO_SUFFIX


__all__ = ["BUTTONS", "Button", "CONF_SHEET", "make_macro_enabled", "code_modules", "sv_module_text",
           "conf_rows", "parts_archive", "is_macro_path", "button_vml"]
