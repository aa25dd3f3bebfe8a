"""Portfolio reporting: many KPI registers and tenders become the figures of one report.

The Strategy asks for 6-monthly reports to the Executive, an annual report to the Board
and published social value reporting (4.4, 4.6.4, 5.1). This module turns the checked
workbooks (``core.outcome.Outcome``) into plain tables (pandas DataFrames); the xlsx and HTML
writers only lay them out, so both show the same numbers.

Rules (stated once, here, and in docs/portfolio-reports.md):

* A register *counts* when it was read, has no error findings and its contract started
  on or before the period end. A register with errors is listed with its errors and
  left out of every total.
* Two counting registers with the same ContractRef are a finding; only one counts: the
  one reported most recently (latest PeriodEnd), and if that is equal, the file whose
  path sorts first.
* *In the period*: an Actuals row whose PeriodEnd is from the period's first day to its
  last day, both included. *Cumulative*: every Actuals row whose PeriodEnd is on or
  before the period's last day.
* Ratings are as at the period end: the register is assessed by ``kpi.assess_register``
  with only its cumulative rows, so expected-to-date and ratings follow the KPI core.
  A contract's rating uses the core's priority-total method over all its KPIs (each KPI
  counts as its share of its own target; units are never added).
* £ = delivered × proxy (``proxies.social_value_gbp``); a KPI whose measure has no proxy
  is reported as a quantity in its own unit and never as £ 0.
* SME/VCSE shares are of the ContractValue of counted contracts live in the period
  (contract dates overlapping it).
* Tenders are listed with their social value weighting; a tender workbook that records
  ProcurementStart is listed only when that date is in the period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from sv_workbook.core.arithmetic import mean, total
from sv_workbook.core.bind import norm
from sv_workbook.core.contracts import NATIONAL_PRIORITIES
from sv_workbook.core.catalogue import (POLICY_APPLIED, POLICY_REVIEW_OVERDUE, PORTFOLIO_DUPLICATE_CONTRACT,
    SV_WEIGHT_BELOW_MIN)
from sv_workbook.core.findings import Finding, Severity, sort_findings
from sv_workbook.core.kpi.rules import KPIStatus, NOT_RATED, Register, RegisterResult, assess_register, rating
from sv_workbook.core.kpi.measures import MeasureLibrary, default_library
from sv_workbook.core.periods import Period
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.core.kpi.proxies import ProxySet, social_value_gbp
from sv_workbook.core.tender.scoring import TenderResult

KPI_KIND, TENDER_KIND = "kpi-register", "tender"

INCLUDED = "Included"
EXCLUDED_ERRORS = "Excluded: has errors"
DUPLICATE = "Not counted: duplicate ContractRef"
NOT_STARTED = "Not counted: contract starts after the period"
UNREADABLE = "Excluded: cannot be read"
UNKNOWN = "Excluded: not a KPI register or tender"
TENDER_LISTED = "Tender: listed"
TENDER_OUTSIDE = "Tender: procurement started outside the period"
TENDER_UNUSABLE = "Tender: too incomplete to list"

TENDER_MET, TENDER_BELOW = "Met", "Below minimum"
TENDER_EXEMPT, TENDER_NOT_REQUIRED = "Framework: own criteria apply", "Minimum does not apply (value at or below threshold)"


@dataclass(frozen=True)
class Source:
    """One workbook read for the report: the audit trail's row."""

    path: str
    kind: str
    contract_ref: str
    status: str
    errors: int
    warnings: int
    note: str = ""


@dataclass(frozen=True)
class Headline:
    label: str
    value: float | int | None
    unit: str  # "GBP", "count", "share"
    note: str = ""


