"""Registers the tender evaluation workbook with the headless jobs."""

from __future__ import annotations

from datetime import date, datetime

from openpyxl.workbook.workbook import Workbook

from sv_workbook.core.contracts import TENDER
from sv_workbook.core.findings import Finding
from sv_workbook.app.jobs import Kind, register
from sv_workbook.core.policy import Policy
from sv_workbook.core.rawbook import RawBook
from sv_workbook.core.tender.scoring import TenderResult, score_tender
from sv_workbook.core.tender.parse import parse_tender
from sv_workbook.xlsx.tender_report import write_tender_report


def analyse_tender(raw: RawBook, policy: Policy, today: date) -> tuple[TenderResult | None, list[Finding]]:
    tender, findings = parse_tender(raw)
    if tender is None:
        return None, findings + policy.review_findings(today)
    result = score_tender(tender, policy, today)
    return result, findings + list(result.findings)


def write_tender(wb: Workbook, result: TenderResult, policy: Policy, findings: list[Finding], now: datetime) -> None:
    write_tender_report(wb, result, policy, findings, now)


register(Kind(TENDER, analyse_tender, write_tender))
