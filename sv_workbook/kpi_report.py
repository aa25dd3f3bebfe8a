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

from . import __version__
from .contracts import KPI_REGISTER
from .findings import Finding, Severity
from .kpi import APPROACHING, GOOD, INADEQUATE, REQUIRES_IMPROVEMENT, RegisterResult
from .policy import Policy
from .xlsx_common import BOLD, TITLE_FONT, WRAP, add_table, put_text, put_value, set_widths

SHEET = "KPI Report"
STATUS_ROW = 15  # header row of the KPIStatus table
#: Written after the contract's columns, so every £ figure says where it came from.
STATUS_EXTRA = ("MeasureCode", "Unit", "ProxySet")
TOTALS_HEADERS = ("Priority", "KPIs", "ExpectedShareOfTarget", "DeliveredShareOfTarget", "PercentOfExpected",
                  "Rating", "SocialValueGBP", "ProxySet")
GBP = '"£"#,##0.00'


#: Rating colours (fill, font), as budget holders read a RAG status.
RATING_COLOURS = {GOOD: ("C6EFCE", "006100"), APPROACHING: ("FFEB9C", "9C5700"),
                  REQUIRES_IMPROVEMENT: ("FCD5B4", "974706"), INADEQUATE: ("FFC7CE", "9C0006")}


def colour_ratings(ws: Worksheet, cells: str) -> None:
    """Conditional formats so a rating's colour follows the live value (Excel and LibreOffice)."""
    for label, (fill, font) in RATING_COLOURS.items():
        ws.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{label}"'],
                                                        fill=PatternFill("solid", bgColor=fill), font=Font(color=font)))


def status_headers() -> list[str]:
    return list(KPI_REGISTER.table("KPIStatus").headers) + list(STATUS_EXTRA)


def write_report_placeholder(ws: Worksheet, policy: Policy) -> None:
    """The template's report sheet: the contract's KPIStatus table, empty until scored."""
    ws["A1"] = "Social value KPI report"
    ws["A1"].font = TITLE_FONT
    ws["A3"] = "Not scored yet."
    ws["A4"] = ("Run `sv-workbook score THIS.xlsx -o SCORED.xlsx` (add --proxies FILE.csv for £ social value). "
                "Live figures are beside the KPIs table meanwhile.")
    ws["A5"] = f"Policy: {policy.policy_label()}"
    add_table(ws, "KPIStatus", 1, STATUS_ROW, status_headers(), 1)
    _widths(ws)


