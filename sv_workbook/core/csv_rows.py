"""Read a small CSV a person wrote (measure library, proxy set) into numbered rows.

Pure: the measure and proxy loaders share it so that both name the file, the row and
the column in their findings the same way, and both refuse a file without the columns
they need instead of guessing.
"""

from __future__ import annotations

import csv
import io

from sv_workbook.core.catalogue import CSV_EMPTY, CSV_MISSING_COLUMN, CSV_UNREADABLE, Code
from sv_workbook.core.findings import Finding


def read_csv_rows(text: str, label: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
                  ) -> tuple[list[tuple[int, dict[str, str]]], list[Finding]]:
    """Rows as (line number in the file, {column: stripped text}); headers match case-insensitively.

    Returns no rows when a required column is missing: every row would be wrong.
    """
    text = text.lstrip("\ufeff")  # Excel's "CSV UTF-8" starts with a byte-order mark
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return [], [csv_error(label, 0, CSV_EMPTY, "The file is empty.",
                              "Put the header row " + ",".join(required + optional) + " first.")]
    except csv.Error as exc:
        return [], [csv_error(label, 1, CSV_UNREADABLE, f"The file cannot be read as CSV ({exc}).",
                              "Save it from Excel as 'CSV UTF-8 (Comma delimited)'.")]
    keys = [h.strip().casefold() for h in header]
    missing = [c for c in required if c.casefold() not in keys]
    if missing:
        return [], [csv_error(label, 1, CSV_MISSING_COLUMN,
                              f"The header row has no column {', '.join(repr(m) for m in missing)} "
                              f"(it has: {', '.join(h.strip() for h in header)}).",
                              "Use the header row " + ",".join(required + optional) + ".")]
    wanted = {c.casefold(): c for c in required + optional}
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            row = {wanted[k]: (values[i].strip() if i < len(values) else "")
                   for i, k in enumerate(keys) if k in wanted}
            for c in optional:
                row.setdefault(c, "")
            rows.append((line, row))
    except csv.Error as exc:
        return rows, [csv_error(label, reader.line_num, CSV_UNREADABLE, f"The file cannot be read as CSV ({exc}).",
                                "Save it from Excel as 'CSV UTF-8 (Comma delimited)'.")]
    return rows, []


def csv_error(label: str, line: int, code: Code, message: str, hint: str) -> Finding:
    """A finding about a CSV file: ``workbook`` is the file, ``cell`` is 'row N' (N = line in the file)."""
    return code(message, hint, cell=f"row {line}" if line else "").at_workbook(label)


def parse_float(text: str) -> float | None:
    """A plain number, allowing a leading £ and thousands commas as people type them."""
    cleaned = text.replace(",", "").replace("£", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None
