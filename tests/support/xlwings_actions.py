"""Run a macro on a real .xlsx through xlwings' remote engine and apply its actions to the file.

``xw.Book(json=payload)`` is the real ``xw.Book`` xlwings Lite and xlwings Server give a
script; ``book.json()`` holds the actions the Excel client would then carry out. This
module carries them out on the .xlsx with openpyxl, with the Excel rules that matter for
correctness, so a test fails where Excel would go wrong or refuse:

* a string is read as if typed: ``'`` makes the rest text, ``=`` makes a formula, a
  number-like string becomes a number and an ISO date (how xlwings sends dates) a date,
  so text written unescaped shows up as such;
* on a protected sheet, values and clearing need unlocked cells and fills need the
  "format cells" permission (Excel refuses both otherwise, and so does this);
* a Table keeps its header row when resized.

Only the actions the macros use are known; any other action fails the test loudly.
"""

from __future__ import annotations

import json
import re
from copy import copy
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.table import Table

from tests.support.xlwings_payload import payload_from_xlsx


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")


class ExcelRefused(Exception):
    """Excel would refuse this action (protected sheet, broken table resize)."""


def run_macro(path: Path, macro, out: Path, **kwargs: Any) -> tuple[Any, dict]:
    """Run ``macro(book, **kwargs)`` on the workbook at ``path``; save the applied result to ``out``."""
    import xlwings as xw

    book = xw.Book(json=payload_from_xlsx(path))
    outcome = macro(book, **kwargs)
    actions = json.loads(json.dumps(book.json()))  # what travels back to Excel
    apply_actions(path, actions, out)
    return outcome, actions


def apply_actions(path: Path, actions: dict, out: Path) -> None:
    wb = load_workbook(path)
    sheets = wb.worksheets
    for action in actions["actions"]:
        ws = sheets[action["sheet_position"]] if action.get("sheet_position") is not None else None
        func = action["func"]
        if func == "setValues":
            for i, row in enumerate(action["values"]):
                for j, value in enumerate(row):
                    cell = ws.cell(row=action["start_row"] + 1 + i, column=action["start_column"] + 1 + j)
                    _check_unlocked(ws, cell)
                    _type_into(cell, value)
        elif func in ("rangeClear", "rangeClearContents"):
            for cell in _cells(ws, action):
                _check_unlocked(ws, cell)
                cell.value = None
                if func == "rangeClear":  # Excel's Clear takes conditional formats with it
                    for cf_range in list(ws.conditional_formatting):
                        if cell.coordinate in cf_range.sqref:
                            del ws.conditional_formatting._cf_rules[cf_range]
                    cell.fill = PatternFill()
                    cell.font = Font()
                    cell.number_format = "General"
                    cell.alignment = Alignment()
        elif func == "setRangeColor":
            _check_format_allowed(ws)
            for cell in _cells(ws, action):
                cell.fill = _fill(action["args"][0])
        elif func == "setRangeColors":
            _check_format_allowed(ws)
            matrix = action["args"][0]
            for cell in _cells(ws, action):
                color = matrix[cell.row - 1 - action["start_row"]][cell.column - 1 - action["start_column"]]
                if color != "keep":
                    cell.fill = _fill(color)
        elif func == "setFontProperty":
            _check_format_allowed(ws)
            prop, value = action["args"]
            for cell in _cells(ws, action):
                font = copy(cell.font)
                setattr(font, prop, value)
                cell.font = font
        elif func == "setNumberFormat":
            _check_format_allowed(ws)
            for cell in _cells(ws, action):
                cell.number_format = action["args"][0]
        elif func == "resizeTable":
            index, address = action["args"]
            table = list(ws.tables.values())[index]
            new = address.replace("$", "")
            if range_boundaries(new)[1] != range_boundaries(table.ref)[1]:
                raise ExcelRefused(f"resizing table {table.name} from {table.ref} to {new} moves its header row")
            table.ref = new
            if table.autoFilter is not None:
                table.autoFilter.ref = new
        elif func == "addSheet":
            index, name = action["args"]
            wb.create_sheet(name, index)
            sheets = wb.worksheets
        elif func == "addTable":
            address, has_headers, _style, name = action["args"]
            if not has_headers:
                raise NotImplementedError("tables without headers are not used by the macros")
            ws.add_table(Table(displayName=name, ref=address.replace("$", "")))
        elif func == "addConditionalFormat":
            _check_format_allowed(ws)
            rule = action["args"][0]
            if rule["type"] != "CellValue" or rule["operator"] != "EqualTo":
                raise NotImplementedError(f"conditional format {rule['type']} {rule.get('operator')}")
            first = ws.cell(row=action["start_row"] + 1, column=action["start_column"] + 1).coordinate
            last = ws.cell(row=action["start_row"] + action["row_count"],
                           column=action["start_column"] + action["column_count"]).coordinate
            ws.conditional_formatting.add(f"{first}:{last}", CellIsRule(
                operator="equal", formula=[rule["formula1"]],
                fill=PatternFill("solid", bgColor=rule["fill_color"].lstrip("#").upper()),
                font=Font(color=rule["font_color"].lstrip("#").upper())))
        elif func == "activateSheet":
            wb.active = action["args"][0]
        else:
            raise NotImplementedError(f"action {func} is not applied by this test helper")
    wb.save(out)


def _cells(ws, action):
    for r in range(action["start_row"] + 1, action["start_row"] + 1 + action["row_count"]):
        for c in range(action["start_column"] + 1, action["start_column"] + 1 + action["column_count"]):
            yield ws.cell(row=r, column=c)


def _type_into(cell, value: Any) -> None:
    """What Excel stores when a script assigns ``value`` to a cell."""
    if value is None or value == "":
        cell.value = None
    elif isinstance(value, str) and value.startswith("'"):
        cell.value = value[1:]
        cell.data_type = "s"
    elif isinstance(value, str) and value.startswith("="):
        cell.value = value  # Excel makes it a formula
    elif isinstance(value, str) and _number(value) is not None:
        cell.value = _number(value)
    elif isinstance(value, str) and ISO_DATE.match(value):
        cell.value = datetime.fromisoformat(value)
    else:
        cell.value = value


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _fill(color: str | None) -> PatternFill:
    if color is None:
        return PatternFill()
    return PatternFill("solid", fgColor=color.lstrip("#").upper())


def _check_unlocked(ws, cell) -> None:
    if ws.protection.sheet and cell.protection.locked:
        raise ExcelRefused(f"{ws.title}!{cell.coordinate} is locked on a protected sheet")


def _check_format_allowed(ws) -> None:
    if ws.protection.sheet and ws.protection.formatCells:
        raise ExcelRefused(f"sheet {ws.title} is protected and does not allow formatting cells")


def fill_of(ws, coord: str) -> str | None:
    """The solid fill colour of a cell as RRGGBB, or None."""
    fill = ws[coord].fill
    if fill is None or fill.fill_type != "solid":
        return None
    return str(fill.fgColor.rgb)[-6:].upper()

