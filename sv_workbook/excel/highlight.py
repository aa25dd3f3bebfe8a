"""xlwings adapter: colour the input cells findings point at, and clear what was fixed.

The checker owns the fill of the input cells the contract declares (the defined names
and the contract columns of the input Tables): each run first repaints them all in the
template's input yellow, then paints the cells with an error red and those with a
warning amber. A cell fixed since the last run is therefore yellow again, without the
workbook having to remember what was painted before. Calculated columns, headers and
cells outside the contract are never touched.

Round trips: one repaint per run of neighbouring contract columns of each Table, one per
sheet of named cells, and one per block of up to 10,000 cells around the flagged cells
(xlwings' limit for ``set_colors``), so a clean workbook costs the same at 5 or 500 bids.
"""

from __future__ import annotations

from typing import Any, Iterable

from sv_workbook.core import a1
from sv_workbook.core.bind import norm
from sv_workbook.core.contracts import WorkbookContract
from sv_workbook.core.findings import Finding, Severity
from sv_workbook.core.rawbook import RawBook
from sv_workbook.excel.write import column_runs

#: The template's input fill (``xlsx_common.INPUT_FILL``); a test keeps the two equal.
INPUT_FILL = "#FFF2CC"
#: Excel's own "Bad" and "Neutral" cell-style fills, which people already read as red and amber.
ERROR_FILL = "#FFC7CE"
WARNING_FILL = "#FFEB9C"
MAX_CELLS_PER_CALL = 10_000


def flagged_cells(findings: Iterable[Finding]) -> dict[tuple[str, int, int], str]:
    """(sheet, row, col) → fill; an error outranks a warning on the same cell."""
    out: dict[tuple[str, int, int], str] = {}
    for f in findings:
        if f.severity is Severity.INFO or not f.sheet:
            continue
        fill = ERROR_FILL if f.severity is Severity.ERROR else WARNING_FILL
        for row, col in a1.cells_in(f.cell):
            key = (norm(f.sheet), row, col)
            if out.get(key) != ERROR_FILL:
                out[key] = fill
    return out


def highlight(book: Any, raw: RawBook, contract: WorkbookContract, findings: Iterable[Finding]) -> int:
    """Repaint the contract's input cells in ``book``; returns how many cells are flagged."""
    flags = flagged_cells(findings)
    shown = 0
    # Named cells: one call per sheet over their bounding box, other cells kept.
    by_sheet: dict[str, list[tuple[int, int]]] = {}
    for named in contract.names:
        cv = raw.find_name(named.name)
        pos = a1.parse_cell(cv.cell) if cv else None
        if cv and pos:
            by_sheet.setdefault(cv.sheet, []).append(pos)
    for sheet_name, cells in by_sheet.items():
        r1, c1 = min(r for r, _ in cells), min(c for _, c in cells)
        r2, c2 = max(r for r, _ in cells), max(c for _, c in cells)
        wanted = set(cells)
        matrix = [[(flags.get((norm(sheet_name), r, c), INPUT_FILL) if (r, c) in wanted else ...)
                   for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        shown += sum(1 for r, c in wanted if (norm(sheet_name), r, c) in flags)
        book.sheets[sheet_name].range((r1, c1), (r2, c2)).set_colors(matrix)
    # Table bodies: repaint the contract columns, then paint the flagged cells.
    for spec in contract.input_tables:
        table = raw.find_table(spec.name)
        box = a1.parse_range(table.ref) if table else None
        if table is None or box is None or box[2] <= box[0]:
            continue
        r1, c1, r2, _ = box
        contract_cols = {norm(c) for c in spec.headers}
        cols = [c1 + j for j, h in enumerate(table.headers) if norm(h) in contract_cols]
        sheet = book.sheets[table.sheet]
        for first, last in column_runs(cols):
            sheet.range((r1 + 1, first), (r2, last)).color = INPUT_FILL
        mine = {(r, c): fill for (s, r, c), fill in flags.items()
                if s == norm(table.sheet) and r1 < r <= r2 and c in cols}
        shown += len(mine)
        _paint(sheet, mine)
    return shown


def _paint(sheet: Any, cells: dict[tuple[int, int], str]) -> None:
    """Paint ``cells`` in as few calls as the 10,000-cell limit allows, other cells kept."""
    if not cells:
        return
    rows = sorted({r for r, _ in cells})
    c1 = min(c for _, c in cells)
    c2 = max(c for _, c in cells)
    width = c2 - c1 + 1
    per_call = max(1, MAX_CELLS_PER_CALL // width)
    start = 0
    while start < len(rows):
        first = rows[start]
        end = start
        while end + 1 < len(rows) and rows[end + 1] - first < per_call:
            end += 1
        last = rows[end]
        matrix = [[cells.get((r, c), ...) for c in range(c1, c2 + 1)] for r in range(first, last + 1)]
        sheet.range((first, c1), (last, c2)).set_colors(matrix)
        start = end + 1
