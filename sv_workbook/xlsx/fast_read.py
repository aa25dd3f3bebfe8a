"""Fast read-only reader: the same ``RawBook`` as ``openpyxl_read.read_rawbook``, without openpyxl.

Batch validation reads hundreds of workbooks and only needs a few hundred cells of each:
the contract's defined names and Tables. openpyxl builds its whole object model (every
cell, style and validation) and, when an input holds a formula, reads the file twice.
Here the package structure (sheets, defined names, Table definitions) is read with
defusedxml from the parts the package check (``package_check.check_package``) has already
inflated, and cell values with python-calamine (Rust), which reads these files about 19×
faster than openpyxl.

The result must be *identical* to the openpyxl reader's, because both feed the same
validators and people must get the same findings whichever path ran. So:

* value types follow openpyxl (whole numbers as ``int``, dates as ``datetime``,
  empty text as ``None``);
* what is decided (which defined name, which columns and rows, what is said about
  hidden sheets and merges) is decided by the shared rules of ``core.reading``, and files
  are refused by the same ``check_package``;
* formula cells are found by a cheap scan of the sheet XML (calamine only gives the
  cached value); their text is rebuilt as openpyxl does, shared formulas included;
* merged cells other than the top-left one read as empty, as in openpyxl.

Anything this reader cannot promise to read the openpyxl way (array formulas in an
input, formulas in a header row, prefixed XML, a damaged package...) *declines*: the
file is then read by openpyxl, which is slower but gives the reference result and the
reference wording for damaged files.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import warnings
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any

import python_calamine

from sv_workbook.core import a1
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.core.rawbook import CellValue, RawBook, RawTable
from sv_workbook.core.reading import (DefinedNameText, choose_names, data_rows, hidden_sheet_note, is_contract_header,
                                      merged_input_findings)
from sv_workbook.xlsx.part_acceptance import openpyxl_certainly_reads
from sv_workbook.xlsx.package_check import (BANG_LOOKS, KEPT_NAMES, WorkbookUnreadable, check_package, check_table_size,
                                           has_bang_markup, parse_part)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: Global names openpyxl does not expose as workbook names (``DefinedNameList.by_sheet``).
SKIPPED_GLOBAL_NAMES = ("_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase")
#: Integral floats below this are read as ``int``, as openpyxl does for ``<v>5</v>``.
INT_LIMIT = 1e15
#: Merged ranges bigger than this are not expanded cell by cell (the openpyxl reader copes).
MAX_MERGED_CELLS = 100_000

#: A formula element; the optional group is missing for markup the scan does not understand.
_FORMULA = re.compile(rb"<f\b(?:([^>]*?)(?:/>|>([^<]*)</f>))?")
#: A cell's start tag, its reference its first attribute (``_extent`` declines any other cell);
#: found anywhere, ``r="`` could be another attribute's (``x:r="Z9"``), and the formula would go there.
_CELL_HEAD = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
#: Attributes as ``_ATTR`` reads them, every one: XML also allows single quotes and spaces around
#: ``=``, which ``_ATTR`` would skip (a shared formula's dependents read as "=").
_ATTRS = re.compile(rb'(?:\s+[\w:]+="[^"]*")*\s*')
_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(?:\s*<f\b[^>]*?(?:/>|>[^<]*</f>))?\s*<v>([^<]*)</v>')
_MERGE = re.compile(rb'<mergeCell\b[^>]*\bref="([^"]+)"')
_TABLE_PART = re.compile(rb'<tablePart\b[^>]*\b(?:\w+:)?id="([^"]+)"')
_PREFIXED_SHEETDATA = re.compile(rb"<\w+:sheetData\b")
#: The start of a comment or CDATA section (a document type declaration is refused before).
_BANG = re.compile(rb"<!")
_DIMENSION = re.compile(rb'<dimension\b[^>]*\bref="([A-Z]*[0-9]*(?::[A-Z]*[0-9]*)?)"')
_ROW = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')
#: A cell in a 3-letter column, or a cell whose first attribute is not its reference.
_ODD_CELL = re.compile(rb'<c(?: r="[A-Z]{3}|(?! r=")[\s>/])')
#: Package folders neither reader looks in (Power Query's UTF-16 ``customXml`` item, document
#: properties); any other part saved in UTF-16 sends the file to openpyxl, because calamine and
#: the byte scans here read UTF-8 only (calamine silently reads such a sheet as empty).
IGNORED_FOLDERS = ("customXml/", "docProps/")
#: Cell references (and empty cells) down to this row are made once per column and shared by every file.
CACHED_COLUMN_ROWS = 2_000


#: Marks array and data-table formula cells, which openpyxl reads as objects, not text.
UNSUPPORTED = "\0unsupported formula"


#: (row, column) of a cell reference, remembered: files made from one template name the
#: same few hundred formula cells, and openpyxl's parser is slow next to a lookup.
@lru_cache(maxsize=16384)
def coordinate_to_tuple(coord: str) -> tuple[int, int]:
    """``'B7'`` -> (7, 2); a reference openpyxl might read another way declines the fast path."""
    cell = a1.parse_cell(coord)
    if cell is None:
        raise Declined(f"cell reference {coord!r}")
    return cell


def range_boundaries(ref: str) -> tuple[int, int, int, int]:
    """``'A1:D9'`` -> (min_col, min_row, max_col, max_row), in openpyxl's order; anything else declines."""
    box = a1.parse_range(ref)
    if box is None:
        raise Declined(f"range reference {ref!r}")
    first_row, first_col, last_row, last_col = box
    return first_col, first_row, last_col, last_row


