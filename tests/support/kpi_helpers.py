"""Registers built in code for the KPI tests (plain data, no files)."""

from __future__ import annotations

from datetime import date

from sv_workbook.core.kpi.rules import KPI, Actual, ContractInfo, Register

START, END = date(2025, 4, 1), date(2027, 3, 31)


def contract(value=1_000_000.0, frequency="Quarterly", start=START, end=END) -> ContractInfo:
    return ContractInfo("C1", "Repairs", "Supplier Ltd", True, False, value, start, end, "B. Holder", frequency)


def quarter_ends(n: int, start=START) -> list[date]:
    from sv_workbook.core.kpi.rules import reporting_periods

    return [p.end for p in reporting_periods(start, END, "Quarterly")[:n]]


def register(actual_per_quarter=(("K1", 3.0), ("K2", 8.0), ("K3", 23.0)), quarters=6, value=1_000_000.0,
             frequency="Quarterly", kpis=None) -> Register:
    kpis = kpis or (
        KPI("K1", "Jobs & skills", "JS02", "apprenticeships", 24.0),
        KPI("K2", "Climate & waste", "CW02", "tonnes", 80.0),
        KPI("K3", "Supplier diversity", "SD01", "£", 200.0),
    )
    actuals = tuple(Actual(kid, d, amount, f"EV-{kid}-{i}") for i, d in enumerate(quarter_ends(quarters))
                    for kid, amount in actual_per_quarter)
    return Register(contract(value, frequency), tuple(kpis), actuals)
