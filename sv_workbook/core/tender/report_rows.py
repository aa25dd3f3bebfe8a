"""What the tender Report sheet says and where, as plain rows (pure).

Below the Ranking table (header on ``RANKING_ROW``) come, each after a blank row and a
title (``next_block``): the sensitivity what-ifs, the abnormally low log, the moderation
aid and the findings.

Two writers lay this out: openpyxl for ``sv-workbook score`` (``xlsx/tender_report.py``) and
xlwings for the Score button inside Excel (``excel/report.py``). Both take their text,
numbers and row positions from here, so a report scored on the command line and one
scored in Excel hold the same values in the same cells.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sv_workbook import __version__
from sv_workbook.core.contracts import TENDER
from sv_workbook.core.findings import Finding, Severity
from sv_workbook.core.policy import Policy
from sv_workbook.core.tender.scoring import TenderResult
from sv_workbook.core.tender.declarations import declarations_statement
from sv_workbook.core.tender.fingerprint import digest, result_entries
from sv_workbook.core.tender.sensitivity import sensitivity

TITLE = "Tender evaluation report"
RANKING_ROW = 9  # header row of the Ranking table
RANKING_HEADERS = list(TENDER.table("Ranking").headers)
#: Number formats of the Ranking columns (0-based index into RANKING_HEADERS).
RANKING_FORMATS = {2: '"£"#,##0.00', 3: "0.00", 4: "0.00", 5: "0.00", 6: "0.00"}
SENSITIVITY_TITLE = "Sensitivity: would the winner change?"
SENSITIVITY_HEADERS = ["Scenario", "PriceMethod", "PriceWeight", "QualityWeight", "Winner", "WinnerChanges", "Note"]
ABNORMALLY_LOW_TITLE = "Abnormally low tenders (Procurement Act 2023 s.19)"
ABNORMALLY_LOW_HEADERS = ["Bidder", "Price", "MedianOfQualifying", "BelowMedianPercent", "BelowEstimatePercent",
                          "Flagged", "FlaggedOn", "RequestSent", "SupplierAnswer", "Decision", "State"]
ABNORMALLY_LOW_FORMATS = {1: '"£"#,##0.00', 2: '"£"#,##0.00', 3: "0.0%", 4: "0.0%", 6: "dd/mm/yyyy",
                          7: "dd/mm/yyyy"}
MODERATION_TITLE = "Moderation aid"
MODERATION_HEADERS = ["Bidder", "CriterionID", "Evaluators", "EvaluatorMean", "Spread", "ConsensusMark", "Change",
                      "Level"]
MODERATION_FORMATS = {3: "0.00", 4: "0%", 6: "+0.00;-0.00;0"}
FINDINGS_TITLE = "Findings (errors first)"
FINDINGS_HEADERS = ["Severity", "Code", "Sheet", "Cell", "Message", "Fix"]


def summary_rows(result: TenderResult, policy: Policy, findings: list[Finding], now: datetime) -> list[tuple[str, str]]:
    """Rows 2-8: label and text."""
    s = result.tender.setup
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings_ = sum(1 for f in findings if f.severity is Severity.WARNING)
    return [
        ("Tender", f"{s.ref} – {s.title}"),
        ("Contract", f"£{s.contract_value:,.2f} {s.contract_type.lower()}, {s.route}; price {s.price_weight:g}% / "
                     f"quality {s.quality_weight:g}%; price method {s.price_method}; marks 0–{s.scale_max:g}; "
                     f"consensus rule {s.consensus_rule}"),
        ("Social value weighting", f"{result.sv_weight:g}% of the quality score"),
        ("Policy applied", policy.policy_statement(now.date())),
        ("Result", ("FINAL: no errors" if errors == 0 else
                    f"PROVISIONAL: {errors} error(s) must be fixed before this ranking can be relied on")
         + "; " + declarations_statement(result.tender, policy)),
        ("Findings", f"{errors} error(s), {warnings_} warning(s); see the Findings table below"),
        ("Generated", f"{now:%d %B %Y %H:%M} by sv-workbook {__version__}; fingerprint (SHA-256 of the inputs and "
                      f"totals, see the Scored inputs sheet) {result_fingerprint(result, policy)}"),
    ]


def result_fingerprint(result: TenderResult, policy: Policy) -> str:
    """The SHA-256 ``sv-workbook verify`` checks (``fingerprint.py``)."""
    return digest(result_entries(result, policy, __version__))


def ranking_rows(result: TenderResult) -> list[list[Any]]:
    """The Ranking table's data rows, unrounded (formats round for display)."""
    return [[r.rank, r.bidder, r.price, r.price_score, r.quality_score, r.sv_score, r.total, r.status_text]
            for r in result.results]


def sensitivity_rows(result: TenderResult, policy: Policy, now: datetime) -> list[list[Any]]:
    """What-if scenarios: would another price method or split change the winner?"""
    return [[sc.label, sc.price_method, sc.price_weight, sc.quality_weight, sc.winner_text,
             "Yes" if sc.changed else "No", sc.note] for sc in sensitivity(result.tender, policy, now.date())]


def abnormally_low_rows(result: TenderResult) -> list[list[Any]]:
    """The s.19 log: the check for every qualifying bid and where its case stands."""
    rows = []
    for c in result.abnormally_low:
        e = c.entry
        rows.append([c.bidder, c.price, c.median, c.below_median_percent / 100,
                     None if c.below_estimate_percent is None else c.below_estimate_percent / 100,
                     "Yes" if c.flagged else "No", e and e.flagged_on, e and e.request_sent, e and e.supplier_answer,
                     e and e.decision, c.state])
    return rows


def moderation_rows(result: TenderResult) -> list[list[Any]]:
    return [[m.bidder, m.criterion_id, m.evaluators, m.mean, m.spread, m.consensus, m.change, m.level]
            for m in result.moderation]


def finding_rows(findings: list[Finding]) -> list[list[str]]:
    return [[f.severity.value, f.code, f.sheet, f.cell, f.message, f.hint] for f in findings]


def next_block(header_row: int, n_rows: int) -> int:
    """Header row of the next block: a blank row and a title after this one (an empty block keeps one row)."""
    return header_row + max(n_rows, 1) + 3
