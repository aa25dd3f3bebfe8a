"""What the ``KPI Report`` sheet says and where, as plain rows (pure).

Two writers lay this out: openpyxl for ``sv-workbook score`` (``xlsx/kpi_report.py``) and
xlwings for the Score button inside Excel (``excel/report.py``), so a register scored
on the command line and one scored in Excel hold the same values in the same cells.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sv_workbook import __version__
from sv_workbook.core.contracts import KPI_REGISTER
from sv_workbook.core.findings import Finding, Severity
from sv_workbook.core.kpi.rules import APPROACHING, GOOD, INADEQUATE, REQUIRES_IMPROVEMENT, RegisterResult
from sv_workbook.core.policy import Policy

SHEET = "KPI Report"
TITLE = "Social value KPI report"
STATUS_ROW = 15  # header row of the KPIStatus table
STATUS_TITLE = "KPI status (ratings from the unrounded percent)"
#: Written after the contract's columns, so every £ figure says where it came from.
STATUS_EXTRA = ("MeasureCode", "Unit", "ProxySet")
GBP = '"£"#,##0.00'
#: Number formats by 0-based column of the status rows and the totals rows.
STATUS_FORMATS = {2: "#,##0.00", 3: "#,##0.00", 4: "#,##0.00", 5: "0.0%", 7: GBP}
TOTALS_TITLE = ("Totals by priority (each KPI counts as its share of its own target: quantities in different units "
                "are never added)")
TOTALS_HEADERS = ("Priority", "KPIs", "ExpectedShareOfTarget", "DeliveredShareOfTarget", "PercentOfExpected",
                  "Rating", "SocialValueGBP", "ProxySet")
TOTALS_FORMATS = {2: "0.0%", 3: "0.0%", 4: "0.0%", 6: GBP}
#: Rating colours (fill, font), as budget holders read a RAG status.
RATING_COLOURS = {GOOD: ("C6EFCE", "006100"), APPROACHING: ("FFEB9C", "9C5700"),
                  REQUIRES_IMPROVEMENT: ("FCD5B4", "974706"), INADEQUATE: ("FFC7CE", "9C0006")}
STATUS_RATING_COLUMN = 6  # 0-based column of Rating in the status rows
TOTALS_RATING_COLUMN = 5  # and in the totals rows


def status_headers() -> list[str]:
    return list(KPI_REGISTER.table("KPIStatus").headers) + list(STATUS_EXTRA)


def summary_rows(result: RegisterResult, policy: Policy, findings: list[Finding], now: datetime) -> list[tuple[str, str]]:
    """Rows 2-12: label and text."""
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
    return [
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


def status_rows(result: RegisterResult) -> list[list[Any]]:
    return [[s.kpi_id, s.priority, s.target, s.expected, s.delivered, s.percent, s.rating, s.social_value_gbp,
             s.measure_code, s.unit, s.proxy_label] for s in result.statuses]


def totals_rows(result: RegisterResult) -> list[list[Any]]:
    return [[t.priority, t.kpis, t.expected_share, t.delivered_share, t.percent, t.rating, t.social_value_gbp,
             result.proxy_label if t.social_value_gbp is not None else None] for t in result.totals]


def totals_row(n_statuses: int) -> int:
    """Header row of the PriorityTotals table: two blank rows and a title after the KPIStatus table."""
    return STATUS_ROW + max(n_statuses, 1) + 3


def findings_row(totals_header: int, n_totals: int) -> int:
    """Header row of the Findings table: a blank row and a title after the totals."""
    return totals_header + max(n_totals, 1) + 3