@dataclass
class Portfolio:
    """Everything a portfolio report shows; every table is plain data."""

    period: Period
    as_of: date
    policy_label: str
    proxy_label: str | None
    sources: list[Source]
    findings: list[Finding]  # of the report itself (duplicates) and every source's errors and warnings
    kpis: pd.DataFrame  # one row per KPI of a counted register: the facts every view sums
    by_priority: pd.DataFrame
    by_contract: pd.DataFrame
    by_supplier: pd.DataFrame
    by_measure: pd.DataFrame
    diversity: pd.DataFrame
    tenders: pd.DataFrame
    headlines: list[Headline]

    @property
    def counted(self) -> list[Source]:
        return [s for s in self.sources if s.status == INCLUDED]

    def headline(self, label: str) -> Headline:
        return next(h for h in self.headlines if h.label == label)


# Headline labels, shared by the writers and the tests.
H_SV_PERIOD = "Social value in the period (£)"
H_SV_CUMULATIVE = "Social value, cumulative to the period end (£)"
H_CONTRACTS = "Contracts counted"
H_EXCLUDED = "Registers left out for errors"
H_DUPLICATES = "Duplicate registers not counted"
H_KPIS_GOOD = "KPIs rated Good at the period end"
H_KPIS_RATED = "KPIs rated at the period end"
H_SME_SHARE = "Share of live contracts' value with SMEs"
H_VCSE_SHARE = "Share of live contracts' value with VCSEs"
H_TENDERS = "Tenders in the period"
H_TENDERS_BELOW = "Tenders below the social value minimum"

#: Said once for the whole report rather than once per workbook (they are about the policy, not the file).
POLICY_CODES = (POLICY_REVIEW_OVERDUE.code, POLICY_APPLIED.code)

KPI_COLUMNS = ["ContractRef", "ContractTitle", "Supplier", "Workbook", "KPI_ID", "Priority", "PriorityType",
               "MeasureCode", "Measure", "Unit", "Target", "ExpectedToDate", "DeliveredInPeriod", "DeliveredToDate",
               "PercentOfExpected", "Rating", "GBPInPeriod", "GBPCumulative", "ProxySet"]


