"""openpyxl adapter: write the tender's ``Report`` sheet from a ``TenderResult``.

The Report sheet belongs to the tool: it is rebuilt on every run, so nothing a user
typed elsewhere is touched. All text that came from the workbook (bidder names, reasons,
messages quoting cells) is written as inert text.
"""

from __future__ import annotations

from datetime import datetime

from openpyxl.chart import BarChart, Reference
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from . import __version__
from .contracts import TENDER
from .findings import Finding, Severity
from .policy import Policy
from .scoring import TenderResult
from .sensitivity import sensitivity
from .xlsx_common import BOLD, TITLE_FONT, add_table, put_text, put_value, set_widths

RANKING_ROW = 9  # header row of the Ranking table
CHART_HELPER = "Quality excl. social value"


def write_report_placeholder(ws: Worksheet, policy: Policy) -> None:
    """The template's Report sheet: the contract's Ranking table, empty until scored."""
    ws["A1"] = "Tender evaluation report"
    ws["A1"].font = TITLE_FONT
    ws["A3"] = "Not scored yet."
    ws["A4"] = ("Run `sv-workbook score THIS.xlsx -o SCORED.xlsx`, or click the Score button where the macros are "
                "attached. Live scores are on the Scoring sheet meanwhile.")
    ws["A5"] = f"Policy: {policy.policy_label()}"
    add_table(ws, "Ranking", 1, RANKING_ROW, list(TENDER.table("Ranking").headers), 1)
    _widths(ws)


def write_tender_report(wb: Workbook, result: TenderResult, policy: Policy, findings: list[Finding],
                        now: datetime | None = None) -> Worksheet:
    """Rebuild the Report sheet: header, Ranking table, chart, moderation and findings."""
    index = wb.sheetnames.index("Report") if "Report" in wb.sheetnames else len(wb.sheetnames)
    if "Report" in wb.sheetnames:
        wb.remove(wb["Report"])
    ws = wb.create_sheet("Report", index)
    now = now or datetime.now()
    s = result.tender.setup
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings_ = sum(1 for f in findings if f.severity is Severity.WARNING)
    ws["A1"] = "Tender evaluation report"
    ws["A1"].font = TITLE_FONT
    rows = [
        ("Tender", f"{s.ref} – {s.title}"),
        ("Contract", f"£{s.contract_value:,.2f} {s.contract_type.lower()}, {s.route}; price {s.price_weight:g}% / "
                     f"quality {s.quality_weight:g}%; price method {s.price_method}; marks 0–{s.scale_max:g}; "
                     f"consensus rule {s.consensus_rule}"),
        ("Social value weighting", f"{result.sv_weight:g}% of the quality score"),
        ("Policy applied", policy.policy_statement(now.date())),
        ("Result", "FINAL: no errors" if errors == 0 else
         f"PROVISIONAL: {errors} error(s) must be fixed before this ranking can be relied on"),
        ("Findings", f"{errors} error(s), {warnings_} warning(s); see the Findings table below"),
        ("Generated", f"{now:%d %B %Y %H:%M} by sv-workbook {__version__}"),
    ]
    for i, (label, value) in enumerate(rows):
        ws.cell(row=2 + i, column=1, value=label).font = BOLD
        put_text(ws, f"B{2 + i}", value)
    _ranking(ws, result)
    after = _sensitivity(ws, sensitivity(result.tender, policy, now.date()), RANKING_ROW + max(len(result.results), 1) + 3)
    after = _abnormally_low(ws, result, after + 3)
    end = _moderation(ws, result, after + 3)
    _findings(ws, findings, end + 2)
    _widths(ws)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _ranking(ws: Worksheet, result: TenderResult) -> None:
    headers = list(TENDER.table("Ranking").headers)
    add_table(ws, "Ranking", 1, RANKING_ROW, headers, len(result.results))
    helper_col = len(headers) + 2  # one blank column between the table and the chart data
    ws.cell(row=RANKING_ROW, column=helper_col, value=CHART_HELPER).font = BOLD
    for i, r in enumerate(result.results):
        row = RANKING_ROW + 1 + i
        values = [r.rank, r.bidder, r.price, r.price_score, r.quality_score, r.sv_score, r.total, r.status_text]
        for j, v in enumerate(values):
            coord = ws.cell(row=row, column=1 + j).coordinate
            put_value(ws, coord, v)
            if j in (3, 4, 5, 6):
                ws[coord].number_format = "0.00"
            if j == 2:
                ws[coord].number_format = '"£"#,##0.00'
        other = (r.quality_score - r.sv_score) if r.quality_score is not None and r.sv_score is not None else None
        ws.cell(row=row, column=helper_col, value=other).number_format = "0.00"
    n = max(len(result.results), 1)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Total score by bidder"
    chart.x_axis.title = "Bidder"
    chart.y_axis.title = "Points"
    cats = Reference(ws, min_col=2, min_row=RANKING_ROW + 1, max_row=RANKING_ROW + n)
    for col in (4, helper_col, 6):  # price, quality excluding social value, social value
        chart.add_data(Reference(ws, min_col=col, min_row=RANKING_ROW, max_row=RANKING_ROW + n), titles_from_data=True)
    chart.set_categories(cats)
    chart.height = max(7.5, 1.2 * n + 3)
    chart.width = 18
    ws.add_chart(chart, f"{ws.cell(row=2, column=helper_col + 2).coordinate}")


