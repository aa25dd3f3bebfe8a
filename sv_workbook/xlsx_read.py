"""openpyxl adapter: read an .xlsx/.xlsm file into a ``RawBook``.

openpyxl is used because it sees the structure the contracts rely on (Excel Tables,
defined names, sheet states). Formula cells are read as formulas; if any input cell
holds one, the file is read a second time with ``data_only=True`` for the cached values
Excel stored, so a typed ``=1000*1.2`` still counts as the number Excel shows.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook

from .contracts import CONTRACTS
from .findings import info
from .policy import DEFAULT_POLICY, Policy
from .rawbook import CellValue, RawBook, RawTable
from .safe_open import WorkbookUnreadable, check_package


#: Table columns any contract reads; other (calculated) columns are not read cell by cell.
CONTRACT_HEADERS = frozenset(c.name.strip().casefold() for k in CONTRACTS.values() for t in k.tables for c in t.columns)


def open_workbook(path: str | Path, policy: Policy = DEFAULT_POLICY, **kwargs: Any) -> Workbook:
    """``load_workbook``, only after ``check_package`` accepted the file; failures become ``WorkbookUnreadable``."""
    path = Path(path)
    check_package(path, policy)
    return _load(path, **kwargs)


def _load(path: Path, **kwargs: Any) -> Workbook:
    keep_vba = path.suffix.lower() == ".xlsm"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(path, keep_vba=keep_vba, keep_links=True, **kwargs)
    except Exception as exc:  # openpyxl raises many types for broken packages
        raise WorkbookUnreadable(path, f"the workbook is damaged or not a supported format ({type(exc).__name__}: "
                                 f"{exc})", "Open it in Excel, repair it if asked, and save it as .xlsx.") from exc


def read_rawbook(path: str | Path, policy: Policy = DEFAULT_POLICY) -> RawBook:
    """Read names, tables and sheet states; cached values replace formulas in inputs.

    The package check runs first, and its notices (macros, embedded objects, external
    links) travel with the reader's own notes.
    """
    path = Path(path)
    package = check_package(path, policy)
    wb = _load(path)
    try:
        raw = rawbook_from_openpyxl(wb, path)
    finally:
        wb.close()
    raw.notes[:0] = package.findings
    return raw


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
    return raw


def _read_name(wb: Workbook, raw: RawBook, name: str, dn, cell_value) -> None:
    text = dn.attr_text or ""
    if dn.is_external or "[" in text:
        raw.bad_names[name] = f"points at another workbook ({text})"
        return
    if "#REF!" in text:
        raw.bad_names[name] = "points at a deleted cell (#REF!)"
        return
    try:
        dests = list(dn.destinations)
    except Exception:
        raw.bad_names[name] = f"is not a cell reference ({text})"
        return
    if len(dests) != 1:
        raw.bad_names[name] = f"does not point at a single cell ({text})"
        return
    sheet, coord = dests[0]
    coord = coord.replace("$", "")
    if sheet not in wb.sheetnames:
        raw.bad_names[name] = f"points at a sheet that does not exist ({text})"
        return
    if ":" in coord:
        first, last = coord.split(":")
        if first != last:
            raw.bad_names[name] = f"points at a range ({text}), not a single cell"
            return
        coord = first
    raw.names[name] = cell_value(wb[sheet], coord)


def _read_table(ws, name: str, ref: str, cell_value) -> RawTable:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    headers, header_cells, rows = [], [], []
    for col in range(min_col, max_col + 1):
        coord = f"{get_column_letter(col)}{min_row}"
        headers.append("" if ws[coord].value is None else str(ws[coord].value))
        header_cells.append(coord)
    letters = [get_column_letter(c) for c in range(min_col, max_col + 1)]
    wanted = [h.strip().casefold() in CONTRACT_HEADERS for h in headers]
    # Only rows that hold cells: a Table may legitimately span whole columns (A1:C1048576).
    for r in range(min_row + 1, min(max_row, ws.max_row) + 1):
        rows.append([cell_value(ws, f"{letter}{r}") if keep else CellValue(ws.title, f"{letter}{r}", None)
                     for letter, keep in zip(letters, wanted)])
    return RawTable(name, ws.title, ref, headers, header_cells, rows)


def _fill_cached(path: Path, raw: RawBook, formula_cells: list[tuple[str, str]]) -> None:
    """Replace formula cells' None values with the values Excel cached, if any."""
    cached_wb = _load(path, data_only=True)
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