def write_kpi_report(wb: Workbook, result: RegisterResult, policy: Policy, findings: list[Finding],
                     now: datetime | None = None) -> Worksheet:
    """Rebuild the sheet: header, KPIStatus table, totals by priority with a chart, findings."""
    index = wb.sheetnames.index(SHEET) if SHEET in wb.sheetnames else len(wb.sheetnames)
    if SHEET in wb.sheetnames:
        wb.remove(wb[SHEET])
    ws = wb.create_sheet(SHEET, index)
    now = now or datetime.now()
    c = result.register.contract
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings_ = sum(1 for f in findings if f.severity is Severity.WARNING)
    reported = (f"{result.reporting_date:%d %B %Y} (latest period reported; {result.elapsed:.1%} of the contract "
                "period elapsed)" if result.reporting_date else "no periods reported yet")
    total_gbp = result.social_value_total
    if result.proxy_label is None:
        proxy_text = "none given: quantities only (score with --proxies FILE.csv for £ social value)"
    else:
        proxy_text = f"{result.proxy_label}" + (f"; total £{total_gbp:,.2f}" if total_gbp is not None else
                                               "; no KPI's measure has a value in it")
    ws["A1"] = "Social value KPI report"
    ws["A1"].font = TITLE_FONT
    rows = [
        ("Contract", f"{c.ref} – {c.title}"),
        ("Supplier", f"{c.supplier}" + ("; SME" if c.sme else "") + ("; VCSE" if c.vcse else "")),
        ("Contract period", f"{c.start:%d %B %Y} to {c.end:%d %B %Y}; reporting {(c.frequency or '?').lower()}; "
                            + (f"value £{c.value:,.2f}" if c.value is not None else "value not given")),
        ("Budget holder", c.budget_holder),
        ("As of", f"{result.as_of:%d %B %Y}"),
        ("Reporting date", reported),
        ("£ proxy set", proxy_text),
        ("Policy applied", policy.policy_statement(result.as_of)),
        ("Result", "FINAL: no errors" if errors == 0 else
         f"PROVISIONAL: {errors} error(s) must be fixed before these figures can be relied on"),
        ("Findings", f"{errors} error(s), {warnings_} warning(s); see the Findings table below"),
        ("Generated", f"{now:%d %B %Y %H:%M} by sv-workbook {__version__}"),
    ]
    for i, (label, value) in enumerate(rows):
        ws.cell(row=2 + i, column=1, value=label).font = BOLD
        put_text(ws, f"B{2 + i}", value)
    _status(ws, result)
    totals_row = STATUS_ROW + max(len(result.statuses), 1) + 3
    end = _totals(ws, result, totals_row)
    _findings(ws, findings, end + 3)
    _widths(ws)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _status(ws: Worksheet, result: RegisterResult) -> None:
    ws.cell(row=STATUS_ROW - 1, column=1, value="KPI status (ratings from the unrounded percent)").font = BOLD
    add_table(ws, "KPIStatus", 1, STATUS_ROW, status_headers(), len(result.statuses))
    for i, s in enumerate(result.statuses):
        row = STATUS_ROW + 1 + i
        values = [s.kpi_id, s.priority, s.target, s.expected, s.delivered, s.percent, s.rating, s.social_value_gbp,
                  s.measure_code, s.unit, s.proxy_label]
        for j, v in enumerate(values):
            put_value(ws, ws.cell(row=row, column=1 + j).coordinate, v)
        for col in (3, 4, 5):
            ws.cell(row=row, column=col).number_format = "#,##0.00"
        ws.cell(row=row, column=6).number_format = "0.0%"
        ws.cell(row=row, column=8).number_format = GBP
    if result.statuses:
        colour_ratings(ws, f"G{STATUS_ROW + 1}:G{STATUS_ROW + len(result.statuses)}")


def _totals(ws: Worksheet, result: RegisterResult, start: int) -> int:
    ws.cell(row=start - 1, column=1, value="Totals by priority (each KPI counts as its share of its own target: "
            "quantities in different units are never added)").font = BOLD
    totals = result.totals
    add_table(ws, "PriorityTotals", 1, start, list(TOTALS_HEADERS), len(totals))
    for i, t in enumerate(totals):
        row = start + 1 + i
        proxy = result.proxy_label if t.social_value_gbp is not None else None
        for j, v in enumerate([t.priority, t.kpis, t.expected_share, t.delivered_share, t.percent, t.rating,
                               t.social_value_gbp, proxy]):
            put_value(ws, ws.cell(row=row, column=1 + j).coordinate, v)
        for col in (3, 4, 5):
            ws.cell(row=row, column=col).number_format = "0.0%"
        ws.cell(row=row, column=7).number_format = GBP
    n = max(len(totals), 1)
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
    return start + n


def _findings(ws: Worksheet, findings: list[Finding], start: int) -> None:
    ws.cell(row=start - 1, column=1, value="Findings (errors first)").font = BOLD
    headers = ["Severity", "Code", "Sheet", "Cell", "Message", "Fix"]
    add_table(ws, "Findings", 1, start, headers, len(findings))
    for i, f in enumerate(findings):
        row = start + 1 + i
        for j, v in enumerate([f.severity.value, f.code, f.sheet, f.cell, f.message, f.hint]):
            put_text(ws, ws.cell(row=row, column=1 + j).coordinate, v)
        ws.cell(row=row, column=5).alignment = WRAP
        ws.cell(row=row, column=6).alignment = WRAP


def _widths(ws: Worksheet) -> None:
    set_widths(ws, {"A": 22, "B": 26, "C": 14, "D": 14, "E": 40, "F": 40, "G": 22, "H": 16, "I": 12, "J": 16,
                    "K": 18})
