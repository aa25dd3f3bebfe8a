"""A workbook as plain data: what the readers produce and the pure core consumes.

Every reader (openpyxl for structure, calamine for speed, xlwings for live Excel) turns
a workbook into a ``RawBook``; everything after that is pure Python. Each value keeps the
sheet and cell it came from so that findings can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sv_workbook.core.findings import Finding


class CellValue(NamedTuple):
    """One cell: its place, its value and, if it holds a formula, the formula text.

    ``value`` is what Excel shows (for a formula, the cached result, which is None when
    the file was never calculated). A NamedTuple rather than a dataclass: readers make
    one per table cell, tens of thousands per workbook in batch validation, and a tuple
    is several times cheaper to create while staying immutable and comparable.
    """

    sheet: str
    cell: str
    value: Any
    formula: str | None = None

    @property
    def is_blank(self) -> bool:
        return self.formula is None and (self.value is None or (isinstance(self.value, str) and not self.value.strip()))


@dataclass
class RawTable:
    """An Excel Table: its headers (as typed) and its data rows, header row excluded."""

    name: str
    sheet: str
    ref: str
    headers: list[str]
    header_cells: list[str]
    rows: list[list[CellValue]]


@dataclass
class RawBook:
    """What a reader saw. ``names`` maps defined names to the single cell they point at.

    ``bad_names`` holds names that exist but do not point at one cell (a range, a #REF!
    or another workbook), with the reason, so the binder can say what is wrong with them.
    ``notes`` are findings the reader itself made (hidden sheets, merged inputs, macros).
    """

    label: str
    sheets: list[str]
    names: dict[str, CellValue] = field(default_factory=dict)
    bad_names: dict[str, str] = field(default_factory=dict)
    tables: dict[str, RawTable] = field(default_factory=dict)
    notes: list[Finding] = field(default_factory=list)

    def find_name(self, name: str) -> CellValue | None:
        """Excel names are case-insensitive."""
        wanted = name.casefold()
        return next((v for k, v in self.names.items() if k.casefold() == wanted), None)

    def find_table(self, name: str) -> RawTable | None:
        wanted = name.casefold()
        return next((t for k, t in self.tables.items() if k.casefold() == wanted), None)

    def find_sheet(self, name: str) -> str | None:
        wanted = name.strip().casefold()
        return next((s for s in self.sheets if s.strip().casefold() == wanted), None)
