"""openpyxl adapter: write a KPI register's ``KPI Report`` sheet from a ``RegisterResult``.

The sheet belongs to the tool: it is rebuilt on every run, so nothing typed on the
other sheets is touched. Text that came from the workbook (KPI IDs, priorities,
messages quoting cells) is written as inert text.
"""

from __future__ import annotations

from datetime import datetime

from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sv_workbook.core.findings import Finding
from sv_workbook.core.kpi.rules import RegisterResult
from sv_workbook.core.kpi.report_rows import (RATING_COLOURS, SHEET, STATUS_FORMATS, STATUS_ROW, STATUS_TITLE, TITLE, TOTALS_FORMATS,
                              TOTALS_HEADERS, TOTALS_TITLE, findings_row, status_headers, status_rows, summary_rows,
                              totals_row, totals_rows)
from sv_workbook.core.policy import Policy
from sv_workbook.core.tender.report_rows import FINDINGS_HEADERS, FINDINGS_TITLE, finding_rows
from sv_workbook.xlsx.kpi_template import print_layout
from sv_workbook.xlsx.print_layout import fit_columns
from sv_workbook.xlsx.tender_report import REPORT_MAX_WIDTH
from sv_workbook.xlsx.write_helpers import (BOLD, TITLE_FONT, add_table, put_text, put_value, report_placeholder,
                          replace_sheet, set_widths, text_table)



def colour_ratings(ws: Worksheet, cells: str) -> None:
    """Conditional formats so a rating's colour follows the live value (Excel and LibreOffice)."""
    for label, (fill, font) in RATING_COLOURS.items():
        ws.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{label}"'],
                                                        fill=PatternFill("solid", bgColor=fill), font=Font(color=font)))


def write_report_placeholder(ws: Worksheet, policy: Policy) -> None:
    """The template's report sheet: the contract's KPIStatus table, empty until scored."""
    report_placeholder(ws, TITLE, "Run `sv-workbook score THIS.xlsx -o SCORED.xlsx` (add --proxies FILE.csv for £ "
                       "social value). Live figures are beside the KPIs table meanwhile.", policy.policy_label(),
                       "KPIStatus", STATUS_ROW, status_headers())
    _widths(ws)


def write_kpi_report(wb: Workbook, result: RegisterResult, policy: Policy, findings: list[Finding],
                     now: datetime | None = None) -> Worksheet:
    """Rebuild the sheet: header, KPIStatus table, totals by priority with a chart, findings."""
    ws = replace_sheet(wb, SHEET)
    now = now or datetime.now()
    ws["A1"] = TITLE
    ws["A1"].font = TITLE_FONT
    rows = summary_rows(result, policy, findings, now)
    for i, (label, value) in enumerate(rows):
        ws.cell(row=2 + i, column=1, value=label).font = BOLD
        put_text(ws, f"B{2 + i}", value)
    _status(ws, result)
    start = totals_row(len(result.statuses))
    _totals(ws, result, start)
    text_table(ws, "Findings", FINDINGS_TITLE, findings_row(start, len(result.totals)), FINDINGS_HEADERS,
               finding_rows(findings), wrap_columns=(5, 6))  # Message and Fix
    titles = [f"A{r}" for r in range(1, ws.max_row + 1) if ws[f"A{r}"].font.b and ws[f"B{r}"].value is None]
    fit_columns(ws, first_row=2, maximum=REPORT_MAX_WIDTH, overflow=titles + [f"B{r}" for r in range(2, 2 + len(rows))])
    print_layout(wb, result.register.contract.ref)
    return ws


def _status(ws: Worksheet, result: RegisterResult) -> None:
    ws.cell(row=STATUS_ROW - 1, column=1, value=STATUS_TITLE).font = BOLD
    add_table(ws, "KPIStatus", 1, STATUS_ROW, status_headers(), len(result.statuses))
    for i, values in enumerate(status_rows(result)):
        row = STATUS_ROW + 1 + i
        for j, v in enumerate(values):
            put_value(ws, ws.cell(row=row, column=1 + j).coordinate, v)
            if j in STATUS_FORMATS:
                ws.cell(row=row, column=1 + j).number_format = STATUS_FORMATS[j]
    if result.statuses:
        colour_ratings(ws, f"G{STATUS_ROW + 1}:G{STATUS_ROW + len(result.statuses)}")


def _totals(ws: Worksheet, result: RegisterResult, start: int) -> None:
    ws.cell(row=start - 1, column=1, value=TOTALS_TITLE).font = BOLD
    rows = totals_rows(result)
    add_table(ws, "PriorityTotals", 1, start, list(TOTALS_HEADERS), len(rows))
    for i, values in enumerate(rows):
        row = start + 1 + i
        for j, v in enumerate(values):
            put_value(ws, ws.cell(row=row, column=1 + j).coordinate, v)
            if j in TOTALS_FORMATS:
                ws.cell(row=row, column=1 + j).number_format = TOTALS_FORMATS[j]
    n = max(len(rows), 1)
    colour_ratings(ws, f"F{start + 1}:F{start + n}")
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "Delivered against expected to date, by priority"
    chart.y_axis.title = "Share of target"
    chart.y_axis.numFmt = "0%"
    chart.x_axis.title = "Priority"
    for col in (3, 4):
        chart.add_data(Reference(ws, min_col=col, min_row=start, max_row=start + n), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=start + n))
    chart.height = 8
    chart.width = 18
    ws.add_chart(chart, f"M{STATUS_ROW - 1}")


def _widths(ws: Worksheet) -> None:
    set_widths(ws, {"A": 22, "B": 26, "C": 14, "D": 14, "E": 40, "F": 40, "G": 22, "H": 16, "I": 12, "J": 16,
                    "K": 18})
