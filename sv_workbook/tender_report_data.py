"""What the tender Report sheet says and where, as plain rows (pure).

Two writers lay this out: openpyxl for ``sv-workbook score`` (``tender_report.py``) and
xlwings for the Score button inside Excel (``xlwings_report.py``). Both take their text,
numbers and row positions from here, so a report scored on the command line and one
scored in Excel hold the same values in the same cells.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import __version__
from .contracts import TENDER
from .findings import Finding, Severity
from .policy import Policy
from .scoring import TenderResult

TITLE = "Tender evaluation report"
RANKING_ROW = 9  # header row of the Ranking table
RANKING_HEADERS = list(TENDER.table("Ranking").headers)
#: Number formats of the Ranking columns (0-based index into RANKING_HEADERS).
RANKING_FORMATS = {2: '"£"#,##0.00', 3: "0.00", 4: "0.00", 5: "0.00", 6: "0.00"}
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
                     f"quality {s.quality_weight:g}%; marks 0–{s.scale_max:g}; consensus rule {s.consensus_rule}"),
        ("Social value weighting", f"{result.sv_weight:g}% of the quality score"),
        ("Policy applied", result.policy_label + (
            "; PAST ITS REVIEW DATE" if now.date() > policy.strategy_next_review else "")),
        ("Result", "FINAL: no errors" if errors == 0 else
         f"PROVISIONAL: {errors} error(s) must be fixed before this ranking can be relied on"),
        ("Findings", f"{errors} error(s), {warnings_} warning(s); see the Findings table below"),
        ("Generated", f"{now:%d %B %Y %H:%M} by sv-workbook {__version__}"),
    ]


def ranking_rows(result: TenderResult) -> list[list[Any]]:
    """The Ranking table's data rows, unrounded (formats round for display)."""
    return [[r.rank, r.bidder, r.price, r.price_score, r.quality_score, r.sv_score, r.total, r.status_text]
            for r in result.results]


def moderation_rows(result: TenderResult) -> list[list[Any]]:
    return [[m.bidder, m.criterion_id, m.evaluators, m.mean, m.spread, m.consensus, m.change, m.level]
            for m in result.moderation]


def finding_rows(findings: list[Finding]) -> list[list[str]]:
    return [[f.severity.value, f.code, f.sheet, f.cell, f.message, f.hint] for f in findings]


def moderation_row(n_results: int) -> int:
    """Header row of the Moderation table: two blank rows and a title after the Ranking table."""
    return RANKING_ROW + max(n_results, 1) + 3


def findings_row(moderation_header: int, n_moderation: int) -> int:
    """Header row of the Findings table: a blank row and a title after the Moderation table."""
    return moderation_header + max(n_moderation, 1) + 3
