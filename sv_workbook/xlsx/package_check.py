"""Check an untrusted file before any spreadsheet parser sees it.

Workbooks come from suppliers and from dozens of staff; a few will be wrong, old,
damaged or hostile. openpyxl trusts the zip package it is given: a zip bomb, a sheet of
a million rows or a Table claiming the whole grid would make it (and us) hang or run
out of memory, and a binary ``.xls`` or an encrypted file only gives an obscure
exception. So every read goes through ``check_package`` first. It uses only the
standard library, ``defusedxml`` and (where installed) zlib-ng's faster inflate, and looks
at the package cheaply: magic bytes, the zip directory (declared sizes and ratios), then
one streaming pass that counts the bytes each part really inflates to (never more than the
policy allows), refuses XML document type declarations (the door to entity-expansion
attacks, which Excel never writes) and characters XML forbids in sheets, and counts
worksheet rows. A batch runs it on every file, so its byte tests take the cheapest form
that gives the same answer (tests/xlsx/test_package_check_scans.py holds them to it).
What it cannot accept raises ``WorkbookUnreadable`` with a reason and what to do; what
people should know (macros, embedded objects, links to other workbooks) comes back as
findings.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Iterator

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from sv_workbook.core.catalogue import EMBEDDED_OBJECTS, EXTERNAL_LINKS, HAS_MACROS, HUGE_RANGE, WARNING
from sv_workbook.core.findings import Finding
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.xlsx.load_errors import technical_detail
from sv_workbook.xlsx.part_encoding import DETECT_BYTES, UTF8, EncodingRefused, Utf8Text, detect

try:  # zlib-ng inflates a register's parts and sums their CRCs in under half the standard zlib's time
    from zlib_ng import zlib_ng as fast_zlib
except ImportError:  # Pyodide (xlwings Lite) has no wheel of it: the same inflate, the same checks, slower
    fast_zlib = zlib
#: What either inflater raises on corrupt compressed data (zipfile, reading small parts, uses zlib).
INFLATE_ERRORS = (zlib.error, fast_zlib.error)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
CHUNK = 1 << 20
#: Ratios are judged only on parts at least this big: small XML legitimately compresses well.
RATIO_MIN_BYTES = 1 << 20
HEAD_BYTES = 4096
#: A zip local file header before its name and extra field (APPNOTE 4.3.7).
LOCAL_HEADER_BYTES = 30
#: Package parts up to this size are parsed once per distinct content (``parse_part``).
SMALL_PART_BYTES = 16 * 1024
#: The fewest bytes the row and cell counters match (``<row`` or ``<c`` and one more byte):
#: a part of N bytes holds at most N // 5 rows and N // 3 cells as they count them.
MIN_ROW_BYTES, MIN_CELL_BYTES = 5, 3

CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_DOC_REL = "/officeDocument"
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
XLSB_TYPE = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
EXTERNAL_LINK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"
#: What a reader of sheets, names and Tables needs (with the relationship parts): kept for the
#: fast reader; images, embedded files and shared strings (calamine reads those) are not.
KEPT_TYPES = frozenset(WORKBOOK_TYPES | {WORKSHEET_TYPE, TABLE_TYPE})
#: Parts kept by name for the fast reader: openpyxl reads them at these fixed names whatever their
#: content type, and refuses a workbook when one is malformed, so the fast reader checks them too.
KEPT_NAMES = frozenset({"xl/styles.xml", "docProps/core.xml", "docProps/custom.xml"})

SAVE_AS_XLSX = "Open it in Excel and use File › Save As › Excel Workbook (*.xlsx), then use the .xlsx file."
DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
#: How many ``!`` bytes ``has_bang_markup`` looks at one by one (each found by ``bytes.find``, which
#: runs at memory speed) before it hands the rest of the text to the markup's regex; a sheet's formulas
#: name other sheets with ``!``, so a few dozen are usual, and the budget bounds the Python
#: loop on text made of nothing else.
BANG_LOOKS = 256
#: Bytes of the previous piece's end kept for the tests that must see across pieces.
TAIL_BYTES = 32
#: Characters XML 1.0 forbids anywhere in a document (Excel writes them escaped, as _x0001_). In
#: UTF-8 text these bytes occur only as themselves, never inside another character's bytes.
FORBIDDEN_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
#: Every other byte. Text holds a forbidden one when deleting these (``bytes.translate``) leaves
#: anything: eight times faster than a regex character class (deleting the forbidden ones and
#: comparing lengths writes out the whole text, and takes half as long again), and a batch runs
#: it over every sheet of every file.
ALLOWED_BYTES = bytes(sorted(set(range(256)) - set(FORBIDDEN_BYTES)))
ROW_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
CELL_EL_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
#: The same elements without a namespace prefix. A pattern with a literal start is about
#: twice as fast to count; it is used only on text that cannot hold a prefixed one.
PLAIN_ROW_RE = re.compile(rb"<row[\s>/]")
PLAIN_CELL_EL_RE = re.compile(rb"<c[\s>/]")
DIMENSION_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*\bref\s*=\s*[\"']([^\"']*)[\"']")
TABLE_REF_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?table\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']", re.DOTALL)
CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


class WorkbookUnreadable(Exception):
    """The file cannot be read at all; ``reason`` and ``hint`` are for people."""

    def __init__(self, path: str | Path, reason: str, hint: str, detail: str = ""):
        super().__init__(f"{Path(path).name}: {reason}. {hint}")
        self.path = str(path)
        self.reason = reason
        self.hint = hint
        #: What went wrong technically (an exception's text), for ``--verbose`` only: reasons never
        #: show Python's words.
        self.detail = detail


@dataclass(frozen=True)
class Package:
    """What the pre-parse check learnt: every part's content type, and notices for people."""

    path: Path
    content_types: dict[str, str]
    findings: tuple[Finding, ...] = field(default=())
    #: Part name → its bytes for the structure parts (``KEPT_TYPES`` and relationships), when
    #: asked for (``keep_parts``): the fast reader uses the bytes inflated and checked here
    #: instead of inflating them a second time.
    parts: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    #: The whole file as it was checked (with ``keep_parts``): the fast reader reads these bytes,
    #: not the file again, so what was checked is what is read.
    data: bytes = field(default=b"", compare=False, repr=False)
    #: XML parts saved in UTF-16 (checked as decoded text): the fast reader's byte scans and
    #: calamine read UTF-8 only, so it leaves a package with any of these to openpyxl.
    utf16_parts: tuple[str, ...] = ()


