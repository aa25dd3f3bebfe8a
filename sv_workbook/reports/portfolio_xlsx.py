"""openpyxl adapter: write a ``Portfolio`` as a workbook for the Executive and the Board.

One sheet per view, each an Excel Table (so people can filter, sort and pivot it) with
a native Excel chart beside it. Numbers are written unrounded; only the number formats
round them for display. All text that came from a register or tender (names, titles,
messages quoting cells) is written as inert text.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sv_workbook import __version__
from sv_workbook.core.portfolio import Portfolio, format_headline
from sv_workbook.xlsx.print_layout import fit_columns, setup_print, wrap_across
from sv_workbook.xlsx.safe_write import atomic_save
from sv_workbook.xlsx.write_helpers import BOLD, TITLE_FONT, add_table, fix_properties, put_text, put_value, set_widths

GBP = '"£"#,##0'
SHARE = "0.0%"
QTY = "#,##0.0##"
DAY = "dd/mm/yyyy"
FORMATS = {"GBPInPeriod": GBP, "GBPCumulative": GBP, "ContractValue": GBP, "ShareOfValue": SHARE,
           "ExpectedShare": SHARE, "DeliveredShare": SHARE, "PercentOfExpected": SHARE, "StartDate": DAY,
           "EndDate": DAY, "LastPeriodEnd": DAY, "ProcurementStart": DAY, "Target": QTY, "ExpectedToDate": QTY,
           "DeliveredInPeriod": QTY, "DeliveredToDate": QTY, "SVWeightPercent": "0.0", "MinimumPercent": "0.0"}
DOCUMENT = "Social value portfolio report"
TABLE_ROW = 6  # header row of every view's table: rows 1-5 say what the sheet shows


def write_portfolio_xlsx(portfolio: Portfolio, path: str | Path, now: datetime | None = None) -> Path:
    """Build and save the workbook atomically (an existing file at ``path`` is backed up)."""
    path = Path(path)
    atomic_save(build_portfolio_workbook(portfolio, now or datetime.now()), path)
    return path


def build_portfolio_workbook(p: Portfolio, now: datetime) -> Workbook:
    wb = Workbook()
    _summary(wb.active, p, now)
    gbp_note = _gbp_note(p)
    _view(wb, "By priority", "Social value by national priority and local priority", p.by_priority, "ByPriority",
          [gbp_note, "Quantities in different units are never added: KPIsWithoutProxy counts the KPIs reported "
           "as quantities only (see By measure)."], ("Priority", ["GBPInPeriod", "GBPCumulative"], "£ by priority"))
    _view(wb, "By contract", "Social value by contract", p.by_contract, "ByContract",
          [gbp_note, "Rating: Procurement Act 2023 s.71 words, as at the period end, over all the contract's KPIs "
           "(each KPI counted as its share of its own target)."],
          ("ContractRef", ["GBPInPeriod", "GBPCumulative"], "£ by contract"))
    _view(wb, "By supplier", "Social value by supplier", p.by_supplier, "BySupplier", [gbp_note],
          ("Supplier", ["GBPInPeriod", "GBPCumulative"], "£ by supplier"))
    _view(wb, "By measure", "Delivery by measure (quantities in each measure's unit)", p.by_measure, "ByMeasure",
          [gbp_note, "Quantities add up within a measure (one measure, one unit). ProxySet names the set and year "
           "behind each £ figure; 'no proxy: quantity only' means no £ value is claimed."],
          ("MeasureCode", ["GBPInPeriod", "GBPCumulative"], "£ by measure"))
    _view(wb, "Commitments", "Commitments against delivery, per KPI, as at the period end", p.kpis, "Commitments",
          [gbp_note, "ExpectedToDate = Target pro rata to the latest PeriodEnd on or before the period end; "
           "DeliveredInPeriod counts PeriodEnds inside the period; DeliveredToDate all up to its end."],
          None)
    if not p.by_contract.empty:  # units differ between KPIs, so the chart compares each contract's shares of target
        _chart(wb["Commitments"], wb["By contract"], p.by_contract, "ContractRef", ["ExpectedShare", "DeliveredShare"],
               "Expected and delivered share of target, by contract", f"{get_column_letter(len(p.kpis.columns) + 2)}"
               f"{TABLE_ROW}")
    _view(wb, "SME & VCSE", "Share of contract value with SMEs and VCSEs", p.diversity, "SupplierDiversity",
          ["Contracts live in the period (their dates overlap it) among the registers counted."],
          ("Suppliers", ["ShareOfValue"], "Share of contract value"))
    _view(wb, "Tenders", "Tenders in the period: social value weighting", p.tenders, "Tenders",
          [f"SVWeightPercent: social value criteria's share of the quality score; the Strategy's minimum is "
           f"MinimumPercent for tenders over the threshold, except framework call-offs. {p.policy_label}.",
           "A tender whose workbook records ProcurementStart is listed when that date is in the period; "
           "tenders without it are always listed."],
          ("TenderRef", ["SVWeightPercent", "MinimumPercent"], "Social value weighting (% of quality)"))
    sources = pd.DataFrame([{"Workbook": Path(s.path).name, "Path": s.path, "Kind": s.kind,
                             "ContractRef": s.contract_ref, "Status": s.status, "Errors": s.errors,
                             "Warnings": s.warnings, "Note": s.note} for s in p.sources],
                           columns=["Workbook", "Path", "Kind", "ContractRef", "Status", "Errors", "Warnings", "Note"])
    _view(wb, "Sources", "Audit trail: every workbook read and what the report did with it", sources, "Sources",
          ["Only registers with Status 'Included' are in the totals. Errors and warnings are listed on the "
           "Findings sheet."], None)
    findings = pd.DataFrame([{"Severity": f.severity.value, "Code": f.code, "Workbook": f.workbook,
                              "Sheet": f.sheet, "Cell": f.cell, "Message": f.message, "Fix": f.hint}
                             for f in p.findings],
                            columns=["Severity", "Code", "Workbook", "Sheet", "Cell", "Message", "Fix"])
    _view(wb, "Findings", "Findings: errors and warnings in the workbooks read", findings, "Findings",
          ["A register with any error is left out of the totals until it is fixed."], None)
    if not p.by_priority.empty:  # the headline chart: the By priority table's £ columns
        _chart(wb["Summary"], wb["By priority"], p.by_priority, "Priority", ["GBPInPeriod", "GBPCumulative"],
               "£ by priority", f"A{TABLE_ROW + len(p.headlines) + 3}")
    for ws in wb.worksheets:
        fit_columns(ws, first_row=TABLE_ROW, maximum=50)
        for row in range(2, TABLE_ROW):  # the notes above the table wrap within its width
            wrap_across(ws, f"A{row}", max(ws.max_column, 4))
        summary = ws.title == "Summary"  # the headline figures and their chart: one page
        setup_print(ws, DOCUMENT, p.period.label, title_rows=None if summary else (TABLE_ROW, TABLE_ROW),
                    pages_tall=1 if summary else 0)
    fix_properties(wb)
    return wb


def _gbp_note(p: Portfolio) -> str:
    if p.proxy_label:
        return f"£ figures: proxy set {p.proxy_label}; blank £ = no proxy for that measure (quantity only)."
    return "No proxy set was given (--proxies): no £ figures; delivery is shown as quantities."


def _summary(ws: Worksheet, p: Portfolio, now: datetime) -> None:
    ws.title = "Summary"
    put_text(ws, "A1", f"Social value portfolio report: {p.period.label}")
    ws["A1"].font = TITLE_FONT
    lines = [
        f"Period {p.period.start:%d %B %Y} to {p.period.end:%d %B %Y} (both included); registers checked as at "
        f"{p.as_of:%d %B %Y}.",
        "In the period: Actuals whose PeriodEnd falls inside the period. Cumulative: every PeriodEnd on or before "
        "the period's last day.",
        _gbp_note(p),
        f"Policy: {p.policy_label}. Made by sv-workbook {__version__} on {now:%d/%m/%Y %H:%M}.",
    ]
    for i, line in enumerate(lines, start=2):
        put_text(ws, f"A{i}", line)
    add_table(ws, "Headline", 1, TABLE_ROW, ["Figure", "Value", "Shown as", "Basis"], len(p.headlines))
    for i, h in enumerate(p.headlines, start=TABLE_ROW + 1):
        put_text(ws, f"A{i}", h.label)
        put_value(ws, f"B{i}", _cell(h.value))
        ws[f"B{i}"].number_format = GBP if h.unit == "GBP" else SHARE if h.unit == "share" else "#,##0"
        put_text(ws, f"C{i}", format_headline(h))
        put_text(ws, f"D{i}", h.note)
    set_widths(ws, {"A": 48, "B": 16, "C": 14, "D": 70})


def _view(wb: Workbook, sheet: str, title: str, df: pd.DataFrame, table: str, notes: list[str],
          chart: tuple[str, list[str], str] | None) -> None:
    ws = wb.create_sheet(sheet)
    put_text(ws, "A1", title)
    ws["A1"].font = TITLE_FONT
    for i, note in enumerate(notes[:4], start=2):
        put_text(ws, f"A{i}", note)
    headers = list(df.columns)
    add_table(ws, table, 1, TABLE_ROW, headers, len(df))
    for r, record in enumerate(df.itertuples(index=False), start=TABLE_ROW + 1):
        for c, (header, value) in enumerate(zip(headers, record), start=1):
            coord = f"{get_column_letter(c)}{r}"
            put_value(ws, coord, _cell(value))
            if header in FORMATS:
                ws[coord].number_format = FORMATS[header]
    ws.freeze_panes = ws.cell(row=TABLE_ROW + 1, column=1)
    if df.empty:
        put_text(ws, f"A{TABLE_ROW + 2}", "None in this report.")
        ws[f"A{TABLE_ROW + 2}"].font = BOLD
    elif chart is not None:
        category, series, chart_title = chart
        _chart(ws, ws, df, category, series, chart_title, f"{get_column_letter(len(headers) + 2)}{TABLE_ROW}")


def _chart(ws: Worksheet, data: Worksheet, df: pd.DataFrame, category: str, series: list[str], title: str,
           anchor: str) -> None:
    """A clustered bar chart on ``ws`` over the view table on ``data``, so it follows edits to the table."""
    headers = list(df.columns)
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = title
    chart.height = max(7.5, 0.6 * len(df) + 3)
    chart.width = 18
    first, last = TABLE_ROW + 1, TABLE_ROW + len(df)
    for name in series:
        col = headers.index(name) + 1
        chart.add_data(Reference(data, min_col=col, min_row=TABLE_ROW, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(data, min_col=headers.index(category) + 1, min_row=first, max_row=last))
    chart.y_axis.number_format = FORMATS.get(series[0], "General")
    ws.add_chart(chart, anchor)


def _cell(value: Any) -> Any:
    """pandas values as Excel values: NaN/None blank, booleans Yes/No, timestamps as dates."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, (date, str, int, float)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    return str(value)


__all__ = ["write_portfolio_xlsx", "build_portfolio_workbook"]
