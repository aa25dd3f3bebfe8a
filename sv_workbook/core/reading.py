"""The reading rules every reader shares: openpyxl, the fast (calamine) reader and xlwings.

Three readers turn a workbook into a ``RawBook``: from a file with openpyxl or calamine, or
from an open book through xlwings. People must get the same findings, in the same words,
whichever ran, so what a reader *decides* lives here, once, and the readers only fetch
cells:

* which defined name a contract name resolves to (``name_target``, ``choose_names``),
  with Excel's precedence for a name scoped to the contract's sheet;
* which Table columns are read cell by cell (``CONTRACT_HEADERS``) and which Tables
  (``INPUT_TABLES``), and which Table rows are data (``data_rows``: never the Total Row);
* what is said about hidden sheets (``hidden_sheet_note``) and merges over inputs
  (``merged_input_findings``);
* text as people mean it: odd spaces (``clean_text``), numbers and UK dates typed or pasted
  as text (``number_from_text``, ``date_from_text``), used by ``core.bind``.

Pure (stdlib and core only), so xlwings Lite can run it in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sv_workbook.core import a1
from sv_workbook.core.catalogue import NAME_SCOPE_CONFLICT
from sv_workbook.core.contracts import CONTRACTS
from sv_workbook.core.catalogue import HIDDEN_SHEET, MERGED_INPUT, WARNING
from sv_workbook.core.findings import Finding
from sv_workbook.core.rawbook import RawBook

#: The grid's limits (a name can say Setup!A, Setup!3 or Setup!A0, which are not cells).
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384
_SINGLE_CELL = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
#: ``Sheet!Ref`` or ``'My sheet'!Ref`` (quotes doubled inside a quoted name).
_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(.+)$")
_EXTERNAL = re.compile(r"^'?[^!]*\[[^\]]*\][^!]*!")

#: Table columns any contract reads; other (calculated) columns are not read cell by cell.
CONTRACT_HEADERS = frozenset(c.name.strip().casefold() for k in CONTRACTS.values() for t in k.tables for c in t.columns)
#: Tables a contract takes input from; output tables (written by the tool) need not be read.
INPUT_TABLES = frozenset(t.name.casefold() for k in CONTRACTS.values() for t in k.input_tables)
#: The sheet each contract name lives on (a name may belong to two contracts: ContractValue).
NAME_SHEETS: dict[str, frozenset[str]] = {}
for _contract in CONTRACTS.values():
    for _named in _contract.names:
        _key = _named.name.casefold()
        NAME_SHEETS[_key] = NAME_SHEETS.get(_key, frozenset()) | {_named.sheet.casefold()}


def is_contract_header(header: str) -> bool:
    """True for a Table header some contract reads (case, surrounding and odd spaces ignored)."""
    return clean_text(header).casefold() in CONTRACT_HEADERS


# --- text as people mean it ------------------------------------------------------------------

#: Characters that look like nothing (zero-width space, joiners, word joiner, byte-order mark).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
#: Spaces that look like a space (no-break, narrow no-break, figure, thin, en/em...).
_SPACES = {ord(c): " " for c in "\u00a0\u202f\u2007\u2009\u2002\u2003\u2004\u2005\u2006\u2008\u200a\u3000"}
_TRANSLATE = {**_INVISIBLE, **_SPACES}


def clean_text(text: str) -> str:
    """``text`` as people mean it: invisible characters dropped, look-alike spaces made
    spaces, surrounding spaces removed (``'\\u00a0K1\\u200b '`` is ``'K1'``).

    Text pasted from web pages, PDFs and e-mails carries no-break and zero-width spaces that
    Excel shows as nothing, so ``'Acme\\u00a0Ltd'`` would otherwise not match ``'Acme Ltd'``.
    Plain ASCII (nearly every cell) takes the quick path.
    """
    if text.isascii():
        return text.strip()
    return text.translate(_TRANSLATE).strip()


#: A number as people type or paste it: optional minus, optional £, digits grouped in threes by
#: commas or spaces (or not grouped), an optional decimal point, an optional % sign.
_TEXT_NUMBER = re.compile(r"""
    (?P<minus>-)?\ ?(?P<pound>£)?\ ?(?P<minus2>-)?
    (?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:\ [0-9]{3})+|[0-9]+)
    (?:\.(?P<fraction>[0-9]+))?
    \ ?(?P<percent>%)?""", re.VERBOSE)


def number_from_text(text: str) -> tuple[float, str] | None:
    """The number text plainly means, and how it was read; None when it is not plainly one number.

    Read: ``£120,000.00``, ``120,000``, ``1 250``, ``-£5``, ``15%`` and ``12.5 %`` (15 and
    12.5: the contracts hold percentages as points, so ``15%`` means 15). Not read, because
    they could mean two numbers or are not numbers: ``1,2`` (a decimal comma, or a typo for
    12?), ``12.000,5`` (continental grouping), ``1,23,456``, ``about 100k``, ``£15%``. The
    decimal point is always ``.``; a comma only ever groups thousands, in threes.
    """
    m = _TEXT_NUMBER.fullmatch(clean_text(text))
    if m is None or (m["minus"] and m["minus2"]) or (m["pound"] and m["percent"]):
        return None
    whole = m["whole"].replace(",", "").replace(" ", "")
    value = float(f"{whole}.{m['fraction']}" if m["fraction"] else whole)
    if m["minus"] or m["minus2"]:
        value = -value
    return value, ("percent" if m["percent"] else "")


_MONTHS = {name: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
_DAY_FIRST = re.compile(r"([0-9]{1,2})([/-])([0-9]{1,2})\2([0-9]{4})")
_DAY_MONTH_NAME = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)? ([A-Za-z]+)\.?,? ([0-9]{4})", re.IGNORECASE)
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def date_from_text(text: str) -> date | None:
    """The date a UK reader sees in ``text``, or None.

    Read: ``31/03/2026``, ``31-03-2026``, ``31 Mar 2026``, ``31 March 2026`` and ISO
    ``2026-03-31``. Always day first, as dates are written in the UK: ``03/31/2026`` is
    not a date (there is no month 31), and ``04/03/2026`` is 4 March. Two-digit years are
    not read (which century?).
    """
    text = re.sub(" +", " ", clean_text(text))
    try:
        if m := _DAY_FIRST.fullmatch(text):
            return date(int(m[4]), int(m[3]), int(m[1]))
        if m := _DAY_MONTH_NAME.fullmatch(text):
            month = _MONTHS.get(m[2].casefold())
            return date(int(m[3]), month, int(m[1])) if month else None
        if m := _ISO.fullmatch(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:  # 31/02/2026
        return None
    return None


# --- defined names ---------------------------------------------------------------------------


class DefinedNameText(NamedTuple):
    """A defined name as the workbook declares it: its text and, if sheet-scoped, its sheet."""

    name: str
    text: str | None
    scope: str | None = None


def name_target(text: str | None, sheetnames: Iterable[str]) -> tuple[str, str] | str:
    """The (sheet, cell) a defined name's text points at, or why it does not point at one cell.

    ``text`` is the name's formula as stored (``Setup!$B$5``; a leading ``=`` as xlwings gives
    it is ignored). One function for every reader, so a name is judged the same way whichever
    read the file.
    """
    text = (text or "").strip()
    text = text.removeprefix("=")
    if _EXTERNAL.match(text):
        return f"points at another workbook ({text})"
    if "#REF!" in text.upper():
        return "points at a deleted cell (#REF!)"
    match = _REF.match(text)
    if match is None:
        return f"is not a cell reference ({text})"
    sheet = match.group(1).replace("''", "'") if match.group(1) is not None else match.group(2)
    address = match.group(3).replace("$", "").strip().upper()
    if "," in address or "!" in address or " " in address:
        return f"does not point at a single cell ({text})"
    found = next((s for s in sheetnames if s.casefold() == sheet.casefold()), None)
    if found is None:
        return f"points at a sheet that does not exist ({text})"
    if ":" in address:
        first, _, last = address.partition(":")
        if first != last:
            return f"points at a range ({text}), not a single cell"
        address = first
    cell = _SINGLE_CELL.match(address)
    if (not cell or not 1 <= int(cell.group(2)) <= MAX_ROW
            or a1.column_number(cell.group(1)) > MAX_COLUMN):
        return f"does not point at a single cell inside the sheet ({text})"
    return found, address


class ChosenNames(NamedTuple):
    """What ``choose_names`` decided: targets, names that are not one cell, and notes."""

    targets: dict[str, tuple[str, str]]
    bad: dict[str, str]
    notes: list[Finding]


def choose_names(entries: Iterable[DefinedNameText], sheetnames: list[str]) -> ChosenNames:
    """Which definition each name resolves to, by Excel's rule on the contract's sheet.

    Workbook-level names are all kept (the last definition of a name wins, as openpyxl reads
    them). A name scoped to a sheet is what a formula *on that sheet* sees, so for a contract
    name (``TenderRef`` lives on ``Setup``) a definition scoped to ``Setup`` wins over a
    workbook-level one: Excel makes such names when a sheet is moved or copied between
    workbooks. When both exist and point at different cells, a warning says which was read.
    Names scoped to other sheets are not contract names and are ignored.
    """
    book: dict[str, str | None] = {}
    local: dict[str, tuple[str, str, str | None]] = {}  # casefold name -> (name, sheet, text)
    order = {s.casefold(): i for i, s in enumerate(sheetnames)}
    for entry in entries:
        if entry.scope is None:
            book[entry.name] = entry.text
            continue
        key = entry.name.casefold()
        sheets = NAME_SHEETS.get(key, frozenset())
        if entry.scope.casefold() not in sheets:
            continue
        held = local.get(key)
        if held is None or order.get(entry.scope.casefold(), 0) <= order.get(held[1].casefold(), 0):
            local[key] = (entry.name, entry.scope, entry.text)
    targets: dict[str, tuple[str, str]] = {}
    bad: dict[str, str] = {}
    notes: list[Finding] = []
    names = tuple(sheetnames)
    for name, text in book.items():
        chosen = local.pop(name.casefold(), None)
        target = name_target(text, names)
        if chosen is not None:
            local_target = name_target(chosen[2], names)
            if local_target != target:
                notes.append(_scope_conflict(name, chosen[1], local_target, target))
            target = local_target
        if isinstance(target, str):
            bad[name] = target
        else:
            targets[name] = target
    for name, scope, text in local.values():  # scoped to the contract's sheet, no workbook-level twin
        target = name_target(text, names)
        if isinstance(target, str):
            bad[name] = target
        else:
            targets[name] = target
    return ChosenNames(targets, bad, notes)


def _scope_conflict(name: str, sheet: str, local: tuple[str, str] | str, book: tuple[str, str] | str) -> Finding:
    def said(target: tuple[str, str] | str) -> str:
        return f"points at {_quoted(target[0])}!{target[1]}" if isinstance(target, tuple) else target

    return NAME_SCOPE_CONFLICT(
        f"The defined name '{name}' is defined twice: for sheet '{sheet}' it {said(local)}, for the whole "
        f"workbook it {said(book)}. The one for sheet '{sheet}' was read, as Excel reads it on that sheet.",
        f"In Formulas › Name Manager, delete the '{name}' that is wrong (the Scope column tells them apart), "
        "so every formula and tool sees the same cell.", sheet=sheet)


def _quoted(sheet: str) -> str:
    return sheet if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) else "'" + sheet.replace("'", "''") + "'"


# --- Tables ----------------------------------------------------------------------------------


def data_rows(min_row: int, max_row: int, totals_rows: int) -> tuple[int, int]:
    """The first and last data row of a Table spanning ``min_row:max_row`` with a header row.

    ``totals_rows`` is the Table's ``totalsRowCount`` (Excel's Total Row, 0 or 1): those rows
    are totals, never data. ``totalsRowShown`` alone is not a Total Row: Excel sets it on any
    Table whose Total Row was ever shown, including ones where it is switched off again.
    """
    return min_row + 1, max_row - max(0, totals_rows)


# --- what is said about the structure -------------------------------------------------------


def hidden_sheet_note(sheet: str, state: str) -> Finding:
    """What people should know about a hidden (``hidden``) or very hidden (``veryHidden``) sheet."""
    if state == "hidden":
        return HIDDEN_SHEET(f"Sheet '{sheet}' is hidden.",
                            "Unhide it (right-click a sheet tab › Unhide) to see what it holds.", sheet)
    return HIDDEN_SHEET(
        f"Sheet '{sheet}' is very hidden: Excel's Unhide list does not show it, so "
        "readers of this record cannot see what it holds.",
        "In Excel press Alt+F11, select the sheet under the workbook's objects and set its Visible property "
        "to -1 - xlSheetVisible; or ask the sender why it is hidden.", sheet, severity=WARNING)


def merged_input_findings(raw: RawBook, merges: dict[str, list[str]]) -> list[Finding]:
    """Merged ranges that hide contract input cells (only a merge's top-left cell keeps a value).

    Excel refuses to merge cells inside a Table, but other tools and copy-pasting from
    other workbooks do not, and a merge over an input silently turns it blank.
    ``merges`` maps each sheet, in workbook order, to its merged ranges ("B5:D5").
    """
    if not any(merges.values()):
        return []  # nearly every workbook: skip indexing thousands of input cells
    inputs: dict[str, dict[tuple[int, int], str]] = {}
    for contract in CONTRACTS.values():
        for named in contract.names:
            cv = raw.find_name(named.name)
            if cv is not None:
                inputs.setdefault(cv.sheet, {})[a1.parse_cell(cv.cell)] = f"the cell named '{named.name}'"
        for spec in contract.input_tables:
            table = raw.find_table(spec.name)
            if table is None:
                continue
            for cv in (c for row in table.rows for c in row):
                inputs.setdefault(cv.sheet, {})[a1.parse_cell(cv.cell)] = f"table '{table.name}'"
    out: list[Finding] = []
    for sheet, ranges in merges.items():
        cells = inputs.get(sheet)
        if not cells:
            continue
        for coord in ranges:
            box = a1.parse_range(coord)
            if box is None:
                continue
            min_row, min_col, max_row, max_col = box
            top_left = (min_row, min_col)
            hidden = sorted((rc, what) for rc, what in cells.items() if rc != top_left and
                            min_row <= rc[0] <= max_row and min_col <= rc[1] <= max_col)
            if hidden:
                where = ", ".join(a1.cell(r, c) for (r, c), _ in hidden[:5])
                more = f" and {len(hidden) - 5} more" if len(hidden) > 5 else ""
                whats = sorted({what for _, what in hidden})
                out.append(MERGED_INPUT(
                    f"Cells {coord} are merged over input cells of {' and '.join(whats)} "
                    f"({where}{more}); a merged range keeps only its top-left value, so those inputs read as blank.",
                    "Select the range, choose Home › Merge & Center › Unmerge Cells, and re-enter the values.",
                    sheet, coord))
    return out
