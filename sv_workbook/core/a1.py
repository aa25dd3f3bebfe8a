"""A1 cell addresses as numbers and back (pure).

The xlwings adapter reads whole blocks and must name each cell it read (``Bidders!B7``)
and turn the cells findings point at back into rows and columns to highlight them,
without a spreadsheet library (xlwings Lite runs in the browser).
"""

from __future__ import annotations

import re

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]*)$")


def column_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    """A → 1, AA → 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def cell(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def parse_cell(text: str) -> tuple[int, int] | None:
    """``'$B$7'`` → (7, 2); None when it is not one cell."""
    m = _CELL.match(text.strip())
    return (int(m.group(2)), column_number(m.group(1))) if m else None


def parse_range(text: str) -> tuple[int, int, int, int] | None:
    """``'A1:D51'`` or ``'B3'`` → (first_row, first_col, last_row, last_col); None if not a cell range."""
    parts = text.split(":")
    if len(parts) > 2:
        return None
    corners = [parse_cell(p) for p in parts]
    if any(c is None for c in corners):
        return None
    (r1, c1), (r2, c2) = corners[0], corners[-1]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def cells_in(text: str) -> list[tuple[int, int]]:
    """Every (row, col) a finding's ``cell`` (``'B4'`` or ``'B4:B9'``) covers; [] if none."""
    box = parse_range(text) if text else None
    if box is None:
        return []
    r1, c1, r2, c2 = box
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
