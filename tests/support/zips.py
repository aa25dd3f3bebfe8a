"""Build and rewrite .xlsx packages at the zip level, as a hostile or broken tool would."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Callable


def rewrite(src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None] = lambda n, d: d,
            add: dict[str, bytes] | None = None) -> Path:
    """Copy a package part by part; ``edit`` may change a part or drop it (return None)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def lie_about_size(src: Path, dst: Path, part: str, declared: int) -> Path:
    """Copy a package with ``part`` declaring ``declared`` bytes (fewer than it holds) in both
    its local header and the zip directory, and a CRC that matches its first ``declared``
    bytes, as a zip bomb crafted to pass size checks would."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(part)
        crc = zlib.crc32(zf.read(part)[:declared])
    struct.pack_into("<I", data, info.header_offset + 14, crc)  # local header: CRC, sizes at 14
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    entry = data.index(b"PK\x01\x02")  # the first zip directory entry
    while data[entry + 46:entry + 46 + struct.unpack_from("<H", data, entry + 28)[0]] != part.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 16, crc)  # directory entry: CRC at 16, sizes at 20 and 24
    struct.pack_into("<I", data, entry + 24, declared)
    dst.write_bytes(bytes(data))
    return dst


def directory_entries(data: bytes) -> list[int]:
    """Offsets of the zip directory's entries in ``data`` (the last end-of-directory record's)."""
    eocd = data.rfind(b"PK\x05\x06")
    start, count = struct.unpack_from("<I", data, eocd + 16)[0], struct.unpack_from("<H", data, eocd + 10)[0]
    offsets, at = [], start
    for _ in range(count):
        offsets.append(at)
        name, extra, comment = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + name + extra + comment
    return offsets


def with_directory(data: bytes, entries: list[bytes]) -> bytes:
    """``data`` with its zip directory replaced by ``entries`` (raw directory records)."""
    eocd = data.rfind(b"PK\x05\x06")
    start = struct.unpack_from("<I", data, eocd + 16)[0]
    directory = b"".join(entries)
    return (data[:start] + directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                                                   len(directory), start, 0))


def read_part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def sheet_part(path: Path, sheet: str) -> str:
    """The worksheet part holding ``sheet`` (via workbook.xml and its relationships)."""
    from sv_workbook.xlsx.package_check import read_sheet_names

    with zipfile.ZipFile(path) as zf:
        from sv_workbook.xlsx.package_check import read_content_types

        names = read_sheet_names(path, zf, read_content_types(path, zf, zf.infolist()))
    return next(part for part, name in names.items() if name == sheet)


R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHAPE_DRAWING = (
    b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor>'
    b"<xdr:from><xdr:col>8</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
    b"<xdr:to><xdr:col>11</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>5</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
    b'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="TextBox 1"/><xdr:cNvSpPr txBox="1"/>'
    b'</xdr:nvSpPr><xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/>'
    b"<a:p><a:r><a:t>Moderation note: see minutes</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/>"
    b"</xdr:twoCellAnchor></xdr:wsDr>")


def _add_rel(rels: bytes, rid: str, rel_type: str, target: str) -> bytes:
    rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'.encode()
    return rels.replace(b"</Relationships>", rel + b"</Relationships>")


def _rels_of(part: str) -> str:
    folder, name = part.rsplit("/", 1)
    return f"{folder}/_rels/{name}.rels"


def add_shape(src: Path, dst: Path, sheet: str) -> Path:
    """Put a text box (a DrawingML shape, as Excel's Insert › Text Box makes) on ``sheet``."""
    part = sheet_part(src, sheet)
    rels = _rels_of(part)

    def edit(name: str, data: bytes) -> bytes:
        if name == part:
            drawing = f'<drawing xmlns:r="{R_NS}" r:id="rIdShape1"/>'.encode()
            return data.replace(b"<tableParts", drawing + b"<tableParts", 1)
        if name == rels:
            return _add_rel(data, "rIdShape1", f"{R_NS}/drawing", "../drawings/drawingShape1.xml")
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/xl/drawings/drawingShape1.xml" ContentType='
                                b'"application/vnd.openxmlformats-officedocument.drawing+xml"/></Types>')
        return data
    return rewrite(src, dst, edit, add={"xl/drawings/drawingShape1.xml": SHAPE_DRAWING})


def add_custom_xml(src: Path, dst: Path) -> Path:
    """Attach a custom XML data part to the workbook, as document-management systems do."""
    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/_rels/workbook.xml.rels":
            return _add_rel(data, "rIdCustom1", f"{R_NS}/customXml", "../customXml/item1.xml")
        return data
    return rewrite(src, dst, edit, add={"customXml/item1.xml": b'<record xmlns="urn:trust:records">R-2026-14</record>'})


def make_xlsm(src: Path, dst: Path, vba_project: bytes) -> Path:
    """Turn an .xlsx into a macro-enabled .xlsm carrying ``vba_project`` (a real vbaProject.bin)."""
    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            data = data.replace(b"spreadsheetml.sheet.main+xml", b"PLACEHOLDER")
            data = data.replace(b"application/vnd.openxmlformats-officedocument.PLACEHOLDER",
                                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            return data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.'
                                b'vbaProject"/></Types>')
        if name == "xl/_rels/workbook.xml.rels":
            return _add_rel(data, "rIdVba1", "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
                            "vbaProject.bin")
        return data
    return rewrite(src, dst, edit, add={"xl/vbaProject.bin": vba_project})


#: The encodings a package's XML part may be saved in, as tests name them: (Python codec, BOM).
ENCODINGS = {
    "utf-8": ("utf-8", b""),
    "utf-16-le-bom": ("utf-16-le", b"\xff\xfe"),
    "utf-16-be-bom": ("utf-16-be", b"\xfe\xff"),
    "utf-16-le": ("utf-16-le", b""),
    "utf-16-be": ("utf-16-be", b""),
}


def reencode(xml: bytes, encoding: str) -> bytes:
    """A UTF-8 XML part saved in ``encoding`` (a key of ``ENCODINGS``), its declaration (if any)
    naming the new encoding, as a tool writing UTF-16 would save it."""
    codec, bom = ENCODINGS[encoding]
    text = xml.decode("utf-8")
    if codec != "utf-8":
        text = re.sub(r'^(<\?xml[^>]*encoding=["\'])[^"\']*', r"\g<1>UTF-16", text)
    return bom + text.encode(codec)
