"""Match a ``RawBook`` against a workbook contract and read typed values from it.

This is where "the workbook does not follow the contract" becomes findings that name
the sheet, the cell and the fix, and where cell values become numbers, dates and
choices. Pure: no spreadsheet library is imported here.
"""

from __future__ import annotations

import math
from functools import lru_cache, partial
from operator import itemgetter
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import get_close_matches
from typing import Any, Iterable, NamedTuple

from sv_workbook.core.catalogue import DATE_AS_TEXT, NUMBER_AS_TEXT
from sv_workbook.core.contracts import Field, TableSpec, WorkbookContract
from sv_workbook.core.catalogue import (BAD_NAME, BLANK, DUPLICATE_HEADER, ERROR, FORMULA_NOT_CALCULATED,
    MISSING_COLUMN, MISSING_NAME, MISSING_SHEET, MISSING_TABLE, NOT_A_DATE, NOT_A_NUMBER, NOT_YES_NO, OUT_OF_RANGE,
    RENAMED_TABLE, UNKNOWN_CHOICE, WARNING)
from sv_workbook.core.findings import Finding
from sv_workbook.core.rawbook import CellValue, RawBook, RawTable
from sv_workbook.core.reading import clean_text, date_from_text, number_from_text


@lru_cache(maxsize=8192)
def _norm_text(text: str) -> str:
    return clean_text(text).casefold()


def norm(text: Any) -> str:
    """Header/ID matching tolerates case, surrounding spaces and the no-break and zero-width
    spaces pasted text carries (contract rule; ``reading.clean_text``).

    Cached: a register's few dozen KPI IDs are matched thousands of times per workbook.
    """
    if text is None:
        return ""
    return _norm_text(text if isinstance(text, str) else str(text))


class Row(NamedTuple):
    """One non-blank data row of a contract table, cells keyed by contract column.

    Immutable; a NamedTuple because ``BoundBook.table_rows`` makes one per table row, and a
    tuple costs a fraction of a frozen dataclass to create.
    """

    table: str
    sheet: str
    cells: dict[str, CellValue]

    def cell(self, column: str) -> CellValue:
        return self.cells[column]


