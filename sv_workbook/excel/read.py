"""xlwings adapter: read an open workbook (``xw.Book``) into a ``RawBook``.

The same ``RawBook`` the openpyxl reader makes, so validation and scoring in Excel are
the headless code, finding for finding. Speed in Excel comes from few round trips: the
defined names of one sheet are read as one block (their bounding box) and each Excel
Table the contracts use in one read, header included, whatever the number of rows. On
desktop Excel the formulas of those blocks come in one more call each, so a formula typed
into an input cell is known as in headless mode; xlwings Lite does not send formulas
with the workbook, so there only the cell's calculated value is known.

What is decided (which defined name a contract name means, which columns and rows of a
Table are read, the Total Row, what is said about hidden sheets) comes from the rules in
``core.reading`` that the file readers use too. Merged cells are not part of what an
Excel client sends, so merges over inputs (``MERGED-INPUT``) are found by the file readers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sv_workbook.core import a1
from sv_workbook.core.catalogue import HAS_MACROS
from sv_workbook.core.rawbook import CellValue, RawBook, RawTable
from sv_workbook.core.reading import (INPUT_TABLES, DefinedNameText, choose_names, data_rows, hidden_sheet_note,
                                      is_contract_header)

MACRO_SUFFIXES = (".xlsm", ".xlsb", ".xltm", ".xlam")
#: Excel's ``XlSheetVisibility``: what ``Sheet.api.Visible`` says on desktop Excel.
_SHEET_STATES = {0: "hidden", 2: "veryHidden"}


def rawbook_from_xlwings(book: Any) -> RawBook:
    """Read the contract names and tables of ``book`` (an ``xw.Book``, desktop or remote)."""
    sheets = list(book.sheets)
    raw = RawBook(label=book.name, sheets=[s.name for s in sheets])
    for s in sheets:
        state = _sheet_state(s)
        if state != "visible":
            raw.notes.append(hidden_sheet_note(s.name, state))
    _read_names(book, raw)
    for s in sheets:
        for table in s.tables:
            if table.name.casefold() in INPUT_TABLES:
                raw.tables[table.name] = _read_table(s, table.name, table.range.address, _totals_rows(table))
    if book.name.lower().endswith(MACRO_SUFFIXES):
        raw.notes.append(HAS_MACROS("The workbook carries VBA macros; sv-workbook never runs them.",
                                    "No action needed; macros are kept when the tool writes an .xlsm file."))
    return raw


def _sheet_state(sheet: Any) -> str:
    """``visible``, ``hidden`` or ``veryHidden``, as the file readers say it.

    xlwings' ``Sheet.visible`` is only True or False; the very hidden state (which Excel's
    Unhide list does not offer) comes from Excel's own object on desktop, or from the
    payload an Excel client sends (xlwings Lite, remote engine).
    """
    api = getattr(sheet, "api", None)
    if isinstance(api, dict):
        return {"Hidden": "hidden", "VeryHidden": "veryHidden"}.get(api.get("visibility"), "visible")
    try:
        return _SHEET_STATES.get(int(api.Visible), "visible")
    except Exception:  # an engine without Excel's object model
        return "visible" if sheet.visible else "hidden"


def _totals_rows(table: Any) -> int:
    """1 when the Table's Total Row is switched on (Excel has at most one)."""
    try:
        return 1 if table.show_totals else 0
    except (AttributeError, KeyError, NotImplementedError):
        return 0


def _scoped(label: str) -> tuple[str, str | None]:
    """``'Setup!TenderRef'`` → ('TenderRef', 'Setup'): Excel spells sheet-scoped names so."""
    if "!" not in label:
        return label, None
    sheet, _, name = label.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return name, sheet


def _read_names(book: Any, raw: RawBook) -> None:
    """Names chosen by the shared rules; then one block read per sheet that holds any of them."""
    entries = []
    for name in book.names:
        label, scope = _scoped(name.name)
        entries.append(DefinedNameText(label, name.refers_to, scope))
    chosen = choose_names(entries, raw.sheets)
    raw.bad_names.update(chosen.bad)
    raw.notes.extend(chosen.notes)
    wanted: dict[str, list[tuple[str, int, int]]] = {}
    for label, (sheet, coord) in chosen.targets.items():
        row, col = a1.parse_cell(coord)
        wanted.setdefault(sheet, []).append((label, row, col))
    for sheet_name, entries_ in wanted.items():
        r1 = min(r for _, r, _ in entries_)
        c1 = min(c for _, _, c in entries_)
        r2 = max(r for _, r, _ in entries_)
        c2 = max(c for _, _, c in entries_)
        block = book.sheets[sheet_name].range((r1, c1), (r2, c2))
        values = block.options(ndim=2).value
        formulas = _formulas(block)
        for label, row, col in entries_:
            i, j = row - r1, col - c1
            raw.names[label] = _cell(sheet_name, row, col, values[i][j], formulas[i][j] if formulas else None)


def _read_table(sheet: Any, name: str, address: str, totals: int) -> RawTable:
    box = a1.parse_range(address)
    if box is None:
        raise ValueError(f"table {name} has no cell range ({address})")
    r1, c1, r2, c2 = box
    ref = f"{a1.cell(r1, c1)}:{a1.cell(r2, c2)}"
    r2 = data_rows(r1, r2, totals)[1]  # the Total Row is never data
    block = sheet.range((r1, c1), (r2, c2))
    values = block.options(ndim=2).value
    formulas = _formulas(block)
    headers = ["" if v is None else _header(v) for v in values[0]]
    header_cells = [a1.cell(r1, c1 + j) for j in range(len(headers))]
    keep = [is_contract_header(h) for h in headers]
    rows = []
    for i in range(1, r2 - r1 + 1):
        row = r1 + i
        rows.append([
            _cell(sheet.name, row, c1 + j, values[i][j], formulas[i][j] if formulas else None) if keep[j]
            else CellValue(sheet.name, a1.cell(row, c1 + j), None)
            for j in range(len(headers))
        ])
    return RawTable(name, sheet.name, ref, headers, header_cells, rows)


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