def check_package(path: str | Path, policy: Policy = DEFAULT_POLICY, keep_parts: bool = False) -> Package:
    """Refuse (``WorkbookUnreadable``) what no parser should be given; otherwise describe it.

    ``keep_parts`` keeps the structure parts' bytes in ``Package.parts`` and the file's in
    ``Package.data``. The file is read once, here.
    """
    path = Path(path)
    if not path.exists():
        raise WorkbookUnreadable(path, "the file does not exist", "Check the path and the file name.")
    if not path.is_file():
        raise WorkbookUnreadable(path, "this is a folder, not a workbook file", "Give the path of an .xlsx file.")
    size = path.stat().st_size
    if size == 0:
        raise WorkbookUnreadable(path, "the file is empty (0 bytes)",
                                 "It was probably not saved or copied completely; get the file again.")
    try:
        with path.open("rb") as fh:
            # the size stat() gave and a byte more (asking for the limit allocated 50 MB for every file, which
            # cost more than the read); a file that grew since is read on, never past the limit
            data = fh.read(min(size, policy.max_file_bytes) + 1)
            if len(data) > size:
                data += fh.read(policy.max_file_bytes + 1 - len(data))
    except OSError as exc:
        raise WorkbookUnreadable(path, "the file cannot be opened" + (f" ({exc.strerror.lower()})" if exc.strerror
                                                                     else ""),
                                 "Check that you may read it and that no other program holds it locked, "
                                 "then try again.", technical_detail(exc)) from exc
    if max(size, len(data)) > policy.max_file_bytes:
        raise WorkbookUnreadable(path, f"the file is {_mb(max(size, len(data)))}, over the limit of "
                                 f"{_mb(policy.max_file_bytes)} set in the policy (max_file_bytes)",
                                 "Check it is the right file; if it really is this big, raise max_file_bytes in "
                                 "the policy file.")
    head = data[:8]
    if head == OLE2_MAGIC:
        _refuse_ole2(path, data)
    if head[:4] not in ZIP_MAGICS:
        raise WorkbookUnreadable(path, _not_zip_reason(head), SAVE_AS_XLSX)
    try:
        with _GateZip(data) as zf:
            return _check_zip(path, data, zf, policy, keep_parts)
    except zipfile.BadZipFile as exc:
        why = ("its zip directory is missing" if "not a zip file" in str(exc).lower() else
               "a part's stored checksum does not match its content" if "crc" in str(exc).lower() else
               "its zip directory and a part's own header give the part different names" if "differ" in str(exc) else
               "its zip structure is inconsistent")
        raise WorkbookUnreadable(path, f"the file is truncated or damaged ({why}); it may be an incomplete "
                                 "download or copy", "Get the file again from its source, or open it in Excel "
                                 "and let it repair the file, then save it.", technical_detail(exc)) from exc
    except (EOFError, OSError, RuntimeError, NotImplementedError, ValueError, *INFLATE_ERRORS) as exc:
        why = ("a part is cut short" if isinstance(exc, EOFError) else
               "it uses a zip feature Excel does not write" if isinstance(exc, NotImplementedError) else
               "a part's compressed data is corrupt")
        raise WorkbookUnreadable(path, f"the file is damaged ({why})",
                                 "Open it in Excel, let it repair the file if asked, and save it as .xlsx.",
                                 technical_detail(exc)) from exc


