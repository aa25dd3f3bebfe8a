"""Build the JSON an Excel client sends to xlwings from a real .xlsx file.

xlwings Lite (and xlwings Server) hand Python a workbook as JSON: every sheet's values,
the defined names and the Excel Tables. ``xw.Book(json=payload)`` turns that into a real
``xw.Book`` whose writes are collected as actions (``book.json()``). Building the payload
from a file lets the tests and the benchmark run the macros on real workbooks on Linux,
with xlwings' own objects.

The shape follows the xlwings clients (``xlwings/js/xlwings.ts`` and the Office.js client):
empty cells are ``""``, dates are ISO strings ending in ``Z``, formulas show their cached
result, and the JSON is round-tripped through text so numbers arrive exactly as Excel's
JSON would send them (``5`` as an int, ``5.5`` as a float).
"""

from __future__ import annotations

import json
import warnings
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

import xlwings

#: The client xlwings Lite identifies itself as.
CLIENT = "Office.js"


def payload_from_xlsx(path: str | Path) -> dict[str, Any]:
    """The payload an Office.js client would send for the workbook at ``path``.

    Values come from a ``data_only`` load (cached formula results, as Excel shows them);
    names and tables from a normal load (openpyxl only sees them there).
    """
    path = Path(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(path)
        values_wb = load_workbook(path, data_only=True)
    try:
        sheets = []
        for ws in wb.worksheets:
            vws = values_wb[ws.title]
            values = [[_json_value(c.value) for c in row] for row in vws.iter_rows()] or [[]]
            sheets.append({
                "name": ws.title,
                "values": values,
                "visibility": {"visible": "Visible", "hidden": "Hidden"}.get(ws.sheet_state, "VeryHidden"),
                "used_range_address": vws.dimensions if vws.max_row > 1 or vws.max_column > 1 or vws["A1"].value is not None else None,
                "tables": [_table(t.name, t.ref, t.totalsRowCount or 0) for t in ws.tables.values()],
                "pictures": [], "shapes": [], "charts": [], "notes": [], "pivot_tables": [],
                "show_gridlines": True, "print_area": None,
            })
        names = []
        scoped = [(name, dn, None) for name, dn in wb.defined_names.items()]
        scoped += [(name, dn, i) for i, ws in enumerate(wb.worksheets) for name, dn in ws.defined_names.items()]
        for name, dn, scope in scoped:
            entry = {"name": name, "refers_to": "=" + (dn.attr_text or ""), "sheet_index": None, "address": None,
                     "book_scope": scope is None,
                     "scope_sheet_name": None if scope is None else wb.worksheets[scope].title,
                     "scope_sheet_index": scope}
            try:
                dests = list(dn.destinations)
            except Exception:  # not a range (a constant or a formula): like Excel, no address
                dests = []
            if len(dests) == 1 and dests[0][0] in wb.sheetnames:
                sheet, coord = dests[0]
                entry["sheet_index"] = wb.sheetnames.index(sheet)
                entry["address"] = coord.replace("$", "")
            names.append(entry)
        payload = {
            "client": CLIENT,
            "version": xlwings.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": names,
            "sheets": sheets,
        }
    finally:
        wb.close()
        values_wb.close()
    return json.loads(json.dumps(payload))


def _table(name: str, ref: str, totals: int) -> dict[str, Any]:
    """A Table as the client describes it; a Total Row (``totalsRowCount``) is its last row."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    first, last = ref.split(":")
    last_col = "".join(ch for ch in last if ch.isalpha())
    first_col = "".join(ch for ch in first if ch.isalpha())
    body_end = max_row - (1 if totals else 0)
    return {
        "name": name,
        "range_address": ref,
        "header_row_range_address": f"{first_col}{min_row}:{last_col}{min_row}",
        "data_body_range_address": f"{first_col}{min_row + 1}:{last_col}{body_end}",
        "total_row_range_address": f"{first_col}{max_row}:{last_col}{max_row}" if totals else None,
        "show_headers": True,
        "show_totals": bool(totals),
        "table_style": "TableStyleLight9",
        "show_autofilter": True,
        "row_count": max_row - min_row + 1,
        "column_count": max_col - min_col + 1,
    }


def _json_value(value: Any) -> Any:
    """A cell value as Excel's JSON carries it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, date):
        return datetime.combine(value, time()).isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
