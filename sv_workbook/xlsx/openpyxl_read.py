"""openpyxl adapter: read an .xlsx/.xlsm file into a ``RawBook``.

openpyxl is used because it sees the structure the contracts rely on (Excel Tables,
defined names, sheet states). Formula cells are read as formulas; if any input cell
holds one, the file is read a second time with ``data_only=True`` for the cached values
Excel stored, so a typed ``=1000*1.2`` still counts as the number Excel shows.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook

from sv_workbook.core.catalogue import HIDDEN_SHEET, MERGED_INPUT, WARNING
from sv_workbook.core.contracts import CONTRACTS
from sv_workbook.core.findings import Finding
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.core.rawbook import CellValue, RawBook, RawTable
from sv_workbook.xlsx.load_errors import plain_reason, technical_detail
from sv_workbook.xlsx.package_check import WorkbookUnreadable, check_package, check_table_size


#: A1-style single cell, and the grid's limits (a name can say Setup!A, Setup!3 or Setup!A0).
SINGLE_CELL = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384

#: Table columns any contract reads; other (calculated) columns are not read cell by cell.
CONTRACT_HEADERS = frozenset(c.name.strip().casefold() for k in CONTRACTS.values() for t in k.tables for c in t.columns)


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
    for name, dn in wb.defined_names.items():
        _read_name(wb, raw, name, dn, cell_value)
    for ws in wb.worksheets:
        for tname, ref in ws.tables.items():  # openpyxl 3.1 yields (name, ref)
            raw.tables[tname] = _read_table(ws, tname, ref, cell_value, path, policy)
    if formula_cells:
        _fill_cached(path, raw, formula_cells)
    raw.notes.extend(_merged_inputs(wb, raw))
    return raw


def hidden_sheet_note(sheet: str, state: str) -> Finding:
    """What people should know about a hidden or very hidden sheet (shared by both readers)."""
    if state == "hidden":
        return HIDDEN_SHEET(f"Sheet '{sheet}' is hidden.",
                    "Unhide it (right-click a sheet tab › Unhide) to see what it holds.", sheet)
    return HIDDEN_SHEET(f"Sheet '{sheet}' is very hidden: Excel's Unhide list does not show it, so "
        "readers of this record cannot see what it holds.",
        "In Excel press Alt+F11, select the sheet under the workbook's objects and set its Visible property "
        "to -1 - xlSheetVisible; or ask the sender why it is hidden.", sheet, severity=WARNING)


def _merged_inputs(wb: Workbook, raw: RawBook) -> list[Finding]:
    return merged_input_findings(raw, {ws.title: [m.coord for m in ws.merged_cells.ranges] for ws in wb.worksheets})


def merged_input_findings(raw: RawBook, merges: dict[str, list[str]]) -> list[Finding]:
    """Merged ranges that hide contract input cells (only a merge's top-left cell keeps a value).

    Excel refuses to merge cells inside a Table, but other tools and copy-pasting from
    other workbooks do not, and a merge over an input silently turns it blank.
    ``merges`` maps each sheet, in workbook order, to its merged ranges ("B5:D5"); shared
    by both readers.
    """
    if not any(merges.values()):
        return []  # nearly every workbook: skip indexing thousands of input cells
    inputs: dict[str, dict[tuple[int, int], str]] = {}
    for contract in CONTRACTS.values():
        for named in contract.names:
            cv = raw.find_name(named.name)
            if cv is not None:
                inputs.setdefault(cv.sheet, {})[coordinate_to_tuple(cv.cell)] = f"the cell named '{named.name}'"
        for spec in contract.input_tables:
            table = raw.find_table(spec.name)
            if table is None:
                continue
            for cv in (c for row in table.rows for c in row):
                inputs.setdefault(cv.sheet, {})[coordinate_to_tuple(cv.cell)] = f"table '{table.name}'"
    out: list[Finding] = []
    for sheet, ranges in merges.items():
        cells = inputs.get(sheet)
        if not cells:
            continue
        for coord in ranges:
            min_col, min_row, max_col, max_row = range_boundaries(coord)
            top_left = (min_row, min_col)
            hidden = sorted((rc, what) for rc, what in cells.items() if rc != top_left and
                            min_row <= rc[0] <= max_row and min_col <= rc[1] <= max_col)
            if hidden:
                where = ", ".join(f"{get_column_letter(c)}{r}" for (r, c), _ in hidden[:5])
                more = f" and {len(hidden) - 5} more" if len(hidden) > 5 else ""
                whats = sorted({what for _, what in hidden})
                out.append(MERGED_INPUT(f"Cells {coord} are merged over input cells of {' and '.join(whats)} "
                    f"({where}{more}); a merged range keeps only its top-left value, so those inputs read as blank.",
                    "Select the range, choose Home › Merge & Center › Unmerge Cells, and re-enter the values.",
                    sheet, coord))
    return out


def _read_name(wb: Workbook, raw: RawBook, name: str, dn, cell_value) -> None:
    target = resolve_name(dn, wb.sheetnames)
    if isinstance(target, str):
        raw.bad_names[name] = target
        return
    sheet, coord = target
    raw.names[name] = cell_value(wb[sheet], coord)


def resolve_name(dn, sheetnames: list[str]) -> tuple[str, str] | str:
    """The (sheet, cell) a defined name points at, or why it does not point at one cell.

    Shared by both readers (openpyxl here, the fast one in ``fast_read``), so a name is
    judged the same way whichever read the file.
    """
    text = dn.attr_text or ""
    if dn.is_external or re.match(r"^'?\[\d+\]", text):
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
    cell = SINGLE_CELL.match(coord.upper())
    if not cell or int(cell.group(2)) == 0 or int(cell.group(2)) > MAX_ROW or column_index_from_string(
            cell.group(1)) > MAX_COLUMN:
        return f"does not point at a single cell inside the sheet ({text})"
    return sheet, coord.upper()


def _read_table(ws, name: str, ref: str, cell_value, path: Path, policy: Policy) -> RawTable:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    check_table_size(path, name, ws.title, min(max_row, ws.max_row) - min_row, max_col - min_col + 1, policy)
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
        close_workbook(cached_wb)

    def refill(cv: CellValue) -> CellValue:
        if cv.formula is None:
            return cv
        return CellValue(cv.sheet, cv.cell, cached.get((cv.sheet, cv.cell)), cv.formula)

    raw.names = {k: refill(v) for k, v in raw.names.items()}
    for table in raw.tables.values():
        table.rows = [[refill(c) for c in row] for row in table.rows]


