"""openpyxl adapter: read an .xlsx/.xlsm file into a ``RawBook``.

openpyxl is used because it sees the structure the contracts rely on (Excel Tables,
defined names, sheet states). Formula cells are read as formulas; if any input cell
holds one, the file is read a second time with ``data_only=True`` for the cached values
Excel stored, so a typed ``=1000*1.2`` still counts as the number Excel shows.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook

from .contracts import CONTRACTS
from .findings import info
from .rawbook import CellValue, RawBook, RawTable


#: Table columns any contract reads; other (calculated) columns are not read cell by cell.
CONTRACT_HEADERS = frozenset(c.name.strip().casefold() for k in CONTRACTS.values() for t in k.tables for c in t.columns)


#: First bytes of an OLE compound file: what Excel writes for encrypted workbooks and for .xls.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookUnreadable(Exception):
    """The file cannot be read at all; ``reason`` and ``hint`` are for people."""

    def __init__(self, path: str | Path, reason: str, hint: str):
        super().__init__(f"{path}: {reason}. {hint}")
        self.path = str(path)
        self.reason = reason
        self.hint = hint


def precheck(path: Path) -> None:
    """Refuse, with a reason people can act on, what no .xlsx reader can open.

    Shared by the openpyxl and the fast (calamine) readers so both refuse the same files
    with the same words.
    """
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise WorkbookUnreadable(path, "this is an old binary .xls workbook",
                                 "Open it in Excel and use File › Save As › Excel Workbook (*.xlsx).")
    if suffix == ".xlsb":
        raise WorkbookUnreadable(path, "this is a binary .xlsb workbook",
                                 "Open it in Excel and use File › Save As › Excel Workbook (*.xlsx).")
    if not path.exists():
        raise WorkbookUnreadable(path, "the file does not exist", "Check the path.")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise WorkbookUnreadable(path, f"the file cannot be opened ({exc.strerror or type(exc).__name__})",
                                 "Check that you may read it and that no other program has it locked, "
                                 "then try again.") from exc
    if head == OLE_SIGNATURE:
        raise WorkbookUnreadable(path, "the workbook is password-protected (encrypted), or is an old-format "
                                 "workbook with an .xlsx name",
                                 "Open it in Excel, remove the password (File › Info › Protect Workbook › "
                                 "Encrypt with Password, clear it) and save it as an Excel Workbook (*.xlsx).")
    if not zipfile.is_zipfile(path):
        raise WorkbookUnreadable(path, "this is not an Excel workbook (not a valid .xlsx zip package; it may be "
                                 "password-protected, truncated or another format)",
                                 "Remove any password (File › Info › Protect Workbook) and save as .xlsx.")


def open_workbook(path: str | Path, **kwargs: Any) -> Workbook:
    """``load_workbook`` with the failures people meet turned into ``WorkbookUnreadable``."""
    path = Path(path)
    precheck(path)
    keep_vba = path.suffix.lower() == ".xlsm"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(path, keep_vba=keep_vba, keep_links=True, **kwargs)
    except Exception as exc:  # openpyxl raises many types for broken packages
        raise WorkbookUnreadable(path, f"the workbook is damaged or not a supported format ({type(exc).__name__}: "
                                 f"{exc})", "Open it in Excel, repair it if asked, and save it as .xlsx.") from exc


def read_rawbook(path: str | Path) -> RawBook:
    """Read names, tables and sheet states; cached values replace formulas in inputs."""
    path = Path(path)
    wb = open_workbook(path)
    try:
        return rawbook_from_openpyxl(wb, path)
    finally:
        wb.close()


def rawbook_from_openpyxl(wb: Workbook, path: Path) -> RawBook:
    raw = RawBook(label=path.name, sheets=list(wb.sheetnames))
    formula_cells: list[tuple[str, str]] = []

    def cell_value(ws, coord: str) -> CellValue:
        c = ws[coord]
        v = c.value
        if c.data_type == "f":
            formula_cells.append((ws.title, coord))
            return CellValue(ws.title, coord, None, str(v))
        if hasattr(v, "text") and not isinstance(v, str):  # array/data-table formula objects
            formula_cells.append((ws.title, coord))
            return CellValue(ws.title, coord, None, "=" + str(getattr(v, "text", "")))
        return CellValue(ws.title, coord, v)

    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            raw.notes.append(info("HIDDEN-SHEET", f"Sheet '{ws.title}' is {ws.sheet_state.replace('veryHidden', 'very hidden')}.",
                                  "Unhide it (right-click a sheet tab › Unhide) to see what it holds.", ws.title))
    for name, dn in wb.defined_names.items():
        _read_name(wb, raw, name, dn, cell_value)
    for ws in wb.worksheets:
        for tname, ref in ws.tables.items():  # openpyxl 3.1 yields (name, ref)
            raw.tables[tname] = _read_table(ws, tname, ref, cell_value)
    if formula_cells:
        _fill_cached(path, raw, formula_cells)
    if wb.vba_archive is not None:
        raw.notes.append(info("HAS-MACROS", "The workbook carries VBA macros; sv-workbook never runs them.",
                              "No action needed; macros are kept when the tool writes an .xlsm file."))
    return raw


def _read_name(wb: Workbook, raw: RawBook, name: str, dn, cell_value) -> None:
    target = resolve_name(dn, wb.sheetnames)
    if isinstance(target, str):
        raw.bad_names[name] = target
        return
    sheet, coord = target
    raw.names[name] = cell_value(wb[sheet], coord)


def resolve_name(dn: DefinedName, sheetnames: list[str]) -> tuple[str, str] | str:
    """The (sheet, cell) a defined name points at, or why it does not point at one cell.

    Shared by both readers, so a name is judged the same way whichever read the file.
    """
    text = dn.attr_text or ""
    if dn.is_external or "[" in text:
        return f"points at another workbook ({text})"
    if "#REF!" in text:
        return "points at a deleted cell (#REF!)"
    try:
        dests = list(dn.destinations)
    except Exception:
        return f"is not a cell reference ({text})"
    if len(dests) != 1:
        return f"does not point at a single cell ({text})"
    sheet, coord = dests[0]
    coord = coord.replace("$", "")
    if sheet not in sheetnames:
        return f"points at a sheet that does not exist ({text})"
    if ":" in coord:
        first, last = coord.split(":")
        if first != last:
            return f"points at a range ({text}), not a single cell"
        coord = first
    return sheet, coord


def _read_table(ws, name: str, ref: str, cell_value) -> RawTable:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    headers, header_cells, rows = [], [], []
    for col in range(min_col, max_col + 1):
        coord = f"{get_column_letter(col)}{min_row}"
        headers.append("" if ws[coord].value is None else str(ws[coord].value))
        header_cells.append(coord)
    letters = [get_column_letter(c) for c in range(min_col, max_col + 1)]
    wanted = [h.strip().casefold() in CONTRACT_HEADERS for h in headers]
    for r in range(min_row + 1, max_row + 1):
        rows.append([cell_value(ws, f"{letter}{r}") if keep else CellValue(ws.title, f"{letter}{r}", None)
                     for letter, keep in zip(letters, wanted)])
    return RawTable(name, ws.title, ref, headers, header_cells, rows)


def _fill_cached(path: Path, raw: RawBook, formula_cells: list[tuple[str, str]]) -> None:
    """Replace formula cells' None values with the values Excel cached, if any."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cached_wb = load_workbook(path, data_only=True, keep_links=True)
    try:
        cached = {(s, c): cached_wb[s][c].value for s, c in formula_cells}
    finally:
        cached_wb.close()

    def refill(cv: CellValue) -> CellValue:
        if cv.formula is None:
            return cv
        return CellValue(cv.sheet, cv.cell, cached.get((cv.sheet, cv.cell)), cv.formula)

    raw.names = {k: refill(v) for k, v in raw.names.items()}
    for table in raw.tables.values():
        table.rows = [[refill(c) for c in row] for row in table.rows]