get_column_letter = lru_cache(maxsize=4096)(a1.column_letter)


class Declined(Exception):
    """The fast path cannot promise openpyxl's reading of this file (the reason says why)."""


def read_rawbook_fast(path: str | Path, policy: Policy = DEFAULT_POLICY, strict: bool = False) -> RawBook:
    """Read ``path`` like ``read_rawbook``; fall back to openpyxl when the fast path declines.

    The same ``check_package`` gate runs first (so both readers refuse the same files with
    the same words, and report the same package notices). ``strict`` raises ``Declined``
    instead of falling back, so tests can prove the fast path really ran.
    """
    path = Path(path)
    package = check_package(path, policy, keep_parts=True)
    try:
        read_by_calamine = [p for p in package.utf16_parts if not p.startswith(IGNORED_FOLDERS)]
        if read_by_calamine:
            raise Declined(f"XML parts saved in UTF-16 ({', '.join(read_by_calamine)})")
        raw = _read(path, package.data, policy, package.parts)
    except WorkbookUnreadable:
        raise  # refused for a reason both readers share (a Table too big to read)
    except Declined:
        if strict:
            raise
        return _openpyxl_read(path, policy)
    except Exception as exc:  # a damaged package: openpyxl gives the reference wording for it
        if strict:
            raise Declined(f"{type(exc).__name__}: {exc}") from exc
        return _openpyxl_read(path, policy)
    raw.notes[:0] = package.findings
    return raw


def _openpyxl_read(path: Path, policy: Policy) -> RawBook:
    """The reference reader, imported only when a file needs it (batch workers rarely do)."""
    from sv_workbook.xlsx.openpyxl_read import read_rawbook

    return read_rawbook(path, policy)


