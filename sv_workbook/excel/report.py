"""xlwings adapter: fill a workbook's report sheet in place, in a fixed number of calls.

The report sheet belongs to the tool, as in headless mode: below its title rows it is
cleared and rewritten on every run. The values and their cells come from
``tender_report_data`` and ``kpi_report_data``, which the openpyxl writers use too, so
the report in Excel holds exactly what ``sv-workbook score`` writes. The output Table
(``Ranking``, ``KPIStatus``) is kept and resized, so formulas and charts that use it keep
working; the other blocks (moderation aid, totals by priority, findings) are written as
plain blocks below it.

Each block is one write, whatever the number of bids; formats are one call per run of
columns. ``CALLS_PER_REPORT`` is checked by the benchmark.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sv_workbook import __version__
from sv_workbook.core.kpi import report_rows as kpi
from sv_workbook.core.contracts import WorkbookContract
from sv_workbook.core.findings import Finding, Severity
from sv_workbook.core.kpi.rules import RegisterResult
from sv_workbook.core.policy import Policy
from sv_workbook.core.tender.scoring import TenderResult
from sv_workbook.core.tender.report_rows import (ABNORMALLY_LOW_FORMATS, ABNORMALLY_LOW_HEADERS, ABNORMALLY_LOW_TITLE,
                                 FINDINGS_HEADERS, FINDINGS_TITLE, MODERATION_FORMATS, MODERATION_HEADERS,
                                 MODERATION_TITLE, RANKING_FORMATS, RANKING_HEADERS, RANKING_ROW, SENSITIVITY_HEADERS,
                                 SENSITIVITY_TITLE, TITLE, abnormally_low_rows, finding_rows, moderation_rows,
                                 next_block, ranking_rows, sensitivity_rows, summary_rows)
from sv_workbook.excel.write import format_columns, write_block

#: Columns cleared on each run at least (A:J, the chart helper column of headless mode included).
REPORT_COLUMNS = 10
#: Where each kind's output Table goes if a user deleted it, and what its Score button says.
OUTPUT_HEADER_ROW = {"tender": RANKING_ROW, "kpi-register": kpi.STATUS_ROW}
SCORE_BUTTON = {"tender": "Score tender", "kpi-register": "Build KPI report"}


def write_tender_report(book: Any, result: TenderResult, policy: Policy, findings: list[Finding],
                        now: datetime) -> None:
    """Rewrite the tender's Report sheet: summary, Ranking table, sensitivity, abnormally low log, moderation, findings."""
    ws, table = _report_sheet(book, "Report", "Ranking", RANKING_ROW, RANKING_HEADERS)
    n = len(result.results)
    _clear_below(ws, RANKING_ROW + 1)
    table.resize(ws.range((RANKING_ROW, 1), (RANKING_ROW + max(n, 1), len(RANKING_HEADERS))))
    summary = summary_rows(result, policy, findings, now)
    write_block(ws, 1, 1, [[TITLE, None]] + [list(r) for r in summary])
    ws.range((2, 1), (1 + len(summary), 1)).font.bold = True
    write_block(ws, RANKING_ROW, 1, [RANKING_HEADERS] + (ranking_rows(result) or [[None] * len(RANKING_HEADERS)]))
    format_columns(ws, RANKING_ROW + 1, RANKING_ROW + max(n, 1), 1, RANKING_FORMATS)
    start, count = RANKING_ROW, n
    for title, headers, rows, formats in (
            (SENSITIVITY_TITLE, SENSITIVITY_HEADERS, sensitivity_rows(result, policy, now), {}),
            (ABNORMALLY_LOW_TITLE, ABNORMALLY_LOW_HEADERS, abnormally_low_rows(result), ABNORMALLY_LOW_FORMATS),
            (MODERATION_TITLE, MODERATION_HEADERS, moderation_rows(result), MODERATION_FORMATS)):
        start, count = next_block(start, count), len(rows)
        _titled_block(ws, start, title, headers, rows)
        format_columns(ws, start + 1, start + max(count, 1), 1, formats)
    _findings_block(ws, next_block(start, count), findings)
    ws.activate()