def build_portfolio(outcomes: Iterable[Any], period: Period, as_of: date, policy: Policy = DEFAULT_POLICY,
                    library: MeasureLibrary | None = None, proxies: ProxySet | None = None) -> Portfolio:
    """The report's figures from checked workbooks (``core.outcome.Outcome``: path, kind, findings, result)."""
    library = library or default_library()
    outcomes = sorted(outcomes, key=lambda o: str(o.path))
    sources: dict[str, Source] = {}
    report_findings: list[Finding] = []
    candidates: dict[str, list[Any]] = {}
    tender_rows: list[dict[str, Any]] = []
    for o in outcomes:
        errors = sum(f.severity is Severity.ERROR for f in o.findings)
        warns = sum(f.severity is Severity.WARNING for f in o.findings)
        report_findings.extend(f for f in o.findings if f.severity is not Severity.INFO and f.code not in POLICY_CODES)
        if not o.readable:
            sources[o.path] = Source(o.path, "unreadable", "", UNREADABLE, errors, warns)
        elif o.kind == KPI_KIND:
            result: RegisterResult | None = o.result
            ref = result.register.contract.ref if result else ""
            if result is None or errors:
                sources[o.path] = Source(o.path, KPI_KIND, ref, EXCLUDED_ERRORS, errors, warns,
                                         "Fix the errors listed on the Findings sheet; until then nothing from this "
                                         "register is counted.")
            elif result.register.contract.start > period.end:
                sources[o.path] = Source(o.path, KPI_KIND, ref, NOT_STARTED, errors, warns,
                                         f"Starts {result.register.contract.start:%d/%m/%Y}.")
            else:
                sources[o.path] = Source(o.path, KPI_KIND, ref, INCLUDED, errors, warns)
                candidates.setdefault(norm(ref), []).append(o)
        elif o.kind == TENDER_KIND:
            row = _tender_row(o, period, policy)
            status = TENDER_UNUSABLE if row is None else TENDER_LISTED if row["InPeriod"] else TENDER_OUTSIDE
            ref = o.result.tender.setup.ref if o.result is not None else ""
            sources[o.path] = Source(o.path, TENDER_KIND, ref, status, errors, warns)
            if row is not None and row["InPeriod"]:
                tender_rows.append(row)
        else:
            sources[o.path] = Source(o.path, "unknown", "", UNKNOWN, errors, warns)

    counted: list[Any] = []
    for copies in candidates.values():
        chosen = _choose(copies)
        counted.append(chosen)
        others = [c for c in copies if c is not chosen]
        for other in others:
            sources[other.path] = replace(sources[other.path], status=DUPLICATE,
                                          note=f"Same ContractRef as {Path(chosen.path).name}, which is counted.")
        if others:
            ref = chosen.result.register.contract.ref
            names = ", ".join(Path(c.path).name for c in copies)
            report_findings.append(PORTFOLIO_DUPLICATE_CONTRACT(
                f"ContractRef '{ref}' appears in {len(copies)} registers ({names}); it is counted once, from "
                f"{Path(chosen.path).name} (the most recently reported; on a tie, the first by file name).",
                "Keep one register per contract: archive or delete the old copy, or correct the ContractRef "
                "if these are different contracts.").at_workbook(Path(chosen.path).name))

    rows, contracts = [], []
    for o in sorted(counted, key=lambda o: str(o.path)):
        kpi_rows, contract_row = _register_rows(o, period, as_of, policy, library, proxies)
        rows.extend(kpi_rows)
        contracts.append(contract_row)
    kpis = pd.DataFrame(rows, columns=KPI_COLUMNS)
    by_contract = pd.DataFrame(contracts, columns=CONTRACT_COLUMNS)
    tenders = pd.DataFrame(tender_rows, columns=TENDER_COLUMNS).drop(columns=["InPeriod"])
    portfolio = Portfolio(
        period=period, as_of=as_of, policy_label=policy.policy_statement(as_of),
        proxy_label=proxies.label if proxies else None, sources=list(sources.values()),
        findings=sort_findings(report_findings + [n for n in [policy.review_notice(as_of)] if n]), kpis=kpis, by_priority=_by_priority(kpis, library),
        by_contract=by_contract, by_supplier=_by_supplier(by_contract), by_measure=_by_measure(kpis),
        diversity=_diversity(by_contract), tenders=tenders, headlines=[])
    portfolio.headlines = _headlines(portfolio, policy)
    return portfolio


# ---------------------------------------------------------------- registers


def _choose(copies: list[Any]) -> Any:
    """Latest reporting date wins; equal dates: the first path (the list is sorted by path)."""
    latest = max((c.result.reporting_date or date.min) for c in copies)
    return next(c for c in copies if (c.result.reporting_date or date.min) == latest)


def cumulative_register(register: Register, period_end: date) -> Register:
    """The register as it stood at the period end: only rows with PeriodEnd on or before it."""
    return replace(register, actuals=tuple(a for a in register.actuals
                                           if a.period_end is not None and a.period_end <= period_end))


def in_period(day: date | None, period: Period) -> bool:
    return day is not None and period.start <= day <= period.end


CONTRACT_COLUMNS = ["ContractRef", "ContractTitle", "Supplier", "SME", "VCSE", "ContractValue", "StartDate", "EndDate",
                    "LiveInPeriod", "BudgetHolder", "Workbook", "KPIs", "ExpectedShare", "DeliveredShare",
                    "PercentOfExpected", "Rating", "KPIsGood", "KPIsBelowGood", "GBPInPeriod", "GBPCumulative",
                    "KPIsWithoutProxy", "LastPeriodEnd"]


