"""Registers the social value KPI register with the headless jobs (validate/score)."""

from __future__ import annotations

from datetime import date, datetime

from openpyxl.workbook.workbook import Workbook

from sv_workbook.core.contracts import KPI_REGISTER
from sv_workbook.core.findings import Finding
from sv_workbook.app.jobs import Kind, register
from sv_workbook.core.kpi.rules import RegisterResult, assess_register
from sv_workbook.core.kpi.parse import parse_register
from sv_workbook.xlsx.kpi_report import write_kpi_report
from sv_workbook.core.kpi.measures import MeasureLibrary
from sv_workbook.core.policy import Policy
from sv_workbook.core.kpi.proxies import ProxySet
from sv_workbook.core.rawbook import RawBook


def analyse_register(raw: RawBook, policy: Policy, today: date, library: MeasureLibrary | None = None,
                     proxies: ProxySet | None = None) -> tuple[RegisterResult | None, list[Finding]]:
    reg, findings = parse_register(raw)
    if reg is None:
        return None, findings + policy.review_findings(today)
    result = assess_register(reg, policy, today, library, proxies)
    return result, findings + list(result.findings) + policy.review_findings(today)


def write_register(wb: Workbook, result: RegisterResult, policy: Policy, findings: list[Finding],
                   now: datetime) -> None:
    write_kpi_report(wb, result, policy, findings, now)


register(Kind(KPI_REGISTER, analyse_register, write_register, frozenset({"library", "proxies"})))
