"""openpyxl helpers shared by the template generators and the report writers.

One place for the house style (input cells yellow and unlocked, formula cells grey and
locked), for adding Tables, names and dropdowns from the contract declaration, and for
writing untrusted text so that it can never become a formula.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils.cell import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from sv_workbook.core.contracts import WorkbookContract
from sv_workbook.xlsx.lite_buttons import BUTTONS, add_buttons
from sv_workbook.xlsx.safe_write import WriteRefused, atomic_save

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
FORMULA_FILL = PatternFill("solid", fgColor="EDEDED")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
#: Fonts name Calibri (Excel's default): a font without a name prints in LibreOffice's default serif, wider.
HEADER_FONT = Font(name="Calibri", bold=True, color="FFFFFF")
TITLE_FONT = Font(name="Calibri", bold=True, size=14, color="1F4E78")
BOLD = Font(name="Calibri", bold=True)
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)
#: Width of the Instructions sheet's one column: a line of text that prints on A4 portrait.
INSTRUCTIONS_WIDTH = 85
#: Fixed document times so regenerated templates differ only when their content does.
FIXED_TIME = datetime(2026, 1, 1)


def put_text(ws: Worksheet, coord: str, text: Any) -> None:
    """Write untrusted text as inert text: a string starting with '=' stays a string.

    openpyxl turns any string starting with '=' into a formula unless the cell's type is
    forced back to string after assignment.
    """
    cell = ws[coord]
    cell.value = text
    if isinstance(text, str):
        cell.data_type = "s"


def put_value(ws: Worksheet, coord: str, value: Any) -> None:
    """Numbers, dates and booleans as they are; strings always as inert text."""
    if isinstance(value, str):
        put_text(ws, coord, value)
    else:
        ws[coord].value = value


def put_formula(ws: Worksheet, coord: str, formula: str | ArrayFormula, number_format: str | None = None) -> None:
    """A live formula written by us (never from workbook or user text): locked and grey."""
    cell = ws[coord]
    cell.value = formula
    cell.fill = FORMULA_FILL
    cell.protection = LOCKED
    if number_format:
        cell.number_format = number_format


def mark_input(ws: Worksheet, coord: str, number_format: str | None = None) -> None:
    cell = ws[coord]
    cell.fill = INPUT_FILL
    cell.protection = UNLOCKED
    cell.border = BOX
    if number_format:
        cell.number_format = number_format


def header_row(ws: Worksheet, row: int, first_col: int, headers: Iterable[str]) -> None:
    for i, text in enumerate(headers):
        cell = ws.cell(row=row, column=first_col + i, value=text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def add_table(ws: Worksheet, name: str, first_col: int, first_row: int, headers: list[str], n_rows: int) -> str:
    """Add an Excel Table with header row and ``n_rows`` data rows; returns its ref."""
    header_row(ws, first_row, first_col, headers)
    last_col = get_column_letter(first_col + len(headers) - 1)
    ref = f"{get_column_letter(first_col)}{first_row}:{last_col}{first_row + max(n_rows, 1)}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    return ref


def text_table(ws: Worksheet, name: str, title: str, start: int, headers: list[str], rows: list[list[Any]],
               wrap_columns: tuple[int, ...] = ()) -> None:
    """A bold title above an Excel Table of text from the workbook (findings): every value is
    written as text, never as a formula; ``wrap_columns`` (1-based) wrap their long text."""
    ws.cell(row=start - 1, column=1, value=title).font = BOLD
    add_table(ws, name, 1, start, headers, len(rows))
    for i, values in enumerate(rows):
        row = start + 1 + i
        for j, v in enumerate(values):
            put_text(ws, ws.cell(row=row, column=1 + j).coordinate, v)
        for column in wrap_columns:
            ws.cell(row=row, column=column).alignment = WRAP


def define_name(wb: Workbook, name: str, sheet: str, coord: str) -> None:
    """Workbook-scoped defined name for one cell or a range on ``sheet``."""
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheet(sheet)}!{_dollar(coord)}")


def quote_sheet(sheet: str) -> str:
    return f"'{sheet}'" if not sheet.isalnum() else sheet


def _dollar(coord: str) -> str:
    parts = []
    for part in coord.split(":"):
        letters = "".join(ch for ch in part if ch.isalpha())
        digits = part[len(letters):]
        parts.append(f"${letters}${digits}")
    return ":".join(parts)


def list_validation(ws: Worksheet, ranges: str, options: Iterable[str] | str, prompt: str,
                    strict: bool = True) -> None:
    """A dropdown. ``options`` is a list of choices or a formula/range such as '=Bidders!$A$2:$A$51'.

    ``strict=False`` shows a warning instead of refusing values not in the list (for
    local priorities a trust may add).
    """
    formula = options if isinstance(options, str) else '"' + ",".join(options) + '"'
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                        errorStyle="stop" if strict else "warning")
    _messages(dv, prompt, strict)
    dv.add(ranges)
    ws.add_data_validation(dv)


def number_validation(ws: Worksheet, ranges: str, minimum: str, maximum: str | None, prompt: str,
                      whole: bool = False) -> None:
    """Numbers only, between ``minimum`` and ``maximum`` (numbers or formulas like '=ScoreScaleMax')."""
    if maximum is None:
        dv = DataValidation(type="whole" if whole else "decimal", operator="greaterThanOrEqual",
                            formula1=minimum, allow_blank=True)
    else:
        dv = DataValidation(type="whole" if whole else "decimal", operator="between", formula1=minimum,
                            formula2=maximum, allow_blank=True)
    _messages(dv, prompt, True)
    dv.add(ranges)
    ws.add_data_validation(dv)


def positive_validation(ws: Worksheet, ranges: str, prompt: str) -> None:
    """Numbers strictly greater than 0 (targets, prices)."""
    dv = DataValidation(type="decimal", operator="greaterThan", formula1="0", allow_blank=True)
    _messages(dv, prompt, True)
    dv.add(ranges)
    ws.add_data_validation(dv)


def date_validation(ws: Worksheet, ranges: str, prompt: str) -> None:
    dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)  # after 1/1/2000
    _messages(dv, prompt, True)
    dv.add(ranges)
    ws.add_data_validation(dv)


def _messages(dv: DataValidation, prompt: str, strict: bool) -> None:
    dv.showInputMessage = True
    dv.showErrorMessage = True
    dv.promptTitle = "sv-workbook"[:32]
    dv.prompt = prompt[:255]
    dv.errorTitle = "Not allowed" if strict else "Check this"
    dv.error = prompt[:255]


def protect(ws: Worksheet) -> None:
    """Sheet protection without a password: formulas locked, inputs open, filters usable.

    Formatting cells stays allowed so that the Check button (xlwings) can paint the input
    cells with problems red and repaint them yellow once fixed; locked formulas still
    cannot be overwritten.
    """
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def set_widths(ws: Worksheet, widths: dict[str, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[col].width = width


def fix_properties(wb: Workbook) -> None:
    """Stable document properties so the committed template is reproducible."""
    wb.properties.creator = "sv-workbook"
    wb.properties.lastModifiedBy = "sv-workbook"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME


def settings_sheet(wb: Workbook, contract: WorkbookContract, sheet: str, title: str,
                   rows: dict[str, tuple[int, str]], formats: dict[str, str]) -> Worksheet:
    """A settings sheet: one labelled input cell per defined name, with its meaning beside it.

    The meaning is the contract's own text, so the sheet, the README and the validators
    describe each setting in the same words.
    """
    ws = wb.create_sheet(sheet)
    ws["A1"] = title
    ws["A1"].font = TITLE_FONT
    header_row(ws, 2, 1, ["Setting", "Value", "What it means"])
    for name, (row, label) in rows.items():
        ws.cell(row=row, column=1, value=label)
        ws.cell(row=row, column=3, value=contract.named(name).field.doc).alignment = WRAP
        mark_input(ws, f"B{row}", formats.get(name))
        define_name(wb, name, sheet, f"B{row}")
    return ws


def replace_sheet(wb: Workbook, title: str) -> Worksheet:
    """A new, empty sheet ``title`` where the old one was (or at the end), keeping its code name.

    The report sheets are rebuilt from scratch on every ``score``. In a macro-enabled workbook
    each sheet has a code name (``Sheet7``) that its document module in the VBA project
    carries; a rebuilt sheet without it would leave that module orphaned, which Excel reports
    as damage on opening.
    """
    index, code_name = len(wb.sheetnames), None
    if title in wb.sheetnames:
        old = wb[title]
        index, code_name = wb.sheetnames.index(title), old.sheet_properties.codeName
        wb.remove(old)
    ws = wb.create_sheet(title, index)
    if code_name:
        ws.sheet_properties.codeName = code_name
    return ws


def write_template(build: Callable[..., Workbook], path: str | Path, *args: Any, kind: str,
                   replace: bool = False) -> Path | None:
    """Build a template and save it atomically; returns the backup of a replaced file.

    A path ending in .xlsm gets the macro-enabled form: the VBA module, its form-control
    buttons and xlwings' settings (``macro_workbook``). Any other path gets the plain
    workbook with the shapes the xlwings Lite scripts bind to (``lite_buttons``), which
    openpyxl cannot draw, so they are added to the saved file.

    An existing file is refused unless ``replace`` (``new --force``): a blank template
    written over a filled-in workbook would lose the evaluators' work. When replaced, the
    old file is backed up first.
    """
    path = Path(path)
    if path.exists() and not replace:
        raise WriteRefused(f"{path} already exists; nothing was written. Choose another name, or add --force to "
                           "replace it (a timestamped backup of it is kept).")
    from sv_workbook.xlsx.vba.macro_workbook import is_macro_path, make_macro_enabled

    wb = build(*args)
    if is_macro_path(path):
        return atomic_save(make_macro_enabled(wb, kind), path)
    return atomic_save(wb, path, finish=lambda saved: add_buttons(saved, BUTTONS[kind]))


def write_instructions(ws: Worksheet, lines: list[tuple[str, bool]]) -> None:
    """An instructions sheet: (text, is_heading) lines from row 3, a blank line before each heading."""
    row = 3
    for text, heading in lines:
        if heading and row > 3:
            row += 1
        cell = ws.cell(row=row, column=1, value=text)
        cell.alignment = WRAP
        if heading:
            cell.font = BOLD
        row += 1
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    protect(ws)


def report_placeholder(ws: Worksheet, title: str, how_to: str, policy_label: str, table: str, header_row_no: int,
                       headers: list[str]) -> None:
    """A template's report sheet before scoring: what to run, and the contract's (empty) output table."""
    ws["A1"] = title
    ws["A1"].font = TITLE_FONT
    ws["A3"] = "Not scored yet."
    ws["A4"] = how_to
    put_text(ws, "A5", f"Policy: {policy_label}")
    add_table(ws, table, 1, header_row_no, headers, 1)
