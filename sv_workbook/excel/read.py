"""xlwings adapter: read an open workbook (``xw.Book``) into a ``RawBook``.

The same ``RawBook`` the openpyxl reader makes, so validation and scoring in Excel are
the headless code, finding for finding. Speed in Excel comes from few round trips: the
defined names of one sheet are read as one block (their bounding box) and each Excel
Table the contracts use in one read, header included, whatever the number of rows. On
desktop Excel the formulas of those blocks come in one more call each, so a formula typed
into an input cell is reported as in headless mode; xlwings Lite does not send formulas
with the workbook, so there the cell's calculated value is used without that warning.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sv_workbook.core.catalogue import HAS_MACROS, HIDDEN_SHEET
from sv_workbook.core import a1
from sv_workbook.core.contracts import CONTRACTS
from sv_workbook.core.rawbook import CellValue, RawBook, RawTable

#: Table columns some contract reads; other (calculated) columns are read as blank, as the openpyxl reader does.
CONTRACT_HEADERS = frozenset(c.name.strip().casefold() for k in CONTRACTS.values() for t in k.tables for c in t.columns)
#: Tables a contract takes input from; output tables (written by the tool) are not read.
INPUT_TABLES = frozenset(t.name.casefold() for k in CONTRACTS.values() for t in k.input_tables)
MACRO_SUFFIXES = (".xlsm", ".xlsb", ".xltm", ".xlam")

_REF = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!(\S+)$")


def rawbook_from_xlwings(book: Any) -> RawBook:
    """Read the contract names and tables of ``book`` (an ``xw.Book``, desktop or remote)."""
    sheets = list(book.sheets)
    raw = RawBook(label=book.name, sheets=[s.name for s in sheets])
    for s in sheets:
        if not s.visible:
            raw.notes.append(HIDDEN_SHEET(f"Sheet '{s.name}' is hidden.",
                                  "Unhide it (right-click a sheet tab › Unhide) to see what it holds.", s.name))
    _read_names(book, sheets, raw)
    for s in sheets:
        for table in s.tables:
            if table.name.casefold() in INPUT_TABLES:
                raw.tables[table.name] = _read_table(s, table.name, table.range.address)
    if book.name.lower().endswith(MACRO_SUFFIXES):
        raw.notes.append(HAS_MACROS("The workbook carries VBA macros; sv-workbook never runs them.",
                              "No action needed; macros are kept when the tool writes an .xlsm file."))
    return raw


def name_target(refers_to: str | None, sheet_names: list[str]) -> tuple[str, int, int] | str:
    """Where a defined name points: (sheet, row, col), or the reason it is not one cell.

    The reasons are worded as the openpyxl reader words them, so findings agree.
    """
    text = (refers_to or "").removeprefix("=")
    if "[" in text:
        return f"points at another workbook ({text})"
    if "#REF!" in text:
        return "points at a deleted cell (#REF!)"
    m = _REF.match(text)
    if m is None:
        return f"is not a cell reference ({text})"
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    address = m.group(3)
    if "," in address or "!" in address:
        return f"does not point at a single cell ({text})"
    box = a1.parse_range(address)
    if box is None:
        return f"is not a cell reference ({text})"
    if sheet not in sheet_names:
        return f"points at a sheet that does not exist ({text})"
    r1, c1, r2, c2 = box
    if (r1, c1) != (r2, c2):
        return f"points at a range ({text}), not a single cell"
    return sheet, r1, c1


def _read_names(book: Any, sheets: list[Any], raw: RawBook) -> None:
    """Book-scoped names: one block read per sheet that holds any of them."""
    sheet_names = [s.name for s in sheets]
    wanted: dict[str, list[tuple[str, int, int]]] = {}
    for name in book.names:
        label = name.name
        if "!" in label:  # sheet-scoped: the contracts use book-scoped names only
            continue
        target = name_target(name.refers_to, sheet_names)
        if isinstance(target, str):
            raw.bad_names[label] = target
            continue
        sheet, row, col = target
        wanted.setdefault(sheet, []).append((label, row, col))
    for sheet_name, entries in wanted.items():
        r1 = min(r for _, r, _ in entries)
        c1 = min(c for _, _, c in entries)
        r2 = max(r for _, r, _ in entries)
        c2 = max(c for _, _, c in entries)
        block = book.sheets[sheet_name].range((r1, c1), (r2, c2))
        values = block.options(ndim=2).value
        formulas = _formulas(block)
        for label, row, col in entries:
            i, j = row - r1, col - c1
            raw.names[label] = _cell(sheet_name, row, col, values[i][j], formulas[i][j] if formulas else None)


def _read_table(sheet: Any, name: str, address: str) -> RawTable:
    box = a1.parse_range(address)
    if box is None:
        raise ValueError(f"table {name} has no cell range ({address})")
    r1, c1, r2, c2 = box
    block = sheet.range((r1, c1), (r2, c2))
    values = block.options(ndim=2).value
    formulas = _formulas(block)
    headers = ["" if v is None else _header(v) for v in values[0]]
    header_cells = [a1.cell(r1, c1 + j) for j in range(len(headers))]
    keep = [h.strip().casefold() in CONTRACT_HEADERS for h in headers]
    rows = []
    for i in range(1, r2 - r1 + 1):
        row = r1 + i
        rows.append([
            _cell(sheet.name, row, c1 + j, values[i][j], formulas[i][j] if formulas else None) if keep[j]
            else CellValue(sheet.name, a1.cell(row, c1 + j), None)
            for j in range(len(headers))
        ])
    return RawTable(name, sheet.name, f"{a1.cell(r1, c1)}:{a1.cell(r2, c2)}", headers, header_cells, rows)


def _header(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _cell(sheet: str, row: int, col: int, value: Any, formula: Any) -> CellValue:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(formula, str) and formula.startswith("="):
        return CellValue(sheet, a1.cell(row, col), value, formula)
    return CellValue(sheet, a1.cell(row, col), value)


def _formulas(block: Any) -> list[list[Any]] | None:
    """The block's formulas in one call on desktop Excel; None where the engine cannot say (Lite)."""
    try:
        f = block.formula
    except NotImplementedError:
        return None
    if not isinstance(f, (list, tuple)):
        return [[f]]
    if f and not isinstance(f[0], (list, tuple)):
        return [list(f)]
    return [list(r) for r in f]