def _refuse_ole2(path: Path, data: bytes) -> None:
    """An OLE2 compound file is an old .xls, or an encrypted (password-protected) .xlsx."""
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        raise WorkbookUnreadable(path, "the workbook is password-protected (encrypted), so its contents "
                                 "cannot be read", "Open it in Excel with the password, choose File › Info › "
                                 "Protect Workbook › Encrypt with Password, clear the password, and save it. "
                                 "Keep the file somewhere access-controlled instead.")
    lowered = data.lower()  # stream names are UTF-16; bytes.lower() folds their ASCII letters
    if "workbook".encode("utf-16-le") in lowered or "book".encode("utf-16-le") in lowered:
        raise WorkbookUnreadable(path, "this is an old binary Excel 97-2003 workbook (.xls)", SAVE_AS_XLSX)
    raise WorkbookUnreadable(path, "this is an old binary Office document, not an Excel workbook",
                             "Check it is the right file; workbooks must be saved as .xlsx.")


def _not_zip_reason(head: bytes) -> str:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"%PDF"):
        return "this is a PDF document, not an Excel workbook"
    if stripped.startswith(b"<"):
        return ("this is a web page or XML file (perhaps an Excel 2003 XML workbook) with a workbook's name, not an "
                "Excel .xlsx workbook")
    return "this is not an Excel workbook (an .xlsx file is a zip package and this file is not one)"


class _GateZip(zipfile.ZipFile):
    """The package as ``zipfile`` reads it, except that a small part it is asked for (the content
    types and relationships, the workbook: what the gate parses before it inflates every part)
    is inflated by ``_whole_part`` when that proves it clean, and kept in ``clean`` so that
    ``_stream_parts`` does not inflate it a second time. zipfile's reader of a part costs more
    than inflating it; anything ``_whole_part`` does not prove clean is read by zipfile, as before.
    """

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.data = data
        #: Each part's bytes as proven by ``_whole_part`` (keyed by the entry: names may repeat).
        self.clean: dict[zipfile.ZipInfo, bytes] = {}
        #: Where each entry's data must end: the next entry's header or the zip directory, as newer
        #: zipfiles check it ("Overlapped entries"); a part past it is left to zipfile.
        self.ends: dict[zipfile.ZipInfo, int] = {}
        end = self.start_dir
        for info in sorted(self.filelist, key=lambda i: i.header_offset, reverse=True):
            self.ends[info] = end
            end = info.header_offset

    def read(self, name, pwd=None) -> bytes:
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        piece = None if pwd is not None else _whole_part(self.data, info, self.ends.get(info, -1))
        if piece is None:
            return super().read(name, pwd)
        self.clean[info] = piece
        return piece


def _check_zip(path: Path, data: bytes, zf: _GateZip, policy: Policy, keep_parts: bool = False) -> Package:
    infos = zf.infolist()
    names = {i.filename for i in infos}
    if "mimetype" in names and b"opendocument" in _read_small(zf, "mimetype", 200):
        raise WorkbookUnreadable(path, "this is an OpenDocument spreadsheet (.ods), not an Excel workbook",
                                 "Open it in LibreOffice Calc or Excel and save it as Excel 2007-365 (.xlsx).")
    if len(infos) > policy.max_package_parts:
        raise _bomb(path, f"it holds {len(infos):,} parts, over the limit of {policy.max_package_parts:,} "
                    "(max_package_parts)")
    _check_declared(path, infos, policy, len(data))
    if any(i.flag_bits & 0x1 for i in infos):
        raise WorkbookUnreadable(path, "parts of the package are zip-encrypted", SAVE_AS_XLSX)
    if "[Content_Types].xml" not in names:
        raise WorkbookUnreadable(path, "this zip file is not an Office document (it has no [Content_Types].xml)",
                                 "Check it is the right file; workbooks must be saved from Excel as .xlsx.")
    content_types = read_content_types(path, zf, infos)
    main = _main_type(path, zf, content_types)
    if main == XLSB_TYPE:
        raise WorkbookUnreadable(path, "this is a binary Excel workbook (.xlsb)", SAVE_AS_XLSX)
    if main is None and any("\\" in n for n in content_types):
        raise WorkbookUnreadable(path, "the package names its parts with backslashes (\\), so it was written by a "
                                 "non-standard tool and cannot be read reliably",
                                 "Open it in Excel and save it again as .xlsx.")
    if main not in WORKBOOK_TYPES:
        what = ("a Word document" if main and "wordprocessingml" in main else
                "a PowerPoint presentation" if main and "presentationml" in main else "not an Excel workbook")
        raise WorkbookUnreadable(path, f"this Office file is {what}", "Check it is the right file.")
    sheets = read_sheet_names(path, zf, content_types)
    parts: dict[str, bytes] = {}
    utf16: list[str] = []
    oversized = _stream_parts(path, data, infos, content_types, sheets, policy, utf16, parts if keep_parts else None,
                              zf.clean)
    notices = _notices(path, content_types)
    for part, what, ref in oversized:
        if what == "sheet":
            notices.append(HUGE_RANGE(f"Sheet '{sheets.get(part, part)}' declares its used range as {ref}, "
                                "far beyond the policy's rows/columns; only the cells really present were read.",
                                "No action needed; the tool that saved it declared the whole grid.",
                                sheets.get(part, "")))
        else:
            notices.append(HUGE_RANGE(f"An Excel Table ({part}) covers {ref}, far beyond the policy's "
                                "rows/columns; only the rows holding data were read.",
                                "Resize the table to its data (Table Design › Resize Table)."))
    return Package(path, content_types, tuple(notices), parts, data if keep_parts else b"", tuple(utf16))