class _Package:
    """The parts of the zip package the contracts need, read without openpyxl.

    ``parts`` are the bytes ``check_package`` inflated and checked (``keep_parts``), so no
    part is inflated twice; ``data`` is the whole file, for calamine.
    """

    def __init__(self, data: bytes, parts: dict[str, bytes]):
        self.data = data
        self.parts = parts
        self.names = parts.keys()
        self.scanned: set[str] = set()

    def read(self, part: str) -> bytes:
        try:
            return self.parts[part]
        except KeyError:
            raise KeyError(f"There is no item named {part!r} in the archive") from None

    def xml(self, part: str):
        """The part parsed (by defusedxml); the result is only read, never changed."""
        return parse_part(self.read(part))

    def sheet(self, part: str) -> bytes:
        """A worksheet's XML for the byte scans, which cannot see through comments, CDATA or
        processing instructions: a sheet holding any declines the fast path (checked once)."""
        xml = self.read(part)
        if part not in self.scanned:
            if _has_hidden_markup(xml):
                raise Declined("comments, CDATA or processing instructions in the sheet XML")
            self.scanned.add(part)
        return xml

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """``{rId: (type, target part)}`` for ``part`` (empty when it has no rels)."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        if rels_part not in self.names:
            return {}
        out = {}
        for rel in self.xml(rels_part).iter(f"{{{PKG_REL_NS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id", "")] = (rel.get("Type", ""), target)
        return out


def _read(path: Path, data: bytes, policy: Policy, parts: dict[str, bytes]) -> RawBook:
    return _read_package(path, _Package(data, parts), policy)


def _read_package(path: Path, pkg: _Package, policy: Policy) -> RawBook:
    for part in KEPT_NAMES & pkg.names:
        if not _openpyxl_reads(part, pkg.read(part)):
            raise Declined(f"openpyxl refuses {part}")  # so that it gives the file its reference verdict
    workbook_part = next((t for typ, t in pkg.rels("").values() if typ.endswith("/officeDocument")), None)
    if workbook_part is None:
        raise Declined("no officeDocument relationship")
    wb_rels = pkg.rels(workbook_part)
    if not _openpyxl_reads("workbook", pkg.read(workbook_part)):
        raise Declined(f"openpyxl refuses {workbook_part}")
    root = pkg.xml(workbook_part)

    sheets: list[tuple[str, str, str | None]] = []  # (name, state, worksheet part or None for chartsheets)
    for el in root.iter(f"{{{MAIN_NS}}}sheet"):
        typ, target = wb_rels.get(el.get(f"{{{REL_NS}}}id", ""), ("", ""))
        if typ.endswith("/worksheet"):
            sheets.append((el.get("name", ""), el.get("state") or "visible", target))
        elif typ.endswith("/chartsheet"):
            sheets.append((el.get("name", ""), el.get("state") or "visible", None))
        else:
            raise Declined(f"sheet of type {typ!r}")
    sheetnames = [s[0] for s in sheets]
    raw = RawBook(label=path.name, sheets=sheetnames)
    for name, state, part in sheets:
        if part is not None and state in ("hidden", "veryHidden"):
            raw.notes.append(hidden_sheet_note(name, state))

    parts = {name: part for name, _, part in sheets}
    chosen = _choose_names(tuple(_defined_names(root, sheetnames)), tuple(sheetnames))
    if any(parts.get(sheet) is None for sheet, _ in chosen.targets.values()):
        raise Declined("a defined name points at a chartsheet")
    raw.bad_names.update(chosen.bad)
    raw.notes.extend(chosen.notes)
    name_targets = chosen.targets

    table_defs: list[tuple[str, str, str, int]] = []  # (sheet, table name, ref, total rows), in openpyxl's order
    for name, _, part in sheets:
        if part is None:
            continue
        rels = pkg.rels(part)
        if not any(typ.endswith("/table") for typ, _ in rels.values()):
            continue
        xml = pkg.sheet(part)
        for rid in _last_list(xml, b"<tableParts", b"</tableParts>", _TABLE_PART):
            typ, target = rels.get(rid.decode(), ("", ""))
            if not typ.endswith("/table"):
                raise Declined("tablePart without a table relationship")
            if not _openpyxl_reads("table", pkg.read(target)):
                raise Declined(f"openpyxl refuses {target}")
            el = pkg.xml(target)
            table_defs.append((name, el.get("name") or "", el.get("ref") or "", _totals_rows(el)))

    layouts = []
    for sheet, tname, ref, totals in table_defs:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        max_row = data_rows(min_row, max_row, totals)[1]
        letters = [get_column_letter(c) for c in range(min_col, max_col + 1)]
        header_cells = [f"{letter}{min_row}" for letter in letters]
        layouts.append((sheet, tname, ref, letters, header_cells, min_row, max_row))

    values = _SheetValues(pkg, parts, policy)
    try:
        for name, (sheet, coord) in name_targets.items():
            raw.names[name] = values.cell(sheet, coord)
        for sheet, tname, ref, letters, header_cells, min_row, max_row in layouts:
            raw.tables[tname] = _table(path, values, sheet, tname, ref, letters, header_cells, min_row, max_row)
    finally:
        values.close()
    merges = {name: values.merge_refs[name] for name, _, part in sheets if name in values.merge_refs}
    raw.notes.extend(merged_input_findings(raw, merges))
    return raw


def _table(path: Path, values: "_SheetValues", sheet: str, name: str, ref: str, letters: list[str],
           header_cells: list[str], min_row: int, max_row: int) -> RawTable:
    """As ``openpyxl_read._read_table``: headers as text, contract columns cell by cell.

    Built column by column: every cell of every table passes through here, so the cells
    of a column are made by comprehensions and ``map`` (no Python call per cell), and the
    few cells with a formula, an error or under a merge are then replaced one by one.
    """
    headers = []
    for coord in header_cells:
        cv = values.cell(sheet, coord)
        if cv.formula is not None:
            raise Declined("formula in a table header")  # openpyxl would use the formula text as header
        headers.append("" if cv.value is None else str(cv.value))
    keep = [is_contract_header(h) for h in headers]
    first_col = coordinate_to_tuple(header_cells[0])[1]
    # As openpyxl: only rows up to the sheet's last cell (a Table may span whole columns).
    last = min(max_row, values.max_row[sheet])
    check_table_size(path, name, sheet, last - min_row, len(letters), values.policy)
    if last <= min_row:
        return RawTable(name, sheet, ref, headers, header_cells, [])
    # calamine's grid starts at the top-left corner of the sheet's used cells (``_SheetValues.origins``).
    # A column is read only under a contract header, itself a value of that grid (``values.cell``), so
    # the grid starts at or above the header row and at or left of every column read; Table rows past
    # the grid hold no cells.
    top, left = values.origins[sheet]
    lines = values.grids[sheet][max(min_row - top, 0):max(last - top, 0)]
    missing = [None] * (last - min_row - len(lines))
    width = len(lines[0]) if lines else 0
    # calamine's grid is a rectangle, so its columns come out of one transposition in C
    grid_columns = list(zip(*lines)) if lines and len(set(map(len, lines))) == 1 else None
    columns = []
    for i, (letter, k) in enumerate(zip(letters, keep)):
        if not k:  # a column no contract reads: its cells are kept, empty, as openpyxl_read keeps them
            columns.append(_blank_cells(sheet, letter, min_row + 1, last))
            continue
        col = first_col - 1 + i - left
        if grid_columns is None:
            raw = [line[col] if col < len(line) else None for line in lines]
        else:
            raw = list(grid_columns[col]) if col < width else [None] * len(lines)
        coords = _column_cells(letter, min_row + 1, last)
        # ``tuple.__new__(CellValue, ...)`` is the NamedTuple without its Python-level constructor; given
        # to ``map`` with the class repeated, a fifth faster than through ``partial``
        columns.append(list(map(tuple.__new__, repeat(CellValue),
                                zip(repeat(sheet), coords, _plain(raw + missing), repeat(None)))))
    for row, col, coord in values.special_at[sheet]:
        i = col - first_col
        if min_row < row <= last and 0 <= i < len(keep) and keep[i]:
            columns[i][row - min_row - 1] = values.cell(sheet, coord)
    return RawTable(name, sheet, ref, headers, header_cells, list(map(list, zip(*columns))))


@lru_cache(maxsize=256)
def _openpyxl_reads(part: str, data: bytes) -> bool:
    """Whether openpyxl loads this part as ``ExcelReader.read`` does: the styles, the document
    properties (``part`` is their name), the workbook part or a Table (``part`` is "workbook" or
    "table").

    The fast reader needs little of these, but openpyxl refuses a workbook when it cannot read
    one of them ("uses a cell style Excel does not write", an attribute Excel never writes), and
    a file must get one verdict whichever reader ran. ``part_acceptance`` answers first without
    openpyxl, and is sure for the parts Excel, LibreOffice and our templates write; only when it is
    not sure are openpyxl's own models asked (they stay the authority), so a batch worker imports
    openpyxl only for a file that needs them. Remembered per content: a batch made from one template
    repeats these parts byte for byte, so each costs once.
    """
    try:
        if openpyxl_certainly_reads(part, data, parse_part(data)):
            return True
    except Exception:  # noqa: BLE001 - a part defusedxml cannot parse: openpyxl's models decide
        pass
    return models_read(part, data)


def models_read(part: str, data: bytes) -> bool:
    """Whether openpyxl's own model classes load the part (the authority ``_openpyxl_reads`` asks)."""
    from openpyxl.packaging.core import DocumentProperties
    from openpyxl.packaging.custom import CustomPropertyList
    from openpyxl.packaging.workbook import WorkbookPackage
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.table import Table
    from openpyxl.xml.functions import fromstring

    readers = {"docProps/core.xml": DocumentProperties, "docProps/custom.xml": CustomPropertyList,
               "workbook": WorkbookPackage, "table": Table}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if part == "xl/styles.xml":
                apply_stylesheet(_OnePart(part, data), Workbook())
            else:
                readers[part].from_tree(fromstring(data))
    except Exception:  # noqa: BLE001 - whatever openpyxl raises, it would refuse the file
        return False
    return True