def _register_rows(o: Any, period: Period, as_of: date, policy: Policy, library: MeasureLibrary,
                   proxies: ProxySet | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    full: RegisterResult = o.result
    reg = full.register
    c = reg.contract
    at = assess_register(cumulative_register(reg, period.end), policy, min(period.end, as_of), library, proxies)
    in_period_actuals: dict[str, list[float]] = {}
    for a in reg.actuals:
        if in_period(a.period_end, period) and a.actual is not None:
            in_period_actuals.setdefault(norm(a.kpi_id), []).append(a.actual)
    in_p = {key: total(values) for key, values in in_period_actuals.items()}
    book = Path(o.path).name
    rows = []
    for s in at.statuses:
        measure = library.get(s.measure_code)
        priority = library.find_priority(s.priority) or s.priority or "(no priority)"
        proxy = proxies.get(s.measure_code) if proxies else None
        delivered_p = in_p.get(norm(s.kpi_id), 0.0)
        rows.append({
            "ContractRef": c.ref, "ContractTitle": c.title, "Supplier": c.supplier, "Workbook": book,
            "KPI_ID": s.kpi_id, "Priority": priority,
            "PriorityType": "National" if priority in NATIONAL_PRIORITIES else "Local",
            "MeasureCode": measure.code if measure else s.measure_code, "Measure": measure.description if measure else "",
            "Unit": s.unit, "Target": s.target, "ExpectedToDate": s.expected, "DeliveredInPeriod": delivered_p,
            "DeliveredToDate": s.delivered, "PercentOfExpected": s.percent, "Rating": s.rating,
            "GBPInPeriod": social_value_gbp(delivered_p, proxy) if proxy else None,
            "GBPCumulative": s.social_value_gbp, "ProxySet": s.proxy_label,
        })
    exp, dlv, pct, contract_rating = contract_rating_of(at.statuses, policy)
    gbp_p = [r["GBPInPeriod"] for r in rows if r["GBPInPeriod"] is not None]
    gbp_c = [r["GBPCumulative"] for r in rows if r["GBPCumulative"] is not None]
    contract = {
        "ContractRef": c.ref, "ContractTitle": c.title, "Supplier": c.supplier, "SME": c.sme, "VCSE": c.vcse,
        "ContractValue": c.value, "StartDate": c.start, "EndDate": c.end,
        "LiveInPeriod": c.start <= period.end and c.end >= period.start, "BudgetHolder": c.budget_holder,
        "Workbook": book, "KPIs": len(rows), "ExpectedShare": exp, "DeliveredShare": dlv, "PercentOfExpected": pct,
        "Rating": contract_rating, "KPIsGood": sum(s.rating == "Good" for s in at.statuses),
        "KPIsBelowGood": sum(s.rating in ("Approaching target", "Requires improvement", "Inadequate")
                             for s in at.statuses),
        "GBPInPeriod": total(gbp_p) if gbp_p else None, "GBPCumulative": total(gbp_c) if gbp_c else None,
        "KPIsWithoutProxy": sum(r["GBPCumulative"] is None for r in rows), "LastPeriodEnd": at.reporting_date,
    }
    return rows, contract


def contract_rating_of(statuses: Iterable[KPIStatus], policy: Policy
                       ) -> tuple[float | None, float | None, float | None, str]:
    """(mean expected share, mean delivered share, percent, rating) over a contract's KPIs.

    The same method ``kpi`` uses for a priority's KPIs together: each KPI counts as its
    share of its own target, so apprenticeships and tonnes are never added.
    """
    rated = [s for s in statuses if s.expected is not None and s.target]
    if not rated:
        return None, None, None, NOT_RATED
    exp = mean([s.expected / s.target for s in rated])
    dlv = mean([s.delivered / s.target for s in rated])
    pct = dlv / exp if exp else None
    return exp, dlv, pct, rating(pct, policy)


# ---------------------------------------------------------------- views


def _sum_or_none(series: pd.Series) -> float | None:
    """The correctly rounded sum (``math.fsum``; pandas' own sum is pairwise, not correctly rounded)."""
    values = [float(v) for v in series if v is not None and not pd.isna(v)]
    return total(values) if values else None


def _by_priority(kpis: pd.DataFrame, library: MeasureLibrary) -> pd.DataFrame:
    order = list(library.priorities) + sorted(set(kpis["Priority"]) - set(library.priorities))
    rows = []
    for priority in order:
        members = kpis[kpis["Priority"] == priority]
        if members.empty:
            continue
        rows.append({"Priority": priority, "PriorityType": members["PriorityType"].iloc[0],
                     "Contracts": members["ContractRef"].nunique(), "KPIs": len(members),
                     "KPIsGood": int((members["Rating"] == "Good").sum()),
                     "GBPInPeriod": _sum_or_none(members["GBPInPeriod"]),
                     "GBPCumulative": _sum_or_none(members["GBPCumulative"]),
                     "KPIsWithoutProxy": int(members["GBPCumulative"].isna().sum())})
    return pd.DataFrame(rows, columns=["Priority", "PriorityType", "Contracts", "KPIs", "KPIsGood", "GBPInPeriod",
                                       "GBPCumulative", "KPIsWithoutProxy"])


def _by_supplier(contracts: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for supplier, members in contracts.groupby("Supplier", sort=True):
        rows.append({"Supplier": supplier, "Contracts": len(members),
                     "ContractValue": _sum_or_none(members["ContractValue"]),
                     "SME": bool(members["SME"].fillna(False).any()), "VCSE": bool(members["VCSE"].fillna(False).any()),
                     "KPIs": int(members["KPIs"].sum()), "GBPInPeriod": _sum_or_none(members["GBPInPeriod"]),
                     "GBPCumulative": _sum_or_none(members["GBPCumulative"])})
    return pd.DataFrame(rows, columns=["Supplier", "Contracts", "ContractValue", "SME", "VCSE", "KPIs", "GBPInPeriod",
                                       "GBPCumulative"])


def _by_measure(kpis: pd.DataFrame) -> pd.DataFrame:
    """Quantities add up within a measure: one measure has one unit (a unit mismatch is an error)."""
    rows = []
    for code, members in kpis.groupby("MeasureCode", sort=True):
        labels = sorted({p for p in members["ProxySet"] if p})
        rows.append({"MeasureCode": code, "Measure": members["Measure"].iloc[0],
                     "Priority": members["Priority"].iloc[0], "Unit": members["Unit"].iloc[0],
                     "Contracts": members["ContractRef"].nunique(), "Target": _sum_or_none(members["Target"]),
                     "DeliveredInPeriod": _sum_or_none(members["DeliveredInPeriod"]) or 0.0,
                     "DeliveredToDate": _sum_or_none(members["DeliveredToDate"]) or 0.0,
                     "GBPInPeriod": _sum_or_none(members["GBPInPeriod"]),
                     "GBPCumulative": _sum_or_none(members["GBPCumulative"]),
                     "ProxySet": ", ".join(labels) if labels else "no proxy: quantity only"})
    return pd.DataFrame(rows, columns=["MeasureCode", "Measure", "Priority", "Unit", "Contracts", "Target",
                                       "DeliveredInPeriod", "DeliveredToDate", "GBPInPeriod", "GBPCumulative",
                                       "ProxySet"])


def _diversity(contracts: pd.DataFrame) -> pd.DataFrame:
    live = contracts[contracts["LiveInPeriod"].astype(bool)]
    whole = _sum_or_none(live["ContractValue"]) or 0.0
    rows = []
    for label, mask in (("SME", live["SME"] == True), ("VCSE", live["VCSE"] == True),  # noqa: E712 (None stays out)
                        ("SME or VCSE", (live["SME"] == True) | (live["VCSE"] == True)),  # noqa: E712
                        ("All live contracts", pd.Series(True, index=live.index))):
        members = live[mask]
        value = _sum_or_none(members["ContractValue"]) or 0.0
        rows.append({"Suppliers": label, "Contracts": len(members), "ContractValue": value,
                     "ShareOfValue": value / whole if whole else None})
    return pd.DataFrame(rows, columns=["Suppliers", "Contracts", "ContractValue", "ShareOfValue"])


# ---------------------------------------------------------------- tenders


TENDER_COLUMNS = ["TenderRef", "TenderTitle", "ContractValue", "Route", "ProcurementStart", "SVWeightPercent",
                  "MinimumPercent", "Result", "Workbook", "InPeriod"]


def _tender_row(o: Any, period: Period, policy: Policy) -> dict[str, Any] | None:
    result: TenderResult | None = o.result
    if result is None:
        return None
    s = result.tender.setup
    start = s.procurement_start  # blank in older workbooks without the ProcurementStart name
    if s.route in policy.sv_exempt_routes:
        verdict = TENDER_EXEMPT
    elif policy.sv_applies_minimum(s.contract_value, s.route):
        below = any(f.code == SV_WEIGHT_BELOW_MIN.code for f in result.findings)
        verdict = TENDER_BELOW if below else TENDER_MET
    else:
        verdict = TENDER_NOT_REQUIRED
    return {"TenderRef": s.ref, "TenderTitle": s.title, "ContractValue": s.contract_value, "Route": s.route,
            "ProcurementStart": start, "SVWeightPercent": result.sv_weight,
            "MinimumPercent": policy.sv_min_percent_of_quality, "Result": verdict, "Workbook": Path(o.path).name,
            "InPeriod": start is None or in_period(start, period)}


# ---------------------------------------------------------------- headline


def _headlines(p: Portfolio, policy: Policy) -> list[Headline]:
    proxy = f"proxy set {p.proxy_label}" if p.proxy_label else "no proxy set given: quantities only"
    rated = p.kpis[p.kpis["Rating"].isin(["Good", "Approaching target", "Requires improvement", "Inadequate"])]
    share = dict(zip(p.diversity["Suppliers"], p.diversity["ShareOfValue"]))
    registers = [s for s in p.sources if s.kind == KPI_KIND]
    return [
        Headline(H_SV_PERIOD, _sum_or_none(p.kpis["GBPInPeriod"]), "GBP", proxy),
        Headline(H_SV_CUMULATIVE, _sum_or_none(p.kpis["GBPCumulative"]), "GBP", proxy),
        Headline(H_CONTRACTS, len(p.by_contract), "count", f"of {len(registers)} KPI register(s) read"),
        Headline(H_EXCLUDED, sum(s.status == EXCLUDED_ERRORS for s in registers), "count",
                 "listed on the Sources and Findings sheets"),
        Headline(H_DUPLICATES, sum(s.status == DUPLICATE for s in registers), "count",
                 "same ContractRef as a counted register"),
        Headline(H_KPIS_RATED, len(rated), "count", "Procurement Act 2023 s.71 ratings"),
        Headline(H_KPIS_GOOD, int((rated["Rating"] == "Good").sum()), "count", ""),
        Headline(H_SME_SHARE, share.get("SME"), "share", "of ContractValue of contracts live in the period"),
        Headline(H_VCSE_SHARE, share.get("VCSE"), "share", "of ContractValue of contracts live in the period"),
        Headline(H_TENDERS, len(p.tenders), "count", ""),
        Headline(H_TENDERS_BELOW, int((p.tenders["Result"] == TENDER_BELOW).sum()), "count",
                 f"social value under {policy.sv_min_percent_of_quality:g}% of quality where it applies"),
    ]


def format_gbp(value: float | None) -> str:
    """£ for display: whole pounds (figures stay unrounded in the data and the workbook)."""
    return "–" if value is None else f"£{value:,.0f}"


def format_share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def format_headline(h: Headline) -> str:
    if h.unit == "GBP":
        return format_gbp(h.value)  # type: ignore[arg-type]
    if h.unit == "share":
        return format_share(h.value)  # type: ignore[arg-type]
    return "–" if h.value is None else f"{h.value:,}"


__all__ = ["Portfolio", "Source", "Headline", "build_portfolio", "cumulative_register", "contract_rating_of",
           "in_period", "format_gbp", "format_share", "format_headline"]
