"""openpyxl adapter: read an .xlsx/.xlsm file into a ``RawBook``.

openpyxl is used because it sees the structure the contracts rely on (Excel Tables,
defined names, sheet states). Formula cells are read as formulas; if any input cell
holds one, the file is read a second time with ``data_only=True`` for the cached values
Excel stored, so a typed ``=1000*1.2`` still counts as the number Excel shows.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook

from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.core.rawbook import CellValue, RawBook, RawTable
from sv_workbook.core.reading import (DefinedNameText, choose_names, data_rows, hidden_sheet_note, is_contract_header,
                                      merged_input_findings)
from sv_workbook.xlsx.load_errors import plain_reason, technical_detail
from sv_workbook.xlsx.package_check import WorkbookUnreadable, check_package, check_table_size


def open_workbook(path: str | Path, policy: Policy = DEFAULT_POLICY, data_only: bool = False) -> Workbook:
    """``load_workbook``, only after ``check_package`` accepted the file; failures become ``WorkbookUnreadable``."""
    path = Path(path)
    check_package(path, policy)
    return _load(path, data_only)


def _load(path: Path, data_only: bool = False) -> Workbook:
    """openpyxl's ``load_workbook``, spelt out so that a failed load closes what it opened."""
    reader = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = ExcelReader(path, read_only=False, keep_vba=path.suffix.lower() == ".xlsm",
                                 data_only=data_only, keep_links=True)
            reader.read()
            return reader.wb
    except Exception as exc:  # openpyxl raises many types for broken packages
        wb = getattr(reader, "wb", None)
        if wb is not None:
            close_workbook(wb)
        if reader is not None:
            reader.archive.close()
        raise WorkbookUnreadable(path, plain_reason(exc),
                                 "Open it in Excel, let it repair the file if asked, and save it as .xlsx.",
                                 technical_detail(exc)) from exc


def close_workbook(wb: Workbook) -> None:
    """Close the workbook and the in-memory copy of the macro parts openpyxl keeps for .xlsm.

    openpyxl never closes that copy itself; left to the garbage collector it fails noisily.
    """
    if wb.vba_archive is not None:
        wb.vba_archive.close()
    wb.close()


def read_rawbook(path: str | Path, policy: Policy = DEFAULT_POLICY) -> RawBook:
    """Read names, tables and sheet states; cached values replace formulas in inputs.

    The package check runs first, and its notices (macros, embedded objects, external
    links) travel with the reader's own notes.
    """
    path = Path(path)
    package = check_package(path, policy)
    wb = _load(path)
    try:
        raw = rawbook_from_openpyxl(wb, path, policy)
    finally:
        close_workbook(wb)
    raw.notes[:0] = package.findings
    return raw


def rawbook_from_openpyxl(wb: Workbook, path: Path, policy: Policy = DEFAULT_POLICY) -> RawBook:
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
        if ws.sheet_state in ("hidden", "veryHidden"):
            raw.notes.append(hidden_sheet_note(ws.title, ws.sheet_state))
    entries = [DefinedNameText(name, dn.attr_text) for name, dn in wb.defined_names.items()]
    entries += [DefinedNameText(name, dn.attr_text, ws.title) for ws in wb.worksheets
                for name, dn in ws.defined_names.items()]
    chosen = choose_names(entries, raw.sheets)
    raw.bad_names.update(chosen.bad)
    raw.notes.extend(chosen.notes)
    for name, (sheet, coord) in chosen.targets.items():
        raw.names[name] = cell_value(wb[sheet], coord)
    for ws in wb.worksheets:
        for table in ws.tables.values():
            raw.tables[table.name] = _read_table(ws, table, cell_value, path, policy)
    if formula_cells:
        _fill_cached(path, raw, formula_cells)
    merges = {ws.title: [m.coord for m in ws.merged_cells.ranges] for ws in wb.worksheets}
    raw.notes.extend(merged_input_findings(raw, merges))
    return raw


def _read_table(ws, table, cell_value, path: Path, policy: Policy) -> RawTable:
    name, ref = table.name, table.ref
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    first, last = data_rows(min_row, max_row, table.totalsRowCount or 0)
    check_table_size(path, name, ws.title, min(last, ws.max_row) - min_row, max_col - min_col + 1, policy)
    headers, header_cells, rows = [], [], []
    for col in range(min_col, max_col + 1):
        coord = f"{get_column_letter(col)}{min_row}"
        headers.append("" if ws[coord].value is None else str(ws[coord].value))
        header_cells.append(coord)
    letters = [get_column_letter(c) for c in range(min_col, max_col + 1)]
    wanted = [is_contract_header(h) for h in headers]
    # Only rows that hold cells: a Table may legitimately span whole columns (A1:C1048576).
    for r in range(first, min(last, ws.max_row) + 1):
        rows.append([cell_value(ws, f"{letter}{r}") if keep else CellValue(ws.title, f"{letter}{r}", None)
                     for letter, keep in zip(letters, wanted)])
    return RawTable(name, ws.title, ref, headers, header_cells, rows)


def _fill_cached(path: Path, raw: RawBook, formula_cells: list[tuple[str, str]]) -> None:
    """Replace formula cells' None values with the values Excel cached, if any."""
    cached_wb = _load(path, data_only=True)
    try:
        cached = {(s, c): cached_wb[s][c].value for s, c in formula_cells}
    finally:
        close_workbook(cached_wb)

    def refill(cv: CellValue) -> CellValue:
        if cv.formula is None:
            return cv
        return CellValue(cv.sheet, cv.cell, cached.get((cv.sheet, cv.cell)), cv.formula)

    raw.names = {k: refill(v) for k, v in raw.names.items()}
    for table in raw.tables.values():
        table.rows = [[refill(c) for c in row] for row in table.rows]


