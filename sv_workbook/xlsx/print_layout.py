"""How every sheet sv-workbook writes prints: the one page set-up all writers use.

A tender's evaluation record and a contract's KPI register are kept on paper (or PDF) as
well as on screen, so every sheet is set up to print as an Excel user would have set it
by hand: A4, portrait or landscape from the width of what prints, fitted to one page
wide and as many pages tall as needed, the table's header rows repeated on every page,
the print area on the range actually used, and a header and footer that say what the
page is (the document and its tender or contract reference, the sheet, page x of y, the
sv-workbook version that wrote it).

Tables pre-sized for data entry (600 rows of marks, say) would print every empty row
(their calculated columns hold formulas down to the last row), so a data-entry sheet's
print area runs from its header to the last row with anything typed in, or a few blank
rows in a blank template (``DataRows``). A print area is fixed when the file is written:
every sv-workbook writer (``new``, ``score``) sets it again from the rows then in use.
Excel's dynamic print areas (an OFFSET formula) would follow typing, but LibreOffice
ignores them and prints the whole pre-sized table, so they are not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from openpyxl.styles import Alignment
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sv_workbook import __version__

#: Width, in Excel column-width units, that prints at 100% across A4 portrait with the
#: margins below (≈ 174 mm); a wider print area is laid out landscape.
PORTRAIT_WIDTH = 95
#: The widest print area (landscape) that still prints at about 55%, for deciding whether a
#: chart shares the page with its table.
READABLE_WIDTH = 250
DEFAULT_WIDTH = 8.43  # Excel's standard column width
#: Longest text, in characters, a fitted column grows to; longer text wraps.
MAX_FIT_WIDTH = 60
CM_PER_WIDTH_UNIT = 0.19  # one column-width unit (a 7 px character plus padding) in cm
CM_PER_ROW = 0.53  # the default 15 pt row
#: Marks of the header/footer the tool writes, so a user's own header is never replaced.
STAMP = "sv-workbook"
BOLD_FACTOR = 1.1  # bold type is about this much wider
PADDING = 1.5  # width units around the text of a cell
LINE_HEIGHT = 15  # points per line of 11 pt text
#: The fill of table header rows (``write_helpers.HEADER_FILL``).
HEADER_COLOR = "1F4E78"


@dataclass(frozen=True)
class DataRows:
    """A data-entry table that prints from the sheet's first row down to its last used row.

    ``header_row`` is the table's header; a row counts as used when one of its
    ``key_columns`` holds a value; columns A to ``last_column`` print; at least
    ``min_rows`` rows below the header print (a blank form shows its layout).
    """

    header_row: int
    key_columns: tuple[str, ...]
    last_column: str
    min_rows: int = 20

    def area(self, ws: Worksheet) -> str:
        last = self.header_row + self.min_rows
        for col in self.key_columns:
            for cell in ws[col]:
                if cell.row > self.header_row and cell.value not in (None, "") and cell.data_type != "f":
                    last = max(last, cell.row)
        return f"A1:{self.last_column}{last}"


def escape(text: str) -> str:
    """Header/footer text as literal text: '&' starts a field code (&P, &N …) in Excel."""
    return text.replace("&", "&&")


def stamp(ws: Worksheet, document: str, ref: str | None = None) -> None:
    """The header and footer: document and reference, sheet name, page x of y, version.

    ``document`` and ``ref`` may come from the workbook (a tender reference): they are
    escaped so they print as typed, and cut short to stay inside Excel's 255-character
    limit per header.
    """
    label = document if not ref else f"{document} {ref}"
    label = label if len(label) <= 120 else label[:119] + "…"
    for part in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
        for side in (part.left, part.center, part.right):
            side.text = None
    ws.oddHeader.left.text = escape(label)
    ws.oddHeader.right.text = "&A"
    ws.oddFooter.left.text = escape(f"{STAMP} {__version__}")
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddFooter.right.text = "&F"


def ours(ws: Worksheet, document: str) -> bool:
    """True when every part of the header and footer is empty or as ``stamp`` writes it for
    ``document``: anything else someone wrote themselves."""
    for part in (ws.oddHeader, ws.oddFooter):
        for side in (part.left, part.center, part.right):
            text = side.text or ""
            if text and text not in ("&A", "Page &P of &N", "&F") and not text.startswith((STAMP, escape(document))):
                return False
    return True


def setup_print(ws: Worksheet, document: str, ref: str | None = None, *, title_rows: tuple[int, int] | None = None,
                area: str | None = None, orientation: str | None = None,
                charts_on_own_pages: bool = True, pages_tall: int = 0) -> None:
    """Set ``ws`` to print on A4, one page wide, with header rows repeated and a stamped header/footer.

    The print area is ``area`` (see ``DataRows``), else the used range; either way every
    chart beyond it is a further range, printed after it. The orientation,
    unless given, is portrait when the print area's columns fit A4 portrait at 100%.
    ``pages_tall`` 1 keeps a one-page summary (text and chart) on one page.
    """
    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A4
    ps.fitToWidth = 1
    ps.fitToHeight = pages_tall
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    ranges = [area or _used_range(ws)]
    if charts_on_own_pages:
        ranges = _with_charts(ws, ranges[0])
    ws.print_area = ranges
    width = _width(ws, *_columns(ranges[0]))
    ps.orientation = orientation or ("portrait" if width <= PORTRAIT_WIDTH else "landscape")
    if ours(ws, document):  # a header or footer someone wrote themselves is kept
        stamp(ws, document, ref)


def _used_range(ws: Worksheet) -> str:
    """A1 to the last row and column holding a value (styled empty cells do not count)."""
    max_row = max_col = 1
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                max_row = max(max_row, cell.row)
                max_col = max(max_col, cell.column)
    for merged in ws.merged_cells.ranges:
        max_row, max_col = max(max_row, merged.max_row), max(max_col, merged.max_col)
    return f"A1:{get_column_letter(max_col)}{max_row}"


def _with_charts(ws: Worksheet, area: str) -> list[str]:
    """The print area grown to take in the sheet's charts: a chart below or beside the area
    joins it when the whole still prints at a readable scale; otherwise it is a range of
    its own, printed on its own page after the area."""
    first_col, last_col = _columns(area)
    last_row = _rows(area)[1]
    own = []
    for chart in _chart_ranges(ws):
        c0, c1 = _columns(chart)
        r1 = _rows(chart)[1]
        if c1 <= last_col or _width(ws, first_col, c1) <= READABLE_WIDTH:
            last_col, last_row = max(last_col, c1), max(last_row, r1)
        else:
            own.append(chart)
    return [f"{get_column_letter(first_col)}1:{get_column_letter(last_col)}{last_row}"] + own


def _chart_ranges(ws: Worksheet) -> list[str]:
    """The cells each chart covers, from its anchor cell and its size in cm (the columns it
    spans get a stated width, so Excel and LibreOffice agree on where it ends)."""
    out = []
    for chart in ws._charts:
        anchor = chart.anchor if isinstance(chart.anchor, str) else None
        if anchor is None:
            continue
        letters = "".join(ch for ch in anchor if ch.isalpha())
        col, row = column_index_from_string(letters), int(anchor[len(letters):])
        last_col, cm = col, 0.0
        while cm < chart.width:
            dim = ws.column_dimensions[get_column_letter(last_col)]
            dim.width = dim.width or DEFAULT_WIDTH  # stated, as LibreOffice's default column is wider than Excel's
            cm += dim.width * CM_PER_WIDTH_UNIT
            last_col += 1
        last_row = row + int(chart.height / CM_PER_ROW) + 1
        out.append(f"{get_column_letter(col)}{row}:{get_column_letter(last_col)}{last_row}")
    return out


def _rows(ref: str) -> tuple[int, int]:
    first, _, last = ref.replace("$", "").partition(":")
    last = last or first
    return (int("".join(ch for ch in first if ch.isdigit())), int("".join(ch for ch in last if ch.isdigit())))


def _columns(ref: str) -> tuple[int, int]:
    first, _, last = ref.replace("$", "").partition(":")
    last = last or first
    return (column_index_from_string("".join(ch for ch in first if ch.isalpha())),
            column_index_from_string("".join(ch for ch in last if ch.isalpha())))


def _col_width(ws: Worksheet, col: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(col))
    return dim.width if dim is not None and dim.width else DEFAULT_WIDTH


def _width(ws: Worksheet, first: int, last: int) -> float:
    return sum(_col_width(ws, c) for c in range(first, last + 1))


def text_width(value: object, number_format: str = "General") -> int:
    """How many characters a value shows: numbers as their format shows them, text by its longest line."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, (int, float)):
        decimals = 2 if "0.00" in number_format else 1 if "0.0" in number_format else 0
        shown = f"{value:,.{decimals}f}"
        return len(shown) + ("£" in number_format) + ("%" in number_format) + 1
    if hasattr(value, "strftime"):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def fit_columns(ws: Worksheet, *, first_row: int = 1, minimum: float = 6, maximum: float = MAX_FIT_WIDTH,
                grow_only: bool = False, overflow: Iterable[str] = ()) -> None:
    """Column widths that show their content, and row heights for the text that wraps.

    Every value shows whole up to ``maximum`` characters (longer text wraps in its cell),
    and every table header word whole (headers wrap at spaces, never inside a word such
    as "QualityWeight"). Rows holding wrapped text get the height of their longest cell:
    LibreOffice keeps the stored height when it opens a file, so text would overlap.

    Cells from ``first_row`` down count, except titles (large type), merged cells, which
    run across columns, and formulas, whose result is not known here. ``grow_only`` keeps
    widths set by hand where they are already wide enough. Cells in ``overflow`` (a table's
    title, a line of text with nothing to its right) may run into the next columns and
    do not count.
    """
    skip = {c for r in ws.merged_cells.ranges for c in _cells(r)} | set(overflow)
    widths: dict[int, float] = {}
    wrapped = []
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None or cell.data_type == "f" or cell.coordinate in skip or (cell.font.sz or 11) > 12:
                continue
            bold = BOLD_FACTOR if cell.font.b else 1.0
            if _is_header(cell):
                need = max(len(w) for w in str(cell.value).split()) * bold + PADDING
                wrapped.append(cell)
            else:
                need = text_width(cell.value, cell.number_format) * bold + PADDING
                if need > maximum and isinstance(cell.value, str) and not cell.alignment.wrap_text:
                    cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=cell.alignment.horizontal)
                if cell.alignment.wrap_text and isinstance(cell.value, str):
                    wrapped.append(cell)
            widths[cell.column] = max(widths.get(cell.column, minimum), min(need, maximum))
    for col, width in widths.items():
        dim = ws.column_dimensions[get_column_letter(col)]
        dim.width = round(max(width, dim.width or 0) if grow_only else width, 1)
    tall_rows: set[int] = set()
    for cell in wrapped:
        dim = ws.row_dimensions[cell.row]
        lines = wrapped_lines(str(cell.value), _col_width(ws, cell.column) / (BOLD_FACTOR if cell.font.b else 1))
        if lines > 1:
            dim.height = max(dim.height or 0, LINE_HEIGHT * lines)
            tall_rows.add(cell.row)
    for r in tall_rows:  # the row's other cells line up with the first line of its wrapped text
        for cell in ws[r]:
            if cell.value is not None and cell.alignment.vertical is None:
                cell.alignment = Alignment(vertical="top", wrap_text=cell.alignment.wrap_text,
                                           horizontal=cell.alignment.horizontal)