@dataclass
class BoundBook:
    """A workbook seen through its contract; ``findings`` says what did not fit.

    ``tables`` holds each contract table found with all its required columns, and where each
    contract column it has sits (its index in the table's rows). Its rows are read when asked
    for, as ``Row``s (``table_rows``) or, for a table of hundreds of rows, as one plain tuple of
    the columns asked for per row (``cells``).
    """

    raw: RawBook
    contract: WorkbookContract
    names: dict[str, CellValue] = field(default_factory=dict)
    tables: dict[str, tuple[RawTable, dict[str, int]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every required name and table (with its columns) was found."""
        required_names = {n.name for n in self.contract.names if n.field.required}
        required_tables = {t.name for t in self.contract.input_tables if t.required}
        return required_names <= set(self.names) and required_tables <= set(self.tables)

    def table_rows(self, name: str) -> list[Row]:
        """The table's rows that hold contract data, each cell keyed by its contract column (a cell
        the row does not reach is left out); none when the table is not bound."""
        if name not in self.tables:
            return []
        table, positions = self.tables[name]
        columns, make = tuple(positions), partial(tuple.__new__, Row)
        return [make((name, table.sheet, dict(zip(columns, kept)) if None not in kept else
                      {c: cell for c, cell in zip(columns, kept) if cell is not None}))
                for kept in _kept_cells(table, positions)]

    def cells(self, name: str, columns: tuple[str, ...]) -> list[tuple[CellValue | None, ...]]:
        """For each row ``table_rows`` keeps, the cells of ``columns`` in that order, None for a
        column the table lacks or the row does not reach: the same rows without a dict per row,
        for a parser that reads hundreds of them (a register's Actuals)."""
        if name not in self.tables:
            return []
        table, positions = self.tables[name]
        order = list(positions)
        at = [order.index(c) if c in positions else -1 for c in columns]
        kept = _kept_cells(table, positions)
        if at == list(range(len(order))):
            return kept  # the columns asked for are the table's contract columns, in the contract's order
        if -1 not in at and len(at) > 1:
            return list(map(itemgetter(*at), kept))
        return [tuple(row[i] if i >= 0 else None for i in at) for row in kept]


def bind(raw: RawBook, contract: WorkbookContract) -> BoundBook:
    """Find the contract's sheets, names, tables and columns; report what is missing."""
    book = BoundBook(raw, contract)
    out = book.findings
    out.extend(raw.notes)
    for sheet in contract.sheets:
        if raw.find_sheet(sheet) is None:
            out.append(MISSING_SHEET(
                f"The {contract.title.lower()} has no sheet named '{sheet}'.",
                f"Add a sheet named '{sheet}' (or rename the sheet that holds it), as in the template "
                f"from `sv-workbook new {contract.kind}`.", sheet=sheet))
    for named in contract.names:
        cv = raw.find_name(named.name)
        if cv is None:
            bad = next((why for k, why in raw.bad_names.items() if k.casefold() == named.name.casefold()), None)
            if bad:
                out.append(BAD_NAME(f"The defined name '{named.name}' {bad}.",
                                    f"In Formulas › Name Manager, point '{named.name}' at a single cell on "
                                    f"sheet '{named.sheet}'.", sheet=named.sheet))
            elif named.field.required:
                out.append(MISSING_NAME(f"The defined name '{named.name}' ({_about(named.field.doc)}) is missing.",
                                        f"Select the cell on sheet '{named.sheet}' that holds it and type "
                                        f"'{named.name}' in the Name Box (left of the formula bar).",
                                        sheet=named.sheet))
            continue
        book.names[named.name] = cv
    for spec in contract.input_tables:
        table = raw.find_table(spec.name)
        if table is None:
            renamed = _renamed(raw, spec, contract)
            if renamed is not None:
                out.append(RENAMED_TABLE(
                    f"The Excel Table '{spec.name}' ({_about(spec.doc)}) is missing, but table "
                    f"'{renamed.name}' on sheet '{renamed.sheet}' has its columns: it looks renamed.",
                    f"Click in table '{renamed.name}' and type '{spec.name}' under Table Design › Table Name "
                    "(macros and other tools find the table by that name).", renamed.sheet, renamed.ref))
            elif spec.required:
                out.append(MISSING_TABLE(f"The Excel Table '{spec.name}' ({_about(spec.doc)}) is missing.",
                                         f"On sheet '{spec.sheet}', select the data with its header row "
                                         f"({', '.join(spec.headers)}), choose Insert › Table, then name it "
                                         f"'{spec.name}' under Table Design › Table Name.", sheet=spec.sheet))
            continue
        positions: dict[str, int] = {}
        seen: dict[str, int] = {}
        for i, header in enumerate(table.headers):
            key = norm(header)
            if key in seen:
                out.append(DUPLICATE_HEADER(
                    f"Table '{spec.name}' has the header '{header}' twice.",
                    "Rename or delete one of the two columns.", table.sheet, table.header_cells[i]))
            seen.setdefault(key, i)
        missing = False
        for column in spec.columns:
            idx = seen.get(norm(column.name))
            if idx is None:
                missing = missing or column.required
                close = get_close_matches(norm(column.name), list(seen), n=1)
                hint = (f"Rename the header '{table.headers[seen[close[0]]]}' to '{column.name}'." if close
                        else f"Add a column headed '{column.name}' to the table.")
                out.append(MISSING_COLUMN(
                    f"Table '{spec.name}' has no column '{column.name}' ({column.doc}).",
                    hint, table.sheet, table.header_cells[0] if table.header_cells else "",
                    severity=ERROR if column.required else WARNING))
                continue
            positions[column.name] = idx
        if missing:
            continue
        book.tables[spec.name] = (table, positions)
    return book


def _kept_cells(table: RawTable, positions: dict[str, int]) -> list[tuple[CellValue | None, ...]]:
    """The cells at ``positions`` (in their order) of each row of the table that holds contract
    data; None for a cell a row does not reach.

    Templates pre-size their tables, so blank rows are skipped. This runs for every row of
    every table a batch reads, so a row as wide as the table (every row the readers make) is
    picked by ``itemgetter`` in C; a shorter row (a ``RawTable`` made by hand) cell by cell.
    """
    indexes = tuple(positions.values())
    # itemgetter of one index gives the item, not a tuple: a one-column table is read cell by cell
    pick = itemgetter(*indexes) if len(indexes) > 1 else None
    widest = max(indexes, default=0)
    kept: list[tuple[CellValue | None, ...]] = []
    for raw_row in table.rows:
        if pick is not None and len(raw_row) > widest:
            picked = pick(raw_row)
            # most rows hold a value in their first contract cell: no call for them (``_has_data``)
            value = picked[0][2]
            if (value is not None and (not isinstance(value, str) or value.strip())) or _has_data(picked):
                kept.append(picked)
            continue
        width = len(raw_row)
        picked = tuple(raw_row[idx] if idx < width else None for idx in indexes)
        if _has_data(cell for cell in picked if cell is not None):
            kept.append(picked)
    return kept


def _has_data(cells: Iterable[CellValue]) -> bool:
    """True unless every cell is blank (``CellValue.is_blank``, spelt out inline: this runs
    for many rows of every table)."""
    for c in cells:
        value = c.value
        if c.formula is not None or (value is not None and (not isinstance(value, str) or value.strip())):
            return True
    return False


def _about(doc: str) -> str:
    """A contract doc string in parentheses mid-sentence: no full stop, lower-case start."""
    text = doc.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _renamed(raw: RawBook, spec: TableSpec, contract: WorkbookContract) -> RawTable | None:
    """A table not named in the contract whose headers include all of ``spec``'s required columns."""
    wanted = {norm(c.name) for c in spec.columns if c.required}
    everything = {norm(c.name) for c in spec.columns}
    known = {norm(t.name) for t in contract.tables}
    fits = [t for t in raw.tables.values()
            if norm(t.name) not in known and wanted <= {norm(h) for h in t.headers}]
    # the closest fit: fewest headers the spec does not have (Scores also has Consensus's columns)
    return min(fits, key=lambda t: len({norm(h) for h in t.headers} - everything), default=None)


def where_of(**cells: CellValue | None) -> dict[str, tuple[str, str]]:
    """The (sheet, cell) of each named field, for a record's ``where`` map; absent cells are left out."""
    return {k: (v.sheet, v.cell) for k, v in cells.items() if v is not None}


class Coerce:
    """Read typed values out of cells, adding a finding (with cell and fix) on failure.

    Every method returns None when the value is unusable, so callers can carry on and
    report every problem in one pass instead of stopping at the first.
    """

    def __init__(self, findings: list[Finding]):
        self.findings = findings

    def _value(self, cv: CellValue, what: str) -> Any:
        """The cell's value, text cleaned (``clean_text``); None when blank.

        A formula is read as the value Excel calculated and saved with it, as Excel shows it
        (people type ``=1600000+40000`` or link to another cell); only a formula saved
        without a value (written by a tool that does not calculate) is a finding.
        """
        value = cv.value
        if cv.formula is None and not isinstance(value, str):  # the common case first: runs for every cell read
            return value
        if cv.formula is not None and value is None:
            self.findings.append(FORMULA_NOT_CALCULATED(
                f"{what} holds the formula {cv.formula} but no calculated value.",
                "Type the value itself, or open and save the workbook in Excel so the formula is calculated.",
                cv.sheet, cv.cell))
            return None
        if isinstance(value, str):
            value = clean_text(value)
            if value == "":
                return None
        return value

    def _missing(self, cv: CellValue, what: str, expect: str) -> None:
        self.findings.append(BLANK(f"{what} is blank.", f"Enter {expect}.", cv.sheet, cv.cell))

    # text, number and date first try the plain case (a value of the expected type, no
    # formula) inline: they run for every cell of every table, and that case needs no check.

    def text(self, cv: CellValue, what: str, required: bool = True) -> str | None:
        value = cv.value
        if cv.formula is None and type(value) is str:
            stripped = clean_text(value)
            if stripped:
                return stripped
        value = self._value(cv, what)
        if value is None:
            if required and cv.formula is None:
                self._missing(cv, what, "a value")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)

    def number(self, cv: CellValue, what: str, required: bool = True,
               minimum: float | None = None, maximum: float | None = None, above: float | None = None) -> float | None:
        value = cv.value
        if (cv.formula is None and (type(value) is float or type(value) is int) and minimum is None
                and maximum is None and above is None and math.isfinite(value)):
            return float(value)
        value = self._value(cv, what)
        if value is None:
            if required and cv.formula is None:
                self._missing(cv, what, "a number")
            return None
        if isinstance(value, str):
            value = self._number_text(cv, what, value)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.findings.append(NOT_A_NUMBER(
                f"{what} should be a number but holds {str(value)!r}.",
                "Type a plain number (no units or words; put notes in the comment column).", cv.sheet, cv.cell))
            return None
        value = float(value)
        rng = _range_text(minimum, maximum, above)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum) or (
                above is not None and value <= above):
            self.findings.append(OUT_OF_RANGE(
                f"{what} is {value:g}, outside the allowed range {rng}.",
                f"Enter a number {rng}.", cv.sheet, cv.cell))
            return None
        return value

    def _number_text(self, cv: CellValue, what: str, text: str) -> float | str:
        """A number stored as text, read with a warning saying what was read; else the text."""
        read = number_from_text(text)
        if read is None:
            return text
        value, unit = read
        shown = f"{value:,.10g}" if abs(value) < 1e15 else repr(value)
        self.findings.append(NUMBER_AS_TEXT(
            f"{what} holds the text {text!r}; it was read as the number {shown}"
            f"{' (percent)' if unit else ''}.",
            "Retype it as a number (or choose the cell's warning sign › Convert to Number), so Excel "
            "and every tool read the same value.", cv.sheet, cv.cell))
        return value

    def yesno(self, cv: CellValue, what: str, required: bool = True) -> bool | None:
        value = self._value(cv, what)
        if value is None:
            if required and cv.formula is None:
                self._missing(cv, what, "Yes or No")
            return None
        text = norm(value)
        if text in ("yes", "no"):
            return text == "yes"
        self.findings.append(NOT_YES_NO(f"{what} should be Yes or No but holds {str(value)!r}.",
                                        "Choose Yes or No from the dropdown.", cv.sheet, cv.cell))
        return None

    def choice(self, cv: CellValue, what: str, spec: Field, extra: tuple[str, ...] = (),
               required: bool = True) -> str | None:
        value = self._value(cv, what)
        if value is None:
            if required and cv.formula is None:
                self._missing(cv, what, "one of " + ", ".join(spec.choices))
            return None
        options = tuple(spec.choices) + tuple(extra)
        for option in options:
            if norm(option) == norm(value):
                return option
        if spec.open_choices:
            return str(value).strip()
        close = get_close_matches(str(value), options, n=1, cutoff=0.5)
        hint = f"Did you mean '{close[0]}'? " if close else ""
        self.findings.append(UNKNOWN_CHOICE(
            f"{what} is {str(value)!r}, which is not one of: {', '.join(options)}.",
            hint + "Choose a value from the dropdown.", cv.sheet, cv.cell))
        return None

    def date(self, cv: CellValue, what: str, required: bool = True) -> date | None:
        if cv.formula is None and type(cv.value) is datetime:
            return cv.value.date()
        value = self._value(cv, what)
        if value is None:
            if required and cv.formula is None:
                self._missing(cv, what, "a date")
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            day = date_from_text(value)
            if day is not None:
                self.findings.append(DATE_AS_TEXT(
                    f"{what} holds the text {value!r}; it was read as the date {day.day} {day:%B %Y}.",
                    "Retype it as a date (Excel then right-aligns it), so Excel and every tool read the same day.",
                    cv.sheet, cv.cell))
                return day
        self.findings.append(NOT_A_DATE(
            f"{what} should be a date but holds {str(value)!r}.",
            "Enter a date such as 31/03/2026 (Excel shows it right-aligned when it is a real date).",
            cv.sheet, cv.cell))
        return None


def _range_text(minimum: float | None, maximum: float | None, above: float | None) -> str:
    if above is not None:
        return f"greater than {above:g}"
    if minimum is not None and maximum is not None:
        return f"from {minimum:g} to {maximum:g}"
    if minimum is not None:
        return f"of at least {minimum:g}"
    if maximum is not None:
        return f"of at most {maximum:g}"
    return ""