def _check_declared(path: Path, infos: list[zipfile.ZipInfo], policy: Policy, file_bytes: int) -> None:
    """Zip-bomb check on what the zip directory claims, before inflating anything.

    Parts may not claim more compressed bytes than the file holds: that only happens when
    directory entries share their data (overlapping parts, a zip-bomb trick that makes a
    reader inflate the same bytes thousands of times)."""
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if packed > file_bytes:
        raise _bomb(path, f"its parts claim {_mb(packed)} of compressed data in a file of {_mb(file_bytes)}, so "
                    "they overlap")
    unsupported = {i.compress_type for i in infos} - {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
    if unsupported:
        raise WorkbookUnreadable(path, f"its parts use a compression method Excel does not write "
                                 f"(zip method {min(unsupported)})", SAVE_AS_XLSX)
    if total > policy.max_uncompressed_bytes:
        raise _bomb(path, f"its parts would unpack to {_mb(total)}, over the limit of "
                    f"{_mb(policy.max_uncompressed_bytes)} (max_uncompressed_bytes)")
    for i in infos:
        if i.file_size >= RATIO_MIN_BYTES and i.file_size / max(i.compress_size, 1) > policy.max_compression_ratio:
            raise _bomb(path, f"its part {i.filename} is compressed {i.file_size / max(i.compress_size, 1):.0f} to 1, "
                        f"over the limit of {policy.max_compression_ratio:g} to 1 (max_compression_ratio)")
    if total >= RATIO_MIN_BYTES and total / max(packed, 1) > policy.max_compression_ratio:
        raise _bomb(path, f"it is compressed {total / max(packed, 1):.0f} to 1 overall, over the limit of "
                    f"{policy.max_compression_ratio:g} to 1 (max_compression_ratio)")


def _bomb(path: Path, why: str) -> WorkbookUnreadable:
    return WorkbookUnreadable(path, f"the file looks like a zip bomb: {why}",
                              "Do not open it; ask the sender for the real workbook. If it is genuine, raise the "
                              "limit in the policy file.")


def _read_small(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with zf.open(name) as fh:
        return fh.read(limit)


def read_content_types(path: Path, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, str]:
    """Part name → content type, from [Content_Types].xml (Override first, then Default by extension)."""
    root = parse_package_xml(path, zf, "[Content_Types].xml")
    defaults, overrides = {}, {}
    for el in root:
        if el.tag == f"{CT_NS}Default":
            defaults[(el.get("Extension") or "").lower()] = el.get("ContentType") or ""
        elif el.tag == f"{CT_NS}Override":
            overrides[(el.get("PartName") or "").lstrip("/").lower()] = el.get("ContentType") or ""
    result = {}
    for i in infos:
        if i.is_dir():
            continue
        name = i.filename
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        result[name] = overrides.get(name.lower(), defaults.get(ext, ""))
    return result


def _main_type(path: Path, zf: zipfile.ZipFile, content_types: dict[str, str]) -> str | None:
    """Content type of the package's main part (via _rels/.rels, as Office finds it)."""
    if "_rels/.rels" in content_types:
        for rel in parse_package_xml(path, zf, "_rels/.rels"):
            if (rel.get("Type") or "").endswith(OFFICE_DOC_REL):
                target = posixpath.normpath((rel.get("Target") or "").lstrip("/"))
                for name, ct in content_types.items():
                    if name.lower() == target.lower():
                        return ct
    found = [ct for ct in content_types.values() if ct in WORKBOOK_TYPES or ct == XLSB_TYPE]
    return found[0] if found else None


@lru_cache(maxsize=256)
def _encoding_of(head: bytes) -> str:
    """``part_encoding.detect``, once per distinct head: a register's parts start with a few dozen
    distinct heads between them, and every part of every file is asked. A refusal is raised each
    time, never remembered (``lru_cache`` keeps results only)."""
    return detect(head)


def parse_package_xml(path: Path, zf: zipfile.ZipFile, name: str):
    """A small package part parsed by defusedxml (entity and DTD tricks are refused)."""
    info_ = zf.getinfo(name)
    if info_.file_size > 10 * CHUNK:
        raise WorkbookUnreadable(path, f"the package part {name} is implausibly large ({_mb(info_.file_size)})",
                                 "Open it in Excel and save it again as .xlsx.")
    part = zf.read(name)
    try:
        codec = _encoding_of(part[:DETECT_BYTES])
        text = part if codec == UTF8 else Utf8Text(codec).feed(part, final=True)
    except EncodingRefused as exc:
        raise _encoding_refused(path, name, exc) from exc
    if _has_dtd(text):  # refused in our words, whether or not the parser would have choked first
        raise _xml_attack(path, name)
    try:
        return parse_part(part)
    except SafeET.ParseError as exc:
        raise WorkbookUnreadable(path, f"the package part {name} is not well-formed XML",
                                 "Open it in Excel, let it repair the file if asked, and save it.", technical_detail(exc)) from exc
    except DefusedXmlException as exc:  # DTDForbidden, EntitiesForbidden and friends
        raise _xml_attack(path, name) from exc


def parse_part(data: bytes):
    """A package part parsed by defusedxml; small parts are parsed once per distinct content.

    A batch of workbooks made from one template repeats the same content types,
    relationships, workbook and Table parts byte for byte, and parsing them again for
    every file was a tenth of the fast reader's Python time. Callers only read the tree
    (it may be shared between files); errors are raised, never remembered.
    """
    return _parse_small(data) if len(data) <= SMALL_PART_BYTES else SafeET.fromstring(data)


@lru_cache(maxsize=64)
def _parse_small(data: bytes):
    return SafeET.fromstring(data)


def _encoding_refused(path: Path, name: str, exc: EncodingRefused) -> WorkbookUnreadable:
    return WorkbookUnreadable(path, f"the package part {name} {exc.reason}",
                              "Open it in Excel and save it again as .xlsx; if it came from another program, "
                              "ask for it saved as a standard Excel workbook.")


def _xml_attack(path: Path, name: str) -> WorkbookUnreadable:
    return WorkbookUnreadable(path, f"the package part {name} contains an XML document type declaration "
                              "(<!DOCTYPE or <!ENTITY), which Excel never writes and which is how XML entity "
                              "attacks work", "Do not open it; ask the sender for a workbook saved by Excel.")


def _forbidden_char(path: Path, sheet: str) -> WorkbookUnreadable:
    return WorkbookUnreadable(path, f"the XML of its sheet '{sheet}' is malformed: it holds a control character "
                              "XML does not allow", "Open it in Excel, let it repair the file if asked, and save it "
                              "as .xlsx.")


def _stream_parts(path: Path, data: bytes, infos: list[zipfile.ZipInfo], content_types: dict[str, str],
                  sheets: dict[str, str], policy: Policy,
                  utf16: list[str], kept: dict[str, bytes] | None = None,
                  clean: dict[zipfile.ZipInfo, bytes] | None = None) -> list[tuple[str, str, str]]:
    """Inflate every part once, counting real bytes, DTDs, worksheet rows and cells as we go
    (and keeping the structure parts' bytes in ``kept`` when it is given). A part in ``clean``
    was inflated already (``_GateZip``) and is the one piece ``_inflate`` would give. XML parts are
    scanned as text in whatever encoding they are in (``_XmlScan``); the names of those in
    UTF-16 are added to ``utf16``.

    Returns (part, what, range) for sheets and Tables whose declared range is beyond the
    policy's rows/columns: real files do that (some tools declare the whole grid), so it
    is reported, and only the cells actually present are ever read.

    A worksheet is a part with the worksheet content type or one the workbook names as a
    sheet (openpyxl reads it either way). Counting is skipped where the sizes already prove
    the limits cannot be reached: the counter matches ``MIN_ROW_BYTES`` or ``MIN_CELL_BYTES``
    bytes at least, and no part gets past this loop bigger than it declares. Typical
    registers are far below, and counting was a fifth of this check's time.
    """
    total = 0

    def is_sheet_part(i: zipfile.ZipInfo) -> bool:
        return content_types.get(i.filename, "") == WORKSHEET_TYPE or i.filename in sheets

    count_cells = sum(i.file_size for i in infos if is_sheet_part(i)) // MIN_CELL_BYTES > policy.max_cells
    counts = _Counts(path, policy, sheets)
    oversized: list[tuple[str, str, str]] = []
    with io.BytesIO(data) as raw:
        for i in infos:
            if i.is_dir():
                continue
            ct = content_types.get(i.filename, "")
            is_sheet = is_sheet_part(i)
            is_xml = is_sheet or ct.endswith("xml") or i.filename.lower().endswith((".xml", ".rels", ".vml"))
            count = is_sheet and (count_cells or i.file_size // MIN_ROW_BYTES > policy.max_rows)
            scan = _XmlScan(counts, i.filename, count, is_sheet) if is_xml else None
            size = 0
            keep = kept is not None and (is_sheet or ct in KEPT_TYPES or i.filename.endswith(".rels")
                                         or i.filename in KEPT_NAMES)
            pieces: list[bytes] | None = [] if keep else None
            for chunk in (clean[i],) if clean and i in clean else _inflate(raw, i):
                size += len(chunk)
                total += len(chunk)
                if size > i.file_size:  # corrupted data does this too, so the words allow for both
                    raise WorkbookUnreadable(path, f"the file is damaged or deliberately malformed: its part "
                                             f"{i.filename} unpacks to more than the {i.file_size:,} bytes it "
                                             "declares (as zip bombs do)", "Do not open it; get the file again "
                                             "from its source, or ask the sender for the workbook as Excel saved it.")
                if total > policy.max_uncompressed_bytes:
                    raise _bomb(path, f"its parts unpack to more than {_mb(policy.max_uncompressed_bytes)} "
                                "(max_uncompressed_bytes)")
                if pieces is not None:
                    pieces.append(chunk)
                if scan is not None:
                    scan.feed(chunk)
            if size < i.file_size:
                raise zipfile.BadZipFile(f"part {i.filename} unpacks to {size} bytes, not the {i.file_size} it declares")
            if scan is not None:
                scan.close()
                if scan.codec != UTF8:
                    utf16.append(i.filename)
            if pieces is not None:
                kept[i.filename] = b"".join(pieces)
            head = scan.head if scan is not None else b""
            regex = DIMENSION_RE if is_sheet else TABLE_REF_RE if ct == TABLE_TYPE else None
            m = regex.search(head) if regex else None
            if m and _beyond_limits(m.group(1).decode("ascii", "replace"), policy):
                oversized.append((i.filename, "sheet" if is_sheet else "table", m.group(1).decode("ascii", "replace")))
    return oversized


class _Counts:
    """Rows of the part being scanned and cells of the whole package, against the policy's limits."""

    def __init__(self, path: Path, policy: Policy, sheets: dict[str, str]):
        self.path, self.policy, self.sheets = path, policy, sheets
        self.cells = 0

    def add(self, part: str, rows: int, cells: int) -> None:
        self.cells += cells
        if rows > self.policy.max_rows:
            raise _too_big(self.path, self.sheets.get(part, part), f"more than {self.policy.max_rows:,} rows of cells",
                           "max_rows")
        if self.cells > self.policy.max_cells:
            raise _too_big(self.path, self.sheets.get(part, part), f"more than {self.policy.max_cells:,} cells in all",
                           "max_cells")


class _XmlScan:
    """The byte-level checks on one XML part's text, fed the part's bytes piece by piece.

    The part's encoding is read from its first ``DETECT_BYTES`` bytes (``part_encoding``);
    UTF-16 text is turned into UTF-8 as it arrives, so the DTD test and the row and cell
    counts below see the text a parser will read, whichever encoding it is saved in. UTF-8
    (all Excel writes in the parts that matter) goes straight through, at no extra cost.
    """

    def __init__(self, counts: _Counts, part: str, count: bool, sheet: bool = False):
        self.counts, self.part, self.count = counts, part, count
        #: A worksheet, which every parser reads whole: a character XML forbids makes openpyxl
        #: refuse the file, while calamine may read past it, so the check is made here, for both.
        self.sheet = sheet
        self.codec: str | None = None
        self.transcode: Utf8Text | None = None
        self.pending = b""
        self.rows = 0
        self.tail = b""
        #: The part's first ``HEAD_BYTES`` bytes of text, as UTF-8 (for the used-range tests).
        self.head = b""

    def feed(self, chunk: bytes) -> None:
        if self.codec is None:
            self.pending += chunk
            if len(self.pending) < DETECT_BYTES:
                return
            self._start()
            chunk, self.pending = self.pending, b""
        self._scan(self._text(chunk))

    def close(self) -> None:
        if self.codec is None:  # a part shorter than DETECT_BYTES
            self._start()
            self._scan(self._text(self.pending))
        if self.transcode is not None:
            self._scan(self._text(b"", final=True))

    def _text(self, data: bytes, final: bool = False) -> bytes:
        """``data`` as UTF-8 text (as it is, for a UTF-8 part)."""
        if self.transcode is None:
            return data
        transcode = self.transcode
        return self._checked(lambda: transcode.feed(data, final))

    def _start(self) -> None:
        self.codec = self._checked(lambda: _encoding_of(self.pending[:DETECT_BYTES]))
        if self.codec != UTF8:
            self.transcode = Utf8Text(self.codec)

    def _checked(self, step):
        try:
            return step()
        except EncodingRefused as exc:
            raise _encoding_refused(self.counts.path, self.part, exc) from exc

    def _scan(self, text: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += text[:HEAD_BYTES - len(self.head)]
        # a declaration cut between two pieces begins in ``tail`` and ends in this piece's first bytes
        if (self.tail and _has_dtd(self.tail + text[:TAIL_BYTES])) or _has_dtd(text):
            raise _xml_attack(self.counts.path, self.part)
        if self.sheet and text.translate(None, ALLOWED_BYTES):
            raise _forbidden_char(self.counts.path, self.counts.sheets.get(self.part, self.part))
        window = self.tail + text if self.count or len(text) < TAIL_BYTES else text
        if self.count:
            # counted in C (findall), not match by match: this runs for every cell of every file a
            # batch validates; elements wholly inside ``tail`` were counted with the previous piece
            # (a prefixed row or cell element needs ":row" or ":c" in the text; ``tail`` is part of
            # ``window``, so both are counted with the same pattern)
            row_re, cell_re = ((ROW_RE, CELL_EL_RE) if b":row" in window or b":c" in window
                               else (PLAIN_ROW_RE, PLAIN_CELL_EL_RE))
            rows = len(row_re.findall(window)) - len(row_re.findall(self.tail))
            self.rows += rows
            self.counts.add(self.part, self.rows, len(cell_re.findall(window)) - len(cell_re.findall(self.tail)))
        self.tail = window[-TAIL_BYTES:]


def _has_dtd(text: bytes) -> bool:
    """True when ``text`` holds ``<!DOCTYPE`` or ``<!ENTITY`` (any case), as ``DTD_RE.search`` says."""
    return has_bang_markup(text, DTD_RE)


def has_bang_markup(text: bytes, markup: re.Pattern[bytes]) -> bool:
    """True when ``markup``, a pattern of markup starting ``<!``, matches in ``text``, as
    ``markup.search`` says.

    A regex search steps through every byte; most XML holds no ``!`` at all, and a sheet only the
    few its formulas use, so each ``!`` is found by ``bytes.find`` and tested where it stands (the
    first ``BANG_LOOKS`` of them; the regex searches the text from the next one on).
    """
    at = text.find(b"!")
    for _ in range(BANG_LOOKS):
        if at < 0:
            return False
        if at and text[at - 1] == 0x3C and markup.match(text, at - 1):  # 0x3C is "<"
            return True
        at = text.find(b"!", at + 1)
    return at >= 0 and markup.search(text, at - 1) is not None


def _whole_part(data: bytes, info: zipfile.ZipInfo, end: int) -> bytes | None:
    """The part's bytes when it is certainly clean, else None (then zipfile or ``_inflate`` reads it).

    Clean means what both readers of a part agree on without a word: compressed to at most
    ``CHUNK`` bytes and inflating to at most ``CHUNK`` (so ``_inflate`` gives it as one piece,
    these very bytes), flags and a local header as ``_inflate`` and zipfile check them, its data
    inside the file and before ``end`` (the next entry), a deflate stream that ends within it,
    exactly the size it declares, and the CRC it declares (so zipfile reads the same bytes,
    without error). Anything else, damaged or hostile, is left to the reader that refuses it in
    its own words. Never raises.
    """
    start = info.header_offset
    if not 0 < info.compress_size <= CHUNK or not 0 < info.file_size <= CHUNK or info.flag_bits & 0x60:
        return None  # (zipfile refuses patched data and strong encryption by the directory's flags)
    try:
        fields = _local_header(data[start:start + LOCAL_HEADER_BYTES])
        if fields is None:
            return None
        flags, name_length, extra_length = fields
        begin = start + LOCAL_HEADER_BYTES + name_length
        if flags & 0x60 or _local_name(data[start + LOCAL_HEADER_BYTES:begin], flags) != info.orig_filename:
            return None
        begin += extra_length
        if begin + info.compress_size > min(end, len(data)):
            return None
        packed = memoryview(data)[begin:begin + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            piece = bytes(packed)
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = fast_zlib.decompressobj(-zlib.MAX_WBITS)
            piece = inflater.decompress(packed, CHUNK)
            if not inflater.eof:
                return None
        else:
            return None
    except (ValueError, UnicodeDecodeError, *INFLATE_ERRORS):
        return None
    return piece if len(piece) == info.file_size and fast_zlib.crc32(piece) == info.CRC else None


def _local_header(header: bytes) -> tuple[int, int, int] | None:
    """(flags, name length, extra field length) of a part's local header, as zipfile reads them;
    None when ``header`` is not a whole local header."""
    if len(header) != LOCAL_HEADER_BYTES or header[:4] != b"PK\x03\x04":
        return None
    flags, = struct.unpack_from("<H", header, 6)
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    return flags, name_length, extra_length


def _local_name(name: bytes, flags: int) -> str:
    """A local header's part name, decoded strictly as zipfile decodes it (ASCII, every name Excel
    writes, reads the same either way, and the built-in codec is faster)."""
    return name.decode("ascii" if name.isascii() else "utf-8" if flags & 0x800 else "cp437")


def _inflate(raw: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes as they really inflate, in pieces of at most ``CHUNK``.

    ``zipfile`` stops reading a part at the size the zip directory declares, so a part
    that lies about its size (how zip bombs get past size checks) would look harmless
    to it while other readers inflate all of it. Here the part is read straight from the
    file and inflated (``fast_zlib``), bounded piece by piece, so the caller sees the real size;
    the local header and the CRC are checked as ``zipfile`` checks them. Only stored and
    deflated parts get here (``_check_declared`` refuses the methods Excel never writes).
    """
    raw.seek(info.header_offset)
    fields = _local_header(raw.read(LOCAL_HEADER_BYTES))
    if fields is None:
        raise zipfile.BadZipFile(f"bad local header for part {info.filename}")
    flags, name_length, extra_length = fields
    if flags & 0x60:  # compressed patched data, strong encryption
        raise NotImplementedError(f"part {info.filename} uses a zip feature Excel does not write")
    name = _local_name(raw.read(name_length), flags)
    if name != info.orig_filename:  # as zipfile refuses it: the two directories disagree
        raise zipfile.BadZipFile(f"File name in directory {info.orig_filename!r} and header {name!r} differ.")
    raw.seek(extra_length, 1)
    left, crc = info.compress_size, 0
    if info.compress_type == zipfile.ZIP_STORED:
        while left > 0:
            data = raw.read(min(CHUNK, left))
            if not data:
                raise EOFError(f"part {info.filename} is cut short")
            left -= len(data)
            crc = fast_zlib.crc32(data, crc)
            yield data
    elif left > 0:  # an empty deflated part (no bytes at all) reads as empty, as in zipfile
        inflater, data = fast_zlib.decompressobj(-zlib.MAX_WBITS), b""
        while not inflater.eof:
            if not data and left > 0:
                data = raw.read(min(CHUNK, left))
                if not data:
                    raise EOFError(f"part {info.filename} is cut short")
                left -= len(data)
            piece = inflater.decompress(data, CHUNK)  # never more than CHUNK at a time
            data = inflater.unconsumed_tail
            if piece:
                crc = fast_zlib.crc32(piece, crc)
                yield piece
            elif not data and left <= 0 and not inflater.eof:
                raise EOFError(f"part {info.filename} is cut short")
    if crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")


def _beyond_limits(ref: str, policy: Policy) -> bool:
    """True when a range such as A1:XFD1048576 spans more rows or columns than the policy allows."""
    return _range_beyond(ref, policy.max_rows, policy.max_columns)


@lru_cache(maxsize=256)
def _range_beyond(ref: str, max_rows: int, max_columns: int) -> bool:
    """``_beyond_limits`` once per distinct range and limits: the sheets of a batch declare few."""
    corners = [CELL_RE.match(c.strip()) for c in ref.split(":")]
    if not corners or any(c is None for c in corners):
        return False
    rows = [int(c.group(2)) for c in corners]
    cols = [_col_number(c.group(1)) for c in corners]
    return max(rows) - min(rows) + 1 > max_rows or max(cols) - min(cols) + 1 > max_columns


def check_table_size(path: Path, table: str, sheet: str, rows: int, columns: int, policy: Policy) -> None:
    """Refuse a Table whose rows down to the sheet's last cell hold more cells than the
    policy allows: a tiny file can hold a Table of a hundred thousand rows and one stray
    cell at its bottom, and either reader would make an object for every one of its cells."""
    if rows * columns > policy.max_cells:
        raise WorkbookUnreadable(path, f"the Excel Table '{table}' on sheet '{sheet}' reaches {rows:,} rows of "
                                 f"{columns} columns, more than the {policy.max_cells:,} cells the policy allows "
                                 "(max_cells)", "Resize the table to its data (Table Design › Resize Table), "
                                 "delete any stray cells below it, and save; if the data really is this large, "
                                 "raise max_cells in the policy file.")


def _too_big(path: Path, sheet: str, what: str, key: str) -> WorkbookUnreadable:
    return WorkbookUnreadable(path, f"the sheet '{sheet}' is too large to check safely: it has {what}, "
                              f"over the policy limit ({key})",
                              "Delete the unused rows and columns (select them, right-click › Delete) and save; if "
                              f"the data really is this large, raise {key} in the policy file.")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def read_sheet_names(path: Path, zf: zipfile.ZipFile, content_types: dict[str, str]) -> dict[str, str]:
    """Sheet part → sheet name, as the workbook and its relationships name them (best effort):
    for messages people can act on, and so that a sheet is counted even when the package
    does not give it the worksheet content type."""
    try:
        wb_part = next(n for n, ct in content_types.items() if ct in WORKBOOK_TYPES)
        rels = {r.get("Id"): r.get("Target") or "" for r in parse_package_xml(path, zf, rels_part_name(wb_part))}
        out = {}
        for el in parse_package_xml(path, zf, wb_part).iter():
            if el.tag.endswith("}sheet"):
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                target = rels.get(rid, "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(posixpath.dirname(wb_part), target))
                out[part] = el.get("name") or ""
        return out
    except (StopIteration, KeyError, WorkbookUnreadable):
        return {}


def rels_part_name(part: str) -> str:
    """The relationships part of ``part``: xl/workbook.xml → xl/_rels/workbook.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _notices(path: Path, content_types: dict[str, str]) -> list[Finding]:
    """What a reader should know about a file the tool accepts: none of it is ever run or followed."""
    out: list[Finding] = []
    names = [n.lower() for n in content_types]
    if any(ct == VBA_TYPE or n.endswith("vbaproject.bin") for n, ct in zip(names, content_types.values())):
        if path.suffix.lower() == ".xlsm":
            out.append(HAS_MACROS("The workbook carries VBA macros; sv-workbook never runs them.",
                                  "No action needed; macros are kept when the tool writes an .xlsm file."))
        else:
            out.append(HAS_MACROS(f"The workbook is named {path.suffix or 'without an extension'} but "
                                  "carries VBA macros; sv-workbook never runs them, and Excel may refuse the file.",
                                  "Ask the sender why; save it as .xlsx (macros removed) or name it .xlsm.",
                                  severity=WARNING))
    if any(n.startswith(("xl/embeddings/", "xl/activex/")) for n in names):
        out.append(EMBEDDED_OBJECTS("The workbook contains embedded objects or ActiveX controls; "
                                    "sv-workbook never opens or runs them.", "No action needed."))
    if any(ct == EXTERNAL_LINK_TYPE for ct in content_types.values()):
        out.append(EXTERNAL_LINKS("The workbook links to other workbooks; sv-workbook never follows or "
                                  "refreshes those links and uses the values stored in this file.",
                                  "If those values matter, open the file in Excel and update the links first "
                                  "(Data › Edit Links)."))
    return out


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB"


__all__ = ["WorkbookUnreadable", "Package", "check_package", "check_table_size", "parse_part"]