def write_kpi_report(book: Any, result: RegisterResult, policy: Policy, findings: list[Finding],
                     now: datetime) -> None:
    """Rewrite the register's KPI Report sheet: summary, KPIStatus table, totals by priority, findings."""
    headers = kpi.status_headers()
    ws, table = _report_sheet(book, kpi.SHEET, "KPIStatus", kpi.STATUS_ROW, headers)
    n = len(result.statuses)
    _clear_below(ws, kpi.STATUS_ROW + 1)
    table.resize(ws.range((kpi.STATUS_ROW, 1), (kpi.STATUS_ROW + max(n, 1), len(headers))))
    summary = kpi.summary_rows(result, policy, findings, now)
    write_block(ws, 1, 1, [[kpi.TITLE, None]] + [list(r) for r in summary])
    ws.range((2, 1), (1 + len(summary), 1)).font.bold = True
    _titled_block(ws, kpi.STATUS_ROW, kpi.STATUS_TITLE, headers, kpi.status_rows(result))
    format_columns(ws, kpi.STATUS_ROW + 1, kpi.STATUS_ROW + max(n, 1), 1, kpi.STATUS_FORMATS)
    if n:
        _colour_ratings(ws.range((kpi.STATUS_ROW + 1, 1 + kpi.STATUS_RATING_COLUMN),
                                 (kpi.STATUS_ROW + n, 1 + kpi.STATUS_RATING_COLUMN)))
    start = kpi.totals_row(n)
    totals = kpi.totals_rows(result)
    _titled_block(ws, start, kpi.TOTALS_TITLE, list(kpi.TOTALS_HEADERS), totals)
    format_columns(ws, start + 1, start + max(len(totals), 1), 1, kpi.TOTALS_FORMATS)
    _colour_ratings(ws.range((start + 1, 1 + kpi.TOTALS_RATING_COLUMN),
                             (start + max(len(totals), 1), 1 + kpi.TOTALS_RATING_COLUMN)))
    _findings_block(ws, kpi.findings_row(start, len(totals)), findings)
    ws.activate()


def write_check_report(book: Any, contract: WorkbookContract, policy: Policy, findings: list[Finding],
                       now: datetime, scored: bool = False) -> None:
    """The report of a check without scores: status, the output Table emptied, the findings.

    A ranking that no longer matches the inputs must not stay on show, so the output
    Table keeps its headers and one empty row until the next successful Score.
    """
    spec = next(t for t in contract.tables if t.output)
    ws, table = _report_sheet(book, spec.sheet, spec.name, OUTPUT_HEADER_ROW[contract.kind], list(spec.headers))
    box = table.range
    header_row, width = box.row, box.shape[1]
    if header_row > 1:
        ws.range((1, 1), (header_row - 1, max(width, REPORT_COLUMNS))).clear()  # the last run's summary
    _clear_below(ws, header_row + 1)
    table.resize(ws.range((header_row, box.column), (header_row + 1, box.column + width - 1)))
    summary = check_summary_rows(findings, policy, now, SCORE_BUTTON[contract.kind], scored)
    write_block(ws, 1, 1, [[f"{contract.title}: check", None]] + [list(r) for r in summary])
    ws.range((2, 1), (1 + len(summary), 1)).font.bold = True
    _findings_block(ws, header_row + 1 + 3, findings)
    ws.activate()


def check_summary_rows(findings: list[Finding], policy: Policy, now: datetime, button: str,
                       scored: bool) -> list[tuple[str, str]]:
    """Rows 2-4 of a check: what to do next (``button`` is the Score button's caption)."""
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings_ = sum(1 for f in findings if f.severity is Severity.WARNING)
    if scored:
        result = (f"NOT SCORED: {errors} error(s) stop the workbook being read; fix the cells listed below "
                  f"(red on their sheets), then click {button} again")
    elif errors:
        result = f"{errors} error(s) to fix (red on their sheets); click {button} when they are fixed"
    else:
        result = f"No errors; click {button}"
    return [
        ("Result", result),
        ("Findings", f"{errors} error(s), {warnings_} warning(s); see the Findings list below; "
                     f"policy {policy.policy_label()}"),
        ("Generated", f"{now:%d %B %Y %H:%M} by sv-workbook {__version__}"),
    ]


def _report_sheet(book: Any, sheet_name: str, table_name: str, header_row: int, headers: list[str]) -> tuple[Any, Any]:
    """The report sheet and its output Table, added when a user deleted them."""
    names = [s.name for s in book.sheets]
    match = next((n for n in names if n.casefold() == sheet_name.casefold()), None)
    ws = book.sheets[match] if match else book.sheets.add(sheet_name, after=book.sheets[len(names) - 1])
    table = next((t for t in ws.tables if t.name.casefold() == table_name.casefold()), None)
    if table is None:
        write_block(ws, header_row, 1, [headers])
        table = ws.tables.add(ws.range((header_row, 1), (header_row + 1, len(headers))), name=table_name,
                              has_headers=True)
    return ws, table


def _clear_below(ws: Any, first_row: int) -> None:
    """Clear contents and formats of the rows the last run may have written."""
    last = ws.used_range.last_cell
    if last.row >= first_row:
        ws.range((first_row, 1), (last.row, max(last.column, REPORT_COLUMNS))).clear()


def _colour_ratings(cells: Any) -> None:
    """The headless report's rating colours, as conditional formats that follow the value (one call per rating)."""
    for label, (fill, font) in kpi.RATING_COLOURS.items():
        cells.conditional_formats.add_cell_value("equal_to", f'"{label}"', fill_color=f"#{fill}", font_color=f"#{font}")


def _titled_block(ws: Any, header_row: int, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    """Title above a header row and the rows: one write, one bold call."""
    write_block(ws, header_row - 1, 1, [[title], headers] + (rows or [[None] * len(headers)]))
    ws.range((header_row - 1, 1), (header_row, len(headers))).font.bold = True


def _findings_block(ws: Any, header_row: int, findings: list[Finding]) -> None:
    _titled_block(ws, header_row, FINDINGS_TITLE, FINDINGS_HEADERS, finding_rows(findings))
