"""The buttons xlwings Lite binds its scripts to, drawn into a saved workbook.

Office.js cannot attach a script to a sheet button, so xlwings Lite binds one through a
shape and a hyperlink: ``@script(button="[sv_check]Setup!E16")`` runs the script when
the shape named ``sv_check``, linked to ``Setup!E16`` and lying over that cell, is
clicked (``macros/lite/main.py``). The templates carry those shapes, so nobody draws
them. openpyxl neither writes nor keeps shapes, so they are added to the package after
openpyxl saved it: a DrawingML part per sheet, its hyperlink relationships, the sheet's
``<drawing>`` element and the content type. ``score`` puts back the buttons a workbook
had (openpyxl's save drops them), so the preservation check sees nothing lost.

Only files this tool has just written are rewritten here; a user's file is only looked
at (which of our buttons it has), never parsed beyond that.
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from sv_workbook.core import a1
from sv_workbook.xlsx.package_check import rels_part_name
from sv_workbook.xlsx.safe_write import TEMP_PREFIX


@dataclass(frozen=True)
class Button:
    """A shape named ``name`` over ``sheet!cell``, linked to that cell, showing ``caption``."""

    name: str
    sheet: str
    cell: str
    caption: str

    @property
    def binding(self) -> str:
        """How ``@script(button=...)`` in main.py names it."""
        return f"[{self.name}]{self.sheet}!{self.cell}"


#: The buttons of each workbook kind, as macros/lite/main.py binds them (a test keeps the two equal).
BUTTONS: dict[str, tuple[Button, ...]] = {
    "tender": (Button("sv_check", "Setup", "E16", "Check workbook"),
               Button("sv_score", "Setup", "E18", "Score tender")),
    "kpi-register": (Button("sv_kpi_check", "Contract", "E3", "Check register"),
                     Button("sv_kpi_report", "Contract", "E5", "Build KPI report")),
}
ALL_BUTTONS = {b.name: b for buttons in BUTTONS.values() for b in buttons}

PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DRAWING_REL = DOC_REL + "/drawing"
HYPERLINK_REL = DOC_REL + "/hyperlink"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
#: Elements that follow <drawing> in a worksheet (CT_Worksheet order): it goes before the first.
AFTER_DRAWING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:legacyDrawing|legacyDrawingHF|drawingHF|picture|oleObjects|"
                           rb"controls|webPublishItems|tableParts|extLst)[\s>/]|</(?:[A-Za-z_][\w.-]*:)?worksheet>")
SHAPE_NAME = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?cNvPr\b[^>]*\bname=\"(sv_[a-z_]+)\"")


def add_buttons(path: str | Path, buttons: Iterable[Button]) -> None:
    """Draw ``buttons`` into the workbook at ``path`` (a file this tool just saved), replacing it."""
    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist() if not i.is_dir()}
    by_sheet: dict[str, list[Button]] = {}
    for b in buttons:
        by_sheet.setdefault(b.sheet, []).append(b)
    sheets = _sheet_parts(parts)
    for sheet, wanted in by_sheet.items():
        if sheet not in sheets:
            raise ValueError(f"{path.name}: no sheet '{sheet}' for the button {wanted[0].name}")
        _draw(parts, sheets[sheet], wanted)
    # the save's own prefix: a run killed here leaves a file the next save recognises and removes
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in parts.items():
                out.writestr(name, data)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def buttons_in(path: str | Path) -> list[Button]:
    """Our buttons (by shape name) that the drawings of the workbook at ``path`` hold."""
    found: list[Button] = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/drawings/") and name.endswith(".xml"):
                for shape in SHAPE_NAME.findall(zf.read(name)):
                    b = ALL_BUTTONS.get(shape.decode())
                    if b is not None and b not in found:
                        found.append(b)
    return found


def keep_buttons(source: str | Path, written: str | Path) -> None:
    """Put back into ``written`` the buttons ``source`` has (openpyxl's save dropped them)."""
    missing = [b for b in buttons_in(source) if b not in buttons_in(written)]
    if missing:
        add_buttons(written, missing)


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → worksheet part, from xl/workbook.xml and its relationships."""
    rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(parts["xl/_rels/workbook.xml.rels"])}
    out = {}
    for el in ET.fromstring(parts["xl/workbook.xml"]).iter():
        if el.tag.endswith("}sheet"):
            target = rels[el.get(f"{{{DOC_REL}}}id")]
            out[el.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
    return out


def _add_rel(parts: dict[str, bytes], part: str, rel_type: str, target: str) -> str:
    """Add a relationship to ``part``'s .rels (made if missing); returns its new Id."""
    name = rels_part_name(part)
    root = ET.fromstring(parts[name]) if name in parts else ET.Element(f"{{{PKG_REL}}}Relationships")
    ids = {r.get("Id") for r in root}
    rid = next(f"rId{n}" for n in range(1, len(ids) + 2) if f"rId{n}" not in ids)
    ET.SubElement(root, f"{{{PKG_REL}}}Relationship", Id=rid, Type=rel_type, Target=target)
    ET.register_namespace("", PKG_REL)
    parts[name] = ET.tostring(root, xml_declaration=True, encoding="utf-8")
    return rid


def _draw(parts: dict[str, bytes], sheet_part: str, buttons: list[Button]) -> None:
    """Append the buttons' anchors to the sheet's drawing, making the drawing first if it has none."""
    rels_name = rels_part_name(sheet_part)
    drawing = None
    if rels_name in parts:
        for r in ET.fromstring(parts[rels_name]):
            if r.get("Type") == DRAWING_REL:
                drawing = posixpath.normpath(posixpath.join(posixpath.dirname(sheet_part), r.get("Target")))
    if drawing is None:
        n = 1 + sum(1 for p in parts if re.fullmatch(r"xl/drawings/drawing\d+\.xml", p))
        drawing = f"xl/drawings/drawing{n}.xml"
        parts[drawing] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}"></xdr:wsDr>').encode()
        rid = _add_rel(parts, sheet_part, DRAWING_REL, "../drawings/" + posixpath.basename(drawing))
        xml = parts[sheet_part]
        at = AFTER_DRAWING.search(xml).start()
        parts[sheet_part] = xml[:at] + f'<drawing xmlns:r="{DOC_REL}" r:id="{rid}"/>'.encode() + xml[at:]
        ct = ET.fromstring(parts["[Content_Types].xml"])
        ET.SubElement(ct, f"{{{CT_NS}}}Override", PartName="/" + drawing, ContentType=DRAWING_TYPE)
        ET.register_namespace("", CT_NS)
        parts["[Content_Types].xml"] = ET.tostring(ct, xml_declaration=True, encoding="utf-8")
    xml = parts[drawing]
    next_id = 2 + len(re.findall(rb"<(?:[A-Za-z_][\w.-]*:)?cNvPr\b", xml))
    anchors = []
    for i, b in enumerate(buttons):
        rid = _add_rel(parts, drawing, HYPERLINK_REL, f"#{b.sheet}!{b.cell}")
        anchors.append(_anchor(b, next_id + i, rid))
    end = xml.rindex(b"</")
    parts[drawing] = xml[:end] + "".join(anchors).encode() + xml[end:]