class _OnePart:
    """The ``archive.read`` openpyxl's ``apply_stylesheet`` calls, for one part's bytes."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data

    def read(self, name: str) -> bytes:
        if name != self.name:
            raise KeyError(name)
        return self.data


def _column_cells(letter: str, first: int, last: int) -> tuple[str, ...]:
    """``('A2', 'A3', ...)``: the references of a Table column's cells, rows ``first`` to ``last``.

    Up to row ``CACHED_COLUMN_ROWS`` they are a slice of the column's references made once
    (``_whole_column``): files whose Tables sit at other places or hold other numbers of rows
    (every file a colleague built by hand) share them too, and a slice makes no string. Past that
    row they are joined from the row numbers as needed, so what is kept stays small whatever
    the files claim.
    """
    if last <= CACHED_COLUMN_ROWS:
        return _whole_column(letter, _rows_held(last))[first - 1:last]
    return _references(letter, first, last)


def _references(letter: str, first: int, last: int) -> tuple[str, ...]:
    """``letter`` joined to each row number from ``first`` to ``last``, in C."""
    return tuple(map(letter.__add__, map(str, range(first, last + 1))))


def _rows_held(last: int) -> int:
    """How many rows a remembered column holds to serve rows down to ``last``: the power of two
    from 16 up (at most ``CACHED_COLUMN_ROWS``). A remembered column then costs at most twice what
    the Table asks for: a file of hundreds of one-row Tables in as many columns, which no cache
    can keep, makes columns of 16 cells, not of 2,000; a register's few hundred rows are made once."""
    return min(CACHED_COLUMN_ROWS, max(16, 1 << (last - 1).bit_length()))


