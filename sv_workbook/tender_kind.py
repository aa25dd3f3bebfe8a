"""Registers the tender evaluation workbook with the headless jobs."""

from __future__ import annotations

from datetime import date, datetime

from openpyxl.workbook.workbook import Workbook

from .contracts import TENDER
from .findings import Finding
from .jobs import Kind, register
from .policy import Policy
from .rawbook import RawBook
from .scoring import TenderResult, score_tender
from .tender_parse import parse_tender
from .tender_report import write_tender_report


def analyse_tender(raw: RawBook, policy: Policy, today: date) -> tuple[TenderResult | None, list[Finding]]:
    tender, findings = parse_tender(raw)
    if tender is None:
        return None, findings + policy.review_findings(today)
    result = score_tender(tender, policy, today)
    return result, findings + list(result.findings)


def write_tender(wb: Workbook, result: TenderResult, policy: Policy, findings: list[Finding], now: datetime) -> None:
    write_tender_report(wb, result, policy, findings, now)


register(Kind(TENDER, analyse_tender, write_tender))
