"""Reporting periods: calendar years and halves, financial years and halves, or dates.

The Strategy asks for 6-monthly reports to the Executive and annual reports to the Board
(4.4, 4.6.4). Periods are inclusive date ranges so that 31 March falls in one financial
year and 1 April in the next, exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


class PeriodError(ValueError):
    """A period that cannot be understood; the message lists the accepted forms."""


FORMS = "2026, 2026-H1, 2026-H2, FY2026, FY2026-H1, FY2026-H2, or --from DATE --to DATE"


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + (day.month - 1) + months
    return date(total // 12, total % 12 + 1, 1)


def parse_period(text: str, fy_start_month: int = 4) -> Period:
    """Parse a period label; financial years start on the 1st of ``fy_start_month``."""
    m = re.fullmatch(r"\s*(FY)?(\d{4})(?:-H([12]))?\s*", text or "", flags=re.IGNORECASE)
    if not m:
        raise PeriodError(f"'{text}' is not a period. Use {FORMS}.")
    fiscal, year, half = bool(m.group(1)), int(m.group(2)), m.group(3)
    start = date(year, fy_start_month if fiscal else 1, 1)
    months = 12
    if half:
        months = 6
        if half == "2":
            start = _add_months(start, 6)
    end = _add_months(start, months) - timedelta(days=1)
    label = f"{'FY' if fiscal else ''}{year}{f'-H{half}' if half else ''}"
    return Period(label, start, end)


def date_range(start: date, end: date) -> Period:
    if end < start:
        raise PeriodError(f"The period ends ({end}) before it starts ({start}).")
    return Period(f"{start.isoformat()} to {end.isoformat()}", start, end)