@lru_cache(maxsize=64)
def _whole_column(letter: str, rows: int) -> tuple[str, ...]:
    """``('A1', ..., 'A<rows>')``: a column's first ``rows`` references."""
    return _references(letter, 1, rows)


def _blank_cells(sheet: str, letter: str, first: int, last: int) -> tuple[CellValue, ...]:
    """The empty cells of a Table column no contract reads, rows ``first`` to ``last``: a slice,
    as for ``_column_cells``, of the column's empty cells made once per sheet name (``CellValue``s
    are immutable, so files share them)."""
    if last <= CACHED_COLUMN_ROWS:
        return _whole_blank_column(sheet, letter, _rows_held(last))[first - 1:last]
    return _empty_cells(sheet, _column_cells(letter, first, last))


@lru_cache(maxsize=32)
def _whole_blank_column(sheet: str, letter: str, rows: int) -> tuple[CellValue, ...]:
    return _empty_cells(sheet, _whole_column(letter, rows))


def _empty_cells(sheet: str, coords: tuple[str, ...]) -> tuple[CellValue, ...]:
    # ``tuple.__new__(CellValue, ...)`` is the NamedTuple without its Python-level constructor
    return tuple(map(tuple.__new__, repeat(CellValue), zip(repeat(sheet), coords, repeat(None), repeat(None))))


def _plain(raw: list[Any]) -> list[Any]:
    """Calamine's values as openpyxl gives them (``_as_openpyxl``), with the common types inline
    and the rest (dates, mostly) converted once per distinct value."""
    return [(v or None) if type(v) is str else
            (int(v) if v.is_integer() and -INT_LIMIT < v < INT_LIMIT else v) if type(v) is float else
            None if v is None else _as_openpyxl_remembered(v) for v in raw]


def _defined_names(root, sheetnames: list[str]):
    """The workbook's defined names as openpyxl reads them: workbook-level ones (print
    titles and the like skipped) and sheet-scoped ones (``localSheetId``, a sheet index)."""
    for el in root.iter(f"{{{MAIN_NS}}}definedName"):
        name = el.get("name") or ""
        local = el.get("localSheetId")
        if local is None:
            if name not in SKIPPED_GLOBAL_NAMES:
                yield DefinedNameText(name, el.text)
            continue
        try:
            scope = sheetnames[int(local)]
        except (ValueError, IndexError):
            continue  # openpyxl drops a name scoped to a sheet that does not exist
        yield DefinedNameText(name, el.text, scope)


def _totals_rows(table) -> int:
    """A Table definition's ``totalsRowCount`` (its Total Row), 0 when absent."""
    try:
        return int(table.get("totalsRowCount") or 0)
    except ValueError:
        raise Declined("a Table's totalsRowCount is not a number") from None


@lru_cache(maxsize=1024)
def _choose_names(entries: tuple[DefinedNameText, ...], sheetnames: tuple[str, ...]):
    """``choose_names``, remembered: a batch of workbooks made from one template repeats the
    same names and sheets. Its result is only read."""
    return choose_names(entries, list(sheetnames))


