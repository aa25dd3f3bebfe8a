"""xlwings adapter: write blocks of values into an open workbook, text kept as text.

Excel reads a string assigned to a cell as if it were typed: ``=SUM(A1)`` becomes a
formula, ``00123`` a number, ``1/2`` a date, ``#N/A`` an error. Bidder names, comments and
finding messages come from the workbook's users, so every string is written with a
leading apostrophe, which Excel (desktop and Office.js) takes as "this is text" and does
not show. Each call writes one rectangular block: one round trip, whatever its size.
"""

from __future__ import annotations

from typing import Any, Sequence


def as_text(value: Any) -> Any:
    """The value to assign so that Excel stores exactly this (strings stay text, None clears)."""
    if isinstance(value, str):
        return "'" + value if value else None
    return value


def write_block(sheet: Any, row: int, col: int, rows: Sequence[Sequence[Any]]) -> None:
    """Write ``rows`` (equal lengths) with the top-left at (row, col) in one call."""
    if not rows:
        return
    width = max(len(r) for r in rows)
    values = [[as_text(v) for v in r] + [None] * (width - len(r)) for r in rows]
    sheet.range((row, col), (row + len(values) - 1, col + width - 1)).value = values


def column_runs(columns: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted column numbers as (first, last) runs: [1, 2, 3, 6] → [(1, 3), (6, 6)]."""
    runs: list[tuple[int, int]] = []
    for c in sorted(set(columns)):
        if runs and c == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    return runs


def format_columns(sheet: Any, first_row: int, last_row: int, first_col: int, formats: dict[int, str]) -> None:
    """Number formats by column offset, one call per run of neighbouring columns sharing a format."""
    by_format: dict[str, list[int]] = {}
    for offset, fmt in formats.items():
        by_format.setdefault(fmt, []).append(first_col + offset)
    for fmt, cols in by_format.items():
        for c1, c2 in column_runs(cols):
            sheet.range((first_row, c1), (last_row, c2)).number_format = fmt