def _anchor(b: Button, shape_id: int, rid: str) -> str:
    """A rounded rectangle filling the button's cell, named, linked to the cell, with its caption."""
    row, col = a1.parse_cell(b.cell)
    return (
        f'<xdr:twoCellAnchor editAs="oneCell" xmlns:xdr="{XDR}" xmlns:a="{A}" xmlns:r="{DOC_REL}">'
        f"<xdr:from><xdr:col>{col - 1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row - 1}</xdr:row>"
        f"<xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row>"
        f"<xdr:rowOff>0</xdr:rowOff></xdr:to>"
        f'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="{shape_id}" name={quoteattr(b.name)} '
        f"descr={quoteattr(b.caption)}><a:hlinkClick r:id=\"{rid}\"/></xdr:cNvPr><xdr:cNvSpPr/></xdr:nvSpPr>"
        f'<xdr:spPr><a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom>'
        f'<a:solidFill><a:srgbClr val="1F4E79"/></a:solidFill><a:ln><a:noFill/></a:ln></xdr:spPr>'
        f'<xdr:txBody><a:bodyPr anchor="ctr" wrap="none"/><a:lstStyle/><a:p><a:pPr algn="ctr"/>'
        f'<a:r><a:rPr lang="en-GB" sz="1100" b="1"><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:rPr>'
        f"<a:t>{escape(b.caption)}</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/></xdr:twoCellAnchor>")