class _SheetValues:
    """Cell values of the sheets we need: calamine for values, a scan of the XML for formulas."""

    def __init__(self, pkg: _Package, parts: dict[str, str | None], policy: Policy):
        self.policy = policy
        self.pkg = pkg
        self.parts = parts
        self.book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(pkg.data))
        self.grids: dict[str, list[list[Any]]] = {}
        #: (row, column) of each grid's first cell, counted from 0: the top-left corner of the sheet's used cells
        self.origins: dict[str, tuple[int, int]] = {}
        self.formulas: dict[str, dict[str, str]] = {}
        self.merged: dict[str, list[tuple[int, int, int, int]]] = {}
        self.errors: dict[str, dict[str, str]] = {}
        #: cells with a formula, an error or under a merge, as sorted (row, column, cell)
        self.special_at: dict[str, list[tuple[int, int, str]]] = {}
        self.merge_refs: dict[str, list[str]] = {}
        #: openpyxl's ``ws.max_row``: the last row holding a cell element, or a cell read so far
        self.max_row: dict[str, int] = {}

    def close(self) -> None:
        self.book.close()

    def _load(self, sheet: str) -> None:
        xml = self.pkg.sheet(self.parts[sheet])
        # presence tests by ``rfind``: much faster than ``in`` on XML (needles starting with the
        # frequent "<" defeat the forward search; the reverse one skips on other bytes)
        if xml.rfind(b":sheetData") >= 0 and _PREFIXED_SHEETDATA.search(xml):
            raise Declined("prefixed sheet XML")
        rows, columns = _extent(xml, self.policy.max_columns)
        if rows > self.policy.max_rows or columns > self.policy.max_columns:
            # calamine holds a sheet as one dense grid: a stray value in XFD1048576 would ask for
            # billions of cells. openpyxl keeps only the cells present, so it reads this one.
            raise Declined(f"sheet reaches {rows} rows and {columns} columns")
        last = xml.rfind(b"<c ")
        head = _CELL_HEAD.match(xml, last) if last >= 0 else None
        if last >= 0 and head is None:
            raise Declined("cell without a coordinate")
        self.max_row[sheet] = coordinate_to_tuple(head.group(1).decode())[0] if head else 1
        self.formulas[sheet] = _scan_formulas(xml)
        self.errors[sheet] = _scan_errors(xml) if xml.rfind(b't="e"') >= 0 else {}
        self.merge_refs[sheet] = [ref.decode() for ref in _last_list(xml, b"<mergeCells", b"</mergeCells>", _MERGE)]
        self.merged[sheet] = [range_boundaries(ref) for ref in self.merge_refs[sheet]]
        # the grid from the top-left corner of the sheet's used cells, not from A1: a Table away from A1
        # (as LibreOffice and hand-built files place them) would bring a rectangle of empty cells above
        # and to its left (about 0.3 ms of calamine's 5 ms on a LibreOffice-saved register's Actuals sheet)
        found = self.book.get_sheet_by_name(sheet)
        self.grids[sheet] = found.to_python(skip_empty_area=True)
        self.origins[sheet] = found.start or (0, 0)
        special = set(self.formulas[sheet]) | set(self.errors[sheet])
        for min_col, min_row, max_col, max_row in self.merged[sheet]:
            if (max_col - min_col + 1) * (max_row - min_row + 1) > MAX_MERGED_CELLS:
                raise Declined("a huge merged range")
            special.update(f"{get_column_letter(c)}{r}" for r in range(min_row, max_row + 1)
                           for c in range(min_col, max_col + 1))
        self.special_at[sheet] = sorted((*coordinate_to_tuple(coord), coord) for coord in special)

    def cell(self, sheet: str, coord: str) -> CellValue:
        if sheet not in self.grids:
            self._load(sheet)
        row, col = coordinate_to_tuple(coord)
        self.max_row[sheet] = max(self.max_row[sheet], row)  # openpyxl makes the cell it is asked for
        for min_col, min_row, max_col, max_row in self.merged[sheet]:
            if min_row <= row <= max_row and min_col <= col <= max_col and (row, col) != (min_row, min_col):
                return CellValue(sheet, coord, None)  # openpyxl's MergedCell
        grid, (top, left) = self.grids[sheet], self.origins[sheet]
        r, c = row - 1 - top, col - 1 - left
        value = grid[r][c] if 0 <= r < len(grid) and 0 <= c < len(grid[r]) else None
        value = self.errors[sheet].get(coord) or _as_openpyxl(value)
        formula = self.formulas[sheet].get(coord)
        if formula is UNSUPPORTED:
            raise Declined("array or data-table formula in a cell the contract reads")
        if isinstance(formula, bytes):
            formula = _formula_text(formula)
        elif isinstance(formula, _SharedFormula):
            formula = formula.spelt(coord)
        return CellValue(sheet, coord, value, formula)


