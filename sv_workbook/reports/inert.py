"""Text from workbooks and bidders, made inert for CSV and HTML output.

A bidder can name itself ``=HYPERLINK("http://x","Click")`` and an evaluator can start a
comment with ``+`` or ``-``. Written into a CSV file that someone opens in Excel, such a
cell becomes a live formula (CSV or formula injection); written into HTML unescaped,
``<script>`` runs in the reader's browser. Excel output uses ``xlsx_common.put_text``
(the cell is typed as a string); this module does the same for CSV and HTML, following
OWASP's CSV-injection guidance: a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or
carriage return gets a leading single quote, and the csv module quotes the rest.
Pure: no spreadsheet library is imported here.
"""

from __future__ import annotations

import csv
import html
import io
from typing import Any, Iterable, Sequence

#: First characters that make spreadsheet programs treat text as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One CSV field as inert text; numbers stay numbers (a negative number is not a formula)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
    return repr(value) if isinstance(value, float) else str(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV document (every field quoted, every field inert)."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


def html_text(value: Any) -> str:
    """Text for an HTML element or attribute: <, >, &, quotes escaped."""
    return "" if value is None else html.escape(str(value), quote=True)


__all__ = ["FORMULA_TRIGGERS", "csv_cell", "csv_text", "html_text"]
