"""The kinds of workbook sv-workbook knows, and how a workbook is recognised as one of them.

A ``WorkbookKind`` pairs a published contract (``core.contracts``) with its pure
``analyse`` step: parse the ``RawBook`` any reader made, then check and score it. Every
entry point shares these steps; each adapter keeps its own report writer per kind
(``jobs.REPORT_WRITERS`` with openpyxl, ``macros.REPORT_WRITERS`` through xlwings), so
this module imports only the core and the Excel buttons load no file library.

A new kind of workbook: declare its contract in ``core/contracts.py``, add its
``WorkbookKind`` to ``KINDS`` here and a report writer to each adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from sv_workbook.core.contracts import CONTRACTS, KPI_REGISTER, TENDER, WorkbookContract
from sv_workbook.core.findings import Finding
from sv_workbook.core.kpi.measures import MeasureLibrary
from sv_workbook.core.kpi.parse import parse_register
from sv_workbook.core.kpi.proxies import ProxySet
from sv_workbook.core.kpi.rules import RegisterResult, assess_register, register_findings
from sv_workbook.core.policy import Policy
from sv_workbook.core.rawbook import RawBook
from sv_workbook.core.tender.parse import parse_tender
from sv_workbook.core.tender.scoring import TenderResult, score_tender

Analyse = Callable[..., tuple[Any, list[Finding]]]


@dataclass(frozen=True)
class WorkbookKind:
    """How to check one kind of workbook.

    ``analyse(raw, policy, today, **options)`` returns the result (None when the
    workbook is too broken to score) and the findings. ``options`` names the keyword
    arguments it accepts beyond the three positional ones (a KPI register's measure
    library and proxy set); the jobs pass a kind only the options it declares, so one
    command line serves every kind. ``check``, when given, finds the same findings without
    the result, more cheaply (batch validation reports only findings); it takes the same
    arguments and returns ``(None, findings)``.
    """

    contract: WorkbookContract
    analyse: Analyse
    options: frozenset[str] = frozenset()
    check: Analyse | None = None


def analyse_tender(raw: RawBook, policy: Policy, today: date) -> tuple[TenderResult | None, list[Finding]]:
    """Parse and score a tender evaluation workbook."""
    tender, findings = parse_tender(raw)
    if tender is None:
        return None, findings + policy.review_findings(today)
    result = score_tender(tender, policy, today)
    return result, findings + list(result.findings)


def analyse_register(raw: RawBook, policy: Policy, today: date, library: MeasureLibrary | None = None,
                     proxies: ProxySet | None = None) -> tuple[RegisterResult | None, list[Finding]]:
    """Parse and assess a social value KPI register."""
    reg, findings = parse_register(raw)
    if reg is None:
        return None, findings + policy.review_findings(today)
    result = assess_register(reg, policy, today, library, proxies)
    return result, findings + list(result.findings) + policy.review_findings(today)


def check_register(raw: RawBook, policy: Policy, today: date, library: MeasureLibrary | None = None,
                   proxies: ProxySet | None = None) -> tuple[None, list[Finding]]:
    """``analyse_register``'s findings, without rating each KPI (``register_findings``)."""
    reg, findings = parse_register(raw)
    if reg is None:
        return None, findings + policy.review_findings(today)
    return None, findings + register_findings(reg, policy, today, library, proxies) + policy.review_findings(today)


#: Every kind, by its contract's ``kind`` ("tender", "kpi-register").
KINDS: dict[str, WorkbookKind] = {k.contract.kind: k for k in (
    WorkbookKind(TENDER, analyse_tender),
    WorkbookKind(KPI_REGISTER, analyse_register, frozenset({"library", "proxies"}), check_register),
)}


def detect_kind(raw: RawBook) -> WorkbookContract | None:
    """The contract whose tables and names the workbook has most of (None if none)."""
    best, best_hits = None, 0
    for contract in CONTRACTS.values():
        hits = sum(1 for t in contract.input_tables if raw.find_table(t.name)) + sum(
            1 for n in contract.names if raw.find_name(n.name))
        hits += sum(1 for s in contract.sheets if raw.find_sheet(s)) // 2
        if hits > best_hits:
            best, best_hits = contract, hits
    return best