def _extent(xml: bytes, max_columns: int) -> tuple[int, int]:
    """Rows and columns a sheet reaches, cheaply: its last ``<row>``, its ``<dimension>``,
    and (when the column limit is below column AAA) whether any cell sits in a 3-letter column.

    A cell whose reference is missing, or not its first attribute, declines the fast path:
    calamine would place such cells one after another, so a few thousand of them in a row
    could make it build a grid of billions of cells, and the limits here could not see it."""
    rows = columns = 0
    dim = _DIMENSION.search(xml, 0, 4096)
    if dim:
        min_col, min_row, max_col, max_row = range_boundaries(dim.group(1).decode())
        rows, columns = max_row or 0, max_col or 0
    last = _ROW.match(xml, xml.rfind(b"<row ")) if b"<row " in xml else None
    if last:
        rows = max(rows, int(last.group(1)))
    for odd in _ODD_CELL.finditer(xml):
        if not odd.group().startswith(b'<c r="'):
            raise Declined("a cell without its reference as first attribute")
        columns = max(columns, 703)
        if max_columns < 703:
            break  # beyond the limit already; cells further on need no look
    return rows, columns


def _has_hidden_markup(xml: bytes) -> bool:
    """True when the sheet XML holds a comment, a CDATA section or a processing instruction
    after its declaration. The scans here read markup as bytes, so text hidden that way
    (``<!-- <mergeCells> -->``) could look like cells, formulas or lists to them; openpyxl
    reads such a sheet instead. Excel never writes them; the byte tests come first."""
    # a comment or CDATA section (the package check refuses document type declarations, and no
    # other "<!" is well-formed XML)
    if _has_bang_markup(xml):
        return True
    last = xml.rfind(b"?")
    if last < 0:
        return False
    start = xml.find(b"?>") + 2 if xml.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml") else 0
    return _has_pi_from(xml, start, last)


def _has_pi_from(xml: bytes, start: int, last: int) -> bool:
    """``xml.rfind(b"<?") >= start``, where ``last`` is the last "?" of ``xml``.

    Searched for "<?" a sheet of hundreds of kilobytes is read back to its declaration (at its
    start) by CPython's byte-pair search; most sheets hold no "?" after it, or a few (in a URL of
    evidence), so each "?" is found from the end by ``rfind`` (one byte: ``memrchr``) and the byte
    before it tested (the last ``BANG_LOOKS`` of them; the pair search does the rest)."""
    at = last
    for _ in range(BANG_LOOKS):
        if at <= start:  # a "<?" from ``start`` on has its "?" after ``start``
            return False
        if xml[at - 1] == 0x3C:  # "<"
            return True
        at = xml.rfind(b"?", 0, at)
    return xml.rfind(b"<?", start, at + 1) >= 0


def _has_bang_markup(xml: bytes) -> bool:
    """True when ``xml`` holds ``<!`` (found through its few ``!``, as the package check finds a DTD)."""
    return has_bang_markup(xml, _BANG)


def _last_list(xml: bytes, start_tag: bytes, end_tag: bytes, item: re.Pattern[bytes]) -> list[bytes]:
    """``item``'s matches inside the *last* ``start_tag`` element (``<tableParts>``,
    ``<mergeCells>``), as openpyxl reads a sheet: each such element replaces the previous
    one, and items outside one are ignored. Excel writes these lists after the cells, so
    searching from the end finds them at once."""
    start = xml.rfind(start_tag)
    if start < 0:
        return []
    end = xml.find(end_tag, start)
    return item.findall(xml, start, end if end >= 0 else len(xml))


def _scan_formulas(xml: bytes) -> dict[str, str | bytes | "_SharedFormula"]:
    """``{coordinate: formula}`` for every formula cell: the raw XML text (bytes) of a plain
    formula, decoded only if the cell is read; a ``_SharedFormula`` for a cell of a shared
    formula, spelt out only if read; ``UNSUPPORTED`` for array and data-table formulas.

    A regex over the raw XML is far cheaper than parsing the sheet; markup it does not
    understand makes the fast path decline rather than miss a formula.
    """
    out: dict[str, str | bytes | _SharedFormula] = {}
    masters: dict[bytes, tuple[str, str]] = {}  # shared formula si -> (its text, the first cell carrying it)
    for coord, f_attrs, raw in _formula_cells(xml):
        coord = coord.decode()
        if f_attrs and not _ATTRS.fullmatch(f_attrs):
            raise Declined("formula attributes the scan does not understand")
        if b"t=" not in f_attrs:
            out[coord] = raw
            continue
        attrs = dict(_ATTR.findall(f_attrs))
        kind = attrs.get(b"t", b"normal")
        if kind == b"shared":
            si = attrs.get(b"si", b"")
            text = _formula_text(raw)
            if si not in masters and text != "=":
                masters[si] = (text, coord)
                out[coord] = text
            else:  # as openpyxl: the first master before it, else the cell's own text
                out[coord] = _SharedFormula(masters.get(si), text)
        elif kind == b"normal":
            out[coord] = raw
        else:
            out[coord] = UNSUPPORTED  # openpyxl gives an object here, not text: decline if the cell is read
    return out


