"""The one type for every problem the tool reports.

Evaluators, budget holders and batch users all read the same thing: what is wrong,
where (workbook, sheet, cell) and how to fix it. Keeping a single ``Finding`` type lets
the CLI, the report sheets, the JSON/CSV outputs and the Excel highlighter share one
shape instead of translating between several.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Iterable


class Severity(StrEnum):
    """How bad a finding is. ``ERROR`` blocks a clean result; the others inform."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Sort key: errors first, so people read the blocking problems first."""
        return _RANKS[self.value]


_RANKS = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    """One problem (or notice) about a workbook.

    ``code`` is stable and machine-readable (for scripts and dashboards), and declared with
    its meaning in ``catalogue.py``, which makes every finding; ``message``
    says what is wrong in plain English and names the rule; ``hint`` says how to fix it.
    ``sheet`` and ``cell`` point at the place (``cell`` may be a range such as ``B4:B9``
    or empty when the problem is about the whole workbook).
    """

    severity: Severity
    code: str
    message: str
    hint: str = ""
    sheet: str = ""
    cell: str = ""
    workbook: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())

    def at_workbook(self, workbook: str) -> "Finding":
        """The same finding, naming the workbook it came from (batch validation names the
        workbook on every finding of every file, so it is made by ``new_finding``)."""
        return new_finding(self.severity, self.code, self.message, self.hint, self.sheet, self.cell, workbook,
                           self.extra)

    @property
    def location(self) -> str:
        """``'Book.xlsx' Sheet!B4`` style location, as people quote it."""
        parts = []
        if self.workbook:
            parts.append(f"'{self.workbook}'")
        if self.sheet:
            place = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
            parts.append(place)
        elif self.cell:  # a place in a non-spreadsheet file, e.g. 'row 4' of a CSV
            parts.append(self.cell)
        return " ".join(parts)

    def __str__(self) -> str:
        loc = self.location
        text = f"{self.severity.value.upper()} {self.code}"
        if loc:
            text += f" at {loc}"
        text += f": {self.message}"
        if self.hint:
            text += f" Fix: {self.hint}"
        return text

    def as_dict(self) -> dict[str, str]:
        """Plain dict for JSON/CSV output."""
        return {
            "severity": self.severity.value,
            "code": self.code,
            "workbook": self.workbook,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
            "hint": self.hint,
        }


def new_finding(severity: Severity, code: str, message: str, hint: str = "", sheet: str = "", cell: str = "",
                workbook: str = "", extra: tuple[tuple[str, str], ...] = ()) -> Finding:
    """``Finding(...)``, a third of the time: the fields are written into the new instance's
    ``__dict__``, which is all a frozen dataclass's ``__init__`` does, one ``object.__setattr__``
    call per field. A batch of a thousand registers makes over a hundred thousand findings."""
    finding = object.__new__(Finding)
    finding.__dict__.update(severity=severity, code=code, message=message, hint=hint, sheet=sheet, cell=cell,
                            workbook=workbook, extra=extra)
    return finding


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then by place, so output is deterministic and readable."""
    return sorted(findings, key=lambda f: (f.severity.rank, f.workbook, f.sheet, _cell_key(f.cell), f.code, f.message))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


@lru_cache(maxsize=16384)
def _cell_key(cell: str) -> tuple[int, str]:
    """Sort ``B10`` after ``B9``: row number first, then column letters.

    Remembered: a batch sorts the findings of every workbook, and the same few hundred
    cells recur from one register to the next."""
    head = cell.split(":")[0]
    letters = "".join(ch for ch in head if ch.isalpha())
    digits = "".join(ch for ch in head if ch.isdigit())
    return (int(digits) if digits else 0, letters.rjust(3))
