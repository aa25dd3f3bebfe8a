"""openpyxl adapter: replace some data rows of an Excel Table, keeping every other row and the formulas.

Used by `merge`: one evaluator's Scores rows and declaration are replaced by their return. The
table's other rows keep their order; the rows are rewritten from the first data row down, the
rest cleared; calculated columns (formulas) are left as they are; the table grows when needed.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table

from sv_workbook.core.bind import norm
from sv_workbook.xlsx.write_helpers import put_value


class TableMissing(Exception):
    """The workbook has no table of that name."""


def replace_rows(wb: Workbook, table: str, columns: list[str], key: str, drop: set[str],
                 add: list[dict[str, Any]]) -> None:
    """Remove the rows whose ``key`` column (normalised) is in ``drop``, then append ``add``.

    Only ``columns`` are read and written; a row counts when any of them holds a value.
    """
    for ws in wb.worksheets:
        found = next((name for name in ws.tables if name.casefold() == table.casefold()), None)
        if found is not None:
            break
    else:
        raise TableMissing(table)
    t = ws.tables[found]
    min_col, min_row, max_col, max_row = range_boundaries(t.ref)
    headers = {norm(ws.cell(row=min_row, column=c).value): c for c in range(min_col, max_col + 1)}
    cols = {c: headers[norm(c)] for c in columns}
    kept: list[dict[str, Any]] = []
    for r in range(min_row + 1, max_row + 1):
        row = {c: ws.cell(row=r, column=i).value for c, i in cols.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row.values()):
            continue
        if norm(row[key]) in drop:
            continue
        kept.append(row)
    rows = kept + add
    max_row = grow_table(t, len(rows))
    for i in range(max_row - min_row):
        data = rows[i] if i < len(rows) else {}
        for c, col in cols.items():
            put_value(ws, ws.cell(row=min_row + 1 + i, column=col).coordinate, data.get(c))


def grow_table(table: Table, rows: int) -> int:
    """Stretch ``table`` (and its filter) down to hold at least ``rows`` data rows, one at the
    least, as Excel does when a row is typed under it; returns its last row."""
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    last = min_row + max(rows, 1)
    if last <= max_row:
        return max_row
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{last}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    return last


__all__ = ["grow_table", "replace_rows", "TableMissing"]
