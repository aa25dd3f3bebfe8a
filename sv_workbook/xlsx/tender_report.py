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

from sv_workbook import __version__
from sv_workbook.core.contracts import TENDER
from sv_workbook.core.findings import Finding
from sv_workbook.core.tender.fingerprint import digest, result_entries
from sv_workbook.core.policy import Policy
from sv_workbook.core.tender.scoring import TenderResult
from sv_workbook.core.tender.report_rows import (ABNORMALLY_LOW_FORMATS, ABNORMALLY_LOW_HEADERS, ABNORMALLY_LOW_TITLE,
                                 FINDINGS_HEADERS, FINDINGS_TITLE, MODERATION_FORMATS, MODERATION_HEADERS,
                                 MODERATION_TITLE, RANKING_FORMATS, RANKING_HEADERS, RANKING_ROW, SENSITIVITY_HEADERS,
                                 SENSITIVITY_TITLE, TITLE, abnormally_low_rows, finding_rows, moderation_rows,
                                 next_block, ranking_rows, sensitivity_rows, summary_rows)
from sv_workbook.xlsx.print_layout import fit_columns
from sv_workbook.xlsx.tender_template import print_layout
from sv_workbook.xlsx.write_helpers import (BOLD, TITLE_FONT, WRAP, add_table, define_name, header_row, protect, put_text,
                                            put_value, replace_sheet, report_placeholder, set_widths, text_table)

CHART_HELPER = "Quality excl. social value"
#: Widest a Report column grows before its text wraps: the stacked tables share columns
#: and the sheet prints one page wide.
REPORT_MAX_WIDTH = 36


def write_report_placeholder(ws: Worksheet, policy: Policy) -> None:
    """The template's Report sheet: the contract's Ranking table, empty until scored."""
    report_placeholder(ws, TITLE, "Run `sv-workbook score THIS.xlsx -o SCORED.xlsx`, or click the Score button where "
                       "the macros are attached. Live scores are on the Scoring sheet meanwhile.", policy.policy_label(),
                       "Ranking", RANKING_ROW, RANKING_HEADERS)
    _widths(ws)


def write_tender_report(wb: Workbook, result: TenderResult, policy: Policy, findings: list[Finding],
                        now: datetime | None = None) -> Worksheet:
    """Rebuild the Report sheet: header, Ranking table, chart, moderation and findings."""
    ws = replace_sheet(wb, "Report")
    now = now or datetime.now()
    ws["A1"] = TITLE
    ws["A1"].font = TITLE_FONT
    for i, (label, value) in enumerate(summary_rows(result, policy, findings, now)):
        ws.cell(row=2 + i, column=1, value=label).font = BOLD
        put_text(ws, f"B{2 + i}", value)
    _ranking(ws, result)
    sens = sensitivity_rows(result, policy, now)
    start = next_block(RANKING_ROW, len(result.results))
    _block(ws, start, SENSITIVITY_TITLE, "Sensitivity", SENSITIVITY_HEADERS, sens, {})
    low = abnormally_low_rows(result)
    start = next_block(start, len(sens))
    _block(ws, start, ABNORMALLY_LOW_TITLE, "AbnormallyLowChecks", ABNORMALLY_LOW_HEADERS, low, ABNORMALLY_LOW_FORMATS)
    mod = moderation_rows(result)
    start = next_block(start, len(low))
    _block(ws, start, MODERATION_TITLE, "Moderation", MODERATION_HEADERS, mod, MODERATION_FORMATS)
    text_table(ws, "Findings", FINDINGS_TITLE, next_block(start, len(mod)), FINDINGS_HEADERS, finding_rows(findings))
    titles = [f"A{r}" for r in range(1, ws.max_row + 1) if ws[f"A{r}"].font.b and ws[f"B{r}"].value is None]
    fit_columns(ws, first_row=2, maximum=REPORT_MAX_WIDTH, overflow=titles + [f"B{r}" for r in range(2, RANKING_ROW)])
    write_scored_inputs(wb, result, policy)
    tender = result.tender
    print_layout(wb, tender.setup.ref, len(tender.bidders), len(tender.criteria))
    return ws


RECORD_SHEET = TENDER.table("ScoredInputs").sheet
RECORD_HEADER_ROW = 6


def write_scored_inputs(wb: Workbook, result: TenderResult, policy: Policy) -> None:
    """Rebuild the ``Scored inputs`` sheet: every entry of the fingerprint record and its SHA-256.

    ``sv-workbook verify`` compares the workbook with this record, so all of it is written as text.
    """
    entries = result_entries(result, policy, __version__)
    ws = replace_sheet(wb, RECORD_SHEET)
    ws["A1"] = "Scored inputs: the record `sv-workbook verify` checks"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = ("Every value that decided the result when this workbook was scored, and the unrounded totals. "
                "`sv-workbook verify THIS.xlsx` recomputes both and names anything that changed. The fingerprint "
                "is a checksum, not a signature: it shows the file is unchanged since scoring, not who scored it.")
    ws["A2"].alignment = WRAP
    ws.merge_cells("A2:D2")
    ws.row_dimensions[2].height = 45
    ws["A4"] = "ResultFingerprint (SHA-256)"
    ws["A4"].font = BOLD
    put_text(ws, "B4", digest(entries))
    define_name(wb, "ResultFingerprint", RECORD_SHEET, "B4")
    headers = list(TENDER.table("ScoredInputs").headers)
    add_table(ws, "ScoredInputs", 1, RECORD_HEADER_ROW, headers, len(entries))
    for i, e in enumerate(entries):
        for j, value in enumerate((e.key, e.item, e.place, e.value)):
            put_text(ws, ws.cell(row=RECORD_HEADER_ROW + 1 + i, column=1 + j).coordinate, value)
    set_widths(ws, {"A": 44, "B": 60, "C": 18, "D": 70})
    protect(ws)


def _ranking(ws: Worksheet, result: TenderResult) -> None:
    headers = RANKING_HEADERS
    add_table(ws, "Ranking", 1, RANKING_ROW, headers, len(result.results))
    helper_col = len(headers) + 2  # one blank column between the table and the chart data
    header_row(ws, RANKING_ROW, helper_col, [CHART_HELPER])
    for i, (r, values) in enumerate(zip(result.results, ranking_rows(result))):
        row = RANKING_ROW + 1 + i
        for j, v in enumerate(values):
            coord = ws.cell(row=row, column=1 + j).coordinate
            put_value(ws, coord, v)
            if j in RANKING_FORMATS:
                ws[coord].number_format = RANKING_FORMATS[j]
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


def _block(ws: Worksheet, start: int, title: str, table: str, headers: list[str], rows: list[list],
           formats: dict[int, str]) -> None:
    """A titled Excel Table of plain values with ``start`` as its header row."""
    ws.cell(row=start - 1, column=1, value=title).font = BOLD
    add_table(ws, table, 1, start, headers, len(rows))
    for i, values in enumerate(rows):
        for j, v in enumerate(values):
            cell = ws.cell(row=start + 1 + i, column=1 + j)
            put_value(ws, cell.coordinate, v)
            if j in formats:
                cell.number_format = formats[j]


def _widths(ws: Worksheet) -> None:
    set_widths(ws, {"A": 22, "B": 34, "C": 14, "D": 12, "E": 40, "F": 40, "G": 12, "H": 36, "J": 14})