def _sensitivity(ws: Worksheet, rows, start: int) -> int:
    """The what-if table; returns its last row."""
    ws.cell(row=start - 1, column=1, value="Sensitivity: would the winner change?").font = BOLD
    headers = ["Scenario", "PriceMethod", "PriceWeight", "QualityWeight", "Winner", "WinnerChanges", "Note"]
    add_table(ws, "Sensitivity", 1, start, headers, len(rows))
    for i, sc in enumerate(rows):
        values = [sc.label, sc.price_method, sc.price_weight, sc.quality_weight, sc.winner_text,
                  "Yes" if sc.changed else "No", sc.note]
        for j, v in enumerate(values):
            put_value(ws, ws.cell(row=start + 1 + i, column=1 + j).coordinate, v)
    return start + max(len(rows), 1)


def _abnormally_low(ws: Worksheet, result: TenderResult, start: int) -> int:
    """The s.19 log as the report keeps it: the check for every qualifying bid and where its case stands."""
    ws.cell(row=start - 1, column=1, value="Abnormally low tenders (Procurement Act 2023 s.19)").font = BOLD
    headers = ["Bidder", "Price", "MedianOfQualifying", "BelowMedianPercent", "BelowEstimatePercent", "Flagged",
               "FlaggedOn", "RequestSent", "SupplierAnswer", "Decision", "State"]
    rows = result.abnormally_low
    add_table(ws, "AbnormallyLowChecks", 1, start, headers, len(rows))
    for i, c in enumerate(rows):
        e = c.entry
        values = [c.bidder, c.price, c.median, c.below_median_percent / 100, None if c.below_estimate_percent is None
                  else c.below_estimate_percent / 100, "Yes" if c.flagged else "No", e and e.flagged_on,
                  e and e.request_sent, e and e.supplier_answer, e and e.decision, c.state]
        for j, v in enumerate(values):
            put_value(ws, ws.cell(row=start + 1 + i, column=1 + j).coordinate, v)
        row = start + 1 + i
        for col, fmt in ((2, '"£"#,##0.00'), (3, '"£"#,##0.00'), (4, "0.0%"), (5, "0.0%"), (7, "dd/mm/yyyy"),
                         (8, "dd/mm/yyyy")):
            ws.cell(row=row, column=col).number_format = fmt
    return start + max(len(rows), 1)


def _moderation(ws: Worksheet, result: TenderResult, start: int) -> int:
    ws.cell(row=start - 1, column=1, value="Moderation aid").font = BOLD
    headers = ["Bidder", "CriterionID", "Evaluators", "EvaluatorMean", "Spread", "ConsensusMark", "Change", "Level"]
    rows = result.moderation
    add_table(ws, "Moderation", 1, start, headers, len(rows))
    for i, m in enumerate(rows):
        row = start + 1 + i
        values = [m.bidder, m.criterion_id, m.evaluators, m.mean, m.spread, m.consensus, m.change, m.level]
        for j, v in enumerate(values):
            put_value(ws, ws.cell(row=row, column=1 + j).coordinate, v)
        ws.cell(row=row, column=4).number_format = "0.00"
        ws.cell(row=row, column=5).number_format = "0%"
        ws.cell(row=row, column=7).number_format = "+0.00;-0.00;0"
    return start + max(len(rows), 1) + 1


def _findings(ws: Worksheet, findings: list[Finding], start: int) -> None:
    ws.cell(row=start - 1, column=1, value="Findings (errors first)").font = BOLD
    headers = ["Severity", "Code", "Sheet", "Cell", "Message", "Fix"]
    add_table(ws, "Findings", 1, start, headers, len(findings))
    for i, f in enumerate(findings):
        row = start + 1 + i
        for j, v in enumerate([f.severity.value, f.code, f.sheet, f.cell, f.message, f.hint]):
            put_text(ws, ws.cell(row=row, column=1 + j).coordinate, v)


def _widths(ws: Worksheet) -> None:
    set_widths(ws, {"A": 22, "B": 34, "C": 14, "D": 12, "E": 40, "F": 40, "G": 12, "H": 36, "J": 14})
