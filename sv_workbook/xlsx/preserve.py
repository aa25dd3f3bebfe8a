"""What a save through openpyxl would lose, measured on the files themselves.

openpyxl rewrites a workbook from what it understood, and it does not understand
everything Excel can store: shapes and text boxes, form controls, slicers, threaded
comments, custom XML, Excel 2010+ extensions, pictures when Pillow is missing. Rather
than keep a list of what openpyxl supports (which changes between versions), the
written file is compared with the input, part by part: everything reachable from the
workbook, except the sheets the tool rebuilds itself, is counted by category in both
packages, and any category the output has fewer of is a loss. The caller saves to a
temporary file, asks ``find_losses`` and only then replaces anything.

Pure standard library plus ``defusedxml``; the packages were already accepted by
``package_check.check_package`` (inputs) or written by us (outputs).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sv_workbook.xlsx.package_check import WORKSHEET_TYPE, read_content_types, parse_package_xml, rels_part_name, read_sheet_names

WORKBOOK_OWNER = "(workbook)"
EXTERNAL = "External"

#: Content types a save regenerates or that only cache what Excel recomputes: never counted.
REGENERATED = (
    "sheet.main+xml", "sheet.macroEnabled.main+xml", "template.main+xml", "template.macroEnabled.main+xml",
    "spreadsheetml.styles+xml", "spreadsheetml.sharedStrings+xml", "officedocument.theme+xml",
    "package.core-properties+xml", "officedocument.extended-properties+xml", "spreadsheetml.calcChain+xml",
    "spreadsheetml.volatileDependencies+xml", "package.relationships+xml", "officedocument.vmlDrawing",
    "officedocument.custom-properties+xml",  # counted by property below: tools write empty ones
    "officedocument.drawing+xml", "spreadsheetml.printerSettings", "spreadsheetml.pivotCacheRecords+xml",
)

#: (content type or part-name fragment, what people call it), first match wins.
KINDS = (
    ("customXml/", "custom XML data"),
    ("xl/richData/", "pictures in cells or linked data types"),
    ("xl/model/", "Data Model (Power Pivot) data"),
    ("xl/embeddings/", "embedded objects"),
    ("image/", "pictures"),
    ("drawingml.chart+xml", "charts"),
    ("chartsheet+xml", "chart sheets"),
    ("ms-office.chartstyle+xml", "chart styles"),
    ("ms-office.chartcolorstyle+xml", "chart colour schemes"),
    ("spreadsheetml.comments+xml", "comments (notes)"),
    ("threadedcomments+xml", "threaded comments"),
    ("ms-excel.person+xml", "threaded-comment authors"),
    ("pivotTable+xml", "pivot tables"),
    ("pivotCacheDefinition+xml", "pivot table caches"),
    ("ms-excel.slicer+xml", "slicers"),
    ("slicerCache+xml", "slicer caches"),
    ("ms-excel.timeline+xml", "timelines"),
    ("timelineCache+xml", "timeline caches"),
    ("externalLink+xml", "links to other workbooks"),
    ("controlproperties+xml", "form controls"),
    ("activeX", "ActiveX controls"),
    ("oleObject", "embedded objects"),
    ("vbaProject", "macros (VBA)"),
    ("queryTable+xml", "query tables"),
    ("spreadsheetml.connections+xml", "data connections"),
    ("spreadsheetml.table+xml", "Excel Tables"),
    ("sheetMetadata+xml", "cell metadata (dynamic arrays, data types)"),
    ("webextension", "Office add-ins"),
    ("macrosheet+xml", "Excel 4 macro sheets"),
    ("dialogsheet+xml", "dialog sheets"),
    ("worksheet+xml", "worksheets"),
)

#: Categories openpyxl keeps in number but rewrites from its own model, losing formatting it does
#: not model (Excel 2013+ chart styles, extensions): counted as lost even when present.
REDRAWN = {"charts": "charts made outside this tool (openpyxl redraws them; their formatting may change)"}
SHAPES = "shapes (text boxes, arrows, buttons)"
PROPERTIES = "custom document properties"
BUTTONS = "buttons (form controls)"
#: A legacy (VML) form control: Excel's buttons, check boxes, lists...; ObjectType "Note" is a comment's box.
VML_CONTROL_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?ClientData\s[^>]*\bObjectType\s*=\s*[\"'](?!Note[\"'])")
PROPERTY_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?property[\s>]")
SHAPE_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:sp|grpSp|cxnSp)[\s>]")
EXT_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?ext\s[^>]*\buri\s*=\s*[\"'](\{[0-9A-Fa-f-]+\})[\"']")
#: Worksheet extensions (openpyxl's own list of those it removes) that carry content people made.
SHEET_EXTENSIONS = {
    "{78C0D931-6437-407D-A8EE-F0AAD7539E65}": "conditional formats of Excel 2010+ kinds (data bars, icon sets)",
    "{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}": "data validations in Excel 2010+ form (lists on other sheets)",
    "{05C60535-1F16-4FD2-B633-F4F36F0B64E0}": "sparklines",
    "{A8765BA9-456A-4DAB-B4F3-ACF838C121DE}": "slicers",
    "{3A4CF648-6AED-40F4-86FF-DC5316D8AED3}": "slicers",
    "{FC87AEE6-9EDD-4A0A-B7FB-166176984837}": "protected ranges",
    "{7E03D99C-DC04-49D9-9315-930204A7B6E9}": "timelines",
    "{F7C9EE02-42E1-4005-9D12-6889AFFD525C}": "Office add-ins",
}


@dataclass(frozen=True)
class Loss:
    """``count`` things of one category that the written file no longer has, and where they were."""

    what: str
    count: int
    where: tuple[str, ...]

    def __str__(self) -> str:
        places = ", ".join(f"'{w}'" if w != WORKBOOK_OWNER else "the workbook" for w in self.where)
        return f"{self.count} {self.what} (on {places})" if places else f"{self.count} {self.what}"


def find_losses(source: str | Path, written: str | Path, rebuilt_sheets: Iterable[str] = ()) -> list[Loss]:
    """Categories of content ``source`` has (outside ``rebuilt_sheets``) that ``written`` has fewer of."""
    rebuilt = {s.casefold() for s in rebuilt_sheets}
    before, after = inventory(source, rebuilt), inventory(written, rebuilt)
    losses = []
    for what, owners in sorted(before.items()):
        had = sum(owners.values())
        kept = 0 if what in REDRAWN else sum(after.get(what, Counter()).values())
        if kept < had:
            kept_by = Counter() if what in REDRAWN else after.get(what, Counter())
            short = tuple(sorted(o for o, n in owners.items() if kept_by[o] < n))  # where it went missing
            losses.append(Loss(REDRAWN.get(what, what), had - kept, short or tuple(sorted(owners))))
    return losses


def describe(losses: list[Loss]) -> str:
    return "; ".join(str(loss) for loss in losses)


def inventory(path: str | Path, rebuilt: set[str]) -> dict[str, Counter[str]]:
    """Category → {owner sheet → count} for everything reachable from the package root.

    Reachability follows the relationship parts, as Excel does; a part only an ignored
    (rebuilt) sheet refers to is not counted, and an orphan part nothing refers to is
    not counted either (Excel ignores it too).
    """
    path = Path(path)
    counts: dict[str, Counter[str]] = {}
    with zipfile.ZipFile(path) as zf:
        types = read_content_types(path, zf, zf.infolist())
        sheet_names = read_sheet_names(path, zf, types)
        lower = {n.lower(): n for n in types}
        seen: set[str] = set()
        stack: list[tuple[str, str]] = [("", WORKBOOK_OWNER)]
        while stack:
            part, owner = stack.pop()
            for target in _targets(path, zf, part, lower):
                if target in seen:
                    continue
                name = sheet_names.get(target)
                if name is not None and name.casefold() in rebuilt:
                    continue
                seen.add(target)
                child_owner = name if name is not None else owner
                ct = types.get(target, "")
                category = _category(target, ct)
                if category:
                    counts.setdefault(category, Counter())[child_owner] += 1
                if "drawing+xml" in ct and "vml" not in ct.lower():
                    n = len(SHAPE_RE.findall(zf.read(target)))
                    if n:
                        counts.setdefault(SHAPES, Counter())[child_owner] += n
                if "vmlDrawing" in ct:
                    n = len(VML_CONTROL_RE.findall(zf.read(target)))
                    if n:
                        counts.setdefault(BUTTONS, Counter())[child_owner] += n
                if "custom-properties+xml" in ct:
                    n = len(PROPERTY_RE.findall(zf.read(target)))
                    if n:
                        counts.setdefault(PROPERTIES, Counter())[child_owner] += n
                if ct == WORKSHEET_TYPE:
                    for uri in EXT_RE.findall(zf.read(target)):
                        what = SHEET_EXTENSIONS.get(uri.decode().upper())
                        if what:
                            counts.setdefault(what, Counter())[child_owner] += 1
                stack.append((target, child_owner))
    return counts


def _targets(path: Path, zf: zipfile.ZipFile, part: str, lower: dict[str, str]) -> list[str]:
    """Internal relationship targets of ``part`` that exist in the package."""
    rels = rels_part_name(part)
    if rels.lower() not in lower:
        return []
    out = []
    for rel in parse_package_xml(path, zf, lower[rels.lower()]):
        if rel.get("TargetMode") == EXTERNAL:
            continue
        target = rel.get("Target") or ""
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(posixpath.dirname(part), target))
        if resolved.lower() in lower:
            out.append(lower[resolved.lower()])
    return out


def _category(name: str, content_type: str) -> str | None:
    if any(r in content_type for r in REGENERATED) or name.lower().startswith("docprops/thumbnail"):
        return None
    for marker, what in KINDS:
        if marker in name or marker.lower() in content_type.lower():
            return what
    if not content_type or content_type in ("application/xml", "text/xml"):
        return None
    return f"parts of type {content_type}"


__all__ = ["Loss", "find_losses", "describe", "inventory"]