def wrap_across(ws: Worksheet, coord: str, last_column: int) -> None:
    """A line of text (a note above a table) wrapped over the columns up to ``last_column``
    instead of running past the edge of the print area, in a row as tall as it needs."""
    cell = ws[coord]
    if cell.value is None:
        return
    if last_column > cell.column:
        ws.merge_cells(start_row=cell.row, start_column=cell.column, end_row=cell.row, end_column=last_column)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    lines = wrapped_lines(str(cell.value), _width(ws, cell.column, last_column))
    if lines > 1:
        ws.row_dimensions[cell.row].height = LINE_HEIGHT * lines


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (words do not break)."""
    per_line = max((width - PADDING) * 1.2, 4)  # an average letter is narrower than the digit 0 a width unit is
    lines = 0
    for paragraph in text.splitlines() or [""]:
        line, count = 0, 1
        for word in paragraph.split():
            if line and line + 1 + len(word) > per_line:
                count, line = count + 1, len(word)
            else:
                line += (1 if line else 0) + len(word)
        lines += count
    return lines


def _is_header(cell) -> bool:
    color = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None
    return isinstance(color, str) and color.endswith(HEADER_COLOR)


def _cells(r) -> list[str]:
    return [f"{get_column_letter(c)}{row}" for row in range(r.min_row, r.max_row + 1)
            for c in range(r.min_col, r.max_col + 1)]