#: A cell whose first child is a formula: its reference, the formula's attributes and its text.
_CELL_FORMULA = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<f\b([^>]*?)(?:/>|>([^<]*)</f>)')
#: Sheets with more formulas than this are scanned cell by cell in one pass (``_CELL_FORMULA``);
#: below it, each formula's cell is found from the formula (most registers hold a handful).
MANY_FORMULAS = 40


def _formula_cells(xml: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """(cell reference, formula attributes, formula text) of every formula element in the sheet.

    Two ways, one result: few formulas are each traced back to their cell; many are read with
    their cells in one regex pass, which is kept only if it found every formula element (else
    the formulas are traced one by one, which declines on markup it does not understand).
    """
    found = list(_FORMULA.finditer(xml))
    if len(found) > MANY_FORMULAS:
        cells = _CELL_FORMULA.findall(xml)
        if len(cells) == len(found):
            return cells
    out = []
    for m in found:
        if m.group(1) is None:
            raise Declined("formula markup the scan does not understand")
        start = xml.rfind(b"<c ", 0, m.start())
        head = _CELL_HEAD.fullmatch(xml, start, m.start()) if start >= 0 else None
        if head is None:
            raise Declined("formula outside a cell the scan understands")
        out.append((head.group(1), m.group(1), m.group(2) or b""))
    return out


class _SharedFormula:
    """A cell of a shared formula, spelt out (as openpyxl spells it) only if the cell is read:
    Excel shares a formula filled down a column, and a reader that translated every such cell
    would import openpyxl's formula translator for every file that has one.

    ``master`` is the (text, cell) of the formula's first master before this cell, if any.
    """

    __slots__ = ("master", "text")

    def __init__(self, master: tuple[str, str] | None, text: str):
        self.master, self.text = master, text

    def spelt(self, coord: str) -> str:
        """The formula as openpyxl gives it for ``coord``: its master's text moved to this cell."""
        if self.master is None:
            return self.text  # no master before it: openpyxl keeps the cell's own text ("=")
        from openpyxl.formula.translate import Translator  # rebuilds formula text exactly as openpyxl does

        text, origin = self.master
        return Translator(text, origin).translate_formula(coord)


def _formula_text(raw: bytes) -> str:
    """openpyxl's value for a formula cell: '=' and the unescaped formula text."""
    return "=" + html.unescape(raw.decode("utf-8"))


def _scan_errors(xml: bytes) -> dict[str, str]:
    """``{coordinate: '#N/A'}`` for error cells: openpyxl gives their text, calamine does not."""
    out = {}
    for m in _ERROR_CELL.finditer(xml):
        coord = dict(_ATTR.findall(m.group(1))).get(b"r", b"").decode()
        if not coord:
            raise Declined("error cell without a coordinate")
        out[coord] = html.unescape(m.group(2).decode("utf-8"))
    if len(out) != xml.count(b't="e"'):
        raise Declined("error-cell markup the scan does not understand")
    return out


def _as_openpyxl(value: Any) -> Any:
    """Calamine's value as openpyxl gives it, so both readers produce equal ``RawBook``s."""
    kind = type(value)
    if kind is str:
        return value if value != "" else None
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < INT_LIMIT else value
    if kind is date:
        return datetime(value.year, value.month, value.day)
    if kind in (bool, int, datetime, time, timedelta) or value is None:
        return value
    raise Declined(f"cell value of type {kind.__name__}")


#: ``_as_openpyxl`` remembered, per type (so values equal across types, such as ``True`` and ``1``, can
#: never share an entry): a register's PeriodEnd column repeats a few dozen dates over hundreds of
#: rows. A declined value raises again (``lru_cache`` keeps results only).
_as_openpyxl_remembered = lru_cache(maxsize=4096, typed=True)(_as_openpyxl)
